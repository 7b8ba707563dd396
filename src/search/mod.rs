//! Search: tokenising (jieba + code-aware), indexing, querying.

pub mod tokenize;

pub use tokenize::{fts5_query, index_text, query_terms, tsquery, Combine};
