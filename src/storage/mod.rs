//! Where uploaded images live: a folder (`AGORA_UPLOAD_DIR`, the default) or an S3-compatible bucket
//! (`AGORA_UPLOAD_S3_URL`) that several instances share. Objects are named by the SHA-256 of their
//! bytes, so what is stored under a name never changes: a put of a stored name is skipped.
mod disk;
mod s3;

use std::path::PathBuf;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use tokio::io::AsyncReadExt;

use crate::config::UploadSettings;
use crate::domain::UploadName;

/// How long a browser or a CDN may keep an image: its name is its hash, so forever.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Bytes read from disk at a time while streaming a file.
const CHUNK: usize = 64 * 1024;

/// The store the settings name; cheap to clone.
#[derive(Clone)]
pub enum Store {
    Disk(PathBuf),
    S3(s3::Bucket),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("upload folder: {0}")]
    Disk(#[from] std::io::Error),
    #[error("upload bucket: {0}")]
    S3(#[from] object_store::Error),
}

/// A stored image on its way out: its length and its bytes as they arrive.
pub struct Object {
    pub len: u64,
    pub bytes: BoxStream<'static, Result<Bytes, StoreError>>,
}

impl Object {
    /// All of it in memory (for the personal-data archive).
    pub async fn collect(self) -> Result<Vec<u8>, StoreError> {
        let mut all = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        let mut bytes = self.bytes;
        while let Some(chunk) = bytes.try_next().await? {
            all.extend_from_slice(&chunk);
        }
        Ok(all)
    }
}

impl Store {
    /// The bucket when `AGORA_UPLOAD_S3_URL` names one, else the folder. Nothing is contacted yet.
    pub fn open(settings: &UploadSettings) -> Result<Store, StoreError> {
        Ok(match &settings.s3 {
            Some(bucket) => Store::S3(s3::Bucket::open(bucket)?),
            None => Store::Disk(settings.dir.clone()),
        })
    }

    /// `folder data/uploads` or `bucket s3://name/prefix`, for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Store::Disk(dir) => format!("folder {}", dir.display()),
            Store::S3(bucket) => format!("bucket {}", bucket.url()),
        }
    }

    pub async fn exists(&self, name: &UploadName) -> Result<bool, StoreError> {
        Ok(match self {
            Store::Disk(dir) => disk::exists(dir, name).await?,
            Store::S3(bucket) => bucket.exists(name).await?,
        })
    }

    /// Stores `bytes` as `name` unless that name is stored already (the same bytes, by their hash).
    pub async fn put(&self, name: &UploadName, bytes: Vec<u8>) -> Result<(), StoreError> {
        if self.exists(name).await? {
            return Ok(());
        }
        match self {
            Store::Disk(dir) => disk::put(dir, name, &bytes).await?,
            Store::S3(bucket) => bucket.put(name, bytes).await?,
        }
        Ok(())
    }

    /// The stored image, streamed, or `None` when none of that name is stored.
    pub async fn get(&self, name: &UploadName) -> Result<Option<Object>, StoreError> {
        match self {
            Store::Disk(dir) => Ok(disk::open(dir, name).await?.map(|(len, file)| Object {
                len,
                bytes: file_chunks(file),
            })),
            Store::S3(bucket) => Ok(bucket.get(name).await?.map(|found| Object {
                len: found.meta.size,
                bytes: found.into_stream().map_err(StoreError::from).boxed(),
            })),
        }
    }

    /// Removes `name`; removing what is not there is no error.
    pub async fn remove(&self, name: &UploadName) -> Result<(), StoreError> {
        match self {
            Store::Disk(dir) => disk::remove(dir, name).await?,
            Store::S3(bucket) => bucket.remove(name).await?,
        }
        Ok(())
    }
}

fn file_chunks(file: tokio::fs::File) -> BoxStream<'static, Result<Bytes, StoreError>> {
    futures_util::stream::try_unfold(file, |mut file| async move {
        let mut chunk = vec![0; CHUNK];
        let read = file.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        chunk.truncate(read);
        Ok(Some((Bytes::from(chunk), file)))
    })
    .boxed()
}
