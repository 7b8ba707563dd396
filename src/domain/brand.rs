//! The community's own brand as admins enter it: a logo and a favicon (paths under `/static/` or
//! `/uploads/`), an accent colour for light and one for dark mode — each `#rrggbb` and readable
//! (WCAG 4.5:1) on the page background of its mode, read from the stylesheet's own variables —, a
//! home-page announcement with the last day it shows, and footer links.
use chrono::NaiveDate;

use super::FieldError;

/// The stylesheet the backgrounds are read from, so a change of theme changes the check.
const STYLESHEET: &str = include_str!("../../static/css/agora.css");
/// WCAG 2 AA for body text.
pub const MIN_CONTRAST: f64 = 4.5;
pub const BANNER_MAX_CHARS: usize = 300;
pub const FOOTER_LINKS_MAX: usize = 8;
const LABEL_MAX_CHARS: usize = 40;
const PATH_MAX_CHARS: usize = 300;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` (either case); nothing else.
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG contrast ratio, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// White or near-black, whichever reads better on this colour (button text).
    pub fn text_on(self) -> Rgb {
        let white = Rgb(0xff, 0xff, 0xff);
        let black = Rgb(0x0d, 0x10, 0x20);
        if self.contrast(white) >= self.contrast(black) {
            white
        } else {
            black
        }
    }
}

/// The page backgrounds of the light and the dark theme: the first `--bg` in the stylesheet
/// and the one inside its `prefers-color-scheme: dark` block.
pub fn backgrounds() -> (Rgb, Rgb) {
    let find = |from: usize| -> Option<Rgb> {
        let rest = STYLESHEET.get(from..)?;
        let at = rest.find("--bg:")? + "--bg:".len();
        let value = rest[at..].split(';').next()?;
        Rgb::parse(value)
    };
    let light = find(0).unwrap_or(Rgb(0xfb, 0xfb, 0xfa));
    let dark = STYLESHEET
        .find("prefers-color-scheme: dark")
        .and_then(find)
        .unwrap_or(Rgb(0x15, 0x17, 0x1b));
    (light, dark)
}

/// The form's fields, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawBrand<'a> {
    pub logo: &'a str,
    pub favicon: &'a str,
    pub accent_light: &'a str,
    pub accent_dark: &'a str,
    pub banner: &'a str,
    pub banner_until: &'a str,
    /// One `Label | /path or https://address` per line.
    pub footer_links: &'a str,
}

/// A brand that parsed; empty fields keep the forum's own look.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    pub logo: String,
    pub favicon: String,
    pub accent_light: Option<Rgb>,
    pub accent_dark: Option<Rgb>,
    pub banner: String,
    pub banner_until: Option<NaiveDate>,
    pub footer_links: Vec<(String, String)>,
}

impl Brand {
    pub fn parse(raw: RawBrand<'_>) -> Result<Brand, Vec<FieldError>> {
        let mut problems = Vec::new();
        let logo = asset_path("logo", raw.logo)
            .map_err(|e| problems.push(e))
            .ok();
        let favicon = asset_path("favicon", raw.favicon)
            .map_err(|e| problems.push(e))
            .ok();
        let (light_bg, dark_bg) = backgrounds();
        let accent_light = accent("accent_light", raw.accent_light, light_bg)
            .map_err(|e| problems.push(e))
            .ok();
        let accent_dark = accent("accent_dark", raw.accent_dark, dark_bg)
            .map_err(|e| problems.push(e))
            .ok();
        let banner = raw.banner.split_whitespace().collect::<Vec<_>>().join(" ");
        if banner.chars().count() > BANNER_MAX_CHARS {
            problems.push(FieldError::new("banner", "brand.error.banner_long"));
        }
        let banner_until = match raw.banner_until.trim() {
            "" if banner.is_empty() => None,
            "" => {
                problems.push(FieldError::new("banner_until", "brand.error.banner_until"));
                None
            }
            text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    problems.push(FieldError::new("banner_until", "brand.error.banner_until"));
                    None
                }
            },
        };
        let footer_links = footer_links(raw.footer_links)
            .map_err(|e| problems.push(e))
            .ok();
        match (logo, favicon, accent_light, accent_dark, footer_links) {
            (
                Some(logo),
                Some(favicon),
                Some(accent_light),
                Some(accent_dark),
                Some(footer_links),
            ) if problems.is_empty() => Ok(Brand {
                logo,
                favicon,
                accent_light,
                accent_dark,
                banner,
                banner_until,
                footer_links,
            }),
            _ => Err(problems),
        }
    }

    /// The announcement, while its last day (UTC) has not passed.
    pub fn banner_on(&self, today: NaiveDate) -> Option<&str> {
        match self.banner_until {
            Some(until) if !self.banner.is_empty() && today <= until => Some(&self.banner),
            _ => None,
        }
    }

    /// The stylesheet that overrides the accent (empty when none is set).
    pub fn stylesheet(&self) -> String {
        let block = |accent: Rgb| {
            let text = accent.text_on();
            format!(
                ":root {{ --accent: {a}; --accent-fg: {t}; --focus: {a}; }}",
                a = accent.hex(),
                t = text.hex()
            )
        };
        let mut css = String::new();
        if let Some(light) = self.accent_light {
            css.push_str(&block(light));
            css.push('\n');
        }
        if let Some(dark) = self.accent_dark {
            css.push_str(&format!(
                "@media screen and (prefers-color-scheme: dark) {{ {} }}\n",
                block(dark)
            ));
        }
        css
    }
}

/// A path under `/static/` or `/uploads/` of plain characters, or empty.
fn asset_path(field: &'static str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
    let ok = (text.starts_with("/static/") || text.starts_with("/uploads/"))
        && plain
        && !text.contains("..")
        && !text.contains("//")
        && text.len() <= PATH_MAX_CHARS;
    if ok {
        Ok(text.to_string())
    } else {
        Err(FieldError::new(field, "brand.error.path"))
    }
}

/// `#rrggbb` readable on `background`, or empty for the forum's own colour.
fn accent(field: &'static str, text: &str, background: Rgb) -> Result<Option<Rgb>, FieldError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let colour =
        Rgb::parse(text).ok_or_else(|| FieldError::new(field, "brand.error.colour_format"))?;
    let on_page = colour.contrast(background);
    let text_on = colour.contrast(colour.text_on());
    if on_page < MIN_CONTRAST {
        return Err(FieldError::new(field, "brand.error.contrast")
            .with_detail(format!("{on_page:.2}:1 / {}", background.hex())));
    }
    if text_on < MIN_CONTRAST {
        return Err(FieldError::new(field, "brand.error.contrast_text")
            .with_detail(format!("{text_on:.2}:1")));
    }
    Ok(Some(colour))
}

fn footer_links(text: &str) -> Result<Vec<(String, String)>, FieldError> {
    let bad = || FieldError::new("footer_links", "brand.error.footer_links");
    let mut links = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (label, target) = line.split_once('|').ok_or_else(bad)?;
        let (label, target) = (label.trim(), target.trim());
        let local = target.starts_with('/')
            && !target.starts_with("//")
            && !target
                .chars()
                .any(|c| c.is_control() || c == '\\' || c.is_whitespace());
        let remote = url::Url::parse(target)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .is_some();
        if label.is_empty() || label.chars().count() > LABEL_MAX_CHARS || !(local || remote) {
            return Err(bad());
        }
        links.push((label.to_string(), target.to_string()));
    }
    if links.len() > FOOTER_LINKS_MAX {
        return Err(bad());
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backgrounds_come_from_the_stylesheet() {
        assert_eq!(
            backgrounds(),
            (Rgb(0xfb, 0xfb, 0xfa), Rgb(0x15, 0x17, 0x1b))
        );
    }

    #[test]
    fn contrast_follows_wcag() {
        let white = Rgb(255, 255, 255);
        let black = Rgb(0, 0, 0);
        assert!((white.contrast(black) - 21.0).abs() < 1e-9);
        assert!((Rgb::parse("#777777").unwrap().contrast(white) - 4.48).abs() < 0.01);
    }

    #[test]
    fn an_unreadable_accent_is_refused_per_mode() {
        let raw = RawBrand {
            accent_light: "#ffdd00",
            accent_dark: "#1a1a80",
            ..RawBrand::default()
        };
        let keys: Vec<_> = Brand::parse(raw)
            .unwrap_err()
            .iter()
            .map(|e| (e.field, e.key))
            .collect();
        assert_eq!(
            keys,
            [
                ("accent_light", "brand.error.contrast"),
                ("accent_dark", "brand.error.contrast")
            ]
        );
        let good = Brand::parse(RawBrand {
            accent_light: "#1a5c2e",
            accent_dark: "#8fd19e",
            ..RawBrand::default()
        })
        .expect("readable");
        assert!(good
            .stylesheet()
            .contains("--accent: #1a5c2e; --accent-fg: #ffffff"));
        assert!(good.stylesheet().contains("prefers-color-scheme: dark"));
        assert_eq!(
            Brand::parse(RawBrand {
                accent_light: "green",
                ..RawBrand::default()
            })
            .unwrap_err()[0]
                .key,
            "brand.error.colour_format"
        );
    }

    #[test]
    fn paths_links_and_the_banner() {
        let keys = |raw: RawBrand<'_>| -> Vec<&'static str> {
            Brand::parse(raw)
                .unwrap_err()
                .iter()
                .map(|e| e.key)
                .collect()
        };
        assert_eq!(
            keys(RawBrand {
                logo: "https://evil.example/logo.png",
                favicon: "/static/../secret",
                ..RawBrand::default()
            }),
            ["brand.error.path", "brand.error.path"]
        );
        assert_eq!(
            keys(RawBrand {
                footer_links: "Imprint | javascript:alert(1)",
                ..RawBrand::default()
            }),
            ["brand.error.footer_links"]
        );
        assert_eq!(
            keys(RawBrand {
                banner: "Meetup on Friday",
                ..RawBrand::default()
            }),
            ["brand.error.banner_until"]
        );
        let brand = Brand::parse(RawBrand {
            logo: "/uploads/ab12.png",
            banner: "Meetup on Friday",
            banner_until: "2031-01-31",
            footer_links: "Imprint | /guidelines\nCode | https://git.example.org/agora",
            ..RawBrand::default()
        })
        .expect("parses");
        assert_eq!(brand.footer_links.len(), 2);
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(brand.banner_on(day("2031-01-31")), Some("Meetup on Friday"));
        assert_eq!(brand.banner_on(day("2031-02-01")), None);
    }
}
