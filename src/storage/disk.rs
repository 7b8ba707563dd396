//! Uploaded files on disk under `AGORA_UPLOAD_DIR`: `{dir}/{first two hex}/{sha256}.{ext}`. A file
//! is written under a temporary name and renamed into place, so a reader never sees half of one.
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::domain::UploadName;

pub fn path_of(dir: &Path, name: &UploadName) -> PathBuf {
    dir.join(&name.sha256[..2]).join(name.file_name())
}

pub async fn exists(dir: &Path, name: &UploadName) -> std::io::Result<bool> {
    tokio::fs::try_exists(path_of(dir, name)).await
}

/// Stores `bytes` as `name` (the caller has checked that no file of that name is there).
pub async fn put(dir: &Path, name: &UploadName, bytes: &[u8]) -> std::io::Result<()> {
    let path = path_of(dir, name);
    let folder = path.parent().unwrap_or(dir);
    tokio::fs::create_dir_all(folder).await?;
    let temporary = folder.join(format!(
        ".{}.{:016x}.part",
        name.file_name(),
        rand::random::<u64>()
    ));
    tokio::fs::write(&temporary, bytes).await?;
    tokio::fs::rename(&temporary, &path).await
}

/// The open file and its length, or `None` when no such file is stored.
pub async fn open(
    dir: &Path,
    name: &UploadName,
) -> std::io::Result<Option<(u64, tokio::fs::File)>> {
    match tokio::fs::File::open(path_of(dir, name)).await {
        Ok(file) => {
            let len = file.metadata().await?.len();
            Ok(Some((len, file)))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn remove(dir: &Path, name: &UploadName) -> std::io::Result<()> {
    match tokio::fs::remove_file(path_of(dir, name)).await {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
