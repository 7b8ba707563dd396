//! Moderation rules as data: their kinds and actions, parsing a rule from the admin form (a regular
//! expression is compiled there, under size limits), and matching a text against one rule. No I/O.
//!
//! Why a bad regular expression cannot stall the server: Rust's `regex` crate has no backtracking, so
//! matching is linear in the text (a "catastrophic" pattern such as `(a+)+$` costs the same as any
//! other); the compiled program is capped ([`REGEX_SIZE_LIMIT`]), so a pattern cannot blow up memory or
//! compile time; patterns are at most [`MAX_PATTERN_CHARS`] long; and only the first
//! [`MAX_CHECKED_BYTES`] of a text are checked. Together that bounds every check.
use regex::{Regex, RegexBuilder};

use super::is_cjk;
use super::FieldError;

/// The longest regular expression an admin may save.
pub const MAX_PATTERN_CHARS: usize = 500;
/// The compiled program and lazy-DFA cache limits of one rule's regex.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// How much of a text the rules read (posts are far shorter; this bounds the cost of a check).
pub const MAX_CHECKED_BYTES: usize = 100 * 1024;
/// The longest word list and public description.
pub const MAX_WORD_LIST_CHARS: usize = 10_000;
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// `below_trust` for rules that apply to every member (trust levels are 0–4).
pub const EVERYONE: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    BannedWords,
    Regex,
    LinkLimit,
    NoImages,
    HoldNew,
    RateLimit,
}

impl RuleKind {
    pub const ALL: [RuleKind; 6] = [
        RuleKind::BannedWords,
        RuleKind::Regex,
        RuleKind::LinkLimit,
        RuleKind::NoImages,
        RuleKind::HoldNew,
        RuleKind::RateLimit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::BannedWords => "banned_words",
            RuleKind::Regex => "regex",
            RuleKind::LinkLimit => "link_limit",
            RuleKind::NoImages => "no_images",
            RuleKind::HoldNew => "hold_new",
            RuleKind::RateLimit => "rate_limit",
        }
    }

    pub fn parse(text: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The catalog key of the kind's name.
    pub fn catalog_key(self) -> &'static str {
        match self {
            RuleKind::BannedWords => "rules.kind.banned_words",
            RuleKind::Regex => "rules.kind.regex",
            RuleKind::LinkLimit => "rules.kind.link_limit",
            RuleKind::NoImages => "rules.kind.no_images",
            RuleKind::HoldNew => "rules.kind.hold_new",
            RuleKind::RateLimit => "rules.kind.rate_limit",
        }
    }
}

/// What happens to content a rule matches. The order is the severity: when several rules match, the
/// most severe action wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleAction {
    Flag,
    Hold,
    Block,
}

impl RuleAction {
    pub const ALL: [RuleAction; 3] = [RuleAction::Block, RuleAction::Hold, RuleAction::Flag];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::Block => "block",
            RuleAction::Hold => "hold",
            RuleAction::Flag => "flag",
        }
    }

    pub fn parse(text: &str) -> Option<RuleAction> {
        RuleAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// The family of actions a rate-limit rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Post,
    Comment,
    Vote,
    Flag,
}

impl Counted {
    pub const ALL: [Counted; 4] = [
        Counted::Post,
        Counted::Comment,
        Counted::Vote,
        Counted::Flag,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Counted::Post => "post",
            Counted::Comment => "comment",
            Counted::Vote => "vote",
            Counted::Flag => "flag",
        }
    }

    pub fn parse(text: &str) -> Option<Counted> {
        Counted::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// Who a rate limit counts: each member, or each address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    User,
    Ip,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Ip => "ip",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "user" => Some(Scope::User),
            "ip" => Some(Scope::Ip),
            _ => None,
        }
    }
}

/// What a member is doing when the rules are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreatePost,
    EditPost,
    CreateComment,
    EditComment,
    EditProfile,
    CreateResource,
    EditResource,
    Vote,
    Flag,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreatePost => "create_post",
            Action::EditPost => "edit_post",
            Action::CreateComment => "create_comment",
            Action::EditComment => "edit_comment",
            Action::EditProfile => "edit_profile",
            Action::CreateResource => "create_resource",
            Action::EditResource => "edit_resource",
            Action::Vote => "vote",
            Action::Flag => "flag",
        }
    }

    /// Whether the action carries text for the content rules.
    pub fn has_content(self) -> bool {
        !matches!(self, Action::Vote | Action::Flag)
    }

    /// Which rate limits count this action (edits are not counted).
    pub fn counted_as(self) -> Option<Counted> {
        match self {
            Action::CreatePost | Action::CreateResource => Some(Counted::Post),
            Action::CreateComment => Some(Counted::Comment),
            Action::Vote => Some(Counted::Vote),
            Action::Flag => Some(Counted::Flag),
            _ => None,
        }
    }
}

/// A rule as stored and as the engine applies it (validated when it was saved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: i64,
    pub kind: RuleKind,
    /// Shown to the author whose content the rule refused.
    pub description: String,
    /// Banned words (one per line or comma-separated) or a regular expression.
    pub pattern: String,
    /// Most links (link limit), posts held (hold new), or actions per window (rate limit).
    pub max_count: i64,
    pub window_secs: i64,
    /// The rule applies to members whose trust level is below this ([`EVERYONE`]: all members).
    pub below_trust: i64,
    pub applies_to: Counted,
    pub scope: Scope,
    pub action: RuleAction,
    pub enabled: bool,
}

impl Rule {
    pub fn applies_to_level(&self, trust_level: i64) -> bool {
        trust_level < self.below_trust
    }
}

/// The first [`MAX_CHECKED_BYTES`] of a text, cut on a character boundary.
pub fn checked_part(text: &str) -> &str {
    if text.len() <= MAX_CHECKED_BYTES {
        return text;
    }
    let mut end = MAX_CHECKED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Words of a banned-word list: one per line or comma-separated, lower-cased, blanks dropped.
pub fn word_list(pattern: &str) -> Vec<String> {
    pattern
        .split(['\n', ',', '，'])
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Chinese, Japanese and Korean characters: those scripts have no spaces between words, so a banned
/// word written in them matches anywhere.
/// The first banned word found in `text`: case-insensitively, on word boundaries (a letter or digit
/// on either side means another word), or anywhere for words written in CJK scripts.
pub fn banned_word_in(words: &[String], text: &str) -> Option<String> {
    let text = checked_part(text).to_lowercase();
    words
        .iter()
        .find(|word| {
            if word.chars().any(is_cjk) {
                return text.contains(word.as_str());
            }
            text.match_indices(word.as_str()).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + word.len()..].chars().next();
                let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                !is_word(before) && !is_word(after)
            })
        })
        .cloned()
}

/// Links in Markdown: every `http://`, `https://` or `www.` address, whether bare, in `<…>` or in
/// `[text](…)`.
pub fn count_links(text: &str) -> usize {
    let text = checked_part(text).to_lowercase();
    text.matches("http://").count()
        + text.matches("https://").count()
        + text
            .match_indices("www.")
            .filter(|(at, _)| !text[..*at].ends_with("://"))
            .count()
}

/// Images in Markdown (`![alt](…)`, `![alt][ref]`) or HTML (`<img`).
pub fn has_image(text: &str) -> bool {
    let text = checked_part(text);
    let markdown = text.match_indices("![").any(|(at, _)| {
        let rest = &text[at + 2..];
        rest.find(']')
            .is_some_and(|close| matches!(rest[close + 1..].chars().next(), Some('(' | '[')))
    });
    markdown || text.to_lowercase().contains("<img")
}

/// Compiles a rule's regular expression under the size limits.
pub fn compile_regex(pattern: &str) -> Result<Regex, FieldError> {
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err(FieldError::new("pattern", "rules.error.pattern_long")
            .with_detail(MAX_PATTERN_CHARS.to_string()));
    }
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let detail = e.to_string();
            let detail: String = detail
                .lines()
                .last()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
            FieldError::new("pattern", "rules.error.pattern_invalid").with_detail(detail)
        })
}

/// Whether the text breaks a content rule (banned words, regex, links, images). Other kinds never
/// match here; an uncompilable stored regex (impossible after validation) matches nothing.
pub fn content_breaks(rule: &Rule, text: &str) -> bool {
    match rule.kind {
        RuleKind::BannedWords => banned_word_in(&word_list(&rule.pattern), text).is_some(),
        RuleKind::Regex => {
            compile_regex(&rule.pattern).is_ok_and(|re| re.is_match(checked_part(text)))
        }
        RuleKind::LinkLimit => count_links(text) > usize::try_from(rule.max_count).unwrap_or(0),
        RuleKind::NoImages => has_image(text),
        RuleKind::HoldNew | RuleKind::RateLimit => false,
    }
}

/// The admin form, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RuleDraft {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub max_count: String,
    #[serde(default)]
    pub window_secs: String,
    #[serde(default)]
    pub below_trust: String,
    #[serde(default)]
    pub applies_to: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub enabled: Option<String>,
}

impl RuleDraft {
    pub fn from_rule(rule: &Rule) -> RuleDraft {
        RuleDraft {
            kind: rule.kind.as_str().into(),
            description: rule.description.clone(),
            pattern: rule.pattern.clone(),
            max_count: rule.max_count.to_string(),
            window_secs: rule.window_secs.to_string(),
            below_trust: rule.below_trust.to_string(),
            applies_to: rule.applies_to.as_str().into(),
            scope: rule.scope.as_str().into(),
            action: rule.action.as_str().into(),
            enabled: rule.enabled.then(|| "1".into()),
        }
    }
}

/// A valid rule to save (its id is assigned by the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInput(pub Rule);

fn number(
    text: &str,
    range: std::ops::RangeInclusive<i64>,
    field: &'static str,
) -> Result<i64, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(*range.start());
    }
    text.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| FieldError::new(field, "rules.error.number"))
}

impl RuleInput {
    /// Checks every field, collecting all problems; a regular expression must compile.
    pub fn parse(draft: &RuleDraft) -> Result<RuleInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = RuleKind::parse(draft.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new("kind", "rules.error.kind"));
        }
        let action = RuleAction::parse(draft.action.trim());
        if action.is_none() {
            errors.push(FieldError::new("action", "rules.error.action"));
        }
        let description = draft.description.trim().to_string();
        if description.is_empty() || description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.push(FieldError::new("description", "rules.error.description"));
        }
        let pattern = draft.pattern.trim().to_string();
        match kind {
            Some(RuleKind::Regex) => {
                if pattern.is_empty() {
                    errors.push(FieldError::new("pattern", "rules.error.pattern_empty"));
                } else if let Err(e) = compile_regex(&pattern) {
                    errors.push(e);
                }
            }
            Some(RuleKind::BannedWords) => {
                if word_list(&pattern).is_empty() {
                    errors.push(FieldError::new("pattern", "rules.error.pattern_empty"));
                } else if pattern.chars().count() > MAX_WORD_LIST_CHARS {
                    errors.push(
                        FieldError::new("pattern", "rules.error.pattern_long")
                            .with_detail(MAX_WORD_LIST_CHARS.to_string()),
                    );
                }
            }
            _ => {}
        }
        let mut num = |text: &str, range, field| {
            number(text, range, field)
                .map_err(|e| errors.push(e))
                .unwrap_or(0)
        };
        let max_count = num(&draft.max_count, 0..=1_000_000, "max_count");
        let window_secs = num(&draft.window_secs, 0..=31_536_000, "window_secs");
        let below_trust = if draft.below_trust.trim().is_empty() {
            EVERYONE
        } else {
            num(&draft.below_trust, 1..=EVERYONE, "below_trust")
        };
        let applies_to = Counted::parse(draft.applies_to.trim()).unwrap_or(Counted::Post);
        let scope = Scope::parse(draft.scope.trim()).unwrap_or(Scope::User);
        if kind == Some(RuleKind::RateLimit) && (max_count < 1 || window_secs < 1) {
            errors.push(FieldError::new("max_count", "rules.error.rate"));
        }
        if kind == Some(RuleKind::HoldNew) && max_count < 1 {
            errors.push(FieldError::new("max_count", "rules.error.number"));
        }
        match (kind, action) {
            (Some(kind), Some(action)) if errors.is_empty() => Ok(RuleInput(Rule {
                id: 0,
                kind,
                description,
                pattern,
                max_count,
                window_secs,
                below_trust,
                applies_to,
                scope,
                action,
                enabled: draft
                    .enabled
                    .as_deref()
                    .is_some_and(|v| !v.is_empty() && v != "0"),
            })),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &str) -> Vec<String> {
        word_list(list)
    }

    #[test]
    fn banned_words_match_whole_words_in_any_case() {
        let list = words("casino, Spam\nfree money");
        assert_eq!(
            banned_word_in(&list, "Visit our CASINO now"),
            Some("casino".into())
        );
        assert_eq!(
            banned_word_in(&list, "free money here"),
            Some("free money".into())
        );
        assert_eq!(banned_word_in(&list, "casinos are not the word"), None);
        assert_eq!(banned_word_in(&list, "antispam filters"), None);
        assert_eq!(banned_word_in(&list, "spam_filter"), None);
        assert_eq!(banned_word_in(&list, "(spam)"), Some("spam".into()));
    }

    #[test]
    fn cjk_banned_words_match_inside_text() {
        let list = words("赌博，博彩");
        assert_eq!(
            banned_word_in(&list, "这里有在线赌博网站"),
            Some("赌博".into())
        );
        assert_eq!(banned_word_in(&list, "正常的技术讨论"), None);
    }

    #[test]
    fn links_and_images_are_counted_in_markdown() {
        let text =
            "see https://a.example and [b](http://b.example) and www.c.example <https://d.example>";
        assert_eq!(count_links(text), 4);
        assert_eq!(count_links("no links here"), 0);
        assert!(has_image("look ![chart](https://x/y.png)"));
        assert!(has_image("<IMG src=x>"));
        assert!(!has_image("a ! [not] an image, ![unfinished"));
    }

    #[test]
    fn regexes_are_validated_with_size_and_length_limits() {
        assert!(compile_regex("(?i)buy now").is_ok());
        assert_eq!(
            compile_regex("(unclosed").err().map(|e| e.key),
            Some("rules.error.pattern_invalid")
        );
        let long = "a".repeat(MAX_PATTERN_CHARS + 1);
        assert_eq!(
            compile_regex(&long).err().map(|e| e.key),
            Some("rules.error.pattern_long")
        );
        // A program far beyond the size limit is refused at compile time.
        assert!(compile_regex(r"\w{500}\w{500}\w{500}").is_err());
    }

    #[test]
    fn a_pathological_pattern_on_a_long_input_completes() {
        let re = compile_regex("(a+)+$").expect("compiles");
        let text = format!("{}!", "a".repeat(50_000));
        assert!(!re.is_match(checked_part(&text)));
        let long = "a".repeat(200_000);
        assert!(checked_part(&long).len() <= MAX_CHECKED_BYTES);
        assert!(re.is_match(checked_part(&long)));
    }

    #[test]
    fn checked_part_cuts_on_a_character_boundary() {
        let text = "界".repeat(MAX_CHECKED_BYTES);
        let part = checked_part(&text);
        assert!(part.len() <= MAX_CHECKED_BYTES && part.chars().all(|c| c == '界'));
    }

    #[test]
    fn the_form_is_parsed_with_every_problem_reported() {
        let draft = RuleDraft {
            kind: "regex".into(),
            description: String::new(),
            pattern: "(".into(),
            action: "explode".into(),
            ..RuleDraft::default()
        };
        let keys: Vec<_> = RuleInput::parse(&draft)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.key)
            .collect();
        assert!(keys.contains(&"rules.error.action"));
        assert!(keys.contains(&"rules.error.description"));
        assert!(keys.contains(&"rules.error.pattern_invalid"));

        let ok = RuleInput::parse(&RuleDraft {
            kind: "rate_limit".into(),
            description: "At most 3 posts an hour".into(),
            max_count: "3".into(),
            window_secs: "3600".into(),
            applies_to: "post".into(),
            scope: "ip".into(),
            action: "block".into(),
            enabled: Some("1".into()),
            ..RuleDraft::default()
        })
        .ok()
        .map(|r| r.0);
        assert!(ok.as_ref().is_some_and(|r| r.enabled
            && r.scope == Scope::Ip
            && r.max_count == 3
            && r.below_trust == EVERYONE));
    }

    #[test]
    fn the_most_severe_action_wins() {
        assert!(RuleAction::Block > RuleAction::Hold && RuleAction::Hold > RuleAction::Flag);
    }
}
