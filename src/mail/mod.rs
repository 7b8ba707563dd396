//! Outgoing mail: letters (subject, plain text and HTML, in the recipient's language) built from the
//! catalogs and the templates in `templates/mail/`, and the SMTP transport that sends what the outbox
//! holds. Nothing here queues or stores mail; `services::mail` does, and only its job sends.
pub mod letter;
pub mod letters;
pub mod transport;

pub use letter::{Letter, LetterParts};
pub use transport::Mailer;
