//! What ends a generation, shared by sampled generation ([`super::generate`]) and beam drafting
//! ([`super::draft`]): the reasons and the limits checked between steps.
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// `max_new_tokens` were generated.
    Length,
    /// The model produced its end-of-text token.
    Eos,
    /// A stop string appeared.
    Stop,
    /// The context window is full.
    ContextFull,
    /// The wall-clock deadline passed.
    Deadline,
    /// The caller cancelled.
    Cancelled,
}

/// Limits checked between steps.
#[derive(Debug, Default, Clone, Copy)]
pub struct Controls<'a> {
    pub deadline: Option<Instant>,
    pub cancel: Option<&'a AtomicBool>,
}

impl Controls<'_> {
    pub(super) fn interrupted(&self) -> Option<FinishReason> {
        if self.cancel.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
            return Some(FinishReason::Cancelled);
        }
        if self
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            return Some(FinishReason::Deadline);
        }
        None
    }
}
