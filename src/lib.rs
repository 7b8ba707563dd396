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
