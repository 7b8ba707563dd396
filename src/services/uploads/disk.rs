//! Uploaded files on disk under `AGORA_UPLOAD_DIR`: `{dir}/{first two hex}/{sha256}.{ext}`. A file
//! is written under a temporary name and renamed into place, so a reader never sees half of one.
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::domain::UploadName;

pub fn path_of(dir: &Path, name: &UploadName) -> PathBuf {
    dir.join(&name.sha256[..2]).join(name.file_name())
}

/// Stores `bytes` as `name` unless a file of that name (the same bytes) is there already.
pub async fn put(dir: &Path, name: &UploadName, bytes: &[u8]) -> std::io::Result<()> {
    let path = path_of(dir, name);
    if tokio::fs::try_exists(&path).await? {
        return Ok(());
    }
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

/// The stored bytes, or `None` when no such file is stored.
pub async fn get(dir: &Path, name: &UploadName) -> std::io::Result<Option<Vec<u8>>> {
    match tokio::fs::read(path_of(dir, name)).await {
        Ok(bytes) => Ok(Some(bytes)),
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
