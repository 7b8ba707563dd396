//! An event (an online talk, an AMA, a meetup, a reading group) as its organiser enters it: a title, a
//! start and an end in an IANA time zone (stored as UTC seconds plus the zone's name), an online
//! link or a place, a Markdown description and an optional capacity; and a member's RSVP answer.
use std::str::FromStr;

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::{FieldError, Markdown, Title};

/// The longest an event may run (a reading group meets again as another event).
pub const EVENT_MAX_SECS: i64 = 14 * 86_400;
/// The largest capacity an organiser may set; none means anyone may come.
pub const CAPACITY_MAX: i64 = 100_000;
/// A place is an address or a room, not a description.
pub const PLACE_MAX_CHARS: usize = 200;
const URL_MAX_CHARS: usize = 2_000;

/// The form's fields as typed (`datetime-local` values: `2026-12-24T18:30`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawEvent<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub starts: &'a str,
    pub ends: &'a str,
    pub time_zone: &'a str,
    pub online_url: &'a str,
    pub place: &'a str,
    pub capacity: &'a str,
}

/// An event that parsed: the end after the start, the zone known, somewhere to go.
#[derive(Debug, Clone, PartialEq)]
pub struct EventInput {
    pub title: Title,
    pub body: Markdown,
    /// UTC seconds.
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: Tz,
    /// An `http(s)` address, or empty.
    pub online_url: String,
    /// Where to meet, or empty.
    pub place: String,
    pub capacity: Option<i64>,
}

impl EventInput {
    /// Every problem at once, so the form shows them all next to their fields.
    pub fn parse(raw: RawEvent<'_>) -> Result<EventInput, Vec<FieldError>> {
        let mut problems = Vec::new();
        let title = Title::parse(raw.title).map_err(|e| problems.push(e)).ok();
        let body = Markdown::parse(raw.body).map_err(|e| problems.push(e)).ok();
        let time_zone = parse_zone(raw.time_zone).map_err(|e| problems.push(e)).ok();
        let (starts_at, ends_at) = match time_zone {
            Some(zone) => (
                local_time("starts", raw.starts, zone)
                    .map_err(|e| problems.push(e))
                    .ok(),
                local_time("ends", raw.ends, zone)
                    .map_err(|e| problems.push(e))
                    .ok(),
            ),
            None => (None, None),
        };
        if let (Some(start), Some(end)) = (starts_at, ends_at) {
            if end <= start {
                problems.push(FieldError::new("ends", "event.error.end_before_start"));
            } else if end - start > EVENT_MAX_SECS {
                problems.push(FieldError::new("ends", "event.error.too_long"));
            }
        }
        let online_url = parse_online_url(raw.online_url)
            .map_err(|e| problems.push(e))
            .ok();
        let place = raw.place.split_whitespace().collect::<Vec<_>>().join(" ");
        if place.chars().count() > PLACE_MAX_CHARS {
            problems.push(FieldError::new("place", "event.error.place_long"));
        }
        if online_url.as_deref() == Some("") && place.is_empty() {
            problems.push(FieldError::new("place", "event.error.where"));
        }
        let capacity = parse_capacity(raw.capacity)
            .map_err(|e| problems.push(e))
            .ok();
        match (
            title, body, time_zone, starts_at, ends_at, online_url, capacity,
        ) {
            (
                Some(title),
                Some(body),
                Some(time_zone),
                Some(starts_at),
                Some(ends_at),
                Some(online_url),
                Some(capacity),
            ) if problems.is_empty() => Ok(EventInput {
                title,
                body,
                starts_at,
                ends_at,
                time_zone,
                online_url,
                place,
                capacity,
            }),
            _ => Err(problems),
        }
    }
}

/// An IANA zone name (`Asia/Shanghai`, `Europe/Berlin`, `UTC`).
pub fn parse_zone(text: &str) -> Result<Tz, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new("time_zone", "event.error.zone_missing"));
    }
    Tz::from_str(text)
        .map_err(|_| FieldError::new("time_zone", "event.error.zone_unknown").with_detail(text))
}

/// A wall-clock time in `zone` as UTC seconds. A time the clocks skip (a DST gap) is refused; a
/// time they pass twice means the earlier one.
fn local_time(field: &'static str, text: &str, zone: Tz) -> Result<i64, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "event.error.time_missing"));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .map_err(|_| FieldError::new(field, "event.error.time_format"))?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
        .ok_or_else(|| FieldError::new(field, "event.error.time_gap"))
}

fn parse_online_url(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let bad = || FieldError::new("online_url", "event.error.url");
    if text.chars().count() > URL_MAX_CHARS {
        return Err(bad());
    }
    let url = url::Url::parse(text).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(url.to_string())
}

fn parse_capacity(text: &str) -> Result<Option<i64>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i64>()
        .ok()
        .filter(|n| (1..=CAPACITY_MAX).contains(n))
        .map(Some)
        .ok_or_else(|| FieldError::new("capacity", "event.error.capacity"))
}

/// A wall-clock time of `at` in `zone` as a `datetime-local` value (the edit form's fields).
pub fn local_input_value(at: i64, zone: Tz) -> String {
    zone.timestamp_opt(at, 0)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// `at` in `zone` as pages show it: `2026-12-24 18:30 (Asia/Shanghai, UTC+08:00)`.
pub fn time_in_zone(at: i64, zone: Tz) -> String {
    zone.timestamp_opt(at, 0)
        .single()
        .map(|t| {
            format!(
                "{} ({}, UTC{})",
                t.format("%Y-%m-%d %H:%M"),
                zone.name(),
                t.format("%:z")
            )
        })
        .unwrap_or_default()
}

/// A member's answer to an event (`event_rsvps.answer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsvpAnswer {
    Going,
    Maybe,
    NotGoing,
}

impl RsvpAnswer {
    pub const ALL: [RsvpAnswer; 3] = [RsvpAnswer::Going, RsvpAnswer::Maybe, RsvpAnswer::NotGoing];

    pub fn parse(text: &str) -> Option<RsvpAnswer> {
        Self::ALL.into_iter().find(|a| a.as_str() == text.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RsvpAnswer::Going => "going",
            RsvpAnswer::Maybe => "maybe",
            RsvpAnswer::NotGoing => "not_going",
        }
    }

    pub fn catalog_key(self) -> &'static str {
        match self {
            RsvpAnswer::Going => "event.rsvp_going",
            RsvpAnswer::Maybe => "event.rsvp_maybe",
            RsvpAnswer::NotGoing => "event.rsvp_not_going",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(starts: &'a str, ends: &'a str, zone: &'a str) -> RawEvent<'a> {
        RawEvent {
            title: "Reading group: attention is all you need",
            body: "We read section 3.",
            starts,
            ends,
            time_zone: zone,
            online_url: "https://meet.example.org/agora",
            place: "",
            capacity: "30",
        }
    }

    #[test]
    fn a_start_in_shanghai_is_eight_hours_before_utc() {
        let event = EventInput::parse(raw("2026-12-24T18:30", "2026-12-24T20:00", "Asia/Shanghai"))
            .expect("parses");
        // 2026-12-24 10:30 UTC
        assert_eq!(event.starts_at, 1_798_108_200);
        assert_eq!(event.ends_at - event.starts_at, 90 * 60);
        assert_eq!(event.capacity, Some(30));
        assert_eq!(
            time_in_zone(event.starts_at, chrono_tz::Europe::Berlin),
            "2026-12-24 11:30 (Europe/Berlin, UTC+01:00)"
        );
        assert_eq!(
            local_input_value(event.starts_at, event.time_zone),
            "2026-12-24T18:30"
        );
    }

    #[test]
    fn bad_input_names_each_field() {
        let keys = |r: RawEvent<'_>| -> Vec<&'static str> {
            EventInput::parse(r)
                .unwrap_err()
                .iter()
                .map(|e| e.key)
                .collect()
        };
        assert_eq!(
            keys(raw("2026-12-24T18:30", "2026-12-24T17:00", "UTC")),
            ["event.error.end_before_start"]
        );
        assert_eq!(
            keys(raw("2026-12-24T18:30", "2026-12-24T19:00", "Mars/Olympus")),
            ["event.error.zone_unknown"]
        );
        assert_eq!(
            keys(raw("yesterday", "2026-12-24T19:00", "UTC")),
            ["event.error.time_format"]
        );
        let mut nowhere = raw("2026-12-24T18:30", "2026-12-24T19:00", "UTC");
        nowhere.online_url = "";
        assert_eq!(keys(nowhere), ["event.error.where"]);
        let mut full = raw("2026-12-24T18:30", "2026-12-24T19:00", "UTC");
        full.capacity = "0";
        full.online_url = "javascript:alert(1)";
        assert_eq!(keys(full), ["event.error.url", "event.error.capacity"]);
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused() {
        // Berlin skips 02:00-03:00 on 2027-03-28.
        let keys: Vec<_> =
            EventInput::parse(raw("2027-03-28T02:30", "2027-03-28T04:00", "Europe/Berlin"))
                .unwrap_err()
                .iter()
                .map(|e| e.key)
                .collect();
        assert_eq!(keys, ["event.error.time_gap"]);
    }
}
