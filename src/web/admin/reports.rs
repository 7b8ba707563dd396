//! `/admin/reports` (staff): the community-health figures of a period (the last 7, 30 or 90
//! days, or `from`..`to`), server-drawn SVG charts, and `/admin/reports.csv?table=...` with the
//! same period: one CSV per table (summary, days, cohorts, contributors, tags, unanswered).
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::chart;
use crate::app::App;
use crate::db::reports::DAY_SECS;
use crate::domain::paths;
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::services::reports::{self, Period, Report, POST_KINDS};
use crate::web::context::{Ctx, Page};
use crate::web::format;

/// A custom period may span at most this many days.
const MAX_DAYS: i64 = 366;
const PRESETS: [i64; 3] = [7, 30, 90];

#[derive(Deserialize, Default, Clone)]
pub struct PeriodQuery {
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    table: Option<String>,
}

impl PeriodQuery {
    /// The period asked for: `from`..`to` when either is given, else the last `days` (7, 30 or
    /// 90; 30 by default). `Err` names the catalog message.
    fn period(&self) -> Result<Period, &'static str> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (from, to) = (text(&self.from), text(&self.to));
        if from.is_none() && to.is_none() {
            let days = match text(&self.days) {
                None => 30,
                Some(d) => d
                    .parse::<i64>()
                    .ok()
                    .filter(|d| PRESETS.contains(d))
                    .ok_or("report.error.days")?,
            };
            return Ok(Period::last(days));
        }
        let day = |v: Option<String>| -> Result<i64, &'static str> {
            let v = v.ok_or("report.error.date")?;
            let date =
                NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| "report.error.date")?;
            Ok(date
                .and_hms_opt(0, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp())
                .div_euclid(DAY_SECS))
        };
        let (from, to) = (day(from)?, day(to)?);
        if to < from {
            return Err("report.error.order");
        }
        if to - from + 1 > MAX_DAYS {
            return Err("report.error.span");
        }
        Ok(Period { from, to })
    }
}

fn day_text(day: i64) -> String {
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

fn summary(report: &Report, t: &Catalog) -> Vec<FigureLine> {
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

fn tables(report: &Report, period: Period, t: &Catalog) -> Vec<Table> {
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

#[derive(Template)]
#[template(path = "admin/reports.html")]
struct ReportsPage {
    page: Page,
    heading: String,
    error: Option<String>,
    /// `(days, url, current)`
    presets: Vec<(i64, String, bool)>,
    from: String,
    to: String,
    query: String,
    figures: Vec<FigureLine>,
    active_chart: String,
    posts_chart: String,
    tables: Vec<Table>,
}

fn query_of(period: Period) -> String {
    format!("from={}&to={}", day_text(period.from), day_text(period.to))
}

/// `GET /admin/reports`
pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let t = ctx.t();
    let query = query.into_inner();
    let (period, error) = match query.period() {
        Ok(period) => (period, None),
        Err(key) => (Period::last(30), Some(t.get(key).to_string())),
    };
    let report = reports::report(&state.db, period).await?;
    let (first, last) = (day_text(period.from), day_text(period.to));
    let active_chart = chart::line_chart(
        t.get("report.chart_active"),
        &[chart::Series {
            label: t.get("report.active"),
            values: &report.active_per_day,
        }],
        &first,
        &last,
    );
    let per_kind: Vec<Vec<i64>> = (0..POST_KINDS.len())
        .map(|k| report.posts_per_day.iter().map(|d| d[k]).collect())
        .collect();
    let labels: Vec<String> = POST_KINDS
        .iter()
        .map(|k| t.get(&format!("report.posts_{k}")).to_string())
        .collect();
    let series: Vec<chart::Series<'_>> = per_kind
        .iter()
        .zip(&labels)
        .map(|(values, label)| chart::Series { label, values })
        .collect();
    let posts_chart = chart::line_chart(t.get("report.chart_posts"), &series, &first, &last);
    let heading = t.fill("report.heading", &[("from", &first), ("to", &last)]);
    let custom = query.from.is_some() || query.to.is_some();
    let page = ReportsPage {
        page: ctx.page(t.get("report.title")),
        heading,
        presets: PRESETS
            .iter()
            .map(|d| {
                (
                    *d,
                    format!("/admin/reports?days={d}"),
                    !custom && error.is_none() && period.days() == *d,
                )
            })
            .collect(),
        from: query.from.clone().unwrap_or_else(|| first.clone()),
        to: query.to.clone().unwrap_or_else(|| last.clone()),
        query: query_of(period),
        figures: summary(&report, t),
        active_chart,
        posts_chart,
        tables: tables(&report, period, t),
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    crate::web::render(&page, status)
}

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=+-@` is
/// prefixed with `'` so a spreadsheet does not run it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(head: &[String], rows: &[Vec<String>]) -> String {
    let line = |cells: &[String]| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = line(head);
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&line(row));
        out.push_str("\r\n");
    }
    out
}

/// `GET /admin/reports.csv?table=summary|days|cohorts|contributors|tags|unanswered` with the
/// page's period.
pub async fn download(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let t = ctx.t();
    let query = query.into_inner();
    let period = query
        .period()
        .map_err(|key| AppError::Invalid(t.get(key).to_string()))?;
    let report = reports::report(&state.db, period).await?;
    let name = query.table.as_deref().unwrap_or("summary");
    let body = if name == "summary" {
        let rows: Vec<Vec<String>> = summary(&report, t)
            .into_iter()
            .map(|f| vec![f.key.to_string(), f.raw])
            .collect();
        csv(&["figure".to_string(), "value".to_string()], &rows)
    } else {
        let table = tables(&report, period, t)
            .into_iter()
            .find(|table| table.name == name)
            .ok_or(AppError::NotFound)?;
        csv(&table.head, &table.rows)
    };
    let filename = format!(
        "agora-{name}-{}-{}.csv",
        day_text(period.from),
        day_text(period.to)
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }

    #[test]
    fn custom_periods_are_checked() {
        let q = |from: &str, to: &str| PeriodQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..PeriodQuery::default()
        };
        assert_eq!(
            q("2026-12-02", "2026-12-01").period(),
            Err("report.error.order")
        );
        assert_eq!(
            q("2026-13-02", "2026-12-01").period(),
            Err("report.error.date")
        );
        assert_eq!(
            q("2020-01-01", "2026-12-01").period(),
            Err("report.error.span")
        );
        assert_eq!(
            q("2026-12-01", "2026-12-07").period().map(Period::days),
            Ok(7)
        );
        let days = PeriodQuery {
            days: Some("12".into()),
            ..PeriodQuery::default()
        };
        assert_eq!(days.period(), Err("report.error.days"));
    }
}
