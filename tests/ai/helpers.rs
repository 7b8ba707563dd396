//! Finding the ONNX Runtime library, the shipped model and fixtures; skipping loudly when absent.
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use agora::ai::{AiSettings, Engine, Runtime};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn model_dir() -> PathBuf {
    std::env::var_os("AGORA_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("models/agora-gpt2"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/ai").join(name)
}

/// `ORT_DYLIB_PATH`, else the library `make` installs into `.ort/lib/`.
pub fn ort_library() -> Option<PathBuf> {
    let path = std::env::var_os("ORT_DYLIB_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".ort/lib/libonnxruntime.so"));
    path.is_file().then_some(path)
}

/// Passes with a visible "skipped" line, or fails when `AGORA_REQUIRE_AI=1` (as `make test` sets).
pub fn skip(test: &str, why: &str) {
    if std::env::var("AGORA_REQUIRE_AI").is_ok_and(|v| v == "1") {
        panic!("{test}: {why} (AGORA_REQUIRE_AI=1, so this is a failure)");
    }
    eprintln!("skipped: {test}: {why}");
}

pub fn runtime(test: &str) -> Option<Runtime> {
    let Some(path) = ort_library() else {
        skip(test, "ONNX Runtime library not found (set ORT_DYLIB_PATH or run `bash tools/ort/install.sh`)");
        return None;
    };
    match Runtime::load(Some(&path)) {
        Ok(runtime) => Some(runtime),
        Err(e) => panic!("{test}: {e}"),
    }
}

pub fn model_present(test: &str) -> bool {
    let dir = model_dir();
    let present = ["model.onnx", "config.json", "tokenizer.json"]
        .iter()
        .all(|f| dir.join(f).is_file());
    if !present {
        skip(test, &format!("no model in {}", dir.display()));
    }
    present
}

/// A one-thread engine on the shipped model, or `None` (skipped).
pub fn engine(test: &str) -> Option<Engine> {
    let runtime = runtime(test)?;
    if !model_present(test) {
        return None;
    }
    match Engine::load(&runtime, &model_dir(), 1) {
        Ok(engine) => Some(engine),
        Err(e) => panic!("{test}: {e}"),
    }
}

/// Tests that load sessions run one at a time: the machine is small and timing tests need quiet.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| Mutex::new(()))
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

pub fn settings(ort: Option<&Path>, model_dir: &Path) -> AiSettings {
    AiSettings {
        ort_dylib_path: ort.map(Path::to_path_buf),
        model_dir: model_dir.to_path_buf(),
        threads: 1,
        queue_capacity: 1,
        deadline: std::time::Duration::from_secs(30),
    }
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("agora-ai-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}
