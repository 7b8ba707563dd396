//! Reputation events and the totals they add up to.
