//! `agora ai ...`: inspect the runtime and model, and generate text from the command line.
use std::io::Write;
use std::time::Instant;

use anyhow::Context;

use crate::ai::engine::Engine;
use crate::ai::error::AiError;
use crate::ai::generate::{Controls, GenerateRequest};
use crate::ai::runtime::Runtime;
use crate::ai::sampling::SamplingParams;
use crate::ai::AiSettings;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum AiCommand {
    /// Show the ONNX Runtime version, the model's configuration, inputs and outputs.
    Info,
    /// Generate text from a prompt, streaming it to stdout.
    Generate {
        #[arg(long)]
        prompt: String,
        #[arg(long, default_value_t = 64)]
        max_tokens: usize,
        /// 0 picks the most likely token every time (greedy).
        #[arg(long, default_value_t = 0.8)]
        temperature: f32,
        /// Sample among the k most likely tokens; 0 means no limit.
        #[arg(long, default_value_t = 50)]
        top_k: usize,
        #[arg(long, default_value_t = 0.95)]
        top_p: f32,
        #[arg(long, default_value_t = 1.1)]
        repetition_penalty: f32,
        /// Makes sampling reproducible.
        #[arg(long)]
        seed: Option<u64>,
        /// Stop when this text appears (repeatable); it is not printed.
        #[arg(long = "stop")]
        stop: Vec<String>,
        /// Keep going past the end-of-text token.
        #[arg(long)]
        ignore_eos: bool,
        /// Operator threads for this run (default: AGORA_AI_THREADS).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Measure the answer bot on a fresh copy of the demo forum: citation recall@1 and @3 on
    /// answerable questions, abstention on unanswerable ones, `/search` top-5, and how traceable the
    /// extractive summaries are; each evaluation file is reported on its own.
    Eval {
        /// Evaluation sets (JSON: a list of {question, answer_post_title}, or a dated set).
        #[arg(
            long,
            num_args = 1..,
            default_values = [
                "tests/fixtures/demo/eval_questions.json",
                "tests/fixtures/demo/eval_questions_2026-12-01.json",
            ]
        )]
        questions: Vec<std::path::PathBuf>,
    },
}

/// `agora ai eval`: seeds a throw-away SQLite database with the demo forum and reports.
pub async fn eval(files: &[std::path::PathBuf], settings: &AiSettings) -> anyhow::Result<()> {
    use crate::ai::eval::EvalSet;
    use crate::db::{DatabaseUrl, Db};
    let mut sets = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let set: EvalSet = serde_json::from_str(&text)
            .with_context(|| format!("parsing the evaluation set {}", file.display()))?;
        sets.push((file.display().to_string(), set));
    }
    let dir = std::env::temp_dir().join(format!("agora-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = DatabaseUrl::parse(&format!("sqlite://{}/eval.db", dir.display()))
        .map_err(|e| anyhow::anyhow!(e))?;
    let result = async {
        let db = Db::connect(&url).await?;
        db.migrate().await?;
        crate::seed::seed_demo(&db).await?;
        let mut reports = Vec::new();
        for (_, set) in &sets {
            reports.push(crate::ai::eval::evaluate(&db, set.questions()).await?);
        }
        let cores = crate::ai::eval::summary_cores(&db).await?;
        let timings = crate::ai::eval::retrieval_timings(&db, &sets).await?;
        let mut answered = Vec::new();
        for (_, set) in &sets {
            for q in set.questions() {
                let started = Instant::now();
                let passages = crate::ai::answer::retrieve(&db, &q.question, None).await?;
                if !passages.is_empty() {
                    answered.push((q.question.clone(), passages, started.elapsed()));
                }
            }
        }
        db.close().await;
        anyhow::Ok((reports, cores, timings, answered))
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let (reports, cores, timings, answered) = result?;
    for ((name, set), report) in sets.iter().zip(&reports) {
        println!(
            "== {name}{}",
            set.written()
                .map(|w| format!(" (written {w})"))
                .unwrap_or_default()
        );
        print_report(report);
    }
    println!(
        "retrieval time per question  p50 {:.1} ms  p95 {:.1} ms  ({} questions)",
        timings.0, timings.1, timings.2
    );
    if let Some(report) = reports.first() {
        println!(
            "summary sentences traceable to the source  {:.2}  ({} posts)",
            report.summary_traceable, report.summaries
        );
    }
    tldr_eval(settings, &cores)?;
    bot_eval(settings, &answered)
}

/// The bot's generation over every question it answers: how many answers keep a generated
/// sentence (each citing the passage it drew on), and the time per answer on one thread.
fn bot_eval(
    settings: &AiSettings,
    answered: &[(String, Vec<crate::ai::bot::Passage>, std::time::Duration)],
) -> anyhow::Result<()> {
    use crate::ai::{answer, bot};
    let mut engine = match load(settings, settings.threads) {
        Ok((_runtime, engine)) => engine,
        Err(e) => {
            println!("bot generation      not measured: the AI is off ({e:#})");
            return Ok(());
        }
    };
    let context = engine.config().n_positions;
    let (mut with_sentence, mut sentences, mut miscited) = (0usize, 0usize, 0usize);
    let mut times = Vec::new();
    let mut shown = Vec::new();
    for (seed, (question, passages, retrieval)) in answered.iter().enumerate() {
        let started = Instant::now();
        let request = answer::answer_request(question, passages, context, 96, seed as u64 + 1);
        let controls = Controls {
            deadline: Some(Instant::now() + settings.deadline),
            cancel: None,
        };
        let generation = engine.generate(&request, controls, &mut |_| {})?;
        let grounded = bot::grounded_answer(question, passages);
        let kept = bot::checked_sentences(question, &generation.text, passages);
        times.push((started.elapsed() + *retrieval).as_secs_f64());
        // Re-check what is kept: every citation must point at a passage the sentence drew on.
        for sentence in &kept {
            let plain = sentence
                .rsplit_once(' ')
                .map_or(sentence.as_str(), |(s, _)| s);
            for n in bot::cited(sentence) {
                let ok = passages.iter().find(|p| p.n == n).is_some_and(|p| {
                    crate::ai::summarize::faithful(plain, &format!("{} {}", p.title, p.text))
                });
                if !ok {
                    miscited += 1;
                }
            }
        }
        if !kept.is_empty() {
            with_sentence += 1;
            sentences += kept.len();
        }
        if kept.is_empty() && times.len() <= 6 {
            println!("bot draft refused: {question}\n      {:?}", generation.text);
        }
        if shown.len() < 10 {
            shown.push((question.clone(), answer::answer_markdown(&kept, &grounded)));
        }
    }
    times.sort_by(f64::total_cmp);
    let p95 = times
        .get(((times.len() as f64 * 0.95).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    println!(
        "generated sentence kept in the answer  {} of {} answered questions  ({sentences} sentences, {miscited} citing a passage they did not draw on)",
        with_sentence,
        answered.len()
    );
    println!(
        "bot answer time (retrieval + generation, {} thread)  p50 {:.2} s  p95 {:.2} s",
        settings.threads,
        times.get(times.len() / 2).copied().unwrap_or(0.0),
        p95
    );
    for (question, markdown) in shown {
        println!("bot: {question}\n{}", indent(&markdown));
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("      {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_report(report: &crate::ai::eval::EvalReport) {
    println!(
        "citation recall@1   {:.2}  ({} of {} answerable questions cite the answering post first)",
        report.recall_at_1(),
        report.found_at_1,
        report.answerable
    );
    println!(
        "citation recall@3   {:.2}  ({} of {} answerable questions cite the post that answers them)",
        report.recall_at_3(),
        report.found_in_top3,
        report.answerable
    );
    println!(
        "abstention          {:.2}  ({} of {} unanswerable questions declined)",
        report.abstention(),
        report.abstained,
        report.unanswerable
    );
    println!(
        "wrong abstentions   {}  (answerable questions the bot declined)",
        report.wrongly_abstained
    );
    println!(
        "/search top-5       {:.2}  ({} of {} answerable questions find the post on the first five results)",
        report.search_recall_at_5(),
        report.search_top5,
        report.answerable
    );
    for (question, got) in &report.false_answers {
        println!("answered though unanswerable: {question}\n      cited {got:?}");
    }
    for (question, expected, got) in &report.misses {
        println!("miss: {question}\n      expected {expected}; cited {got:?}");
    }
}

/// Runs the summary job's TL;DR request on every demo post and counts what passes the quality gate.
fn tldr_eval(
    settings: &AiSettings,
    cores: &[(
        crate::db::ai::PostSource,
        Vec<crate::ai::summarize::Sentence>,
    )],
) -> anyhow::Result<()> {
    let mut engine = match load(settings, settings.threads) {
        Ok((_runtime, engine)) => engine,
        Err(e) => {
            println!("generated TL;DR     not measured: the AI is off ({e:#})");
            return Ok(());
        }
    };
    let mut passed = Vec::new();
    let mut rejected = std::collections::BTreeMap::<&str, usize>::new();
    let mut times = Vec::new();
    for (source, core) in cores {
        let started = Instant::now();
        let request = crate::ai::summarize::tldr_request(&source.title, core);
        let controls = Controls {
            deadline: request.deadline.map(|d| Instant::now() + d),
            cancel: None,
        };
        let generation = engine.generate(&request, controls, &mut |_| {})?;
        times.push(started.elapsed().as_secs_f64());
        match crate::ai::summarize::tldr(&generation.text, &source.title, &source.body_text) {
            Ok(text) => passed.push((source.title.as_str(), text)),
            Err(why) => {
                *rejected.entry(why.as_str()).or_default() += 1;
                if rejected.values().sum::<usize>() <= 8 {
                    println!(
                        "tl;dr refused ({}): {}\n      {:?}",
                        why.as_str(),
                        source.title,
                        generation.text
                    );
                }
            }
        }
    }
    println!(
        "generated TL;DR passes the quality gate  {} of {} posts  (rejected: {rejected:?})",
        passed.len(),
        cores.len()
    );
    times.sort_by(f64::total_cmp);
    println!(
        "TL;DR time ({} thread)  p50 {:.2} s  max {:.2} s",
        settings.threads,
        times.get(times.len() / 2).copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(0.0)
    );
    for (title, text) in passed {
        println!("tl;dr: {title}\n      {text}");
    }
    Ok(())
}

pub fn run(cmd: AiCommand, settings: &AiSettings) -> anyhow::Result<()> {
    match cmd {
        AiCommand::Info => info(settings),
        AiCommand::Eval { .. } => Err(anyhow::anyhow!("`ai eval` runs on the async runtime")),
        AiCommand::Generate {
            prompt,
            max_tokens,
            temperature,
            top_k,
            top_p,
            repetition_penalty,
            seed,
            stop,
            ignore_eos,
            threads,
        } => {
            let request = GenerateRequest {
                prompt,
                max_new_tokens: max_tokens,
                sampling: SamplingParams {
                    temperature,
                    top_k,
                    top_p,
                    repetition_penalty,
                },
                seed,
                stop,
                stop_at_eos: !ignore_eos,
                deadline: Some(settings.deadline),
                copy_from: None,
            };
            generate(settings, &request, threads.unwrap_or(settings.threads))
        }
    }
}

fn load(settings: &AiSettings, threads: usize) -> anyhow::Result<(Runtime, Engine)> {
    let runtime = Runtime::load(settings.ort_dylib_path.as_deref()).map_err(AiError::from)?;
    let engine =
        Engine::load(&runtime, &settings.model_dir, threads.max(1)).map_err(AiError::from)?;
    Ok((runtime, engine))
}

fn info(settings: &AiSettings) -> anyhow::Result<()> {
    let (runtime, engine) = load(settings, 1)?;
    let config = engine.config();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "ONNX Runtime {} ({})",
        runtime.version(),
        runtime.library().display()
    )?;
    writeln!(out, "model dir    {}", engine.dir().display())?;
    writeln!(
        out,
        "config       {} layers, {} heads, width {}, vocab {}, context {}",
        config.n_layer, config.n_head, config.n_embd, config.vocab_size, config.n_positions
    )?;
    writeln!(
        out,
        "parameters   {} ({:.1}M, counted from config.json)",
        config.parameter_count(),
        config.parameter_count() as f64 / 1e6
    )?;
    writeln!(
        out,
        "tokenizer    {} tokens",
        engine.tokenizer().vocab_size()
    )?;
    writeln!(out, "load time    {} ms", engine.load_time().as_millis())?;
    writeln!(out, "inputs")?;
    for input in engine.model().inputs() {
        writeln!(out, "  {:<28} {}", input.name, input.description)?;
    }
    writeln!(out, "outputs")?;
    for output in engine.model().outputs() {
        writeln!(out, "  {:<28} {}", output.name, output.description)?;
    }
    Ok(())
}

fn generate(
    settings: &AiSettings,
    request: &GenerateRequest,
    threads: usize,
) -> anyhow::Result<()> {
    let (_runtime, mut engine) = load(settings, threads)?;
    let deadline = request.deadline.map(|d| Instant::now() + d);
    let mut stdout = std::io::stdout();
    let mut write_failed = None;
    let mut on_text = |piece: &str| {
        if write_failed.is_none() {
            if let Err(e) = stdout
                .write_all(piece.as_bytes())
                .and_then(|()| stdout.flush())
            {
                write_failed = Some(e);
            }
        }
    };
    let controls = Controls {
        deadline,
        cancel: None,
    };
    let generation = engine.generate(request, controls, &mut on_text)?;
    if let Some(e) = write_failed {
        return Err(e).context("writing to stdout");
    }
    println!();
    eprintln!(
        "[{} tokens, {:?}, prompt {} tokens{}, first token {} ms, {:.1} tokens/s]",
        generation.tokens.len(),
        generation.finish,
        generation.prompt_tokens,
        if generation.prompt_tokens_dropped > 0 {
            format!(" ({} cut from the left)", generation.prompt_tokens_dropped)
        } else {
            String::new()
        },
        generation.time_to_first_token.as_millis(),
        generation.decode_tokens_per_s()
    );
    Ok(())
}
