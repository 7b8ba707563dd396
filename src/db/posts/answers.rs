//! A question's answers a page at a time: the accepted one first (on the first page), then 30 by
//! votes, newest or oldest, each order read from its own index (`answers_by_score`,
//! `answers_by_time`). A page costs the same two statements however many answers the question has.
use super::{post_from_row, PostRecord, POST_COLUMNS};
use crate::db::plans::{Arg, ListQuery};
use crate::db::{Db, DbError};

/// Answers per page of a topic.
pub const ANSWERS_PER_PAGE: i64 = 30;

/// The furthest page a reader can ask for; past it the answer would be an empty page.
pub const MAX_PAGE: i64 = 100_000;

/// How a topic sorts its answers (`?sort=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnswerSort {
    /// Highest score first; ties oldest first.
    #[default]
    Votes,
    Newest,
    Oldest,
}

impl AnswerSort {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "votes" => Some(Self::Votes),
            "newest" => Some(Self::Newest),
            "oldest" => Some(Self::Oldest),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Votes => "votes",
            Self::Newest => "newest",
            Self::Oldest => "oldest",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Self::Votes => "p.score DESC, p.id",
            Self::Newest => "p.created_at DESC, p.id DESC",
            Self::Oldest => "p.created_at, p.id",
        }
    }
}

/// One page of a question's published answers.
#[derive(Debug, Clone)]
pub struct AnswerPage {
    /// The accepted answer (first page only) followed by the page's answers.
    pub items: Vec<PostRecord>,
    /// 1-based.
    pub page: i64,
    /// Pages in all (at least 1).
    pub pages: i64,
}

/// The statement for the answers of `page` (1-based) in `sort`, leaving out the accepted one.
pub fn page_query(question_id: i64, accepted: i64, sort: AnswerSort, page: i64) -> ListQuery {
    let order = sort.order_by();
    ListQuery::new(
        "answers of a topic",
        format!(
            "SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.parent_id = $1 AND p.status = 'published' AND p.id <> $2 \
             ORDER BY {order} LIMIT $3 OFFSET $4"
        ),
        vec![
            Arg::Int(question_id),
            Arg::Int(accepted),
            Arg::Int(ANSWERS_PER_PAGE),
            Arg::Int((page.clamp(1, MAX_PAGE) - 1) * ANSWERS_PER_PAGE),
        ],
    )
    .served_by(match sort {
        AnswerSort::Votes => &["answers_by_score"],
        AnswerSort::Newest | AnswerSort::Oldest => &["answers_by_time"],
    })
}

/// The statement for the accepted answer (`$2`, 0 for none or on later pages).
pub fn accepted_query(question_id: i64, accepted: i64) -> ListQuery {
    ListQuery::new(
        "accepted answer",
        format!(
            "SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.id = $2 AND p.parent_id = $1 AND p.status = 'published'"
        ),
        vec![Arg::Int(question_id), Arg::Int(accepted)],
    )
    .served_by(&["INTEGER PRIMARY KEY", "posts_pkey"])
}

/// The statement for answers held or hidden, shown to their authors and staff on the first page.
pub fn under_review_query(question_id: i64) -> ListQuery {
    ListQuery::new(
        "answers under review",
        format!(
            "SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.parent_id = $1 AND p.status IN ('hidden', 'pending') \
             ORDER BY p.created_at, p.id LIMIT $2"
        ),
        vec![Arg::Int(question_id), Arg::Int(ANSWERS_PER_PAGE)],
    )
    .served_by(&["answers_under_review"])
}

/// Page `page` (1-based) of the question's published answers in `sort`, the accepted answer first
/// on page 1. `question.answer_count` (kept by every write) sizes the page list, so nothing counts.
pub async fn page(
    db: &Db,
    question: &PostRecord,
    sort: AnswerSort,
    page: i64,
) -> Result<AnswerPage, DbError> {
    let accepted = question.accepted_answer_id.unwrap_or(0);
    let others = (question.answer_count - i64::from(accepted != 0)).max(0);
    let pages = ((others + ANSWERS_PER_PAGE - 1) / ANSWERS_PER_PAGE).max(1);
    let page = page.clamp(1, MAX_PAGE);
    let shown_accepted = if page == 1 { accepted } else { 0 };
    let mut items = accepted_query(question.id, shown_accepted)
        .fetch_all(db)
        .await?
        .iter()
        .map(post_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    for row in page_query(question.id, accepted, sort, page)
        .fetch_all(db)
        .await?
    {
        items.push(post_from_row(&row)?);
    }
    Ok(AnswerPage { items, page, pages })
}

/// Answers to a question that are hidden or held for review, oldest first, at most a page of them
/// (their authors and staff still see them, with a note).
pub async fn under_review(db: &Db, question_id: i64) -> Result<Vec<PostRecord>, DbError> {
    under_review_query(question_id)
        .fetch_all(db)
        .await?
        .iter()
        .map(post_from_row)
        .collect()
}

/// The answer statements, for the plan check.
pub fn list_queries() -> Vec<ListQuery> {
    let mut all = vec![accepted_query(1, 2), under_review_query(1)];
    for sort in [AnswerSort::Votes, AnswerSort::Newest, AnswerSort::Oldest] {
        all.push(page_query(1, 2, sort, 1));
        all.push(page_query(1, 2, sort, 3));
    }
    all
}
