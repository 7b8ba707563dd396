//! The application every layer below the web receives: the database, the settings, the AI service,
//! and the little in-memory state an instance keeps (the hash gate, pending view counts).
//! Services and jobs take an `&App`; the web layer wraps it in `web::Data`.
use std::sync::Arc;

use crate::ai::{AiService, AiStatus};
use crate::auth::csrf::VisitorKey;
use crate::auth::hash_gate::HashGate;
use crate::auth::session::Lifetimes;
use crate::config::Settings;
use crate::db::posts::views::ViewCounts;
use crate::db::Db;
use crate::storage::Store;

#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// `None` when the operator turned the AI off (`AGORA_AI=off`).
    pub ai: Option<AiService>,
    /// Every password hash a request asks for (`AGORA_PASSWORD_HASHES` at once).
    pub hashes: Arc<HashGate>,
    /// Signs visitors' CSRF tokens (shared by every instance through the database).
    pub visitor_key: Arc<VisitorKey>,
    /// Page views not yet written (flushed in batches by the start-up task).
    pub views: ViewCounts,
    /// Where uploaded images are stored: the folder or the shared bucket.
    pub uploads: Store,
}

impl App {
    pub fn lifetimes(&self) -> Lifetimes {
        Lifetimes {
            idle_secs: self.settings.session_idle.as_secs() as i64,
            absolute_secs: self.settings.session_absolute.as_secs() as i64,
        }
    }

    /// Whether the AI can answer, and if not, one sentence saying why.
    pub fn ai_status(&self) -> AiStatus {
        match &self.ai {
            Some(ai) => ai.status(),
            None => AiStatus::Off {
                reason: "the AI is turned off in the settings (AGORA_AI=off)".into(),
            },
        }
    }

    /// The session cookie's name: `__Host-` prefixed (Secure, host-only, path /) when cookies are secure.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.settings.secure_cookies {
            "__Host-agora_session"
        } else {
            "agora_session"
        }
    }
}
