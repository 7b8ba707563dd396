//! Hostile members and hostile traffic: content that asks for unbounded rendering, log-in floods,
//! the link checker aimed inside the network, forwarded headers, and the small leaks.
mod anonymous;
mod big_topic;
mod farming;
mod held;
mod leaks;
mod logins;
mod outbound;
mod proxy;
mod rendering;
mod revisions;
mod small;
