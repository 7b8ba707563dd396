//! Community-health reports: the rollup job (each closed day's figures computed once into
//! `report_rollups`, question answer times kept current in `report_questions`) and the report of
//! a period, read from the rollups plus today's figures computed live.
use std::collections::{BTreeMap, HashMap};

use crate::app::App;
use crate::db::reports::{self, Cohort, Figure, QuestionFigures, Unanswered, DAY_SECS};
use crate::db::{self, Db, DbError};

/// The job that rolls up the days that closed since its last run.
pub const ROLLUP_JOB: &str = "report_rollup";
/// The most days one run rolls up (a forum's first run with years of history catches up over a
/// few runs).
const DAYS_PER_RUN: i64 = 400;
/// Answer times are kept current for questions asked in this many days (the longest preset is 90).
const ANSWER_TIMES_DAYS: i64 = 120;
/// How many contributors, tags and waiting questions a report lists.
pub const TOP: usize = 10;
pub const UNANSWERED_LISTED: i64 = 50;
/// Contributors and tags read per period from the closed days before today's are added: the top
/// ten is exact unless a member or tag outside the period's best hundred overtakes them today.
const CANDIDATES: i64 = 100;
/// A question without an answer for this long is listed to act on.
pub const UNANSWERED_AFTER_SECS: i64 = 48 * 3600;
/// Post kinds, in the order the report shows them.
pub const POST_KINDS: [&str; 4] = ["article", "question", "answer", "bot_answer"];

/// Queues the rollup unless one is waiting already.
pub async fn queue_rollup(db: &Db) -> Result<(), DbError> {
    db::jobs::enqueue(db, ROLLUP_JOB, "{}", Some(ROLLUP_JOB), 3).await?;
    Ok(())
}

/// The rollup job: every closed day not yet rolled up, then the questions' answer times.
/// Returns how many days it rolled up.
pub async fn roll_up(app: &App) -> Result<usize, String> {
    roll_up_until(&app.db, today())
        .await
        .map_err(|e| e.to_string())
}

async fn roll_up_until(db: &Db, today: i64) -> Result<usize, DbError> {
    let start = match reports::last_rolled_day(db).await? {
        Some(day) => day + 1,
        None => match reports::first_day(db).await? {
            Some(day) => day.max(today - DAYS_PER_RUN),
            None => today,
        },
    };
    let mut rolled = 0;
    for day in start..today.min(start + DAYS_PER_RUN) {
        let figures = reports::day_figures(db, day).await?;
        reports::store_day(db, day, &figures).await?;
        rolled += 1;
    }
    reports::refresh_questions(db, today - ANSWER_TIMES_DAYS).await?;
    Ok(rolled)
}

pub fn today() -> i64 {
    db::now().div_euclid(DAY_SECS)
}

/// A period of whole days, `from..=to` (days since the epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: i64,
    pub to: i64,
}

impl Period {
    /// The last `days` days, today included.
    pub fn last(days: i64) -> Period {
        let to = today();
        Period {
            from: to - days.max(1) + 1,
            to,
        }
    }

    pub fn days(self) -> i64 {
        self.to - self.from + 1
    }
}

/// Everything `/admin/reports` shows for a period.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Members who visited on the period's last day, its last 7 and its last 30 days.
    pub daily_active: i64,
    pub weekly_active: i64,
    pub monthly_active: i64,
    /// Per day of the period: members who visited.
    pub active_per_day: Vec<i64>,
    /// Per day: posts of each kind (in [`POST_KINDS`] order).
    pub posts_per_day: Vec<[i64; 4]>,
    pub posts_by_kind: [i64; 4],
    pub signups: i64,
    pub cohorts: Vec<Cohort>,
    pub questions: QuestionFigures,
    pub unanswered: Vec<Unanswered>,
    /// `(username, posts)`, most first.
    pub top_contributors: Vec<(String, i64)>,
    /// `(tag, posts)`, most first.
    pub top_tags: Vec<(String, i64)>,
    pub flags: i64,
    /// Flags per 1,000 posts of the period, to one decimal (`None` without posts).
    pub flags_per_1000_posts: Option<f64>,
    pub flags_resolved: i64,
    pub median_flag_resolution_secs: Option<i64>,
    pub summaries_accepted: i64,
    pub bot_asked: i64,
    pub bot_abstained: i64,
}

/// The report for `period`: rollups for the closed days, today live.
pub async fn report(db: &Db, period: Period) -> Result<Report, DbError> {
    let today = today();
    let mut figures = reports::rollups_between(db, period.from, period.to.min(today - 1)).await?;
    if period.to >= today && period.from <= today {
        figures.extend(reports::day_figures(db, today).await?);
    }
    let days = usize::try_from(period.days()).unwrap_or(0);
    let index = |day: i64| {
        usize::try_from(day - period.from)
            .ok()
            .filter(|i| *i < days)
    };
    let mut report = Report {
        active_per_day: vec![0; days],
        posts_per_day: vec![[0; 4]; days],
        ..Report::default()
    };
    // Per-member and per-tag sums of the closed days come summed from the database (the best
    // CANDIDATES of each); today's live figures are added to them before the top is taken.
    let closed_to = period.to.min(today - 1);
    let mut contributors: HashMap<i64, i64> = HashMap::new();
    for (subject, n) in
        reports::top_subjects(db, "contributor", period.from, closed_to, CANDIDATES).await?
    {
        if let Ok(id) = subject.parse::<i64>() {
            contributors.insert(id, n);
        }
    }
    let mut tags: HashMap<String, i64> =
        reports::top_subjects(db, "tag", period.from, closed_to, CANDIDATES)
            .await?
            .into_iter()
            .collect();
    for Figure {
        day,
        metric,
        subject,
        value,
    } in figures
    {
        match metric.as_str() {
            "active" => {
                if let Some(i) = index(day) {
                    report.active_per_day[i] = value;
                }
            }
            "posts" => {
                if let (Some(i), Some(k)) =
                    (index(day), POST_KINDS.iter().position(|k| *k == subject))
                {
                    report.posts_per_day[i][k] += value;
                    report.posts_by_kind[k] += value;
                }
            }
            "signups" => report.signups += value,
            "flags" => report.flags += value,
            "summaries_accepted" => report.summaries_accepted += value,
            "bot_asked" => report.bot_asked += value,
            "bot_abstained" => report.bot_abstained += value,
            "contributor" => {
                if let Ok(id) = subject.parse::<i64>() {
                    *contributors.entry(id).or_default() += value;
                }
            }
            "tag" => *tags.entry(subject).or_default() += value,
            _ => {}
        }
    }
    report.daily_active = report.active_per_day.last().copied().unwrap_or(0);
    report.weekly_active = reports::active_between(db, period.to - 6, period.to).await?;
    report.monthly_active = reports::active_between(db, period.to - 29, period.to).await?;
    let top_ids: Vec<(i64, i64)> = top(contributors.into_iter().collect());
    let ids: Vec<i64> = top_ids.iter().map(|(id, _)| *id).collect();
    let names: BTreeMap<i64, String> = reports::usernames(db, &ids).await?.into_iter().collect();
    report.top_contributors = top_ids
        .into_iter()
        .filter_map(|(id, n)| names.get(&id).map(|name| (name.clone(), n)))
        .collect();
    report.top_tags = top(tags.into_iter().collect());
    let posts: i64 = report.posts_by_kind.iter().sum();
    report.flags_per_1000_posts =
        (posts > 0).then(|| (report.flags as f64 * 10_000.0 / posts as f64).round() / 10.0);
    let (resolved, median) =
        reports::flag_resolution(db, period.from * DAY_SECS, (period.to + 1) * DAY_SECS).await?;
    report.flags_resolved = resolved;
    report.median_flag_resolution_secs = median;
    report.cohorts = reports::cohorts(db, period.from, period.to).await?;
    report.questions = reports::question_figures(db, period.from, period.to).await?;
    report.unanswered =
        reports::unanswered_before(db, db::now() - UNANSWERED_AFTER_SECS, UNANSWERED_LISTED)
            .await?;
    Ok(report)
}

/// The [`TOP`] largest, ties by key.
fn top<K: Ord>(mut counts: Vec<(K, i64)>) -> Vec<(K, i64)> {
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(TOP);
    counts
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_top_list_breaks_ties_by_name() {
        let got = super::top(vec![("b", 2), ("a", 2), ("c", 5)]);
        assert_eq!(got, [("c", 5), ("a", 2), ("b", 2)]);
    }
}
