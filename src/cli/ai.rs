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
    draft_eval(settings, &cores, &answered)
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

/// TL;DRs shown unedited in the report.
const TLDRS_SHOWN: usize = 20;
/// Bot answers shown unedited in the report.
const ANSWERS_SHOWN: usize = 10;

/// The model's drafts on the demo forum: the three issue-14 targets, copy shares, times, then the
/// TL;DRs of [`TLDRS_SHOWN`] posts and [`ANSWERS_SHOWN`] bot answers exactly as generated.
fn draft_eval(
    settings: &AiSettings,
    cores: &[(
        crate::db::ai::PostSource,
        Vec<crate::ai::summarize::Sentence>,
    )],
    answered: &[(String, Vec<crate::ai::bot::Passage>, std::time::Duration)],
) -> anyhow::Result<()> {
    use crate::ai::draft_eval::{self, quantile};
    let mut engine = match load(settings, 1) {
        Ok((_runtime, engine)) => engine,
        Err(e) => {
            println!("generated drafts    not measured: the AI is off ({e:#})");
            return Ok(());
        }
    };
    let build = if cfg!(debug_assertions) {
        "debug build"
    } else {
        "release build"
    };
    println!(
        "== drafts ({}, 1 inference thread, {build})",
        engine.dir().display()
    );
    let tldrs = draft_eval::tldrs(&mut engine, cores)?;
    let answers = draft_eval::answers(&mut engine, answered, settings.deadline)?;

    let kept: Vec<_> = tldrs
        .iter()
        .filter(|r| r.outcome.is_ok())
        .filter_map(|r| r.draft.as_ref())
        .collect();
    let mut rejected = std::collections::BTreeMap::<&str, usize>::new();
    for row in &tldrs {
        if let Err(why) = row.outcome {
            *rejected.entry(why).or_default() += 1;
        }
    }
    let verbatim = tldrs.iter().filter(|r| r.verbatim).count();
    println!(
        "target 1  generated TL;DR passes the gate (faithful: every content word in the post)  {} of {} posts  ({:.0}%, target >= 70%; refused: {rejected:?})",
        kept.len(),
        tldrs.len(),
        percent(kept.len(), tldrs.len())
    );
    let with_sentence: Vec<_> = answers.iter().filter_map(|r| r.kept.as_ref()).collect();
    println!(
        "target 2  generated sentence passes the gate and cites the passage it came from  {} of {} answered questions  ({:.0}%, target >= 50%)",
        with_sentence.len(),
        answers.len(),
        percent(with_sentence.len(), answers.len())
    );
    println!(
        "target 3  generated sentences citing a passage they did not draw on  {}  (target 0)",
        answers.iter().map(|r| r.miscited).sum::<usize>()
    );
    println!(
        "copied    kept TL;DRs: {:.0}% of tokens in spans copied from the title and core, {verbatim} of {} word for word one stretch of them; kept bot sentences: {:.0}% of tokens in copied spans",
        100.0 * draft_eval::copied_share(kept.iter().copied()),
        kept.len(),
        100.0 * draft_eval::copied_share(with_sentence.iter().map(|(_, d)| d))
    );
    let tldr_times: Vec<_> = tldrs.iter().map(|r| r.elapsed).collect();
    println!(
        "TL;DR time (prompt + beam search)  p50 {:.2} s  p95 {:.2} s  max {:.2} s",
        quantile(&tldr_times, 0.5),
        quantile(&tldr_times, 0.95),
        quantile(&tldr_times, 1.0)
    );
    let bot_times: Vec<_> = answers.iter().map(|r| r.elapsed).collect();
    println!(
        "bot answer time (retrieval + prompt + a beam search per passage)  p50 {:.2} s  p95 {:.2} s  max {:.2} s",
        quantile(&bot_times, 0.5),
        quantile(&bot_times, 0.95),
        quantile(&bot_times, 1.0)
    );
    println!("== TL;DRs of {TLDRS_SHOWN} demo posts, unedited");
    for row in tldrs.iter().take(TLDRS_SHOWN) {
        let copied = row.draft.as_ref().map_or(0.0, |d| 100.0 * d.copied_share());
        match &row.outcome {
            Ok(text) => println!(
                "tl;dr kept ({:.0}% copied{}, {:.2} s): {}\n      {text}",
                copied,
                if row.verbatim { ", word for word" } else { "" },
                row.elapsed.as_secs_f64(),
                row.title
            ),
            Err(why) => println!(
                "tl;dr refused ({why}; best of {} drafts, {:.2} s): {}\n      {:?}",
                row.drafts,
                row.elapsed.as_secs_f64(),
                row.title,
                row.draft.as_ref().map_or("", |d| d.text.as_str())
            ),
        }
    }
    println!("== {ANSWERS_SHOWN} bot answers, unedited");
    for row in answers.iter().take(ANSWERS_SHOWN) {
        match &row.kept {
            Some((_, draft)) => println!(
                "bot ({:.0}% copied, {:.2} s): {}",
                100.0 * draft.copied_share(),
                row.elapsed.as_secs_f64(),
                row.question
            ),
            None => println!(
                "bot (drafts refused, best {:?}; {:.2} s): {}",
                row.best.as_ref().map_or("", |d| d.text.as_str()),
                row.elapsed.as_secs_f64(),
                row.question
            ),
        }
        println!("{}", indent(&row.markdown));
    }
    // What readers would be shown as the model's words, all of it: the samples above show few.
    println!("== every kept generated text, unedited");
    for row in &tldrs {
        if let Ok(text) = &row.outcome {
            println!("tl;dr  {}\n      {text}", row.title);
        }
    }
    for row in &answers {
        if let Some((sentence, _)) = &row.kept {
            println!("bot    {}\n      {sentence}", row.question);
        }
    }
    Ok(())
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
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
                beam: None,
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
