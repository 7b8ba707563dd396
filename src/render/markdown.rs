//! The Markdown event pipeline: parse, rewrite events (math, code, links, images, headings,
//! footnotes, tables), write HTML and collect plain text, mentions and flags on the way.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{
    html, Alignment, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd,
};

use super::budget::{Budget, Limits, RenderError};
use super::escape::escape_html;
use super::highlight::{code_block_html, language_name};
use super::links::{anchor_open, classify, image_html, is_local_image, split_bare_urls};
use super::math::render_math;
use super::mentions::MentionScanner;
use super::preprocess::{flatten_blocks, heading_slugs, is_block_end, limit_nesting};

/// Which Markdown a piece of content may use.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Articles, questions and answers: everything.
    Post,
    /// Comments: inline constructs only; blocks flatten to paragraphs.
    Comment,
}

/// What one pass over the document produces, before sanitising.
pub struct Output {
    pub html: String,
    /// All text, code included.
    pub text: String,
    /// Text without code blocks and display math, for excerpts.
    pub prose: String,
    pub mentions: Vec<String>,
    pub has_math: bool,
    pub has_mermaid: bool,
}

pub fn render(markdown: &str, mode: Mode, limits: Limits) -> Result<Output, RenderError> {
    let options = match mode {
        Mode::Post => {
            Options::ENABLE_TABLES
                | Options::ENABLE_FOOTNOTES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_TASKLISTS
                | Options::ENABLE_MATH
        }
        Mode::Comment => Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH,
    };
    let mut budget = Budget::new(limits);
    let events = without_excess_padding(Parser::new_ext(markdown, options), &mut budget);
    let events = match mode {
        Mode::Post => events,
        Mode::Comment => flatten_blocks(events),
    };
    let events = limit_nesting(events);
    let slugs = heading_slugs(&events);
    let mut rewriter = Rewriter::new(slugs, budget);
    for (n, event) in events.into_iter().enumerate() {
        if n % 256 == 0 {
            rewriter.budget.check_time();
        }
        if rewriter.budget.exceeded().is_some() {
            break;
        }
        rewriter.event(event);
    }
    rewriter.finish()
}

/// Collects the parser's events, dropping the empty cells it adds to short table rows once the
/// post has used [`super::budget::MAX_PADDED_CELLS_PER_POST`]: a row then simply ends early, which
/// browsers show as the short row the author wrote.
fn without_excess_padding<'a>(parser: Parser<'a>, budget: &mut Budget) -> Vec<Event<'a>> {
    let mut events = Vec::new();
    let mut dropping_cell = false;
    for (event, range) in parser.into_offset_iter() {
        match event {
            // An added cell covers no input; a cell the author typed covers at least its text.
            Event::Start(Tag::TableCell) if range.is_empty() && !budget.take_padded_cell() => {
                dropping_cell = true;
            }
            Event::End(TagEnd::TableCell) if dropping_cell => dropping_cell = false,
            event => {
                dropping_cell = false;
                events.push(event);
            }
        }
    }
    events
}

struct CodeBlock {
    language: Option<String>,
    code: String,
}

struct Image {
    dest: String,
    title: String,
    alt: String,
}

/// Rewrites events one at a time into an output list that `pulldown_cmark::html` can write,
/// replacing constructs the stock writer gets wrong for us with `Event::Html` fragments.
struct Rewriter<'a> {
    out: Vec<Event<'a>>,
    slugs: std::vec::IntoIter<String>,
    text: String,
    prose: String,
    mentions: MentionScanner,
    has_math: bool,
    has_mermaid: bool,
    code_block: Option<CodeBlock>,
    image: Option<Image>,
    /// Whether each open link produced an `<a>` (refused links write only their text).
    links: Vec<bool>,
    footnotes: HashMap<String, usize>,
    /// Footnotes already referenced: only the first reference carries the back-link target id.
    footnotes_referenced: HashSet<usize>,
    open_footnote: Option<usize>,
    table_alignments: Vec<Alignment>,
    table_column: usize,
    in_table_head: bool,
    table_body_open: bool,
    budget: Budget,
}

impl<'a> Rewriter<'a> {
    fn new(slugs: Vec<String>, budget: Budget) -> Self {
        Rewriter {
            out: Vec::new(),
            slugs: slugs.into_iter(),
            text: String::new(),
            prose: String::new(),
            mentions: MentionScanner::default(),
            has_math: false,
            has_mermaid: false,
            code_block: None,
            image: None,
            links: Vec::new(),
            footnotes: HashMap::new(),
            footnotes_referenced: HashSet::new(),
            open_footnote: None,
            table_alignments: Vec::new(),
            table_column: 0,
            in_table_head: false,
            table_body_open: false,
            budget,
        }
    }

    fn html(&mut self, fragment: String) {
        self.budget.add_html(fragment.len());
        self.out.push(Event::Html(CowStr::from(fragment)));
    }

    /// Text counts toward the HTML budget once here: everything shown passes through it (link
    /// targets, the other way output grows, go through [`Self::html`]).
    fn push_text(&mut self, text: &str, prose: bool) {
        self.budget.add_html(text.len());
        self.text.push_str(text);
        if prose {
            self.prose.push_str(text);
        }
    }

    fn block_break(&mut self) {
        self.push_text("\n", true);
    }

    fn event(&mut self, event: Event<'a>) {
        if let Some(block) = self.code_block.as_mut() {
            match event {
                Event::Text(text) => block.code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.end_code_block(),
                _ => {}
            }
            return;
        }
        if let Some(image) = self.image.as_mut() {
            match event {
                Event::Text(text) | Event::Code(text) | Event::InlineMath(text) => {
                    image.alt.push_str(&text)
                }
                Event::End(TagEnd::Image) => self.end_image(),
                _ => {}
            }
            return;
        }
        // Mentions are scanned over runs of adjacent text, which the parser may split.
        let in_link = !self.links.is_empty();
        if !matches!(event, Event::Text(_)) || in_link {
            self.mentions.flush();
        }
        match event {
            Event::Text(text) => {
                self.push_text(&text, true);
                if in_link {
                    self.out.push(Event::Text(text));
                } else {
                    self.mentions.push(&text);
                    self.autolink(&text);
                }
            }
            Event::Code(code) => {
                self.push_text(&code, true);
                self.out.push(Event::Code(code));
            }
            // Raw HTML is never trusted: it is shown as the text the author typed.
            Event::Html(raw) | Event::InlineHtml(raw) => {
                self.push_text(&raw, true);
                self.out.push(Event::Text(raw));
            }
            Event::InlineMath(source) => {
                self.has_math = true;
                self.push_text(&source, true);
                let html = render_math(&source, false, &mut self.budget);
                self.html(html);
            }
            Event::DisplayMath(source) => {
                self.has_math = true;
                self.push_text(&source, false);
                let html = render_math(&source, true, &mut self.budget);
                self.html(html);
            }
            Event::FootnoteReference(label) => {
                let n = self.footnote_number(&label);
                let id = if self.footnotes_referenced.insert(n) {
                    format!(" id=\"fnref-{n}\"")
                } else {
                    String::new()
                };
                self.html(format!(
                    "<sup class=\"footnote-reference\"{id}><a href=\"#fn-{n}\">{n}</a></sup>"
                ));
            }
            Event::SoftBreak => {
                self.push_text(" ", true);
                self.out.push(Event::SoftBreak);
            }
            Event::HardBreak => {
                self.push_text("\n", true);
                self.out.push(Event::HardBreak);
            }
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            other => self.out.push(other),
        }
    }

    fn start(&mut self, tag: Tag<'a>) {
        match tag {
            Tag::Heading { level, .. } => {
                let id = self.slugs.next().unwrap_or_else(|| "section".to_owned());
                self.out.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id)),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => language_name(&info),
                    CodeBlockKind::Indented => None,
                };
                self.code_block = Some(CodeBlock {
                    language,
                    code: String::new(),
                });
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.image = Some(Image {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    alt: String::new(),
                });
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let dest = if link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                let open = anchor_open(&classify(&dest), &title);
                self.links.push(open.is_some());
                if let Some(open) = open {
                    self.html(open);
                }
            }
            Tag::HtmlBlock => self.out.push(Event::Start(Tag::Paragraph)),
            Tag::FootnoteDefinition(label) => {
                let n = self.footnote_number(&label);
                self.open_footnote = Some(n);
                self.html(format!(
                    "<div class=\"footnote-definition\" id=\"fn-{n}\"><sup class=\"footnote-definition-label\">{n}</sup>"
                ));
            }
            Tag::Table(alignments) => {
                self.table_alignments = alignments;
                self.table_body_open = false;
                self.html("<table>".to_owned());
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.table_column = 0;
                self.html("<thead><tr>".to_owned());
            }
            Tag::TableRow => {
                self.table_column = 0;
                let open = if self.table_body_open {
                    "<tr>"
                } else {
                    self.table_body_open = true;
                    "<tbody><tr>"
                };
                self.html(open.to_owned());
            }
            Tag::TableCell => {
                let cell = if self.in_table_head { "th" } else { "td" };
                let class = match self.table_alignments.get(self.table_column) {
                    Some(Alignment::Left) => " class=\"align-left\"",
                    Some(Alignment::Center) => " class=\"align-center\"",
                    Some(Alignment::Right) => " class=\"align-right\"",
                    _ => "",
                };
                self.html(format!("<{cell}{class}>"));
            }
            other => self.out.push(Event::Start(other)),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Link => {
                if self.links.pop().unwrap_or(false) {
                    self.html("</a>".to_owned());
                }
            }
            TagEnd::HtmlBlock => {
                self.block_break();
                self.out.push(Event::End(TagEnd::Paragraph));
            }
            TagEnd::FootnoteDefinition => {
                self.block_break();
                let backref = match self.open_footnote.take() {
                    Some(n) if self.footnotes_referenced.contains(&n) => {
                        format!("<a href=\"#fnref-{n}\" class=\"footnote-backref\">\u{21a9}</a>")
                    }
                    _ => String::new(),
                };
                self.html(format!("{backref}</div>\n"));
            }
            TagEnd::Table => {
                let close = if self.table_body_open {
                    "</tbody></table>\n"
                } else {
                    "</table>\n"
                };
                self.html(close.to_owned());
                self.block_break();
            }
            TagEnd::TableHead => {
                self.in_table_head = false;
                self.html("</tr></thead>".to_owned());
                self.block_break();
            }
            TagEnd::TableRow => {
                self.html("</tr>".to_owned());
                self.block_break();
            }
            TagEnd::TableCell => {
                let cell = if self.in_table_head { "th" } else { "td" };
                self.table_column += 1;
                self.html(format!("</{cell}>"));
                self.push_text(" ", true);
            }
            other => {
                if is_block_end(&other) {
                    self.block_break();
                }
                self.out.push(Event::End(other));
            }
        }
    }

    /// Writes text, turning bare URLs into external links.
    fn autolink(&mut self, text: &str) {
        for (is_url, piece) in split_bare_urls(text) {
            let open = if is_url {
                anchor_open(&classify(piece), "")
            } else {
                None
            };
            match open {
                Some(open) => {
                    self.html(open);
                    self.out.push(Event::Text(CowStr::from(piece.to_owned())));
                    self.html("</a>".to_owned());
                }
                None => self.out.push(Event::Text(CowStr::from(piece.to_owned()))),
            }
        }
    }

    fn end_code_block(&mut self) {
        let Some(block) = self.code_block.take() else {
            return;
        };
        self.push_text(&block.code, false);
        self.push_text("\n", false);
        self.block_break();
        let html = if block.language.as_deref() == Some("mermaid") {
            self.has_mermaid = true;
            // Escaped source stays readable when JavaScript is off; mermaid-init.js draws it.
            // HTML drops a newline right after `<pre>`, so leading blank lines are left out here:
            // otherwise sanitising the stored HTML again would change it.
            format!(
                "<pre class=\"mermaid\">{}</pre>\n",
                escape_html(block.code.trim_start_matches(['\n', '\r']))
            )
        } else {
            code_block_html(block.language.as_deref(), &block.code)
        };
        self.html(html);
    }

    fn end_image(&mut self) {
        let Some(image) = self.image.take() else {
            return;
        };
        self.push_text(&image.alt, true);
        let html = if self.links.is_empty() || is_local_image(image.dest.trim()) {
            image_html(&image.dest, &image.alt, &image.title)
        } else {
            // A remote image's placeholder is itself a link, and links cannot nest.
            escape_html(&image.alt)
        };
        self.html(html);
    }

    /// Footnotes are numbered by first appearance; ids use the number, not the author's
    /// label, so they are always valid and cannot collide with page ids.
    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(label.to_owned()).or_insert(next)
    }

    fn finish(mut self) -> Result<Output, RenderError> {
        self.mentions.flush();
        // Unclosed constructs cannot occur with a well-formed event stream, but the text of
        // a code block must not be lost if one did.
        self.end_code_block();
        self.end_image();
        if let Some(error) = self.budget.exceeded() {
            return Err(error.clone());
        }
        let mut html_out = String::new();
        html::push_html(&mut html_out, self.out.into_iter());
        self.budget.check_size(html_out.len());
        self.budget.check_time();
        self.budget.into_result()?;
        Ok(Output {
            html: html_out,
            text: tidy_text(&self.text),
            prose: tidy_text(&self.prose),
            mentions: self.mentions.into_mentions(),
            has_math: self.has_math,
            has_mermaid: self.has_mermaid,
        })
    }
}

/// Collapses runs of spaces inside lines and drops blank lines.
fn tidy_text(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
