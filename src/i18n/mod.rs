//! UI text in English and Simplified Chinese from message catalogs, and choosing a language per request
//! (`?lang=`, the user's setting, a cookie, then Accept-Language).
use std::collections::HashMap;
use std::sync::LazyLock;

mod detect;
pub use detect::detect_lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// Reads a language tag loosely: `zh`, `zh-cn`, `zh-Hans` are Chinese; `en-GB` is English.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// Picks the best supported language from an Accept-Language header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_tag(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn catalog(self) -> &'static Catalog {
        match self {
            Lang::En => &EN,
            Lang::ZhCn => &ZH_CN,
        }
    }
}

/// Message catalog: key -> text. Missing keys fall back to English, then to the key itself.
pub struct Catalog {
    messages: HashMap<String, String>,
    fallback: Option<&'static Catalog>,
}

impl Catalog {
    /// Merges one JSON object per feature. The catalogs are compiled in and checked by tests, so a
    /// parse failure is a build defect caught there, not at run time.
    fn parse(parts: &[&str], fallback: Option<&'static Catalog>) -> Catalog {
        let mut messages = HashMap::new();
        for json in parts {
            let part: HashMap<String, String> = serde_json::from_str(json).unwrap_or_default();
            messages.extend(part);
        }
        Catalog { messages, fallback }
    }

    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        match self.messages.get(key) {
            Some(text) => text,
            None => self.fallback.map_or(key, |f| f.get(key)),
        }
    }

    /// A message with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.messages.keys()
    }
}

/// One file per feature, so features can add messages without touching each other's files.
macro_rules! catalog_files {
    ($lang:literal) => {
        [
            include_str!(concat!($lang, "/core.json")),
            include_str!(concat!($lang, "/posts.json")),
            include_str!(concat!($lang, "/social.json")),
            include_str!(concat!($lang, "/search.json")),
            include_str!(concat!($lang, "/admin.json")),
            include_str!(concat!($lang, "/ai.json")),
            include_str!(concat!($lang, "/moderation.json")),
            include_str!(concat!($lang, "/rules.json")),
            include_str!(concat!($lang, "/resources.json")),
            include_str!(concat!($lang, "/community.json")),
        ]
    };
}

const EN_FILES: [&str; 10] = catalog_files!("en");
const ZH_CN_FILES: [&str; 10] = catalog_files!("zh-CN");

static EN: LazyLock<Catalog> = LazyLock::new(|| Catalog::parse(&EN_FILES, None));
static ZH_CN: LazyLock<Catalog> = LazyLock::new(|| Catalog::parse(&ZH_CN_FILES, Some(&EN)));

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_catalog_file_is_a_json_object_of_strings() {
        for json in EN_FILES.iter().chain(ZH_CN_FILES.iter()) {
            let parsed: Result<HashMap<String, String>, _> = serde_json::from_str(json);
            assert!(parsed.is_ok(), "a catalog file does not parse: {parsed:?}");
        }
    }

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        let en: BTreeSet<_> = Lang::En.catalog().keys().collect();
        let zh: BTreeSet<_> = Lang::ZhCn.catalog().keys().collect();
        assert!(!en.is_empty());
        assert_eq!(
            en.symmetric_difference(&zh).collect::<Vec<_>>(),
            Vec::<&&String>::new()
        );
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let pattern = regex::Regex::new(
            r#"(?:t\.get|t\.fill|catalog_key|key:)\s*\(?\s*"([a-z_]+\.[a-z0-9_.]+)""#,
        )
        .expect("pattern");
        let mut stack = vec![root.join("templates"), root.join("src")];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                for cap in pattern.captures_iter(&text) {
                    let key = &cap[1];
                    if !Lang::En.catalog().messages.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the en catalog: {missing:#?}"
        );
    }

    #[test]
    fn accept_language_honours_quality() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::ZhCn)
        );
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.5, zh;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
        assert_eq!(
            Lang::from_accept_language("zh;q=0, en;q=0.1"),
            Some(Lang::En)
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let text = Lang::En
            .catalog()
            .fill("error.rate_limited_body", &[("minutes", "3")]);
        assert!(text.contains('3'), "{text}");
    }
}
