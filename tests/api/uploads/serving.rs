//! Uploads that should work: stored re-encoded, served with their sniffed type and safe headers,
//! scaled, stripped of metadata, set as avatars, counted against quota and budget, and removed by
//! the clean-up job once nothing live names them.
use image::ImageFormat;
use reqwest::StatusCode;

use super::{answer, encode, forum, noise, picture, png};
use crate::member::Member;

#[tokio::test]
async fn a_png_is_stored_by_hash_and_served_with_its_type_and_safe_headers() {
    let forum = forum(&[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let (status, json) = answer(ada.upload("diagram.png", png(120, 80)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let url = json["url"].as_str().expect("url");
    assert!(
        url.starts_with("/uploads/") && url.ends_with(".png"),
        "{url}"
    );
    assert_eq!(url.len(), "/uploads/".len() + 64 + ".png".len());
    assert_eq!(json["markdown"], format!("![diagram]({url})"));

    let res = forum.app.get(url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("cache-control").contains("max-age=31536000"));
    assert!(header("content-security-policy").starts_with("default-src 'none'"));
    let bytes = res.bytes().await.expect("bytes");
    let served = image::load_from_memory(&bytes).expect("a real image");
    assert_eq!((served.width(), served.height()), (120, 80));
    // Stored under the SHA-256 of the bytes served.
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert!(url.contains(&digest));
    assert_eq!(forum.stored_files().len(), 1);

    // Names that are not a stored hash are not found, whatever they try.
    for path in [
        "/uploads/..%2F..%2Fetc%2Fpasswd",
        "/uploads/abc.png",
        &url.replace(".png", ".gif"),
    ] {
        assert_eq!(
            forum.app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_jpeg_loses_its_metadata_and_a_large_image_is_scaled_down() {
    let forum = forum(&[("AGORA_UPLOAD_MAX_SIDE", "100")]).await;
    let ada = Member::join(&forum.app, "ada").await;
    // A JPEG with an EXIF segment holding a location, right after the start-of-image marker.
    let plain = encode(&picture(400, 200), ImageFormat::Jpeg);
    let secret = b"Exif\0\0GPS 51.5007 N 0.1246 W home of ada";
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&((secret.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(secret);
    jpeg.extend_from_slice(&plain[2..]);

    let (status, json) = answer(ada.upload("holiday.jpeg", jpeg).await).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let url = json["url"].as_str().expect("url");
    assert!(url.ends_with(".jpg"), "{url}");
    assert_eq!(
        (json["width"].as_u64(), json["height"].as_u64()),
        (Some(100), Some(50))
    );
    let res = forum.app.get(url).await;
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let bytes = res.bytes().await.expect("bytes");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("GPS") && !text.contains("Exif"),
        "metadata kept"
    );
    assert_eq!(image::guess_format(&bytes).ok(), Some(ImageFormat::Jpeg));
}

#[tokio::test]
async fn the_plain_form_without_javascript_gets_a_page_with_the_markdown_to_copy() {
    let forum = forum(&[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let res = ada
        .upload_form(
            "/uploads",
            "chart.gif",
            encode(&picture(30, 30), ImageFormat::Gif),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let page = res.text().await.expect("page");
    assert!(page.contains("![chart](/uploads/"), "{page}");
    assert!(page.contains(".gif"));

    // The same form with no token at all is refused and stores nothing.
    let part = reqwest::multipart::Part::bytes(png(10, 10)).file_name("x.png");
    let res = ada
        .client
        .post(forum.app.url("/uploads"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(forum.upload_rows().await, 1);
}

#[tokio::test]
async fn a_visitor_cannot_upload() {
    let forum = forum(&[]).await;
    let page = forum.app.get("/login").await.text().await.expect("page");
    let token = crate::helpers::csrf_token(&page);
    let part = reqwest::multipart::Part::bytes(png(10, 10)).file_name("x.png");
    let res = forum
        .app
        .client
        .post(forum.app.url("/uploads"))
        .header("X-CSRF-Token", token)
        .header("Accept", "application/json")
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("post");
    assert!(
        res.status() == StatusCode::UNAUTHORIZED || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(forum.upload_rows().await, 0);
}

#[tokio::test]
async fn an_avatar_is_thumbnailed_to_a_square() {
    let forum = forum(&[("AGORA_AVATAR_SIDE", "48")]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let res = ada
        .upload_form("/settings/avatar", "me.png", png(300, 200))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let avatar = agora::db::uploads::avatar(&forum.app.db, ada.id)
        .await
        .expect("db")
        .expect("avatar set");
    let bytes = forum
        .app
        .get(&format!("/uploads/{avatar}"))
        .await
        .bytes()
        .await
        .expect("bytes");
    let served = image::load_from_memory(&bytes).expect("image");
    assert_eq!((served.width(), served.height()), (48, 48));
    let profile = ada.page("/u/ada").await;
    assert!(
        profile.contains(&format!("/uploads/{avatar}")),
        "avatar on the profile"
    );
}

#[tokio::test]
async fn the_quota_and_the_hourly_budget_are_kept() {
    let forum = forum(&[
        ("AGORA_UPLOAD_QUOTA_MB", "1"),
        ("AGORA_UPLOADS_PER_HOUR", "4"),
    ])
    .await;
    let ada = Member::join(&forum.app, "ada").await;
    // Noise does not compress: about 750 KB each.
    let first = encode(&noise(500, 500, 1), ImageFormat::Png);
    let (status, _) = answer(ada.upload("a.png", first.clone()).await).await;
    assert_eq!(status, StatusCode::CREATED);
    // The same image again costs nothing.
    let (status, _) = answer(ada.upload("a-again.png", first).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, json) = answer(
        ada.upload("b.png", encode(&noise(500, 500, 2), ImageFormat::Png))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json["error"].as_str().unwrap_or("").contains("1 MB"),
        "{json}"
    );
    assert_eq!(
        forum.stored_files().len(),
        1,
        "nothing stored past the quota"
    );

    // Another member has a quota of their own.
    let bo = Member::join(&forum.app, "bob").await;
    let (status, _) = answer(bo.upload("small.png", png(20, 20)).await).await;
    assert_eq!(status, StatusCode::CREATED);

    // Four attempts an hour, refused ones included; the fifth waits.
    let res = ada.upload("c.png", png(20, 20)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = ada.upload("d.png", png(21, 20)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let (_, json) = answer(res).await;
    assert!(
        json["error"].as_str().unwrap_or("").contains("hour"),
        "{json}"
    );
}

#[tokio::test]
async fn the_clean_up_job_removes_images_no_live_post_names() {
    let forum = forum(&[("AGORA_UPLOAD_GRACE_HOURS", "0")]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let (_, kept) = answer(ada.upload("kept.png", png(40, 40)).await).await;
    let (_, unused) = answer(ada.upload("unused.png", png(41, 40)).await).await;
    let kept_url = kept["url"].as_str().expect("url").to_string();
    let unused_url = unused["url"].as_str().expect("url").to_string();
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
    let article = crate::member::id_after(&crate::helpers::location(&res), "/articles/");
    let page = ada.page(&format!("/articles/{article}")).await;
    assert!(
        page.contains(&format!("src=\"{kept_url}\"")),
        "the image shows in the post"
    );

    agora::db::jobs::enqueue(&forum.app.db, "uploads.sweep", "{}", None, 3)
        .await
        .expect("queue");
    forum.app.run_jobs().await;
    assert_eq!(forum.app.get(&kept_url).await.status(), StatusCode::OK);
    assert_eq!(
        forum.app.get(&unused_url).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(forum.stored_files().len(), 1);

    let res = ada.post(&format!("/articles/{article}/delete"), &[]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    agora::db::jobs::enqueue(&forum.app.db, "uploads.sweep", "{}", None, 3)
        .await
        .expect("queue");
    forum.app.run_jobs().await;
    assert_eq!(
        forum.app.get(&kept_url).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(forum.stored_files().is_empty());
}

#[tokio::test]
async fn a_silenced_member_cannot_upload() {
    let forum = forum(&[]).await;
    let staff = Member::with(&forum.app, "staff", agora::domain::Role::Moderator, 1).await;
    let ada = Member::join(&forum.app, "ada").await;
    let res = staff
        .post(
            &format!("/admin/users/{}/silence", ada.id),
            &[("days", "3"), ("reason", "calm down")],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let (status, json) = answer(ada.upload("x.png", png(10, 10)).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{json}");
    assert!(json["error"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(forum.upload_rows().await, 0);
    assert!(forum.stored_files().is_empty());
}

#[tokio::test]
async fn an_uploaded_logo_becomes_the_brand_and_the_clean_up_job_keeps_it() {
    let forum = forum(&[("AGORA_UPLOAD_GRACE_HOURS", "0")]).await;
    let admin = Member::with(&forum.app, "admin", agora::domain::Role::Admin, 1).await;
    let settings = admin.page("/admin/settings").await;
    assert!(
        settings.contains("id=\"logo-upload\"")
            && settings.contains("data-upload-form=\"logo-upload\""),
        "the brand form offers an upload for the logo"
    );
    assert!(settings.contains("id=\"favicon-upload\""));
    let (_, logo) = answer(admin.upload("logo.png", png(64, 64)).await).await;
    let logo_url = logo["url"].as_str().expect("url").to_string();
    let res = admin
        .post(
            "/admin/settings/brand",
            &[
                ("logo", logo_url.as_str()),
                ("favicon", ""),
                ("accent_light", ""),
                ("accent_dark", ""),
                ("banner", ""),
                ("banner_until", ""),
                ("footer_links", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(admin
        .page("/")
        .await
        .contains(&format!("<img src=\"{logo_url}\"")));

    agora::db::jobs::enqueue(&forum.app.db, "uploads.sweep", "{}", None, 3)
        .await
        .expect("queue");
    forum.app.run_jobs().await;
    assert_eq!(
        forum.app.get(&logo_url).await.status(),
        StatusCode::OK,
        "the brand's logo is live content"
    );
}
