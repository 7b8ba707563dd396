//! Missing or broken runtime and model files give one clear typed error, never a panic.
use std::path::Path;

use agora::ai::{Engine, LoadError, Runtime};

use crate::helpers::{model_dir, model_present, runtime, temp_dir};

#[test]
fn missing_library_names_the_path_and_the_fix() {
    let err = Runtime::load(Some(Path::new("/nonexistent/libonnxruntime.so"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ONNX Runtime library not found at /nonexistent/libonnxruntime.so (run `make run` or set ORT_DYLIB_PATH)"
    );
    assert_eq!(
        Runtime::load(None).unwrap_err(),
        LoadError::LibraryNotConfigured
    );
}

#[test]
fn a_file_that_is_not_a_library_is_refused() {
    let dir = temp_dir("not-a-library");
    let lib = dir.join("libonnxruntime.so");
    std::fs::write(&lib, b"\x7fELF but not really").unwrap();
    let err = Runtime::load(Some(&lib)).unwrap_err();
    assert!(matches!(err, LoadError::LibraryUnloadable { .. }), "{err}");
}

#[test]
fn a_library_that_is_not_onnx_runtime_is_refused() {
    let candidates = [
        "/lib/x86_64-linux-gnu/libm.so.6",
        "/usr/lib/x86_64-linux-gnu/libm.so.6",
        "/lib64/libm.so.6",
        "/lib/aarch64-linux-gnu/libm.so.6",
    ];
    let Some(libm) = candidates.iter().map(Path::new).find(|p| p.is_file()) else {
        eprintln!("skipped: a_library_that_is_not_onnx_runtime_is_refused: no libm found");
        return;
    };
    let err = Runtime::load(Some(libm)).unwrap_err();
    assert!(
        err.to_string().contains("does not export OrtGetApiBase"),
        "{err}"
    );
}

/// A temporary model directory with the shipped tokenizer and config and the given model bytes.
fn model_copy(name: &str, model: Option<&[u8]>) -> std::path::PathBuf {
    let dir = temp_dir(name);
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(model_dir().join(file), dir.join(file)).unwrap();
    }
    match model {
        Some(bytes) => std::fs::write(dir.join("model.onnx"), bytes).unwrap(),
        None => {
            std::fs::copy(model_dir().join("model.onnx"), dir.join("model.onnx")).unwrap();
        }
    }
    dir
}

#[test]
fn a_garbage_model_file_is_a_clear_error() {
    let test = "a_garbage_model_file_is_a_clear_error";
    let Some(runtime) = runtime(test) else { return };
    if !model_present(test) {
        return;
    }
    let dir = model_copy("garbage-model", Some(b"this is not an onnx graph"));
    let err = Engine::load(&runtime, &dir, 1).unwrap_err();
    assert!(matches!(err, LoadError::BadModel { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("model.onnx could not be loaded by ONNX Runtime"),
        "{err}"
    );
}

#[test]
fn a_config_with_the_wrong_layer_count_is_named() {
    let test = "a_config_with_the_wrong_layer_count_is_named";
    let Some(runtime) = runtime(test) else { return };
    if !model_present(test) {
        return;
    }
    let dir = model_copy("wrong-layers", None);
    let config_path = dir.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config_path).unwrap()).unwrap();
    let layers = config["n_layer"].as_u64().unwrap();
    config["n_layer"] = (layers + 1).into();
    std::fs::write(&config_path, config.to_string()).unwrap();
    let err = Engine::load(&runtime, &dir, 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "model.onnx has {} past inputs but config.json says n_layer={} (which needs {})",
            2 * layers,
            layers + 1,
            2 * (layers + 1)
        )
    );
}

#[test]
fn missing_model_files_are_named() {
    let test = "missing_model_files_are_named";
    let Some(runtime) = runtime(test) else { return };
    let dir = temp_dir("empty-model-dir");
    let err = Engine::load(&runtime, &dir, 1).unwrap_err();
    assert_eq!(err, LoadError::ModelFileMissing(dir.join("config.json")));
    std::fs::write(dir.join("config.json"), "{\"n_layer\": 2}").unwrap();
    let err = Engine::load(&runtime, &dir, 1).unwrap_err();
    assert!(err.to_string().contains("n_head is missing"), "{err}");
}
