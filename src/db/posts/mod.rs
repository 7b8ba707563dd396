//! Queries over posts (articles, questions, answers), their tags and revisions.
