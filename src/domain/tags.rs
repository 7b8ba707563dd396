//! Tags: lower-case, trimmed, spaces turned into `-`, letters and digits of any script plus `+ # . _ -`
//! (so `c++`, `c#`, `.net`, `机器学习` work), 1-32 characters; a post carries 1-5 of them.
use super::FieldError;

pub const TAG_MAX_CHARS: usize = 32;
pub const TAGS_MIN: usize = 1;
pub const TAGS_MAX: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let lowered: String = input.trim().chars().flat_map(char::to_lowercase).collect();
        let mut name = String::new();
        for word in lowered.split_whitespace() {
            if !name.is_empty() {
                name.push('-');
            }
            name.push_str(word);
        }
        if name.is_empty() {
            return Err(FieldError::new("tags", "post.error.tag_empty"));
        }
        if name.chars().count() > TAG_MAX_CHARS {
            return Err(FieldError::new("tags", "post.error.tag_long").with_detail(name));
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '+' | '#' | '.' | '_' | '-');
        if !name.chars().all(allowed) || !name.chars().any(char::is_alphanumeric) {
            return Err(FieldError::new("tags", "post.error.tag_chars").with_detail(name));
        }
        Ok(Self(name))
    }

    /// Trusts a name read back from the database.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 1-5 distinct tags, in the order typed. Separated by commas (`,` `，` `、` `;`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagList(Vec<Tag>);

impl TagList {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let mut tags: Vec<Tag> = Vec::new();
        for part in input.split([',', '，', '、', ';', '；']) {
            if part.trim().is_empty() {
                continue;
            }
            let tag = Tag::parse(part)?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() < TAGS_MIN {
            return Err(FieldError::new("tags", "post.error.tags_none"));
        }
        if tags.len() > TAGS_MAX {
            return Err(FieldError::new("tags", "post.error.tags_many"));
        }
        Ok(Self(tags))
    }

    pub fn from_stored(names: Vec<String>) -> Self {
        Self(names.into_iter().map(Tag::from_stored).collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }

    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|t| t.0.clone()).collect()
    }

    /// The form's text for these tags (`a, b, c`), also stored with each revision.
    pub fn joined(&self) -> String {
        self.names().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        let list = TagList::parse(" PyTorch , c++,Machine Learning，机器学习, pytorch").unwrap();
        assert_eq!(
            list.names(),
            ["pytorch", "c++", "machine-learning", "机器学习"]
        );
        assert_eq!(list.joined(), "pytorch, c++, machine-learning, 机器学习");
    }

    #[test]
    fn tag_lists_are_limited() {
        assert_eq!(
            TagList::parse(" , ").unwrap_err().key,
            "post.error.tags_none"
        );
        assert_eq!(
            TagList::parse("a,b,c,d,e,f").unwrap_err().key,
            "post.error.tags_many"
        );
        assert!(TagList::parse("a,b,c,d,e").is_ok());
        assert_eq!(
            TagList::parse(&"x".repeat(33)).unwrap_err().key,
            "post.error.tag_long"
        );
        assert_eq!(
            TagList::parse("<script>").unwrap_err().key,
            "post.error.tag_chars"
        );
        assert_eq!(
            TagList::parse("+++").unwrap_err().key,
            "post.error.tag_chars"
        );
        assert!(TagList::parse("c#, .net, node.js").is_ok());
    }
}
