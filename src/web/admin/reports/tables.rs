//! The report's headline figures and tables, as the page shows them and the CSVs carry them.
use crate::db::reports::DAY_SECS;
use crate::domain::paths;
use crate::i18n::Catalog;
use crate::services::reports::{Period, Report, POST_KINDS};
use crate::web::format;

pub fn day_text(day: i64) -> String {
    format::day(day * DAY_SECS)
}

/// `3 h 20 min`, `2 d 4 h`, `45 s`.
fn duration(secs: Option<i64>, t: &Catalog) -> String {
    let Some(secs) = secs else {
        return t.get("report.none").to_string();
    };
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

fn share(part: i64, whole: i64) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{:.1} %", part as f64 * 100.0 / whole as f64)
    }
}

/// One headline figure: a stable key (for CSV and tests), its label, shown text, raw value.
pub struct FigureLine {
    pub key: &'static str,
    pub label: String,
    pub text: String,
    pub raw: String,
}

pub fn summary(report: &Report, t: &Catalog) -> Vec<FigureLine> {
    let q = &report.questions;
    let line = |key: &'static str, label: &str, text: String, raw: String| FigureLine {
        key,
        label: t.get(label).to_string(),
        text,
        raw,
    };
    let count =
        |key: &'static str, label: &str, n: i64| line(key, label, n.to_string(), n.to_string());
    let secs = |v: Option<i64>| v.map(|s| s.to_string()).unwrap_or_default();
    let mut lines = vec![
        count("daily_active", "report.daily_active", report.daily_active),
        count(
            "weekly_active",
            "report.weekly_active",
            report.weekly_active,
        ),
        count(
            "monthly_active",
            "report.monthly_active",
            report.monthly_active,
        ),
        count("signups", "report.signups", report.signups),
    ];
    for (i, kind) in POST_KINDS.iter().enumerate() {
        let key = match *kind {
            "article" => "posts_article",
            "question" => "posts_question",
            "answer" => "posts_answer",
            _ => "posts_bot_answer",
        };
        lines.push(count(
            key,
            &format!("report.posts_{kind}"),
            report.posts_by_kind[i],
        ));
    }
    lines.extend([
        count("questions_asked", "report.questions_asked", q.asked),
        line(
            "answered_share",
            "report.answered_share",
            share(q.answered, q.asked),
            q.answered.to_string(),
        ),
        line(
            "accepted_share",
            "report.accepted_share",
            share(q.accepted, q.asked),
            q.accepted.to_string(),
        ),
        line(
            "median_first_answer",
            "report.median_first_answer",
            duration(q.median_first_answer_secs, t),
            secs(q.median_first_answer_secs),
        ),
        line(
            "median_accepted",
            "report.median_accepted",
            duration(q.median_accepted_secs, t),
            secs(q.median_accepted_secs),
        ),
        count(
            "unanswered_48h",
            "report.unanswered_48h",
            report.unanswered.len() as i64,
        ),
        count("flags", "report.flags", report.flags),
        line(
            "flags_per_1000_posts",
            "report.flags_per_1000",
            report
                .flags_per_1000_posts
                .map_or_else(|| "—".to_string(), |v| format!("{v:.1}")),
            report
                .flags_per_1000_posts
                .map(|v| format!("{v:.1}"))
                .unwrap_or_default(),
        ),
        line(
            "median_flag_resolution",
            "report.median_flag_resolution",
            duration(report.median_flag_resolution_secs, t),
            secs(report.median_flag_resolution_secs),
        ),
        count(
            "summaries_accepted",
            "report.summaries_accepted",
            report.summaries_accepted,
        ),
        count("bot_asked", "report.bot_asked", report.bot_asked),
        count(
            "bot_abstained",
            "report.bot_abstained",
            report.bot_abstained,
        ),
    ]);
    lines
}

/// A table as the page and its CSV show it.
pub struct Table {
    pub name: &'static str,
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn tables(report: &Report, period: Period, t: &Catalog) -> Vec<Table> {
    let days = Table {
        name: "days",
        title: t.get("report.table_days").to_string(),
        head: std::iter::once(t.get("report.day").to_string())
            .chain(
                POST_KINDS
                    .iter()
                    .map(|k| t.get(&format!("report.posts_{k}")).to_string()),
            )
            .chain(std::iter::once(t.get("report.active").to_string()))
            .collect(),
        rows: report
            .posts_per_day
            .iter()
            .zip(&report.active_per_day)
            .enumerate()
            .map(|(i, (posts, active))| {
                std::iter::once(day_text(period.from + i as i64))
                    .chain(posts.iter().map(i64::to_string))
                    .chain(std::iter::once(active.to_string()))
                    .collect()
            })
            .collect(),
    };
    let cohorts = Table {
        name: "cohorts",
        title: t.get("report.table_cohorts").to_string(),
        head: [
            "report.week",
            "report.joined",
            "report.retained_7",
            "report.retained_30",
        ]
        .iter()
        .map(|k| t.get(k).to_string())
        .collect(),
        rows: report
            .cohorts
            .iter()
            .map(|c| {
                vec![
                    day_text(c.week_start),
                    c.joined.to_string(),
                    c.retained_7.to_string(),
                    c.retained_30.to_string(),
                ]
            })
            .collect(),
    };
    let ranked = |name, title: &str, who: &str, list: &[(String, i64)]| Table {
        name,
        title: t.get(title).to_string(),
        head: vec![t.get(who).to_string(), t.get("report.posts").to_string()],
        rows: list
            .iter()
            .map(|(n, c)| vec![n.clone(), c.to_string()])
            .collect(),
    };
    let unanswered = Table {
        name: "unanswered",
        title: t.get("report.table_unanswered").to_string(),
        head: ["report.question", "report.asked_at", "report.link"]
            .iter()
            .map(|k| t.get(k).to_string())
            .collect(),
        rows: report
            .unanswered
            .iter()
            .map(|q| {
                vec![
                    q.title.clone(),
                    format::time(q.created_at),
                    paths::post_url(crate::domain::PostKind::Question, q.id, &q.slug, None),
                ]
            })
            .collect(),
    };
    vec![
        days,
        cohorts,
        ranked(
            "contributors",
            "report.table_contributors",
            "report.member",
            &report.top_contributors,
        ),
        ranked("tags", "report.table_tags", "report.tag", &report.top_tags),
        unanswered,
    ]
}
