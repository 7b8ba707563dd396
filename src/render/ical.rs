//! iCalendar text (RFC 5545) for events: a `VCALENDAR` of `VEVENT`s with times in UTC, TEXT values
//! escaped (`\\`, `;`, `,`, newlines) and every content line folded at 75 octets without splitting
//! a UTF-8 character, lines ended by CRLF.
use chrono::DateTime;

/// One event as a calendar sees it.
#[derive(Debug, Clone)]
pub struct IcalEvent<'a> {
    /// A stable, globally unique id (`event-7@forum.example`).
    pub uid: String,
    pub title: &'a str,
    /// Plain text (the Markdown source reads well enough).
    pub description: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    /// Last change, for `DTSTAMP` and `LAST-MODIFIED`.
    pub stamp: i64,
    pub location: &'a str,
    /// The event's page (absolute).
    pub url: &'a str,
    pub cancelled: bool,
}

/// The longest a content line may be, in octets, without its CRLF.
const LINE_OCTETS: usize = 75;

/// A whole calendar named `name`.
pub fn calendar(name: &str, events: &[IcalEvent<'_>]) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//agora//events//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape_text(name)));
    for event in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
        line(&mut out, &format!("DTSTAMP:{}", utc(event.stamp)));
        line(&mut out, &format!("LAST-MODIFIED:{}", utc(event.stamp)));
        line(&mut out, &format!("DTSTART:{}", utc(event.starts_at)));
        line(&mut out, &format!("DTEND:{}", utc(event.ends_at)));
        line(&mut out, &format!("SUMMARY:{}", escape_text(event.title)));
        if !event.description.is_empty() {
            line(
                &mut out,
                &format!("DESCRIPTION:{}", escape_text(event.description)),
            );
        }
        if !event.location.is_empty() {
            line(
                &mut out,
                &format!("LOCATION:{}", escape_text(event.location)),
            );
        }
        if !event.url.is_empty() {
            line(&mut out, &format!("URL:{}", event.url));
        }
        let status = if event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        line(&mut out, &format!("STATUS:{status}"));
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// `20261224T103000Z`
fn utc(at: i64) -> String {
    DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| "19700101T000000Z".to_string())
}

/// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`, other control
/// characters dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded: after each 75 octets, CRLF and a space (a continuation line
/// holds 74 octets after its space).
fn line(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        let width = c.len_utf8();
        if used + width > LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(title: &'a str, description: &'a str) -> IcalEvent<'a> {
        IcalEvent {
            uid: "event-1@example.org".into(),
            title,
            description,
            starts_at: 1_798_108_200,
            ends_at: 1_798_113_600,
            stamp: 1_798_000_000,
            location: "Room 1, Building 2",
            url: "https://example.org/events/1",
            cancelled: false,
        }
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(escape_text("a;b,c\\d\r\ne\nf"), "a\\;b\\,c\\\\d\\ne\\nf");
    }

    #[test]
    fn every_line_is_at_most_75_octets_and_ends_in_crlf() {
        let long = "注意力机制 attention, ".repeat(40);
        let text = calendar("agora", &[event(&long, &long)]);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= LINE_OCTETS, "{} octets: {line}", line.len());
            assert!(!line.contains('\n'));
        }
        // Unfolding gives the escaped value back whole.
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", escape_text(&long))));
    }

    #[test]
    fn times_are_utc() {
        let text = calendar("agora", &[event("Talk", "")]);
        assert!(text.contains("DTSTART:20261224T103000Z\r\n"));
        assert!(text.contains("DTEND:20261224T120000Z\r\n"));
        assert!(!text.contains("DESCRIPTION"));
    }
}
