//! Where a `?next=` may send the browser: only paths on this site.

/// Returns `next` if it is a local path (`/questions/3`), otherwise `None`. Refuses `//evil`, `/\evil`,
/// `https://evil`, `javascript:` and anything with control characters.
pub fn local_target(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| next.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            local_target("/questions/3?tab=x").as_deref(),
            Some("/questions/3?tab=x")
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "evil",
            "/\n/evil",
        ] {
            assert_eq!(local_target(bad), None, "{bad:?}");
        }
    }
}
