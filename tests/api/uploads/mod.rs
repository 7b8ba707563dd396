//! Image uploads through `POST /uploads` as the editor's script and a plain form send them: real
//! PNG, JPEG and GIF bytes made here with the `image` crate, and the hostile ones (SVG, truncated,
//! polyglot, a 40,000 x 40,000 header), each refused with a message and nothing stored; quota,
//! hourly budget, serving headers, avatars and the clean-up job; the same in an S3 bucket (s3.rs).
mod hostile;
mod s3;
mod serving;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbaImage};
use serde_json::Value;

use crate::helpers::{spawn_app_with, TestApp};

/// A forum whose uploads go to a folder of their own (kept alive with the app).
pub struct Forum {
    pub app: TestApp,
    pub dir: tempfile::TempDir,
}

pub async fn forum(extra: &[(&str, &str)]) -> Forum {
    let dir = tempfile::tempdir().expect("upload dir");
    let path = dir.path().display().to_string();
    let mut settings = vec![("AGORA_UPLOAD_DIR", path.as_str())];
    settings.extend_from_slice(extra);
    let app = spawn_app_with(&settings).await;
    Forum { app, dir }
}

impl Forum {
    /// Every file stored under the upload folder.
    pub fn stored_files(&self) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        let mut folders = vec![self.dir.path().to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).expect("read dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files
    }

    pub async fn upload_rows(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM uploads")
            .fetch_one(self.app.db.reader())
            .await
            .expect("count")
    }
}

/// A picture of `width` x `height` with a gradient (so it compresses like a real image).
pub fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
    }))
}

/// A picture of noise: it does not compress, so its size is about 3 bytes a pixel.
pub fn noise(width: u32, height: u32, seed: u32) -> DynamicImage {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    }))
}

pub fn encode(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let picture = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(picture.to_rgb8()),
        _ => picture.clone(),
    };
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(&picture(width, height), ImageFormat::Png)
}

/// The JSON answer of an upload.
pub async fn answer(res: reqwest::Response) -> (reqwest::StatusCode, Value) {
    let status = res.status();
    let body = res.text().await.expect("body");
    let json = serde_json::from_str(&body).unwrap_or_else(|_| panic!("JSON answer: {body}"));
    (status, json)
}
