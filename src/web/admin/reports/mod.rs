//! `/admin/reports` (staff): the community-health figures of a period (the last 7, 30 or 90
//! days, or `from`..`to`) with server-drawn SVG charts; [`tables`] builds the figures and tables
//! the page and [`csv`] (`/admin/reports.csv?table=...`) share.
pub mod csv;
pub mod tables;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use self::tables::{day_text, summary, tables, FigureLine, Table};
use super::chart;
use crate::app::App;
use crate::db::reports::DAY_SECS;
use crate::error::AppError;
use crate::services::reports::{self, Period, POST_KINDS};
use crate::web::context::{Ctx, Page};

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

#[derive(Template)]
#[template(path = "admin/reports.html")]
struct ReportsPage {
    page: Page,
    heading: String,
    /// When today's figures were counted, for a period that includes today.
    counted: Option<String>,
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
    let counted = report
        .today_counted_at
        .map(|at| t.fill("report.counted", &[("time", &crate::web::format::time(at))]));
    let page = ReportsPage {
        page: ctx.page(t.get("report.title")),
        heading,
        counted,
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

#[cfg(test)]
mod tests {
    use super::*;

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
