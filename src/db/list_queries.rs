//! The catalogue of every list query a page runs, for the plan check: it gathers them from the list
//! modules (which build them with `db::plans`), so the plan types never import the lists back.
use super::plans::ListQuery;
use super::Backend;

/// Every list a page shows, with sample parameters: what the plan check runs under `EXPLAIN`.
pub fn all(backend: Backend) -> Vec<ListQuery> {
    use super::posts::lists::{self, Cursor};
    use crate::domain::PostKind;
    let deep = Some(Cursor {
        key: 1_000,
        id: 1_000,
    });
    let mut all = Vec::new();
    for (name, scope, order) in lists::SERVED {
        all.push(lists::page_query(backend, name, *scope, *order, None, 30));
        all.push(lists::page_query(backend, name, *scope, *order, deep, 30));
        // The same list as a member with muted tags reads it.
        all.push(lists::page_query_for(
            backend,
            name,
            *scope,
            *order,
            None,
            30,
            Some(1),
        ));
    }
    all.push(lists::pinned_query(PostKind::Question, 10));
    all.push(lists::drafts_query(1, 10));
    all.extend(super::posts::feeds::list_queries(backend));
    all.extend(super::posts::answers::list_queries());
    all.push(super::profiles::posts_by_query(1, false, 30));
    all.push(super::profiles::posts_by_query(1, true, 30));
    all.extend(super::users::list_queries(backend));
    all.push(super::notifications::list_query(1, 30));
    all.extend(super::reports::list_queries(backend));
    all
}
