//! Uploaded images: the four formats the forum accepts (named by their bytes, never by a file name)
//! and the public name of a stored file, `{sha256}.{ext}`.

/// An image format the forum stores and serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    WebP,
    Gif,
}

impl ImageKind {
    pub const ALL: [ImageKind; 4] = [
        ImageKind::Png,
        ImageKind::Jpeg,
        ImageKind::WebP,
        ImageKind::Gif,
    ];

    pub fn ext(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::WebP => "webp",
            ImageKind::Gif => "gif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::WebP => "image/webp",
            ImageKind::Gif => "image/gif",
        }
    }

    pub fn from_ext(ext: &str) -> Option<ImageKind> {
        ImageKind::ALL.into_iter().find(|k| k.ext() == ext)
    }
}

/// What an upload is for: an image in a post, comment or resource, or a member's avatar (thumbnailed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadPurpose {
    Content,
    Avatar,
}

impl UploadPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadPurpose::Content => "content",
            UploadPurpose::Avatar => "avatar",
        }
    }
}

/// `{64 lowercase hex}.{ext}`: the only names `/uploads/` serves, so a request can never name a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadName {
    pub sha256: String,
    pub kind: ImageKind,
}

impl UploadName {
    pub fn new(sha256: String, kind: ImageKind) -> UploadName {
        UploadName { sha256, kind }
    }

    pub fn parse(name: &str) -> Option<UploadName> {
        let (hash, ext) = name.split_once('.')?;
        let is_hash = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let kind = ImageKind::from_ext(ext)?;
        is_hash.then(|| UploadName::new(hash.to_string(), kind))
    }

    pub fn file_name(&self) -> String {
        format!("{}.{}", self.sha256, self.kind.ext())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_a_hash_and_a_known_extension() {
        let hash = "a".repeat(64);
        let name = UploadName::parse(&format!("{hash}.png")).expect("valid");
        assert_eq!(name.kind, ImageKind::Png);
        assert_eq!(name.file_name(), format!("{hash}.png"));
        assert!(UploadName::parse(&format!("{hash}.svg")).is_none());
        assert!(UploadName::parse(&format!("{}.png", "A".repeat(64))).is_none());
        assert!(UploadName::parse("../../etc/passwd.png").is_none());
        assert!(UploadName::parse(&format!("{hash}.png.png")).is_none());
    }
}
