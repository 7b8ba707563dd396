//! The AI engine's integration tests: one binary, no web server needed.
mod errors;
mod generation;
mod helpers;
mod service;
mod tokenizer;
