//! Badges as Stack Overflow and Discourse award them: first question, answer and accepted answer,
//! good and great answers by score, the first edit, and bronze / silver / gold badges for the score
//! of a member's answers in one tag. The thresholds are site settings with the defaults here.

/// One kind of badge. Stored as text in `user_badges.badge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Badge {
    FirstQuestion,
    FirstAnswer,
    FirstAccepted,
    /// An answer scored at least [`BadgeThresholds::good_answer`] (once per answer).
    GoodAnswer,
    /// An answer scored at least [`BadgeThresholds::great_answer`] (once per answer).
    GreatAnswer,
    /// The first edit of a post (one's own included, as on Stack Overflow).
    Editor,
    /// The member's answers in a tag scored at least the bronze / silver / gold threshold.
    TagBronze,
    TagSilver,
    TagGold,
}

/// A badge's rank, shown by colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    Bronze,
    Silver,
    Gold,
}

impl Rank {
    pub fn as_str(self) -> &'static str {
        match self {
            Rank::Bronze => "bronze",
            Rank::Silver => "silver",
            Rank::Gold => "gold",
        }
    }
}

impl Badge {
    pub const ALL: [Badge; 9] = [
        Badge::FirstQuestion,
        Badge::FirstAnswer,
        Badge::FirstAccepted,
        Badge::Editor,
        Badge::GoodAnswer,
        Badge::GreatAnswer,
        Badge::TagBronze,
        Badge::TagSilver,
        Badge::TagGold,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Badge::FirstQuestion => "first_question",
            Badge::FirstAnswer => "first_answer",
            Badge::FirstAccepted => "first_accepted",
            Badge::GoodAnswer => "good_answer",
            Badge::GreatAnswer => "great_answer",
            Badge::Editor => "editor",
            Badge::TagBronze => "tag_bronze",
            Badge::TagSilver => "tag_silver",
            Badge::TagGold => "tag_gold",
        }
    }

    pub fn parse(text: &str) -> Option<Badge> {
        Badge::ALL.into_iter().find(|b| b.as_str() == text)
    }

    /// The catalog key of its name; the description is the same key with `_about`.
    pub fn catalog_key(self) -> &'static str {
        match self {
            Badge::FirstQuestion => "badge.first_question",
            Badge::FirstAnswer => "badge.first_answer",
            Badge::FirstAccepted => "badge.first_accepted",
            Badge::GoodAnswer => "badge.good_answer",
            Badge::GreatAnswer => "badge.great_answer",
            Badge::Editor => "badge.editor",
            Badge::TagBronze => "badge.tag_bronze",
            Badge::TagSilver => "badge.tag_silver",
            Badge::TagGold => "badge.tag_gold",
        }
    }

    pub fn about_key(self) -> &'static str {
        match self {
            Badge::FirstQuestion => "badge.first_question_about",
            Badge::FirstAnswer => "badge.first_answer_about",
            Badge::FirstAccepted => "badge.first_accepted_about",
            Badge::GoodAnswer => "badge.good_answer_about",
            Badge::GreatAnswer => "badge.great_answer_about",
            Badge::Editor => "badge.editor_about",
            Badge::TagBronze => "badge.tag_bronze_about",
            Badge::TagSilver => "badge.tag_silver_about",
            Badge::TagGold => "badge.tag_gold_about",
        }
    }

    pub fn rank(self) -> Rank {
        match self {
            Badge::GreatAnswer | Badge::TagGold => Rank::Gold,
            Badge::GoodAnswer | Badge::TagSilver => Rank::Silver,
            _ => Rank::Bronze,
        }
    }

    /// Earned in a tag (its `subject` is the tag).
    pub fn is_tag_badge(self) -> bool {
        matches!(self, Badge::TagBronze | Badge::TagSilver | Badge::TagGold)
    }

    /// The score it needs, for the badges earned by score.
    pub fn threshold(self, t: &BadgeThresholds) -> Option<i64> {
        match self {
            Badge::GoodAnswer => Some(t.good_answer),
            Badge::GreatAnswer => Some(t.great_answer),
            Badge::TagBronze => Some(t.tag_bronze),
            Badge::TagSilver => Some(t.tag_silver),
            Badge::TagGold => Some(t.tag_gold),
            _ => None,
        }
    }
}

/// The scores the badges earned by score need (site settings `badge_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadgeThresholds {
    pub good_answer: i64,
    pub great_answer: i64,
    pub tag_bronze: i64,
    pub tag_silver: i64,
    pub tag_gold: i64,
}

impl Default for BadgeThresholds {
    fn default() -> Self {
        BadgeThresholds {
            good_answer: 10,
            great_answer: 25,
            tag_bronze: 20,
            tag_silver: 80,
            tag_gold: 200,
        }
    }
}

impl BadgeThresholds {
    /// The setting keys, in the order of the fields.
    pub const KEYS: [&'static str; 5] = [
        "badge_good_answer",
        "badge_great_answer",
        "badge_tag_bronze",
        "badge_tag_silver",
        "badge_tag_gold",
    ];

    /// Reads stored settings; a missing or non-positive value keeps its default.
    pub fn from_settings<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut t = BadgeThresholds::default();
        for (key, value) in pairs {
            let Some(n) = value.trim().parse::<i64>().ok().filter(|n| *n > 0) else {
                continue;
            };
            match key {
                "badge_good_answer" => t.good_answer = n,
                "badge_great_answer" => t.great_answer = n,
                "badge_tag_bronze" => t.tag_bronze = n,
                "badge_tag_silver" => t.tag_silver = n,
                "badge_tag_gold" => t.tag_gold = n,
                _ => {}
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_round_trip_through_storage() {
        for badge in Badge::ALL {
            assert_eq!(Badge::parse(badge.as_str()), Some(badge));
        }
        assert_eq!(Badge::parse("nonsense"), None);
    }

    #[test]
    fn thresholds_come_from_settings_with_defaults() {
        let t = BadgeThresholds::from_settings([
            ("badge_tag_gold", "500"),
            ("badge_good_answer", "-3"),
        ]);
        assert_eq!(t.tag_gold, 500);
        assert_eq!(t.good_answer, 10, "a non-positive value keeps the default");
        assert_eq!(Badge::GreatAnswer.threshold(&t), Some(25));
        assert_eq!(Badge::Editor.threshold(&t), None);
    }
}
