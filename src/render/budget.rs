//! What one render may cost: the size of the HTML it writes, the MathML and table padding inside
//! it, and the CPU time it may spend, with the typed error a caller turns into a form message.
//!
//! Markdown and LaTeX both let a short input ask for a large output (macros that repeat their
//! argument, tables whose header asks every row for thousands of cells, one long link target
//! referenced many times). Every such growth is counted here while the output is produced, so a
//! hostile post stops early instead of after the memory is spent.
use std::time::Duration;

/// Per-formula ceiling on MathML, whatever the formula's source length.
pub const MAX_FORMULA_MATHML_BYTES: usize = 64 * 1024;
/// MathML a formula may write per byte of its source, plus [`FORMULA_MATHML_BASE_BYTES`]: a real
/// formula writes well under 20 bytes per source byte; a macro that repeats its argument writes
/// thousands.
pub const FORMULA_MATHML_PER_SOURCE_BYTE: usize = 64;
pub const FORMULA_MATHML_BASE_BYTES: usize = 256;
/// All formulas of one post together; formulas past it are shown as their source.
pub const MAX_POST_MATHML_BYTES: usize = 256 * 1024;
/// Empty cells pulldown-cmark adds to short table rows, for the whole post (pulldown-cmark's own
/// cap, 262 144, is per table, so a post of many tables could still ask for millions).
pub const MAX_PADDED_CELLS_PER_POST: usize = 4_096;

/// The limits an operator can set (`AGORA_RENDER_MAX_HTML_KB`, `AGORA_RENDER_CPU_MS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sanitised HTML of one post, comment or bio; over it the content is refused.
    pub max_html_bytes: usize,
    /// CPU time one render may spend on its thread; over it the content is refused.
    pub cpu_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_html_bytes: 512 * 1024,
            cpu_budget: Duration::from_millis(1_000),
        }
    }
}

/// Why content could not be rendered within its [`Limits`]. The author's text is never lost: the
/// caller shows the form again with this as the message on the body field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the rendered HTML would pass {limit_bytes} bytes")]
    TooLarge { limit_bytes: usize },
    #[error("rendering took more than {budget:?} of CPU time")]
    TooSlow { budget: Duration },
}

impl RenderError {
    /// The message catalog key for the author.
    pub fn message_key(&self) -> &'static str {
        match self {
            RenderError::TooLarge { .. } => "error.render_too_large",
            RenderError::TooSlow { .. } => "error.render_too_slow",
        }
    }

    /// The limit, for the message's `{limit}` placeholder.
    pub fn limit_text(&self) -> String {
        match self {
            RenderError::TooLarge { limit_bytes } => format!("{} KB", limit_bytes / 1024),
            RenderError::TooSlow { budget } => format!("{} ms", budget.as_millis()),
        }
    }
}

/// The running account of one render.
pub struct Budget {
    limits: Limits,
    started: Option<Duration>,
    /// HTML written so far (an estimate while rewriting events; exact once written).
    html_bytes: usize,
    mathml_bytes: usize,
    padded_cells: usize,
    exceeded: Option<RenderError>,
}

impl Budget {
    pub fn new(limits: Limits) -> Self {
        Budget {
            limits,
            started: thread_cpu_time(),
            html_bytes: 0,
            mathml_bytes: 0,
            padded_cells: 0,
            exceeded: None,
        }
    }

    /// The first limit passed, if any; once set, the render stops doing work.
    pub fn exceeded(&self) -> Option<&RenderError> {
        self.exceeded.as_ref()
    }

    pub fn into_result(self) -> Result<(), RenderError> {
        match self.exceeded {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Counts `bytes` of output; passing the HTML limit stops the render.
    pub fn add_html(&mut self, bytes: usize) {
        self.html_bytes = self.html_bytes.saturating_add(bytes);
        self.check_size(self.html_bytes);
    }

    /// Checks a size measured after the fact (written or sanitised HTML).
    pub fn check_size(&mut self, bytes: usize) {
        if bytes > self.limits.max_html_bytes && self.exceeded.is_none() {
            self.exceeded = Some(RenderError::TooLarge {
                limit_bytes: self.limits.max_html_bytes,
            });
        }
    }

    /// Checks the CPU clock; cheap enough to call every few hundred events.
    pub fn check_time(&mut self) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        if let (Some(started), Some(now)) = (self.started, thread_cpu_time()) {
            if now.saturating_sub(started) > self.limits.cpu_budget {
                self.exceeded = Some(RenderError::TooSlow {
                    budget: self.limits.cpu_budget,
                });
                return false;
            }
        }
        true
    }

    /// How many bytes of MathML a formula of `source_bytes` may write now.
    pub fn formula_allowance(&self, source_bytes: usize) -> usize {
        let by_source = FORMULA_MATHML_BASE_BYTES
            .saturating_add(source_bytes.saturating_mul(FORMULA_MATHML_PER_SOURCE_BYTE));
        by_source
            .min(MAX_FORMULA_MATHML_BYTES)
            .min(MAX_POST_MATHML_BYTES.saturating_sub(self.mathml_bytes))
    }

    pub fn spend_mathml(&mut self, bytes: usize) {
        self.mathml_bytes = self.mathml_bytes.saturating_add(bytes);
    }

    /// Whether one more padded (empty, added) table cell may be written.
    pub fn take_padded_cell(&mut self) -> bool {
        if self.padded_cells >= MAX_PADDED_CELLS_PER_POST {
            return false;
        }
        self.padded_cells += 1;
        true
    }
}

/// CPU time this thread has used, where the platform tells it (`None` elsewhere: no time budget).
/// Thread time, not wall time, so a render on a busy machine is not refused for waiting its turn.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut spec = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a pointer to a live, owned value.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut spec) };
    if rc != 0 {
        return None;
    }
    Some(Duration::new(
        u64::try_from(spec.tv_sec).ok()?,
        u32::try_from(spec.tv_nsec).ok()?,
    ))
}

#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_allowance_shrinks_with_the_post_budget() {
        let mut budget = Budget::new(Limits::default());
        assert_eq!(budget.formula_allowance(1), 256 + 64);
        assert_eq!(budget.formula_allowance(10_000), MAX_FORMULA_MATHML_BYTES);
        budget.spend_mathml(MAX_POST_MATHML_BYTES - 100);
        assert_eq!(budget.formula_allowance(10_000), 100);
    }

    #[test]
    fn passing_the_html_limit_is_remembered() {
        let mut budget = Budget::new(Limits {
            max_html_bytes: 10,
            cpu_budget: Duration::from_secs(1),
        });
        budget.add_html(10);
        assert!(budget.exceeded().is_none());
        budget.add_html(1);
        assert_eq!(
            budget.into_result(),
            Err(RenderError::TooLarge { limit_bytes: 10 })
        );
    }

    #[test]
    fn a_spent_cpu_budget_stops_the_render() {
        let mut budget = Budget::new(Limits {
            max_html_bytes: 10,
            cpu_budget: Duration::ZERO,
        });
        let mut x = 0u64;
        for i in 0..200_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1);
        if thread_cpu_time().is_some() {
            assert!(!budget.check_time());
            assert!(matches!(
                budget.exceeded(),
                Some(RenderError::TooSlow { .. })
            ));
        }
    }
}
