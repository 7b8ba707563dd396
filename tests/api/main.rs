//! HTTP-level tests: each starts the real server on a random port with a fresh database (SQLite by
//! default; PostgreSQL when TEST_DATABASE_URL points at a server) and drives it like a browser would.
mod access_matrix;
mod accounts;
mod admin;
mod ai_features;
mod ai_status;
mod brand;
mod events;
mod helpers;
mod home;
mod hostile;
mod jobs;
mod member;
mod moderation;
mod pages;
mod posts;
mod reports;
mod resources;
mod rules;
mod search;
mod security;
mod social;
mod startup;
mod trust;
