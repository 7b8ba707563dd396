//! How pages show times: one formatter per shape, all in UTC.
use std::fmt::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};

fn with_format(at: i64, format: &str) -> String {
    DateTime::from_timestamp(at, 0)
        .map(|d| d.format(format).to_string())
        .unwrap_or_default()
}

/// The date (and, with `clock`, the time) written digit by digit: a topic page shows some 80 times,
/// and chrono's `format` parses its pattern again on every call. Years outside 0..=9999 (chrono
/// writes those with a sign) take chrono's way.
fn numeric(at: i64, clock: Option<(char, bool, &str)>) -> Option<String> {
    let d: DateTime<Utc> = DateTime::from_timestamp(at, 0)?;
    if !(0..=9999).contains(&d.year()) {
        return None;
    }
    let mut out = String::with_capacity(24);
    let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
    if let Some((separator, seconds, suffix)) = clock {
        let _ = write!(out, "{separator}{:02}:{:02}", d.hour(), d.minute());
        if seconds {
            let _ = write!(out, ":{:02}", d.second());
        }
        out.push_str(suffix);
    }
    Some(out)
}

/// A stored time as the pages show it: `2026-12-01 08:00 UTC`.
pub fn time(at: i64) -> String {
    numeric(at, Some((' ', false, " UTC"))).unwrap_or_else(|| with_format(at, "%Y-%m-%d %H:%M UTC"))
}

/// The day alone: `2026-12-01`.
pub fn day(at: i64) -> String {
    numeric(at, None).unwrap_or_else(|| with_format(at, "%Y-%m-%d"))
}

/// RFC 3339 for feeds and machine-readable attributes: `2026-12-01T08:00:00Z`.
pub fn rfc3339(at: i64) -> String {
    numeric(at, Some(('T', true, "Z"))).unwrap_or_else(|| with_format(at, "%Y-%m-%dT%H:%M:%SZ"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_three_shapes() {
        assert_eq!(super::time(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::day(86_400), "1970-01-02");
        assert_eq!(super::rfc3339(61), "1970-01-01T00:01:01Z");
    }

    #[test]
    fn digit_by_digit_matches_chrono() {
        let far = 400_000 * 365 * 86_400_i64;
        for at in [
            0,
            59,
            86_399,
            951_782_400,
            1_764_576_000,
            4_102_444_799,
            -86_401,
            far,
            -far,
        ] {
            assert_eq!(
                super::time(at),
                super::with_format(at, "%Y-%m-%d %H:%M UTC"),
                "{at}"
            );
            assert_eq!(super::day(at), super::with_format(at, "%Y-%m-%d"), "{at}");
            assert_eq!(
                super::rfc3339(at),
                super::with_format(at, "%Y-%m-%dT%H:%M:%SZ"),
                "{at}"
            );
        }
    }
}
