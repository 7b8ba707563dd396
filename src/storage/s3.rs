//! Uploaded files in an S3-compatible bucket (`AGORA_UPLOAD_S3_URL`): `{prefix}/{sha256}.{ext}`,
//! stored with their type and a year of cache, so a CDN in front of the bucket serves them as the
//! forum does. Requests are signed (SigV4) by `object_store`; a put is atomic on S3.
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, GetResult, ObjectStore, ObjectStoreExt, PutOptions, RetryConfig,
};

use crate::config::S3Settings;
use crate::domain::UploadName;

/// One bucket (and prefix); cheap to clone (the HTTP client and its connections are shared).
#[derive(Clone)]
pub struct Bucket {
    store: Arc<AmazonS3>,
    prefix: String,
    url: String,
}

impl Bucket {
    pub fn open(settings: &S3Settings) -> object_store::Result<Bucket> {
        // A store that does not answer fails the request in seconds, not after minutes of retries.
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(15),
            ..Default::default()
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_allow_http(settings.allow_http)
            .with_retry(retry);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let (Some(key_id), Some(secret)) = (&settings.key_id, &settings.secret) {
            builder = builder
                .with_access_key_id(key_id)
                .with_secret_access_key(secret);
        }
        let url = if settings.prefix.is_empty() {
            format!("s3://{}", settings.bucket)
        } else {
            format!("s3://{}/{}", settings.bucket, settings.prefix)
        };
        Ok(Bucket {
            store: Arc::new(builder.build()?),
            prefix: settings.prefix.clone(),
            url,
        })
    }

    /// `s3://bucket/prefix`, for the start-up log.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key of `name` in the bucket.
    pub fn key(&self, name: &UploadName) -> Path {
        if self.prefix.is_empty() {
            Path::from(name.file_name())
        } else {
            Path::from(format!("{}/{}", self.prefix, name.file_name()))
        }
    }

    pub async fn exists(&self, name: &UploadName) -> object_store::Result<bool> {
        match self.store.head(&self.key(name)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn put(&self, name: &UploadName, bytes: Vec<u8>) -> object_store::Result<()> {
        let attributes = Attributes::from_iter([
            (Attribute::ContentType, name.kind.mime()),
            (Attribute::CacheControl, super::CACHE_CONTROL),
        ]);
        let options = PutOptions {
            attributes,
            ..Default::default()
        };
        self.store
            .put_opts(&self.key(name), bytes.into(), options)
            .await
            .map(|_| ())
    }

    /// The object, or `None` when no such object is stored.
    pub async fn get(&self, name: &UploadName) -> object_store::Result<Option<GetResult>> {
        match self.store.get(&self.key(name)).await {
            Ok(found) => Ok(Some(found)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn remove(&self, name: &UploadName) -> object_store::Result<()> {
        match self.store.delete(&self.key(name)).await {
            Err(object_store::Error::NotFound { .. }) | Ok(()) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
