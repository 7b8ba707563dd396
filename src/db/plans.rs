//! The list queries as data: each list function builds its statement as a [`ListQuery`] and runs
//! it (the catalogue of them all is `db::list_queries`), so the plan check (`every_list_query_is_served_by_an_index`) can run the very same SQL under
//! `EXPLAIN` and fail when one of them reads the whole `posts` table.
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::Any;

use super::{Backend, Db, DbError};

/// One bound parameter of a list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// A list statement with its parameters, named for the page it serves.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub name: &'static str,
    pub sql: String,
    pub args: Vec<Arg>,
    /// Names, any of which the plan must mention: the index meant to serve this query, as SQLite
    /// (`posts_pinned`, `INTEGER PRIMARY KEY`) and PostgreSQL (`posts_pkey`) print it.
    pub served_by: &'static [&'static str],
}

impl ListQuery {
    pub fn new(name: &'static str, sql: impl Into<String>, args: Vec<Arg>) -> Self {
        Self {
            name,
            sql: sql.into(),
            args,
            served_by: &[],
        }
    }

    /// The index (any of these names) that must serve this statement.
    pub fn served_by(mut self, names: &'static [&'static str]) -> Self {
        self.served_by = names;
        self
    }

    /// What is wrong with `plan` for this statement, if anything: a full read of `posts`, a sort
    /// of everything it matched, or (on SQLite, whose planner knows little of the data) not the
    /// index it was written for. PostgreSQL may pick another index that reads as little, from its
    /// statistics; a sequential scan or a sort is what it must not do.
    pub fn plan_problem(&self, backend: Backend, plan: &[String]) -> Option<String> {
        if scans_posts(plan) {
            return Some("reads the whole posts table".into());
        }
        // PostgreSQL may sort the few rows its statistics promise (a deep page, a rare tag); a
        // sort it expects to be large is the shape of a full read.
        let sorts = plan.iter().any(|line| {
            let step = line.trim_start().trim_start_matches("->").trim_start();
            let pg_sort = (step.starts_with("Sort ") || step.starts_with("Incremental Sort "))
                && step.contains("cost=");
            line.contains("TEMP B-TREE FOR ORDER BY")
                || (pg_sort && estimated_rows(step).is_none_or(|rows| rows >= LARGE_SORT))
        });
        if sorts {
            return Some("sorts every row it matched".into());
        }
        if backend == Backend::Sqlite
            && !self.served_by.is_empty()
            && !plan
                .iter()
                .any(|l| self.served_by.iter().any(|name| l.contains(name)))
        {
            return Some(format!("is not served by {}", self.served_by.join(" / ")));
        }
        None
    }

    fn bound<'q>(&'q self, sql: &'q str) -> Query<'q, Any, AnyArguments<'q>> {
        let mut query = sqlx::query(sql);
        for arg in &self.args {
            query = match arg {
                Arg::Int(n) => query.bind(*n),
                Arg::Text(s) => query.bind(s.as_str()),
            };
        }
        query
    }

    /// Runs the statement on the read pool.
    pub async fn fetch_all(&self, db: &Db) -> Result<Vec<AnyRow>, DbError> {
        self.bound(&self.sql).fetch_all(db.reader()).await
    }

    /// The backend's plan for this statement, one line per step.
    pub async fn plan(&self, db: &Db) -> Result<Vec<String>, DbError> {
        use sqlx::Row;
        let explain = match db.backend() {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {}", self.sql),
            Backend::Postgres => format!("EXPLAIN {}", self.sql),
        };
        let rows = self.bound(&explain).fetch_all(db.reader()).await?;
        rows.iter()
            .map(|row| match db.backend() {
                Backend::Sqlite => row.try_get::<String, _>("detail"),
                Backend::Postgres => row.try_get::<String, _>(0),
            })
            .collect()
    }
}

/// Rows from which a sort counts as sorting a whole list rather than a handful.
const LARGE_SORT: u64 = 200;

/// The `rows=N` estimate of a PostgreSQL plan step.
fn estimated_rows(step: &str) -> Option<u64> {
    let rest = step.split("rows=").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Whether a plan reads `posts` end to end: SQLite's `SCAN p` / `SCAN posts` without an index, or
/// PostgreSQL's `Seq Scan on posts`.
pub fn scans_posts(plan: &[String]) -> bool {
    plan.iter().any(|line| {
        let line = line.trim();
        // Walking a whole index of posts is a full read too, so any SCAN of a posts alias counts.
        let sqlite_scan = ["SCAN p", "SCAN posts", "SCAN q", "SCAN a"]
            .iter()
            .any(|prefix| {
                line.strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
            });
        sqlite_scan || line.contains("Seq Scan on posts")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_scans_are_told_from_index_searches() {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(scans_posts(&lines(&["SCAN p"])));
        assert!(scans_posts(&lines(&["SCAN posts"])));
        assert!(scans_posts(&lines(&[
            "  ->  Seq Scan on posts p  (cost=0.00..1.00)"
        ])));
        assert!(scans_posts(&lines(&[
            "SCAN p USING INDEX posts_by_kind_new"
        ])));
        assert!(!scans_posts(&lines(&["SCAN pt", "SCAN u"])));
        assert!(!scans_posts(&lines(&[
            "SEARCH p USING INDEX posts_by_kind_new (kind=? AND status=? AND (created_at,id)<(?,?))"
        ])));
        assert!(!scans_posts(&lines(&[
            "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"
        ])));
        assert!(!scans_posts(&lines(&[
            "Index Scan using posts_pinned on posts p"
        ])));
        let query = ListQuery::new("q", "SELECT 1", Vec::new());
        let pg = |l: &[&str]| query.plan_problem(Backend::Postgres, &lines(l));
        assert!(pg(&[
            "Limit  (cost=1..2 rows=30)",
            "  ->  Sort  (cost=1..2 rows=9000 width=8)"
        ])
        .is_some());
        assert!(pg(&["  ->  Sort  (cost=1..2 rows=4 width=8)"]).is_none());
        assert!(query
            .plan_problem(Backend::Sqlite, &lines(&["USE TEMP B-TREE FOR ORDER BY"]))
            .is_some());
    }
}
