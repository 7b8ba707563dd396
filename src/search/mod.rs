//! Search: tokenising (jieba + code-aware), indexing, querying.

pub mod index;
pub mod tokenize;

pub use index::{reindex_all, remove_post, upsert_post};
pub use tokenize::{fts5_query, index_text, query_terms, tsquery, Combine};
