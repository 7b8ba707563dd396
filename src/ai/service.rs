//! The forum's inference service: dedicated OS threads, a bounded queue, deadlines and counters.
//!
//! Inference never runs on the async runtime's workers: each thread owns one ONNX Runtime session
//! and takes jobs from a bounded queue; a full queue answers `Busy` at once instead of growing.
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc as tokio_mpsc, oneshot};

use super::engine::Engine;
use super::error::AiError;
use super::generate::{Controls, FinishReason, GenerateRequest, Generation};
use super::runtime::{panic_message, Runtime};
use super::AiSettings;

/// How many finished jobs the tokens/s figure averages over.
const RECENT_JOBS: usize = 16;

/// Whether the AI can answer, and if not, why.
#[derive(Debug, Clone, PartialEq)]
pub enum AiStatus {
    /// The model is still loading; requests wait in the queue.
    Loading,
    Ready(ModelSummary),
    /// The runtime or model is missing or broken; the reason is one sentence for the admin page.
    Off {
        reason: String,
    },
}

/// What is loaded, for the admin page and `/metrics`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSummary {
    pub model_dir: String,
    pub runtime_version: String,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_embd: usize,
    pub n_positions: usize,
    pub vocab_size: usize,
}

/// Counters since start.
#[derive(Debug, Clone, PartialEq)]
pub struct AiStats {
    pub tokens_generated: u64,
    pub jobs_done: u64,
    pub busy_rejections: u64,
    /// Decode tokens per second averaged over the most recent jobs (0 before the first).
    pub recent_tokens_per_s: f64,
    pub queue_depth: usize,
    pub queue_capacity: usize,
    pub threads: usize,
    /// Slowest session load among the threads, once loaded.
    pub model_load_time: Option<Duration>,
}

type OnText = Box<dyn FnMut(&str) + Send>;

struct Job {
    request: GenerateRequest,
    deadline: Instant,
    cancel: Arc<AtomicBool>,
    on_text: OnText,
    reply: oneshot::Sender<Result<Generation, AiError>>,
}

struct Shared {
    settings: AiSettings,
    state: Mutex<State>,
    changed: Condvar,
    queue_depth: AtomicUsize,
    tokens_generated: AtomicU64,
    jobs_done: AtomicU64,
    busy_rejections: AtomicU64,
    recent: Mutex<VecDeque<(usize, Duration)>>,
}

struct State {
    status: AiStatus,
    load_time: Option<Duration>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Handle to the inference threads; cheap to clone, share it in the web app's state.
#[derive(Clone)]
pub struct AiService {
    shared: Arc<Shared>,
    queue: SyncSender<Job>,
}

impl std::fmt::Debug for AiService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiService")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl AiService {
    /// Starts the inference threads; never fails. Loading happens on those threads, so `status()`
    /// is `Loading` at first and then `Ready` or `Off { reason }`.
    pub fn start(settings: &AiSettings) -> AiService {
        let threads = settings.threads.max(1);
        let (queue, jobs) = mpsc::sync_channel::<Job>(settings.queue_capacity);
        let jobs = Arc::new(Mutex::new(jobs));
        let shared = Arc::new(Shared {
            settings: settings.clone(),
            state: Mutex::new(State {
                status: AiStatus::Loading,
                load_time: None,
            }),
            changed: Condvar::new(),
            queue_depth: AtomicUsize::new(0),
            tokens_generated: AtomicU64::new(0),
            jobs_done: AtomicU64::new(0),
            busy_rejections: AtomicU64::new(0),
            recent: Mutex::new(VecDeque::with_capacity(RECENT_JOBS)),
        });
        for index in 0..threads {
            let (for_thread, jobs) = (shared.clone(), jobs.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("agora-ai-{index}"))
                .spawn(move || worker(for_thread, jobs));
            if let Err(e) = spawned {
                set_off(&shared, format!("an inference thread could not start: {e}"));
            }
        }
        AiService { shared, queue }
    }

    pub fn status(&self) -> AiStatus {
        self.shared.state().status.clone()
    }

    /// Blocks (up to `timeout`) until loading has finished one way or the other; for start-up and tests.
    pub fn wait_until_loaded(&self, timeout: Duration) -> AiStatus {
        let state = self.shared.state();
        let (state, _) = self
            .shared
            .changed
            .wait_timeout_while(state, timeout, |s| s.status == AiStatus::Loading)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.status.clone()
    }

    pub fn stats(&self) -> AiStats {
        let recent = self.shared.recent.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, time) = recent
            .iter()
            .fold((0usize, Duration::ZERO), |(n, t), (jn, jt)| {
                (n + jn, t + *jt)
            });
        AiStats {
            tokens_generated: self.shared.tokens_generated.load(Ordering::Relaxed),
            jobs_done: self.shared.jobs_done.load(Ordering::Relaxed),
            busy_rejections: self.shared.busy_rejections.load(Ordering::Relaxed),
            recent_tokens_per_s: if time.is_zero() {
                0.0
            } else {
                tokens as f64 / time.as_secs_f64()
            },
            queue_depth: self.shared.queue_depth.load(Ordering::Relaxed),
            queue_capacity: self.shared.settings.queue_capacity,
            threads: self.shared.settings.threads.max(1),
            model_load_time: self.shared.state().load_time,
        }
    }

    /// Generates text; `on_text` gets each new piece of text on the inference thread as it is made.
    ///
    /// Returns at once with `Off` or `Busy` when the request cannot be queued. Dropping the returned
    /// future cancels the generation at the next token.
    pub async fn generate(
        &self,
        request: GenerateRequest,
        on_text: impl FnMut(&str) + Send + 'static,
    ) -> Result<Generation, AiError> {
        let cancel = Arc::new(AtomicBool::new(false));
        let reply = self.submit(request, cancel.clone(), Box::new(on_text))?;
        let guard = CancelOnDrop(cancel);
        let result = reply.await.unwrap_or_else(|_| Err(worker_gone()));
        drop(guard);
        result
    }

    /// Generates text as a stream of pieces; dropping the stream cancels the generation.
    pub fn stream(&self, request: GenerateRequest) -> Result<TextStream, AiError> {
        let cancel = Arc::new(AtomicBool::new(false));
        let (pieces_tx, pieces) = tokio_mpsc::unbounded_channel::<String>();
        let flag = cancel.clone();
        let on_text = Box::new(move |piece: &str| {
            if pieces_tx.send(piece.to_string()).is_err() {
                // Nobody reads any more (the page was closed): stop spending CPU on it.
                flag.store(true, Ordering::Relaxed);
            }
        });
        let result = self.submit(request, cancel.clone(), on_text)?;
        Ok(TextStream {
            pieces,
            result,
            _cancel: CancelOnDrop(cancel),
        })
    }

    fn submit(
        &self,
        request: GenerateRequest,
        cancel: Arc<AtomicBool>,
        on_text: OnText,
    ) -> Result<oneshot::Receiver<Result<Generation, AiError>>, AiError> {
        if let AiStatus::Off { reason } = self.status() {
            return Err(AiError::Off(reason));
        }
        request.validate()?;
        let limit = self.shared.settings.deadline;
        let deadline = Instant::now() + request.deadline.map_or(limit, |d| d.min(limit));
        let (reply, receiver) = oneshot::channel();
        let job = Job {
            request,
            deadline,
            cancel,
            on_text,
            reply,
        };
        self.shared.queue_depth.fetch_add(1, Ordering::Relaxed);
        match self.queue.try_send(job) {
            Ok(()) => Ok(receiver),
            Err(err) => {
                self.shared.queue_depth.fetch_sub(1, Ordering::Relaxed);
                match err {
                    TrySendError::Full(_) => {
                        self.shared.busy_rejections.fetch_add(1, Ordering::Relaxed);
                        Err(AiError::Busy)
                    }
                    TrySendError::Disconnected(_) => Err(worker_gone()),
                }
            }
        }
    }
}

/// Text pieces of one generation as they are made, then its result.
pub struct TextStream {
    pieces: tokio_mpsc::UnboundedReceiver<String>,
    result: oneshot::Receiver<Result<Generation, AiError>>,
    _cancel: CancelOnDrop,
}

impl TextStream {
    /// The next piece of text, or `None` when generation has ended.
    pub async fn next(&mut self) -> Option<String> {
        self.pieces.recv().await
    }

    /// Waits for the end and returns the whole generation (pieces not yet read are in its text).
    pub async fn finish(mut self) -> Result<Generation, AiError> {
        (&mut self.result)
            .await
            .unwrap_or_else(|_| Err(worker_gone()))
    }
}

/// Sets the cancel flag when the waiting side goes away.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn worker_gone() -> AiError {
    AiError::Model("the inference thread stopped".to_string())
}

fn worker(shared: Arc<Shared>, jobs: Arc<Mutex<Receiver<Job>>>) {
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        let runtime = Runtime::load(shared.settings.ort_dylib_path.as_deref())?;
        let engine = Engine::load(&runtime, &shared.settings.model_dir, 1)?;
        Ok::<_, super::error::LoadError>((runtime, engine))
    }));
    let mut engine = match loaded {
        Ok(Ok((runtime, engine))) => {
            mark_ready(&shared, &runtime, &engine);
            Some(engine)
        }
        Ok(Err(err)) => {
            set_off(&shared, err.to_string());
            None
        }
        Err(panic) => {
            set_off(
                &shared,
                format!("loading the model failed: {}", panic_message(&panic)),
            );
            None
        }
    };
    loop {
        let job = {
            let receiver = jobs.lock().unwrap_or_else(|p| p.into_inner());
            match receiver.recv() {
                Ok(job) => job,
                Err(_) => return, // the service was dropped
            }
        };
        shared.queue_depth.fetch_sub(1, Ordering::Relaxed);
        let result = match engine.as_mut() {
            Some(engine) => run_job(
                &shared,
                engine,
                job.request,
                job.deadline,
                &job.cancel,
                job.on_text,
            ),
            None => Err(AiError::Off(off_reason(&shared))),
        };
        // The caller may have gone away; nothing to tell then.
        let _ = job.reply.send(result);
    }
}

fn run_job(
    shared: &Shared,
    engine: &mut Engine,
    request: GenerateRequest,
    deadline: Instant,
    cancel: &AtomicBool,
    mut on_text: OnText,
) -> Result<Generation, AiError> {
    let controls = Controls {
        deadline: Some(deadline),
        cancel: Some(cancel),
    };
    if cancel.load(Ordering::Relaxed) {
        return Err(AiError::Cancelled);
    }
    if Instant::now() >= deadline {
        return Err(AiError::DeadlineExceeded);
    }
    let generation = catch_unwind(AssertUnwindSafe(|| {
        engine.generate(&request, controls, &mut on_text)
    }))
    .map_err(|panic| AiError::Model(panic_message(&panic)))??;
    shared
        .tokens_generated
        .fetch_add(generation.tokens.len() as u64, Ordering::Relaxed);
    shared.jobs_done.fetch_add(1, Ordering::Relaxed);
    let decode = generation
        .elapsed
        .saturating_sub(generation.time_to_first_token);
    if generation.tokens.len() > 1 && !decode.is_zero() {
        let mut recent = shared.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == RECENT_JOBS {
            recent.pop_front();
        }
        recent.push_back((generation.tokens.len() - 1, decode));
    }
    match generation.finish {
        FinishReason::Deadline => Err(AiError::DeadlineExceeded),
        FinishReason::Cancelled => Err(AiError::Cancelled),
        _ => Ok(generation),
    }
}

fn mark_ready(shared: &Shared, runtime: &Runtime, engine: &Engine) {
    let config = engine.config();
    let mut state = shared.state();
    state.load_time = Some(
        state
            .load_time
            .map_or(engine.load_time(), |t| t.max(engine.load_time())),
    );
    if state.status == AiStatus::Loading {
        state.status = AiStatus::Ready(ModelSummary {
            model_dir: engine.dir().display().to_string(),
            runtime_version: runtime.version().to_string(),
            n_layer: config.n_layer,
            n_head: config.n_head,
            n_embd: config.n_embd,
            n_positions: config.n_positions,
            vocab_size: config.vocab_size,
        });
    }
    shared.changed.notify_all();
}

fn set_off(shared: &Shared, reason: String) {
    tracing::warn!(%reason, "AI is off");
    let mut state = shared.state();
    state.status = AiStatus::Off { reason };
    shared.changed.notify_all();
}

fn off_reason(shared: &Shared) -> String {
    match &shared.state().status {
        AiStatus::Off { reason } => reason.clone(),
        _ => "the model could not be loaded".to_string(),
    }
}
