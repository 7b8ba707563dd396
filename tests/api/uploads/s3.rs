//! Uploads in an S3-compatible bucket (`AGORA_UPLOAD_S3_URL`), against a real S3 server: moto's, from
//! PyPI, installed into .venv-s3 by tools/setup/s3.sh and started here on a free port. The bucket is
//! read back directly (a signed list and GET, as any S3 client does), not through the forum.
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{Attribute, ObjectStore, ObjectStoreExt};
use reqwest::StatusCode;

use super::{answer, png, Forum};
use crate::helpers::{location, TestApp};
use crate::member::{id_after, Member};

const KEY_ID: &str = "agora-test-key";
const SECRET: &str = "agora-test-secret";

/// A moto S3 server of this test's own, stopped when dropped.
struct S3Server {
    port: u16,
    child: Child,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Installs moto into .venv-s3 once per test run (`tools/setup/s3.sh`, idempotent).
fn moto_server_program() -> std::path::PathBuf {
    static READY: OnceLock<std::path::PathBuf> = OnceLock::new();
    READY
        .get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let status = Command::new("bash")
                .arg(root.join("tools/setup/s3.sh"))
                .status()
                .expect("bash runs tools/setup/s3.sh");
            assert!(status.success(), "tools/setup/s3.sh installs moto");
            root.join(".venv-s3/bin/moto_server")
        })
        .clone()
}

impl S3Server {
    async fn start() -> S3Server {
        let program = moto_server_program();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let server = S3Server { port, child };
        // Python takes a moment to import moto; the server is up once it accepts a connection.
        for _ in 0..1200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("moto_server did not listen on port {port}");
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket (moto takes an unsigned PUT) and returns a client of it for the checks.
    async fn bucket(&self, name: &str) -> AmazonS3 {
        let res = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint()))
            .send()
            .await
            .expect("create bucket");
        assert!(
            res.status().is_success(),
            "bucket created: {}",
            res.status()
        );
        AmazonS3Builder::new()
            .with_bucket_name(name)
            .with_region("us-east-1")
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_access_key_id(KEY_ID)
            .with_secret_access_key(SECRET)
            .build()
            .expect("a client of the bucket")
    }

    /// The settings of a forum whose uploads go to `s3://{bucket}/{prefix}` on this server.
    fn settings(&self, bucket: &str, prefix: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AGORA_UPLOAD_S3_URL", format!("s3://{bucket}/{prefix}")),
            ("AGORA_UPLOAD_S3_ENDPOINT", self.endpoint()),
            ("AGORA_UPLOAD_S3_ALLOW_HTTP", "true".into()),
            ("AGORA_UPLOAD_S3_KEY_ID", KEY_ID.into()),
            ("AGORA_UPLOAD_S3_SECRET", SECRET.into()),
        ]
    }

    /// A forum storing in the bucket (its upload folder is there too, and must stay empty).
    async fn forum(&self, bucket: &str, prefix: &str, extra: &[(&str, &str)]) -> Forum {
        let settings = self.settings(bucket, prefix);
        let mut all: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.extend_from_slice(extra);
        super::forum(&all).await
    }
}

/// Every key in the bucket, sorted.
async fn keys(bucket: &AmazonS3) -> Vec<String> {
    let mut keys: Vec<String> = bucket
        .list(None)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .expect("list the bucket");
    keys.sort();
    keys
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn sweep(app: &TestApp) {
    agora::db::jobs::enqueue(&app.db, "uploads.sweep", "{}", None, 3)
        .await
        .expect("queue");
    app.run_jobs().await;
}

#[tokio::test]
async fn an_upload_is_stored_in_the_bucket_and_served_from_it_with_the_same_headers() {
    let s3 = S3Server::start().await;
    let bucket = s3.bucket("forum-images").await;
    let forum = s3.forum("forum-images", "agora/uploads", &[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let (status, json) = answer(ada.upload("diagram.png", png(120, 80)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let url = json["url"].as_str().expect("url").to_string();
    let file_name = url.trim_start_matches("/uploads/").to_string();

    // The object is in the bucket under the prefix, named by its hash; nothing went to the folder.
    assert_eq!(keys(&bucket).await, [format!("agora/uploads/{file_name}")]);
    assert!(forum.stored_files().is_empty(), "nothing on disk");
    let object = bucket
        .get(&Path::from(format!("agora/uploads/{file_name}")))
        .await
        .expect("a plain S3 GET finds it");
    assert_eq!(
        object
            .attributes
            .get(&Attribute::ContentType)
            .map(|v| v.as_ref()),
        Some("image/png"),
        "stored with its type"
    );
    let in_bucket = object.bytes().await.expect("bytes");
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&in_bucket));
    assert_eq!(file_name, format!("{digest}.png"));

    // Served back from the bucket with the headers of a file from the folder.
    let res = forum.app.get(&url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&res, "content-security-policy").starts_with("default-src 'none'"));
    assert_eq!(header(&res, "content-length"), in_bucket.len().to_string());
    let served = res.bytes().await.expect("bytes");
    assert_eq!(served, in_bucket, "the bytes of the bucket");
    let image = image::load_from_memory(&served).expect("a real image");
    assert_eq!((image.width(), image.height()), (120, 80));

    // The same picture again is the same object: deduplicated by its hash.
    let (status, again) = answer(ada.upload("copy.png", png(120, 80)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["url"], json["url"]);
    assert_eq!(keys(&bucket).await.len(), 1);

    // A name the forum never stored is not found, even if someone put it in the bucket.
    let planted = format!("{}.png", "ab".repeat(32));
    bucket
        .put(
            &Path::from(format!("agora/uploads/{planted}")),
            in_bucket.clone().into(),
        )
        .await
        .expect("put");
    let res = forum.app.get(&format!("/uploads/{planted}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_clean_up_job_deletes_the_objects_no_live_post_names() {
    let s3 = S3Server::start().await;
    let bucket = s3.bucket("sweep").await;
    let forum = s3
        .forum("sweep", "", &[("AGORA_UPLOAD_GRACE_HOURS", "0")])
        .await;
    let ada = Member::join(&forum.app, "ada").await;
    let (_, kept) = answer(ada.upload("kept.png", png(40, 40)).await).await;
    let (_, unused) = answer(ada.upload("unused.png", png(41, 40)).await).await;
    let kept_url = kept["url"].as_str().expect("url").to_string();
    let unused_url = unused["url"].as_str().expect("url").to_string();
    let kept_key = kept_url.trim_start_matches("/uploads/").to_string();
    assert_eq!(keys(&bucket).await.len(), 2);
    let body = format!("A figure:\n\n{}\n", kept["markdown"].as_str().expect("md"));
    let res = ada
        .post(
            "/articles",
            &[
                ("title", "Attention, drawn"),
                ("body", &body),
                ("tags", "transformers"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let article = id_after(&location(&res), "/articles/");

    sweep(&forum.app).await;
    assert_eq!(keys(&bucket).await, [kept_key], "the unused one went");
    assert_eq!(forum.app.get(&kept_url).await.status(), StatusCode::OK);
    assert_eq!(
        forum.app.get(&unused_url).await.status(),
        StatusCode::NOT_FOUND
    );

    let res = ada.post(&format!("/articles/{article}/delete"), &[]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    sweep(&forum.app).await;
    assert!(keys(&bucket).await.is_empty(), "the bucket is empty");
    assert_eq!(
        forum.app.get(&kept_url).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn two_instances_on_one_database_and_bucket_serve_the_same_images() {
    let s3 = S3Server::start().await;
    let bucket = s3.bucket("shared").await;
    let first = s3.forum("shared", "", &[]).await;
    // The second instance: the same database and bucket, a folder of its own (left empty).
    let database = first.app.settings.database_url.as_str().to_string();
    let second = s3
        .forum(
            "shared",
            "",
            &[
                ("DATABASE_URL", &database),
                ("AGORA_UPLOAD_GRACE_HOURS", "0"),
            ],
        )
        .await;

    let ada = Member::join(&first.app, "ada").await;
    let (status, json) = answer(ada.upload("chart.png", png(64, 48)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let url = json["url"].as_str().expect("url").to_string();
    let from_first = first.app.get(&url).await.bytes().await.expect("bytes");
    let res = second.app.get(&url).await;
    assert_eq!(res.status(), StatusCode::OK, "the other instance has it");
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(res.bytes().await.expect("bytes"), from_first);
    assert!(first.stored_files().is_empty() && second.stored_files().is_empty());

    // A member of the second instance uploading the same picture adds nothing to the bucket.
    let bob = Member::join(&second.app, "bob").await;
    let (status, again) = answer(bob.upload("same.png", png(64, 48)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["url"], json["url"]);
    assert_eq!(keys(&bucket).await.len(), 1);

    // Nothing names it: the job run by the second instance removes it for both.
    sweep(&second.app).await;
    assert!(keys(&bucket).await.is_empty());
    assert_eq!(first.app.get(&url).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unreachable_bucket_refuses_the_upload_and_records_nothing() {
    let s3 = S3Server::start().await;
    let _bucket = s3.bucket("gone").await;
    let forum = s3.forum("gone", "", &[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    drop(s3);
    let res = ada.upload("diagram.png", png(32, 32)).await;
    assert!(res.status().is_server_error(), "{}", res.status());
    assert_eq!(forum.upload_rows().await, 0, "no upload recorded");
    assert!(forum.stored_files().is_empty());
}

#[tokio::test]
async fn a_members_export_carries_their_images_from_the_bucket() {
    let s3 = S3Server::start().await;
    let bucket = s3.bucket("exports").await;
    let forum = s3.forum("exports", "img", &[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let (status, json) = answer(ada.upload("plot.png", png(30, 20)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let file_name = json["url"]
        .as_str()
        .and_then(|u| u.strip_prefix("/uploads/"))
        .expect("url")
        .to_string();
    let in_bucket = bucket
        .get(&Path::from(format!("img/{file_name}")))
        .await
        .expect("in the bucket")
        .bytes()
        .await
        .expect("bytes");

    let res = ada.post("/settings/export", &[]).await;
    assert_eq!(location(&res), "/settings/data");
    assert!(forum.app.run_jobs().await >= 1);
    let page = ada.page("/settings/data").await;
    let start = page
        .find("href=\"/settings/export/")
        .expect("a download link")
        + 6;
    let link = &page[start..start + page[start..].find('"').expect("link ends")];
    let res = ada
        .client
        .get(forum.app.url(link))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let zipped = res.bytes().await.expect("bytes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).expect("a zip");
    let mut image = Vec::new();
    std::io::Read::read_to_end(
        &mut archive
            .by_name(&format!("uploads/{file_name}"))
            .expect("the image in the zip"),
        &mut image,
    )
    .expect("read");
    assert_eq!(image, in_bucket, "the bytes of the bucket");
}
