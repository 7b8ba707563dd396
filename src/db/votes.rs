//! Queries over votes and the scores they keep.
