//! Loads the ONNX Runtime shared library once per process and owns the global ORT environment.
//!
//! `ort` with `load-dynamic` panics inside when the library is missing or broken, and allows only one
//! environment per process, so this module checks the library itself first (dlopen, symbol, version)
//! and keeps the one environment in a process-wide slot.
use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::error::LoadError;

/// The oldest ONNX Runtime minor version (1.x) the compiled `ort` API level needs.
pub const REQUIRED_MINOR: u32 = ort::MINOR_VERSION;

/// A loaded ONNX Runtime: the shared library plus the process's ORT environment.
#[derive(Clone, Debug)]
pub struct Runtime {
    env: ort::environment::Environment,
    library: PathBuf,
    version: String,
}

static LOADED: Mutex<Option<Runtime>> = Mutex::new(None);

impl Runtime {
    /// Loads the library at `path` (or returns the already loaded runtime when it is the same file).
    pub fn load(path: Option<&Path>) -> Result<Runtime, LoadError> {
        let path = path.ok_or(LoadError::LibraryNotConfigured)?;
        if !path.is_file() {
            return Err(LoadError::LibraryNotFound(path.to_path_buf()));
        }
        let absolute = std::fs::canonicalize(path)
            .map_err(|_| LoadError::LibraryNotFound(path.to_path_buf()))?;
        // A poisoned lock only means another loader panicked; the slot itself is still consistent.
        let mut slot = LOADED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(runtime) = slot.as_ref() {
            if runtime.library == absolute {
                return Ok(runtime.clone());
            }
            // Still say what is wrong with the requested file before saying it cannot be switched to.
            probe_library(&absolute)?;
            return Err(LoadError::LibraryConflict {
                loaded: runtime.library.clone(),
                requested: absolute,
            });
        }
        let version = probe_library(&absolute)?;
        let env = catch_unwind(AssertUnwindSafe(|| -> Result<_, LoadError> {
            let builder = ort::init_from(&absolute).map_err(|e| LoadError::LibraryUnloadable {
                path: absolute.clone(),
                reason: e.to_string(),
            })?;
            builder
                .with_name("agora")
                .with_telemetry(false)
                .build()
                .map_err(|e| LoadError::Environment(e.to_string()))
        }))
        .map_err(|panic| LoadError::Environment(panic_message(&panic)))??;
        let runtime = Runtime {
            env,
            library: absolute,
            version,
        };
        *slot = Some(runtime.clone());
        Ok(runtime)
    }

    pub fn environment(&self) -> &ort::environment::Environment {
        &self.env
    }

    /// The library's own version string, e.g. "1.32.0".
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn library(&self) -> &Path {
        &self.library
    }
}

/// Opens the library on its own handle to read its version without touching `ort`'s global state.
fn probe_library(path: &Path) -> Result<String, LoadError> {
    let unloadable = |reason: String| LoadError::LibraryUnloadable {
        path: path.to_path_buf(),
        reason,
    };
    // SAFETY: loading runs the library's initialisers; the path is the operator-configured ONNX Runtime.
    let library =
        unsafe { libloading::Library::new(path) }.map_err(|e| unloadable(e.to_string()))?;
    type GetApiBase = unsafe extern "C" fn() -> *const ort::sys::OrtApiBase;
    // SAFETY: the symbol's signature is fixed by the ONNX Runtime C API.
    let getter = unsafe { library.get::<GetApiBase>(b"OrtGetApiBase") }
        .map_err(|_| unloadable("it does not export OrtGetApiBase".to_string()))?;
    // SAFETY: OrtGetApiBase takes no arguments and returns a pointer to a static struct (or null).
    let base = unsafe { getter() };
    if base.is_null() {
        return Err(unloadable("OrtGetApiBase returned nothing".to_string()));
    }
    // SAFETY: base is non-null and points at the library's static OrtApiBase; the string is static too.
    let version = unsafe { CStr::from_ptr(((*base).GetVersionString)()) }
        .to_string_lossy()
        .into_owned();
    check_version(path, &version)?;
    Ok(version)
}

/// Accepts 1.x.y with x at least [`REQUIRED_MINOR`].
pub fn check_version(path: &Path, version: &str) -> Result<(), LoadError> {
    let mut parts = version.trim().split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    match (major, minor) {
        (Some(1), Some(minor)) if minor >= REQUIRED_MINOR => Ok(()),
        _ => Err(LoadError::LibraryTooOld {
            path: path.to_path_buf(),
            found: version.to_string(),
            required: format!("1.{REQUIRED_MINOR}"),
        }),
    }
}

pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unexpected panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_older_than_required_are_refused() {
        let path = Path::new("lib.so");
        assert!(check_version(path, &format!("1.{REQUIRED_MINOR}.0")).is_ok());
        assert!(check_version(path, &format!("1.{}.2", REQUIRED_MINOR + 1)).is_ok());
        let err = check_version(path, "1.16.3").unwrap_err();
        assert!(err.to_string().contains("1.16.3"), "{err}");
        assert!(check_version(path, "garbage").is_err());
        assert!(check_version(path, "2.0.0").is_err());
    }

    #[test]
    fn missing_library_is_a_clear_error() {
        let err = Runtime::load(Some(Path::new("/nonexistent/libonnxruntime.so"))).unwrap_err();
        assert_eq!(
            err,
            LoadError::LibraryNotFound("/nonexistent/libonnxruntime.so".into())
        );
        assert!(err
            .to_string()
            .contains("not found at /nonexistent/libonnxruntime.so"));
        assert_eq!(
            Runtime::load(None).unwrap_err(),
            LoadError::LibraryNotConfigured
        );
    }

    #[test]
    fn garbage_library_is_refused_without_panicking() {
        let dir = std::env::temp_dir().join(format!("agora-ort-garbage-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lib = dir.join("libonnxruntime.so");
        std::fs::write(&lib, b"not a shared object").unwrap();
        let err = Runtime::load(Some(&lib)).unwrap_err();
        assert!(matches!(err, LoadError::LibraryUnloadable { .. }), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
