//! Event-stream passes before rendering: comment flattening, the nesting limit, heading slugs.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::slug::Slugger;

/// Deeper nesting than any real post needs; see [`limit_nesting`].
const MAX_NESTING: usize = 24;

/// Drops the tags (not the text) of elements nested deeper than [`MAX_NESTING`]. The HTML
/// parser behind the sanitiser takes time quadratic in nesting depth, so 20 000 nested
/// `> ` would otherwise stall a worker for minutes.
pub fn limit_nesting(events: Vec<Event>) -> Vec<Event> {
    let mut out = Vec::with_capacity(events.len());
    let mut depth = 0usize;
    for event in events {
        match event {
            Event::Start(tag) => {
                depth += 1;
                if depth <= MAX_NESTING {
                    out.push(Event::Start(tag));
                }
            }
            Event::End(tag) => {
                if depth <= MAX_NESTING {
                    out.push(Event::End(tag));
                }
                depth = depth.saturating_sub(1);
            }
            other => out.push(other),
        }
    }
    out
}

/// Reduces a comment to paragraphs of inline content: headings, lists and quotes become
/// paragraphs, code blocks become code spans, images become links, display math inline.
pub fn flatten_blocks(events: Vec<Event>) -> Vec<Event> {
    let mut out = Vec::with_capacity(events.len());
    let mut open = false;
    let mut in_code = false;
    for event in events {
        let event = match event {
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }),
            Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
            Event::DisplayMath(math) => Event::InlineMath(math),
            Event::Text(text) if in_code => Event::Code(text),
            Event::Start(tag) if is_block(&tag) => {
                in_code = matches!(tag, Tag::CodeBlock(_));
                close_paragraph(&mut out, &mut open);
                continue;
            }
            Event::End(tag) if is_block_end(&tag) => {
                in_code = false;
                close_paragraph(&mut out, &mut open);
                continue;
            }
            Event::Rule => {
                close_paragraph(&mut out, &mut open);
                continue;
            }
            other => other,
        };
        if !open {
            out.push(Event::Start(Tag::Paragraph));
            open = true;
        }
        out.push(event);
    }
    close_paragraph(&mut out, &mut open);
    out
}

fn close_paragraph(out: &mut Vec<Event>, open: &mut bool) {
    if *open {
        out.push(Event::End(TagEnd::Paragraph));
        *open = false;
    }
}

fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

pub fn is_block_end(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Slugs for every heading, in order, computed up front because a heading's id must be
/// written before its text.
pub fn heading_slugs(events: &[Event]) -> Vec<String> {
    let mut slugger = Slugger::default();
    let mut slugs = Vec::new();
    let mut current: Option<String> = None;
    for event in events {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = current.take() {
                    slugs.push(slugger.slug(&text));
                }
            }
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::InlineHtml(text) => {
                if let Some(current) = current.as_mut() {
                    current.push_str(text);
                }
            }
            _ => {}
        }
    }
    slugs
}
