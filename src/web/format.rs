//! How pages show times: one formatter per shape, all in UTC.
use chrono::DateTime;

fn with_format(at: i64, format: &str) -> String {
    DateTime::from_timestamp(at, 0)
        .map(|d| d.format(format).to_string())
        .unwrap_or_default()
}

/// A stored time as the pages show it: `2026-12-01 08:00 UTC`.
pub fn time(at: i64) -> String {
    with_format(at, "%Y-%m-%d %H:%M UTC")
}

/// The day alone: `2026-12-01`.
pub fn day(at: i64) -> String {
    with_format(at, "%Y-%m-%d")
}

/// RFC 3339 for feeds and machine-readable attributes: `2026-12-01T08:00:00Z`.
pub fn rfc3339(at: i64) -> String {
    with_format(at, "%Y-%m-%dT%H:%M:%SZ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_three_shapes() {
        assert_eq!(super::time(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::day(86_400), "1970-01-02");
        assert_eq!(super::rfc3339(61), "1970-01-01T00:01:01Z");
    }
}
