//! Where a question put to the answer bot stands (the `bot_asks.status` column).

/// A bot ask's state: waiting, being written, or finished one of four ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskStatus {
    Queued,
    /// A connection (or the no-JavaScript request) is writing the answer.
    Running,
    Answered,
    /// The forum had nothing on it, so the bot declined.
    Abstained,
    Failed,
    /// The asker left before the answer was finished.
    Cancelled,
}

impl AskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AskStatus::Queued => "queued",
            AskStatus::Running => "running",
            AskStatus::Answered => "answered",
            AskStatus::Abstained => "abstained",
            AskStatus::Failed => "failed",
            AskStatus::Cancelled => "cancelled",
        }
    }

    /// Reads a stored value; anything unknown counts as failed (finished, nothing to show).
    pub fn from_stored(value: &str) -> Self {
        match value {
            "queued" => AskStatus::Queued,
            "running" => AskStatus::Running,
            "answered" => AskStatus::Answered,
            "abstained" => AskStatus::Abstained,
            "cancelled" => AskStatus::Cancelled,
            _ => AskStatus::Failed,
        }
    }

    /// Not finished yet: queued or being written.
    pub fn is_pending(self) -> bool {
        matches!(self, AskStatus::Queued | AskStatus::Running)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_as_itself() {
        for status in [
            AskStatus::Queued,
            AskStatus::Running,
            AskStatus::Answered,
            AskStatus::Abstained,
            AskStatus::Failed,
            AskStatus::Cancelled,
        ] {
            assert_eq!(AskStatus::from_stored(status.as_str()), status);
        }
        assert_eq!(AskStatus::from_stored("exploded"), AskStatus::Failed);
        assert!(AskStatus::Running.is_pending() && !AskStatus::Answered.is_pending());
    }
}
