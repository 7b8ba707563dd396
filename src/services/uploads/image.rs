//! The image pipeline of an upload, pure and synchronous (the service runs it on the blocking pool):
//! the format is read from the bytes, the declared size is checked before any pixel is decoded, and
//! the image is decoded under allocation limits, turned upright, scaled down and encoded anew, so
//! no metadata (EXIF, comments, trailing bytes of a polyglot) survives into the stored file.
use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageError, ImageFormat, ImageReader, Limits};

use crate::domain::ImageKind;

/// How large an image may be and what it becomes.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Declared width x height past this is refused unread.
    pub max_pixels: u64,
    /// The longer side is scaled down to this.
    pub max_side: u32,
    /// `Some(side)`: cropped to a centred square of this side (avatars).
    pub square: Option<u32>,
}

/// Why the bytes are not an image the forum stores.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefusal {
    #[error("SVG is not accepted")]
    Svg,
    #[error("not a PNG, JPEG, WebP or GIF image")]
    UnsupportedType,
    #[error("declared {width} x {height} pixels, over the limit")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image data is damaged or incomplete")]
    Corrupt,
}

/// The re-encoded image.
#[derive(Debug, Clone)]
pub struct Processed {
    pub kind: ImageKind,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The format the bytes start with, if it is one the forum accepts.
pub fn sniff(bytes: &[u8]) -> Result<ImageKind, ImageRefusal> {
    if looks_like_svg(bytes) {
        return Err(ImageRefusal::Svg);
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => Ok(ImageKind::Png),
        Ok(ImageFormat::Jpeg) => Ok(ImageKind::Jpeg),
        Ok(ImageFormat::WebP) => Ok(ImageKind::WebP),
        Ok(ImageFormat::Gif) => Ok(ImageKind::Gif),
        _ => Err(ImageRefusal::UnsupportedType),
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let text = head.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<') && text.contains("<svg")
}

fn format_of(kind: ImageKind) -> ImageFormat {
    match kind {
        ImageKind::Png => ImageFormat::Png,
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::WebP => ImageFormat::WebP,
        ImageKind::Gif => ImageFormat::Gif,
    }
}

fn limits(shape: &Shape) -> Limits {
    let mut limits = Limits::default();
    // A side may be long as long as the area is within the budget; the area check below is the
    // real bound, these stop a decoder from trusting a header of 4 billion columns.
    let side = u32::try_from(shape.max_pixels.min(u64::from(u32::MAX))).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    // Eight bytes a pixel (16-bit RGBA) plus room for the scaled copy.
    limits.max_alloc = Some(shape.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    limits
}

fn refusal(error: ImageError) -> ImageRefusal {
    match error {
        ImageError::Unsupported(_) => ImageRefusal::UnsupportedType,
        _ => ImageRefusal::Corrupt,
    }
}

/// Sniffs, checks the declared size, decodes, scales and re-encodes in the same format.
pub fn process(bytes: &[u8], shape: &Shape) -> Result<Processed, ImageRefusal> {
    let kind = sniff(bytes)?;
    let format = format_of(kind);
    let reader = |bytes| {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(limits(shape));
        reader
    };
    let (width, height) = match reader(bytes).into_dimensions() {
        Ok(size) => size,
        Err(ImageError::Limits(_)) => return Err(too_many_pixels(bytes, format)),
        Err(e) => return Err(refusal(e)),
    };
    if u64::from(width) * u64::from(height) > shape.max_pixels {
        return Err(ImageRefusal::TooManyPixels { width, height });
    }
    let mut decoder = reader(bytes).into_decoder().map_err(refusal)?;
    let orientation = image::ImageDecoder::orientation(&mut decoder).ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    let picture = match shape.square {
        Some(side) => picture.resize_to_fill(side, side, FilterType::Triangle),
        None if picture.width().max(picture.height()) > shape.max_side => {
            picture.resize(shape.max_side, shape.max_side, FilterType::Triangle)
        }
        None => picture,
    };
    let picture = match kind {
        ImageKind::Png => picture,
        ImageKind::Jpeg => DynamicImage::ImageRgb8(picture.to_rgb8()),
        ImageKind::WebP | ImageKind::Gif => DynamicImage::ImageRgba8(picture.to_rgba8()),
    };
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, format)
        .map_err(|_| ImageRefusal::Corrupt)?;
    Ok(Processed {
        kind,
        bytes: out.into_inner(),
        width: picture.width(),
        height: picture.height(),
    })
}

/// The declared size for the message, read again without limits (the header only).
fn too_many_pixels(bytes: &[u8], format: ImageFormat) -> ImageRefusal {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    match reader.into_dimensions() {
        Ok((width, height)) => ImageRefusal::TooManyPixels { width, height },
        Err(_) => ImageRefusal::Corrupt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: Shape = Shape {
        max_pixels: 40_000_000,
        max_side: 64,
        square: None,
    };

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 255]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(picture)
            .write_to(&mut out, ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn a_png_is_re_encoded_and_scaled_to_the_longest_side() {
        let done = process(&png(200, 100), &SHAPE).expect("processed");
        assert_eq!(done.kind, ImageKind::Png);
        assert_eq!((done.width, done.height), (64, 32));
        assert_eq!(sniff(&done.bytes), Ok(ImageKind::Png));
    }

    #[test]
    fn svg_and_text_are_refused_by_their_bytes() {
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
        assert_eq!(process(svg, &SHAPE).unwrap_err(), ImageRefusal::Svg);
        assert_eq!(
            process(b"<svg onload=alert(1)>", &SHAPE).unwrap_err(),
            ImageRefusal::Svg
        );
        assert_eq!(
            process(b"hello, world", &SHAPE).unwrap_err(),
            ImageRefusal::UnsupportedType
        );
    }

    #[test]
    fn a_truncated_png_is_refused_as_damaged() {
        let whole = png(50, 50);
        let cut = &whole[..whole.len() / 2];
        assert_eq!(process(cut, &SHAPE).unwrap_err(), ImageRefusal::Corrupt);
    }

    #[test]
    fn avatars_become_squares() {
        let shape = Shape {
            square: Some(16),
            ..SHAPE
        };
        let done = process(&png(90, 40), &shape).expect("processed");
        assert_eq!((done.width, done.height), (16, 16));
    }
}
