//! Community-health reports: the rollup job (each closed day's and week's figures computed once
//! into `report_sums`, question answer times and sign-up retention kept current there) and the
//! report of a period, read from the rollups — a few rows per day of the period, whatever the
//! forum's size — plus today's figures computed live over today's indexed ranges.
use std::collections::{BTreeMap, HashMap};

use crate::app::App;
use crate::db::reports::read::{self as stored, Blocks};
use crate::db::reports::{self, week_start, Cohort, Figure, QuestionFigures, Unanswered, DAY_SECS};
use crate::db::{self, Db, DbError};

/// The job that rolls up the days that closed since its last run.
pub const ROLLUP_JOB: &str = "report_rollup";
/// The most days one run rolls up (a forum's first run with years of history catches up over a
/// few runs); sign-up retention is kept current for members who joined this many days back.
const DAYS_PER_RUN: i64 = 400;
/// The most weeks one run sums.
const WEEKS_PER_RUN: i64 = 60;
/// Answer times are kept current for questions asked in this many days (the longest preset is 90).
const ANSWER_TIMES_DAYS: i64 = 120;
/// How many contributors, tags and waiting questions a report lists.
pub const TOP: usize = 10;
pub const UNANSWERED_LISTED: i64 = 50;
/// Contributors and tags read per period from the closed days before today's are added: the top
/// ten is exact unless a member or tag outside the period's best hundred overtakes them today.
const CANDIDATES: i64 = 100;
/// Today's figures are read from the job's partial count while it is at most this old (the
/// janitor queues the job every five minutes); older, the job has stopped and today is counted
/// live.
pub const PARTIAL_FRESH_SECS: i64 = 20 * 60;
/// A question without an answer for this long is listed to act on.
pub const UNANSWERED_AFTER_SECS: i64 = 48 * 3600;
/// Post kinds, in the order the report shows them.
pub const POST_KINDS: [&str; 4] = ["article", "question", "answer", "bot_answer"];

/// Queues the rollup unless one is waiting already.
pub async fn queue_rollup(db: &Db) -> Result<(), DbError> {
    db::jobs::enqueue(db, ROLLUP_JOB, "{}", Some(ROLLUP_JOB), 3).await?;
    Ok(())
}

/// The rollup job: every closed day and week not yet rolled up, then the questions' answer
/// times and the sign-up cohorts' retention. Returns how many days it rolled up.
pub async fn roll_up(app: &App) -> Result<usize, String> {
    roll_up_db(&app.db).await.map_err(|e| e.to_string())
}

/// One run of the rollup job on `db` (the scale bench runs it on a forum it built).
pub async fn roll_up_db(db: &Db) -> Result<usize, DbError> {
    roll_up_until(db, today()).await
}

async fn roll_up_until(db: &Db, today: i64) -> Result<usize, DbError> {
    let horizon = match reports::first_day(db).await? {
        Some(day) => day.max(today - DAYS_PER_RUN),
        None => today,
    };
    let start = reports::last_rolled(db, false)
        .await?
        .map_or(horizon, |day| day + 1);
    let mut rolled = 0;
    for day in start..today.min(start + DAYS_PER_RUN) {
        let figures = reports::day_figures(db, day).await?;
        reports::store_day(db, day, &figures).await?;
        rolled += 1;
    }
    let first_week = reports::last_rolled(db, true)
        .await?
        .map_or(week_start(horizon), |week| week + 7);
    let mut week = first_week;
    while week + 7 <= today && week < first_week + 7 * WEEKS_PER_RUN {
        reports::store_week(db, week).await?;
        week += 7;
    }
    let changed = reports::refresh_questions(db, today - ANSWER_TIMES_DAYS).await?;
    reports::store_question_days(db, &changed).await?;
    reports::refresh_cohorts(db, today - DAYS_PER_RUN).await?;
    // Today so far, read by the report like a closed day while it is fresh.
    let counted_at = db::now();
    let figures = reports::day_figures(db, today).await?;
    reports::store_partial(db, today, &figures, counted_at).await?;
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
    /// When today's figures were counted (`None` when the period ends before today).
    pub today_counted_at: Option<i64>,
}

/// Today is counted live while it has at most this many posts (an indexed count that stops
/// there, well under a millisecond); a busier day is read from the job's partial count.
pub const LIVE_TODAY_UP_TO: i64 = 5_000;

/// The report for `period`: stored rows for its days; today counted live while it is quiet
/// ([`LIVE_TODAY_UP_TO`]), else from the job's partial count while that is fresh.
pub async fn report(db: &Db, period: Period) -> Result<Report, DbError> {
    report_with(db, period, LIVE_TODAY_UP_TO).await
}

/// [`report`], counting today live only while it has at most `live_up_to` posts.
pub async fn report_with(db: &Db, period: Period, live_up_to: i64) -> Result<Report, DbError> {
    let today = today();
    let mut figures = stored::rollups_between(db, period.from, period.to).await?;
    let mut today_counted_at = None;
    if period.to >= today && period.from <= today {
        let now = db::now();
        let busy = stored::posts_since(db, today * DAY_SECS, live_up_to + 1).await? > live_up_to;
        let partial = if busy {
            stored::partial_counted_at(db, today).await?
        } else {
            None
        };
        match partial {
            Some(at) if now - at <= PARTIAL_FRESH_SECS => {
                figures.extend(stored::subjects_of_day(db, today).await?);
                today_counted_at = Some(at);
            }
            _ => {
                // A quiet day, or no fresh count of a busy one: today is counted now (a stored
                // count is left out).
                figures.retain(|f| f.day != today || !reports::DAY_OWNED.contains(&&*f.metric));
                figures.extend(reports::day_figures(db, today).await?);
                today_counted_at = Some(now);
            }
        }
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
        today_counted_at,
        ..Report::default()
    };
    // Per-member and per-tag sums of the closed days come summed from the database (the best
    // CANDIDATES of each, over week and day rows); today's live figures are added to them
    // before the top is taken.
    let closed_to = period.to.min(today - 1);
    let mut contributors: HashMap<i64, i64> = HashMap::new();
    let mut tags: HashMap<String, i64> = HashMap::new();
    if closed_to >= period.from {
        let blocks = Blocks::of(
            period.from,
            closed_to,
            reports::last_rolled(db, true).await?,
        );
        for (subject, n) in stored::top_subjects(db, "contributor", blocks, CANDIDATES).await? {
            if let Ok(id) = subject.parse::<i64>() {
                contributors.insert(id, n);
            }
        }
        tags = stored::top_subjects(db, "tag", blocks, CANDIDATES)
            .await?
            .into_iter()
            .collect();
    }
    // Histograms of durations (bucket -> count) and the per-day sign-up figures.
    let mut first_answer = BTreeMap::new();
    let mut accepted = BTreeMap::new();
    let mut resolution = BTreeMap::new();
    let mut joined: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
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
            "signups" => {
                report.signups += value;
                joined.entry(day).or_default()[0] += value;
            }
            "retained_7" => joined.entry(day).or_default()[1] += value,
            "retained_30" => joined.entry(day).or_default()[2] += value,
            "flags" => report.flags += value,
            "summaries_accepted" => report.summaries_accepted += value,
            "bot_asked" => report.bot_asked += value,
            "bot_abstained" => report.bot_abstained += value,
            "asked" => report.questions.asked += value,
            "first_answer" | "accepted" | "flag_resolution" => {
                let histogram = match metric.as_str() {
                    "first_answer" => &mut first_answer,
                    "accepted" => &mut accepted,
                    _ => &mut resolution,
                };
                if let Ok(bucket) = subject.parse::<i64>() {
                    *histogram.entry(bucket).or_insert(0) += value;
                }
            }
            "contributor" => {
                if let Ok(id) = subject.parse::<i64>() {
                    *contributors.entry(id).or_default() += value;
                }
            }
            "tag" => *tags.entry(subject).or_default() += value,
            _ => {}
        }
    }
    report.questions = QuestionFigures {
        answered: first_answer.values().sum(),
        accepted: accepted.values().sum(),
        median_first_answer_secs: lower_median(&first_answer),
        median_accepted_secs: lower_median(&accepted),
        ..report.questions
    };
    report.flags_resolved = resolution.values().sum();
    report.median_flag_resolution_secs = lower_median(&resolution);
    report.cohorts = cohorts(&joined);
    report.daily_active = report.active_per_day.last().copied().unwrap_or(0);
    report.weekly_active = stored::active_between(db, period.to - 6, period.to).await?;
    report.monthly_active = stored::active_between(db, period.to - 29, period.to).await?;
    let top_ids: Vec<(i64, i64)> = top(contributors.into_iter().collect());
    let ids: Vec<i64> = top_ids.iter().map(|(id, _)| *id).collect();
    let names: BTreeMap<i64, String> = stored::usernames(db, &ids).await?.into_iter().collect();
    report.top_contributors = top_ids
        .into_iter()
        .filter_map(|(id, n)| names.get(&id).map(|name| (name.clone(), n)))
        .collect();
    report.top_tags = top(tags.into_iter().collect());
    let posts: i64 = report.posts_by_kind.iter().sum();
    report.flags_per_1000_posts =
        (posts > 0).then(|| (report.flags as f64 * 10_000.0 / posts as f64).round() / 10.0);
    report.unanswered =
        stored::unanswered_before(db, db::now() - UNANSWERED_AFTER_SECS, UNANSWERED_LISTED).await?;
    Ok(report)
}

/// The (lower) median of a histogram of durations: the lower bound of the bucket holding it.
fn lower_median(histogram: &BTreeMap<i64, i64>) -> Option<i64> {
    let total: i64 = histogram.values().sum();
    let rank = (total - 1) / 2;
    let mut seen = 0;
    for (bucket, n) in histogram {
        seen += n;
        if seen > rank {
            return Some(*bucket);
        }
    }
    None
}

/// Sign-up cohorts by week (weeks start on Monday) from per-day `[joined, retained_7,
/// retained_30]`; weeks nobody joined in are left out.
fn cohorts(per_day: &BTreeMap<i64, [i64; 3]>) -> Vec<Cohort> {
    let mut weeks: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
    for (day, figures) in per_day {
        let week = weeks.entry(week_start(*day)).or_default();
        for (sum, n) in week.iter_mut().zip(figures) {
            *sum += n;
        }
    }
    weeks
        .into_iter()
        .filter(|(_, [joined, ..])| *joined > 0)
        .map(|(week_start, [joined, retained_7, retained_30])| Cohort {
            week_start,
            joined,
            retained_7,
            retained_30,
        })
        .collect()
}

/// The [`TOP`] largest, ties by key.
fn top<K: Ord>(mut counts: Vec<(K, i64)>) -> Vec<(K, i64)> {
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(TOP);
    counts
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[test]
    fn a_median_is_the_lower_bound_of_its_bucket() {
        let histogram = |pairs: &[(i64, i64)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        assert_eq!(super::lower_median(&histogram(&[])), None);
        // 2 h, 5 h and 9 h: the middle one.
        let hours = histogram(&[(7_200, 1), (18_000, 1), (32_400, 1)]);
        assert_eq!(super::lower_median(&hours), Some(18_000));
        // An even count takes the lower of the two middle values.
        assert_eq!(
            super::lower_median(&histogram(&[(60, 2), (120, 2)])),
            Some(60)
        );
    }

    #[test]
    fn cohorts_add_up_the_days_of_each_sign_up_week() {
        // Day 20787 (2026-11-30) was a Monday.
        let per_day: BTreeMap<i64, [i64; 3]> = [
            (20_786, [1, 1, 0]),
            (20_787, [2, 1, 1]),
            (20_790, [3, 0, 0]),
            (20_794, [0, 0, 0]),
        ]
        .into_iter()
        .collect();
        let got = super::cohorts(&per_day);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].week_start, got[0].joined), (20_780, 1));
        assert_eq!(
            (
                got[1].week_start,
                got[1].joined,
                got[1].retained_7,
                got[1].retained_30
            ),
            (20_787, 5, 1, 1)
        );
    }

    #[test]
    fn the_top_list_breaks_ties_by_name() {
        let got = super::top(vec![("b", 2), ("a", 2), ("c", 5)]);
        assert_eq!(got, [("c", 5), ("a", 2), ("b", 2)]);
    }
}
