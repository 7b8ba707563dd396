//! Search: tokenising (jieba + code-aware), indexing, querying, highlighted snippets.

pub mod glossary;
pub mod hybrid;
pub mod index;
pub mod query;
pub mod similar;
pub mod snippet;
pub mod tokenize;
pub mod window;

pub use hybrid::search_page;
pub use index::{reindex_all, remove_post, upsert_event, upsert_post, upsert_resource};
pub use query::{search, search_events, SearchHit, SearchKind, SearchQuery, SearchResults};
pub use tokenize::{fts5_query, index_text, query_terms, tsquery, Combine};
