//! Tokens/s and time-to-first-token of the Rust decoding loop, printed as JSON in the same shape as
//! tools/bench/ort_python_loop.py so both can run side by side.
//!
//! cargo bench --bench ai_decode -- --model-dir models/agora-gpt2 --threads 1 --tokens 64
//! (or AGORA_MODEL_DIR / AGORA_BENCH_THREADS / AGORA_BENCH_TOKENS; ORT_DYLIB_PATH or .ort/lib).
use std::path::PathBuf;
use std::process::ExitCode;

use agora::ai::{Controls, Engine, GenerateRequest, Runtime, SamplingParams};
use sha2::{Digest, Sha256};

struct Args {
    model_dir: PathBuf,
    model_file: String,
    threads: usize,
    prompt: String,
    tokens: usize,
    warmup: usize,
    repeat: usize,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        model_dir: env_or("AGORA_MODEL_DIR", PathBuf::from("models/agora-gpt2")),
        model_file: "model.onnx".to_string(),
        threads: env_or("AGORA_BENCH_THREADS", 1),
        prompt: "How do I create a virtual environment in Python?".to_string(),
        tokens: env_or("AGORA_BENCH_TOKENS", 64),
        warmup: 1,
        repeat: env_or("AGORA_BENCH_REPEAT", 1),
    };
    let mut items = std::env::args().skip(1);
    while let Some(flag) = items.next() {
        // cargo passes --bench to harness-less benches; ignore flags we do not know.
        let known = [
            "--model-dir",
            "--model-file",
            "--threads",
            "--prompt",
            "--tokens",
            "--warmup",
            "--repeat",
        ];
        if !known.contains(&flag.as_str()) {
            continue;
        }
        let value = items
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag} needs a number, not {value}"))
        };
        match flag.as_str() {
            "--model-dir" => args.model_dir = PathBuf::from(&value),
            "--model-file" => args.model_file = value.clone(),
            "--threads" => args.threads = number()?,
            "--prompt" => args.prompt = value.clone(),
            "--tokens" => args.tokens = number()?,
            "--warmup" => args.warmup = number()?,
            _ => args.repeat = number()?.max(1),
        }
    }
    Ok(args)
}

fn ort_library() -> Option<PathBuf> {
    std::env::var_os("ORT_DYLIB_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ort/lib/libonnxruntime.so"))
        })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ai_decode: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let runtime = Runtime::load(ort_library().as_deref()).map_err(|e| e.to_string())?;
    let mut engine =
        Engine::load_variant(&runtime, &args.model_dir, &args.model_file, args.threads)
            .map_err(|e| e.to_string())?;
    let model = args.model_dir.join(&args.model_file);
    let prompt_ids = engine
        .tokenizer()
        .encode(&args.prompt)
        .map_err(|e| e.to_string())?;
    // The Python loop's rules: greedy, no EOS stop, exactly `tokens` new tokens.
    let request = |tokens| GenerateRequest {
        max_new_tokens: tokens,
        sampling: SamplingParams::greedy(),
        stop_at_eos: false,
        ..GenerateRequest::new("")
    };
    for _ in 0..args.warmup {
        engine
            .generate_from_ids(&prompt_ids, &request(4), Controls::default(), &mut |_| {})
            .map_err(|e| e.to_string())?;
    }
    let mut best: Option<(f64, f64, usize)> = None;
    for _ in 0..args.repeat {
        let generation = engine
            .generate_from_ids(
                &prompt_ids,
                &request(args.tokens),
                Controls::default(),
                &mut |_| {},
            )
            .map_err(|e| e.to_string())?;
        let times = &generation.token_times;
        let (Some(first), Some(last)) = (times.first(), times.last()) else {
            return Err("no tokens were generated".to_string());
        };
        let span = last.saturating_sub(*first).as_secs_f64();
        let rate = if times.len() > 1 && span > 0.0 {
            (times.len() - 1) as f64 / span
        } else {
            0.0
        };
        let ttft = first.as_secs_f64() * 1000.0;
        if best.is_none_or(|(r, _, _)| rate > r) {
            best = Some((rate, ttft, times.len()));
        }
    }
    let (rate, ttft, new_tokens) = best.ok_or("nothing was measured")?;
    let bytes = std::fs::read(&model).map_err(|e| format!("{}: {e}", model.display()))?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let report = serde_json::json!({
        "tokens_per_s": (rate * 10.0).round() / 10.0,
        "ttft_ms": (ttft * 10.0).round() / 10.0,
        "threads": args.threads,
        "model": model.display().to_string(),
        "model_mb": (bytes.len() as f64 / 1e5).round() / 10.0,
        "model_sha256": &sha[..16],
        "prompt_tokens": prompt_ids.len(),
        "new_tokens": new_tokens,
        "onnxruntime": runtime.version(),
        "engine": "rust",
    });
    println!("{report}");
    Ok(())
}
