//! agora: a self-hosted community forum for AI / large-model practitioners.
pub mod ai;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod moderation;
pub mod outbound;
pub mod render;
pub mod search;
pub mod seed;
pub mod services;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod web;

pub use startup::Application;

/// Every program that links agora (the server, its tests and benches) allocates through mimalloc:
/// a page is built from many short-lived strings and one large body buffer, and with the system
/// allocator a signed-in topic page spent a fifth of its time in `malloc`, `free` and the page
/// faults of memory handed back to the kernel and taken again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
