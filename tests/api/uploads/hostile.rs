//! Files that are not the images they claim to be: each is refused with a message that says why,
//! and nothing is stored (no row, no file).
use image::ImageFormat;
use reqwest::StatusCode;

use super::{answer, encode, forum, picture, png, Forum};
use crate::member::Member;

async fn refused(forum: &Forum, member: &Member, name: &str, bytes: Vec<u8>) -> String {
    let (status, json) = answer(member.upload(name, bytes).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {json}");
    assert_eq!(forum.upload_rows().await, 0, "{name}: no row");
    assert!(forum.stored_files().is_empty(), "{name}: no file");
    json["error"].as_str().expect("a message").to_string()
}

#[tokio::test]
async fn svg_and_other_types_are_refused_whatever_the_name_says() {
    let forum = forum(&[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>"#;
    let message = refused(&forum, &ada, "logo.png", svg.to_vec()).await;
    assert!(message.contains("SVG"), "{message}");
    let html = b"<!doctype html><script>alert(document.cookie)</script>".to_vec();
    let message = refused(&forum, &ada, "photo.jpg", html).await;
    assert!(message.contains("PNG, JPEG, WebP or GIF"), "{message}");
    // A BMP header: a real image format, but not one of the four.
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0]);
    bmp.extend_from_slice(&[0; 48]);
    let message = refused(&forum, &ada, "old.png", bmp).await;
    assert!(
        message.contains("not a PNG, JPEG, WebP or GIF"),
        "{message}"
    );
}

#[tokio::test]
async fn a_truncated_image_is_refused_as_damaged() {
    let forum = forum(&[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let whole = png(200, 200);
    let message = refused(&forum, &ada, "half.png", whole[..whole.len() / 2].to_vec()).await;
    assert!(message.contains("damaged or incomplete"), "{message}");
}

#[tokio::test]
async fn a_gif_polyglot_carrying_html_never_reaches_a_reader() {
    let forum = forum(&[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    // A GIF header followed by a page: a browser sniffing it would run the script.
    let mut polyglot = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;".to_vec();
    polyglot.extend_from_slice(b"<html><script>alert(document.domain)</script></html>");
    let message = refused(&forum, &ada, "cat.gif", polyglot).await;
    assert!(message.contains("damaged or incomplete"), "{message}");

    // A real GIF with a page appended decodes, but only its pixels are stored.
    let mut appended = encode(&picture(16, 16), ImageFormat::Gif);
    appended.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let (status, json) = answer(ada.upload("dog.gif", appended).await).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let url = json["url"].as_str().expect("url");
    let res = forum.app.get(url).await;
    assert_eq!(res.headers()["content-type"], "image/gif");
    let bytes = res.bytes().await.expect("bytes");
    assert!(!String::from_utf8_lossy(&bytes).contains("<script"));
}

/// A PNG whose header declares `width` x `height` pixels, followed by a few bytes of data.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x63\x00\x00\x00\x01\x00\x01";
    out.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    out.extend_from_slice(idat);
    out.extend_from_slice(&crc32(idat).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn a_forty_thousand_pixel_square_header_is_refused_unread() {
    let forum = forum(&[]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let bomb = png_header(40_000, 40_000);
    assert!(bomb.len() < 100, "a tiny file declaring 1.6 billion pixels");
    let message = refused(&forum, &ada, "bomb.png", bomb).await;
    assert!(message.contains("40000 × 40000"), "{message}");
    assert!(message.contains("40 megapixels"), "{message}");
    // The server is still answering.
    let (status, _) = answer(ada.upload("fine.png", png(10, 10)).await).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_file_over_the_size_cap_is_refused_with_the_cap() {
    let forum = forum(&[("AGORA_UPLOAD_MAX_KB", "64")]).await;
    let ada = Member::join(&forum.app, "ada").await;
    let big = encode(&super::noise(200, 200, 7), ImageFormat::Png);
    assert!(big.len() > 64 * 1024);
    let message = refused(&forum, &ada, "big.png", big).await;
    assert!(message.contains("larger than 64 KB"), "{message}");
}
