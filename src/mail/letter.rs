//! One letter in two parts: the plain text and the HTML rendered from the same parts, so both always
//! say the same thing. The HTML escapes everything it is given (askama).
use askama::Template;

/// What a letter says, already in the recipient's language.
#[derive(Debug, Clone, Default)]
pub struct LetterParts {
    pub lang: &'static str,
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    /// A list of lines, each linking somewhere (a digest's notifications or posts): text and URL.
    pub items: Vec<(String, String)>,
    /// The button (HTML) or line (text) the letter is about: label and absolute URL.
    pub action: Option<(String, String)>,
    /// A line under the action (why the reader got this, what to do if it was not them).
    pub note: String,
    /// The site's name and address for the footer.
    pub site: String,
    pub site_url: String,
    /// Label and URL of the one-click unsubscribe link (also sent as `List-Unsubscribe`).
    pub unsubscribe: Option<(String, String)>,
}

/// A rendered letter, as the outbox stores it.
#[derive(Debug, Clone)]
pub struct Letter {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe_url: String,
}

#[derive(Template)]
#[template(path = "mail/letter.txt")]
struct TextPart<'a> {
    l: &'a LetterParts,
}

#[derive(Template)]
#[template(path = "mail/letter.html")]
struct HtmlPart<'a> {
    l: &'a LetterParts,
}

impl LetterParts {
    pub fn render(&self) -> Result<Letter, askama::Error> {
        Ok(Letter {
            subject: self.subject.clone(),
            text: TextPart { l: self }.render()?,
            html: HtmlPart { l: self }.render()?,
            unsubscribe_url: self
                .unsubscribe
                .as_ref()
                .map(|(_, url)| url.clone())
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_carry_the_action_and_the_html_is_escaped() {
        let parts = LetterParts {
            lang: "en",
            subject: "Reset".into(),
            greeting: "Hello <b>ann</b>,".into(),
            paragraphs: vec!["Someone asked.".into()],
            items: Vec::new(),
            action: Some(("Choose a password".into(), "https://f.example/r/abc".into())),
            note: "Ignore it otherwise.".into(),
            site: "agora".into(),
            site_url: "https://f.example".into(),
            unsubscribe: None,
        };
        let letter = parts.render().expect("renders");
        assert!(letter.text.contains("https://f.example/r/abc"));
        assert!(
            letter.text.contains("Hello <b>ann</b>,"),
            "text is not escaped"
        );
        assert!(letter.html.contains("href=\"https://f.example/r/abc\""));
        assert!(!letter.html.contains("<b>ann"), "{}", letter.html);
        assert!(letter.html.contains("&#60;b&#62;ann"), "{}", letter.html);
    }
}
