//! `GET /admin/reports.csv?table=summary|days|cohorts|contributors|tags|unanswered` with the
//! page's period: one CSV per table, fields quoted as RFC 4180 says and formulas defused.
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::tables::{day_text, summary, tables};
use super::PeriodQuery;
use crate::app::App;
use crate::error::AppError;
use crate::services::reports;
use crate::web::context::Ctx;

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
}
