//! The demo community as data: a small block format (see the head of `demo_forum.txt`) parsed into
//! users, posts and comments. Parsing is pure so a unit test checks the shipped file.
use std::collections::HashMap;

/// The shipped demo content, written for this project.
pub const DEMO_FORUM: &str = include_str!("demo_forum.txt");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    User,
    Article,
    Question,
    Answer,
    Comment,
}

/// One `@@@` block.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    /// `-` for comments.
    pub key: String,
    /// The question of an answer, the post of a comment.
    pub parent: Option<String>,
    pub fields: HashMap<String, String>,
    pub body: String,
}

impl Block {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    pub fn number(&self, name: &str) -> i64 {
        self.field(name)
            .trim_start_matches('+')
            .parse()
            .unwrap_or(0)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.field(name) == "yes"
    }
}

/// Parses the block format; an error names the line.
pub fn parse(text: &str) -> Result<Vec<Block>, String> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut in_body = false;
    let mut body_lines: Vec<&str> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(header) = line.strip_prefix("@@@ ") {
            finish(&mut blocks, &mut body_lines);
            blocks.push(header_block(header).ok_or_else(|| format!("line {}: bad header", n + 1))?);
            in_body = false;
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue;
        };
        if in_body {
            body_lines.push(line);
        } else if line == "---" {
            in_body = true;
        } else if let Some((name, value)) = line.split_once(':') {
            block
                .fields
                .insert(name.trim().to_string(), value.trim().to_string());
        } else if !line.trim().is_empty() {
            return Err(format!("line {}: expected `field: value` or `---`", n + 1));
        }
    }
    finish(&mut blocks, &mut body_lines);
    Ok(blocks)
}

fn header_block(header: &str) -> Option<Block> {
    let mut words = header.split_whitespace();
    let kind = match words.next()? {
        "user" => BlockKind::User,
        "article" => BlockKind::Article,
        "question" => BlockKind::Question,
        "answer" => BlockKind::Answer,
        "comment" => BlockKind::Comment,
        _ => return None,
    };
    let key = words.next()?.to_string();
    let parent = words.next().map(str::to_string);
    let needs_parent = matches!(kind, BlockKind::Answer | BlockKind::Comment);
    if needs_parent != parent.is_some() {
        return None;
    }
    Some(Block {
        kind,
        key,
        parent,
        fields: HashMap::new(),
        body: String::new(),
    })
}

fn finish(blocks: &mut [Block], body_lines: &mut Vec<&str>) {
    if let Some(block) = blocks.last_mut() {
        block.body = body_lines.join("\n").trim().to_string();
    }
    body_lines.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_content_parses_and_is_complete() {
        let blocks = parse(DEMO_FORUM).expect("demo content parses");
        let count = |kind: BlockKind| blocks.iter().filter(|b| b.kind == kind).count();
        assert!(count(BlockKind::User) >= 8);
        assert!(count(BlockKind::Article) >= 8);
        assert!(count(BlockKind::Question) >= 20);
        assert!(count(BlockKind::Answer) >= 20);
        let users: Vec<&str> = blocks
            .iter()
            .filter(|b| b.kind == BlockKind::User)
            .map(|b| b.key.as_str())
            .collect();
        let keys: Vec<&str> = blocks.iter().map(|b| b.key.as_str()).collect();
        for block in &blocks {
            if block.kind != BlockKind::User {
                assert!(
                    users.contains(&block.field("author")),
                    "{}: author",
                    block.key
                );
                assert!(!block.body.is_empty(), "{}: body", block.key);
            }
            if let Some(parent) = &block.parent {
                assert!(
                    keys.contains(&parent.as_str()),
                    "{}: parent {parent}",
                    block.key
                );
            }
        }
        let all: String = blocks.iter().map(|b| b.body.as_str()).collect();
        for feature in ["```mermaid", "$$", "```python", "```cpp"] {
            assert!(all.contains(feature), "demo content shows {feature}");
        }
    }

    #[test]
    fn every_eval_question_points_at_a_demo_post() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/demo/eval_questions.json"
        );
        let text = std::fs::read_to_string(path).expect("eval questions exist");
        let items: Vec<HashMap<String, Option<String>>> =
            serde_json::from_str(&text).expect("eval questions parse");
        let blocks = parse(DEMO_FORUM).expect("demo content parses");
        let titles: Vec<&str> = blocks.iter().map(|b| b.field("title")).collect();
        let answerable: Vec<&String> = items
            .iter()
            .filter_map(|i| i.get("answer_post_title").and_then(Option::as_ref))
            .collect();
        assert_eq!(answerable.len(), 30);
        assert_eq!(items.len() - answerable.len(), 10);
        for title in answerable {
            assert!(
                titles.contains(&title.as_str()),
                "no demo post titled {title}"
            );
        }
    }

    #[test]
    fn headers_need_a_parent_exactly_for_answers_and_comments() {
        assert!(parse("@@@ answer a1\n").is_err());
        assert!(parse("@@@ article a q\n").is_err());
        let blocks = parse("@@@ answer a1 q1\nauthor: x\n---\nbody\n").expect("parses");
        assert_eq!(blocks[0].parent.as_deref(), Some("q1"));
        assert_eq!(blocks[0].body, "body");
    }
}
