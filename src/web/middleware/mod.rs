//! Request pipeline, outermost first: security headers -> session -> error pages -> CSRF -> handler.
pub mod assets;
pub mod conditional;
pub mod csrf;
pub mod error_pages;
pub mod error_texts;
pub mod headers;
pub mod proxy;
pub mod request_log;
pub mod session;
