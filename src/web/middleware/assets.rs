//! Fingerprinted static files: at start-up one hash of every file under the static folder becomes
//! `?v=<hash>` on each stylesheet and script link, so a link names one exact version and the file
//! can be cached for a year (`immutable`); a changed file changes the hash, hence the link.
use std::path::Path;
use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::Error;
use sha2::{Digest, Sha256};

static VERSION: OnceLock<String> = OnceLock::new();

/// Hashes the static folder once (later calls keep the first answer). A folder that cannot be read
/// gives the hash of nothing: links still work, they just change less often.
pub fn fingerprint(static_dir: &Path) {
    VERSION.get_or_init(|| {
        let mut files = Vec::new();
        collect(static_dir, &mut files);
        files.sort();
        let mut hasher = Sha256::new();
        for file in files {
            hasher.update(file.to_string_lossy().as_bytes());
            if let Ok(bytes) = std::fs::read(&file) {
                hasher.update(&bytes);
            }
        }
        hex::encode(&hasher.finalize()[..6])
    });
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The static files' fingerprint, for `?v=` in templates (`{{ crate::web::middleware::assets::version() }}`).
pub fn version() -> &'static str {
    VERSION.get().map_or("dev", String::as_str)
}

/// A year of caching, `immutable`, for a static file asked for by its fingerprinted link.
pub async fn immutable_when_fingerprinted(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let fingerprinted = req.path().starts_with("/static/")
        && req
            .query_string()
            .split('&')
            .any(|pair| pair.strip_prefix("v=") == Some(version()));
    let mut res = next.call(req).await?;
    if fingerprinted && res.status().is_success() {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    Ok(res)
}
