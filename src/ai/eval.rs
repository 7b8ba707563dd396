//! `agora ai eval`'s measurements over a seeded forum: whether the bot's retrieval cites the post that
//! answers a question (and declines what the forum cannot answer), and how traceable the extractive
//! summary sentences are to their source.
use serde::Deserialize;

use super::answer::retrieve;
use super::summarize::{self, Sentence};
use crate::db::{self, Db, DbError};
use crate::search::{self, SearchQuery};

/// One evaluation question: `answer_post_title` is the post (article or question thread) that
/// answers it, or `None` when the forum has no answer.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuestion {
    pub question: String,
    pub answer_post_title: Option<String>,
    /// What the question tests (`en->zh`, `zh->en`, `paraphrase`, `unanswerable`), where written.
    #[serde(default)]
    pub kind: Option<String>,
}

/// An evaluation file: a bare list, or a dated set (`written`) that is kept fixed once written.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum EvalSet {
    Dated {
        written: String,
        questions: Vec<EvalQuestion>,
    },
    List(Vec<EvalQuestion>),
}

impl EvalSet {
    pub fn written(&self) -> Option<&str> {
        match self {
            EvalSet::Dated { written, .. } => Some(written),
            EvalSet::List(_) => None,
        }
    }

    pub fn questions(&self) -> &[EvalQuestion] {
        match self {
            EvalSet::Dated { questions, .. } | EvalSet::List(questions) => questions,
        }
    }
}

/// Retrieval quality over the evaluation set.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    pub answerable: usize,
    /// Answerable questions whose answering post is the first cited source.
    pub found_at_1: usize,
    /// Answerable questions whose answering post is among the (at most three) cited sources.
    pub found_in_top3: usize,
    /// Answerable questions whose answering post is in the first five results of `/search`.
    pub search_top5: usize,
    /// Answerable questions the bot wrongly declined.
    pub wrongly_abstained: usize,
    pub unanswerable: usize,
    pub abstained: usize,
    /// Misses, for the report: (question, expected title, cited titles).
    pub misses: Vec<(String, String, Vec<String>)>,
    /// Unanswerable questions the bot answered anyway: (question, cited titles).
    pub false_answers: Vec<(String, Vec<String>)>,
    /// Share of extractive summary sentences found word for word in their source.
    pub summary_traceable: f64,
    pub summaries: usize,
}

impl EvalReport {
    pub fn recall_at_1(&self) -> f64 {
        ratio(self.found_at_1, self.answerable)
    }

    pub fn search_recall_at_5(&self) -> f64 {
        ratio(self.search_top5, self.answerable)
    }

    pub fn recall_at_3(&self) -> f64 {
        ratio(self.found_in_top3, self.answerable)
    }

    pub fn abstention(&self) -> f64 {
        ratio(self.abstained, self.unanswerable)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Every published article and question with its extractive core (those with a core only).
pub async fn summary_cores(db: &Db) -> Result<Vec<(db::ai::PostSource, Vec<Sentence>)>, DbError> {
    Ok(db::ai::public_topics(db)
        .await?
        .into_iter()
        .map(|source| {
            let core = summarize::extract(
                &source.title,
                &source.body_text,
                summarize::EXTRACTIVE_SENTENCES,
            );
            (source, core)
        })
        .filter(|(_, core)| !core.is_empty())
        .collect())
}

/// Runs the retrieval half of the bot (what decides citations and abstention) over `questions`,
/// and checks the extractive summaries of every article and question.
pub async fn evaluate(db: &Db, questions: &[EvalQuestion]) -> Result<EvalReport, DbError> {
    let mut report = EvalReport {
        answerable: 0,
        found_at_1: 0,
        found_in_top3: 0,
        search_top5: 0,
        wrongly_abstained: 0,
        unanswerable: 0,
        abstained: 0,
        misses: Vec::new(),
        false_answers: Vec::new(),
        summary_traceable: 1.0,
        summaries: 0,
    };
    for q in questions {
        let passages = retrieve(db, &q.question, None).await?;
        match &q.answer_post_title {
            None => {
                report.unanswerable += 1;
                if passages.is_empty() {
                    report.abstained += 1;
                } else {
                    report.false_answers.push((
                        q.question.clone(),
                        passages.iter().map(|p| p.title.clone()).collect(),
                    ));
                }
            }
            Some(expected) => {
                report.answerable += 1;
                if passages.is_empty() {
                    report.wrongly_abstained += 1;
                }
                if passages.first().is_some_and(|p| &p.title == expected) {
                    report.found_at_1 += 1;
                }
                let page = search::search_page(db, &SearchQuery::new(q.question.as_str())).await?;
                if page.hits.iter().take(5).any(|hit| &hit.title == expected) {
                    report.search_top5 += 1;
                }
                if passages.iter().take(3).any(|p| &p.title == expected) {
                    report.found_in_top3 += 1;
                } else {
                    report.misses.push((
                        q.question.clone(),
                        expected.clone(),
                        passages.iter().map(|p| p.title.clone()).collect(),
                    ));
                }
            }
        }
    }
    let (mut traced, mut total) = (0.0, 0usize);
    for (source, core) in summary_cores(db).await? {
        traced += summarize::traceable_share(&core, &source.body_text) * core.len() as f64;
        total += core.len();
        report.summaries += 1;
    }
    if total > 0 {
        report.summary_traceable = traced / total as f64;
    }
    Ok(report)
}

/// Retrieval time per question over every set: (p50 ms, p95 ms, questions timed).
pub async fn retrieval_timings(
    db: &Db,
    sets: &[(String, EvalSet)],
) -> Result<(f64, f64, usize), DbError> {
    let mut times = Vec::new();
    for (_, set) in sets {
        for q in set.questions() {
            let started = std::time::Instant::now();
            retrieve(db, &q.question, None).await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |share: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        let index = ((times.len() as f64 * share).ceil() as usize).clamp(1, times.len()) - 1;
        times[index]
    };
    Ok((at(0.5), at(0.95), times.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_of_empty_sets_are_zero() {
        assert_eq!(ratio(0, 0), 0.0);
        assert_eq!(ratio(1, 4), 0.25);
    }
}
