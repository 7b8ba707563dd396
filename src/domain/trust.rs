//! Trust levels 0–4 from a member's activity: the thresholds per level (site settings with
//! Discourse-like defaults) and the level a member's counts earn. No I/O; `db::trust` reads the counts.

/// Levels reached automatically go up to 3; level 4 is given by staff only.
pub const HIGHEST_AUTOMATIC: i64 = 3;
pub const HIGHEST: i64 = 4;

/// What a member has done, as counted by `db::trust::activity`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    pub days_visited: i64,
    pub posts_read: i64,
    pub posts_made: i64,
    pub likes_received: i64,
    /// Open flags, and flags staff upheld (not dismissed), on the member's posts and comments.
    pub flags_against: i64,
}

/// What one level asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelThresholds {
    pub days_visited: i64,
    pub posts_read: i64,
    pub posts_made: i64,
    pub likes_received: i64,
    /// More flags against than this and the level is not reached (or is lost).
    pub max_flags_against: i64,
}

impl LevelThresholds {
    pub fn met_by(&self, a: &Activity) -> bool {
        a.days_visited >= self.days_visited
            && a.posts_read >= self.posts_read
            && a.posts_made >= self.posts_made
            && a.likes_received >= self.likes_received
            && a.flags_against <= self.max_flags_against
    }
}

/// Thresholds for levels 1, 2 and 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds(pub [LevelThresholds; 3]);

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds([
            LevelThresholds {
                days_visited: 1,
                posts_read: 5,
                posts_made: 0,
                likes_received: 0,
                max_flags_against: 5,
            },
            LevelThresholds {
                days_visited: 5,
                posts_read: 30,
                posts_made: 3,
                likes_received: 1,
                max_flags_against: 2,
            },
            LevelThresholds {
                days_visited: 50,
                posts_read: 300,
                posts_made: 20,
                likes_received: 20,
                max_flags_against: 0,
            },
        ])
    }
}

/// The fields of one level's thresholds, as named in site settings (`trust.tl1.days_visited`...)
/// and the admin form.
pub const FIELDS: [&str; 5] = [
    "days_visited",
    "posts_read",
    "posts_made",
    "likes_received",
    "max_flags_against",
];

impl Thresholds {
    pub fn setting_key(level: usize, field: &str) -> String {
        format!("trust.tl{level}.{field}")
    }

    pub fn get(&self, level: usize, field: &str) -> Option<i64> {
        let t = self.0.get(level.checked_sub(1)?)?;
        Some(match field {
            "days_visited" => t.days_visited,
            "posts_read" => t.posts_read,
            "posts_made" => t.posts_made,
            "likes_received" => t.likes_received,
            "max_flags_against" => t.max_flags_against,
            _ => return None,
        })
    }

    /// Sets one value from a setting; unknown keys are ignored.
    pub fn set(&mut self, level: usize, field: &str, value: i64) {
        let Some(t) = level.checked_sub(1).and_then(|i| self.0.get_mut(i)) else {
            return;
        };
        match field {
            "days_visited" => t.days_visited = value,
            "posts_read" => t.posts_read = value,
            "posts_made" => t.posts_made = value,
            "likes_received" => t.likes_received = value,
            "max_flags_against" => t.max_flags_against = value,
            _ => {}
        }
    }

    /// Applies stored settings (`trust.tlN.field` = number) over the defaults.
    pub fn from_settings<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Thresholds {
        let mut thresholds = Thresholds::default();
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("trust.tl") else {
                continue;
            };
            let Some((level, field)) = rest.split_once('.') else {
                continue;
            };
            if let (Ok(level), Ok(value)) = (level.parse::<usize>(), value.trim().parse::<i64>()) {
                thresholds.set(level, field, value);
            }
        }
        thresholds
    }
}

impl Thresholds {
    /// How far each count needs to go: the highest threshold of any level (a count beyond it
    /// earns nothing more), and one past the highest number of flags any level allows. Counting up
    /// to these keeps a recount bounded for a member with 100,000 posts.
    pub fn counts_that_matter(&self) -> Activity {
        let most =
            |field: fn(&LevelThresholds) -> i64| self.0.iter().map(field).max().unwrap_or(0).max(0);
        Activity {
            days_visited: most(|t| t.days_visited),
            posts_read: most(|t| t.posts_read),
            posts_made: most(|t| t.posts_made),
            likes_received: most(|t| t.likes_received),
            flags_against: most(|t| t.max_flags_against) + 1,
        }
    }
}

/// The highest level whose thresholds, and those of every level below, the activity meets.
pub fn earned_level(activity: &Activity, thresholds: &Thresholds) -> i64 {
    let mut level = 0;
    for t in &thresholds.0 {
        if !t.met_by(activity) {
            break;
        }
        level += 1;
    }
    level
}

/// The level a member should have now: a locked level or level 4 stays; otherwise what the activity
/// earns (so flags upheld against a member can lower it).
pub fn next_level(current: i64, locked: bool, earned: i64) -> i64 {
    if locked || current >= HIGHEST {
        current
    } else {
        earned.min(HIGHEST_AUTOMATIC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cut_at_what_matters_earn_the_same_level() {
        let thresholds = Thresholds::default();
        let most = thresholds.counts_that_matter();
        assert_eq!(most, activity(50, 300, 20, 20, 6));
        let cut = |a: Activity| Activity {
            days_visited: a.days_visited.min(most.days_visited),
            posts_read: a.posts_read.min(most.posts_read),
            posts_made: a.posts_made.min(most.posts_made),
            likes_received: a.likes_received.min(most.likes_received),
            flags_against: a.flags_against.min(most.flags_against),
        };
        for days in [0, 1, 5, 49, 50, 51, 10_000] {
            for read in [0, 5, 30, 299, 300, 100_000] {
                for made in [0, 3, 19, 20, 300_000] {
                    for likes in [0, 1, 20, 50_000] {
                        for flags in [0, 1, 2, 3, 5, 6, 7, 1_000] {
                            let a = activity(days, read, made, likes, flags);
                            assert_eq!(
                                earned_level(&cut(a), &thresholds),
                                earned_level(&a, &thresholds),
                                "{a:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    fn activity(days: i64, read: i64, made: i64, likes: i64, flags: i64) -> Activity {
        Activity {
            days_visited: days,
            posts_read: read,
            posts_made: made,
            likes_received: likes,
            flags_against: flags,
        }
    }

    #[test]
    fn levels_follow_the_default_thresholds() {
        let t = Thresholds::default();
        assert_eq!(earned_level(&activity(0, 0, 0, 0, 0), &t), 0);
        assert_eq!(earned_level(&activity(1, 4, 0, 0, 0), &t), 0);
        assert_eq!(earned_level(&activity(1, 5, 0, 0, 0), &t), 1);
        assert_eq!(earned_level(&activity(5, 30, 3, 1, 0), &t), 2);
        assert_eq!(earned_level(&activity(5, 30, 3, 0, 0), &t), 1);
        assert_eq!(earned_level(&activity(60, 400, 30, 30, 0), &t), 3);
    }

    #[test]
    fn flags_against_deny_or_lower_a_level() {
        let t = Thresholds::default();
        assert_eq!(earned_level(&activity(60, 400, 30, 30, 1), &t), 2);
        assert_eq!(earned_level(&activity(60, 400, 30, 30, 3), &t), 1);
        assert_eq!(next_level(3, false, 2), 2);
    }

    #[test]
    fn locked_levels_and_level_four_stay() {
        assert_eq!(next_level(0, true, 3), 0);
        assert_eq!(next_level(4, false, 1), 4);
        assert_eq!(next_level(1, false, 2), 2);
    }

    #[test]
    fn settings_override_defaults() {
        let t = Thresholds::from_settings([
            ("trust.tl1.posts_read", "2"),
            ("trust.tl2.days_visited", "9"),
            ("trust.tl9.posts_read", "1"),
            ("site_name", "x"),
        ]);
        assert_eq!(t.get(1, "posts_read"), Some(2));
        assert_eq!(t.get(2, "days_visited"), Some(9));
        assert_eq!(t.get(3, "posts_read"), Some(300));
        assert_eq!(
            Thresholds::setting_key(1, "posts_read"),
            "trust.tl1.posts_read"
        );
    }
}
