//! The social side: votes, comments, notifications and member profiles. Post pages include the
//! `templates/social/` partials (vote widget, comment thread) built by [`votes::widgets`] and
//! [`comments::threads`], read together by [`on_posts`]; see `templates/social/README.md`.
pub mod badges;
pub mod bookmarks;
pub mod comments;
pub mod follows;
pub mod notifications;
pub mod profiles;
pub mod votes;

/// The vote widget and comment thread of each post on a page, in the order of `posts`: the
/// comments in two statements and, for a member, their votes, bookmarks and watches on every post
/// and comment shown in one more, however many posts and comments the page holds. `expanded`
/// shows every comment of that post; `base_query` is where "show all" links go (see
/// [`comments::threads`]).
pub async fn on_posts(
    db: &crate::db::Db,
    viewer: Option<&crate::auth::CurrentUser>,
    posts: &[votes::Votable<'_>],
    expanded: Option<i64>,
    base_query: &str,
) -> Result<Vec<(votes::VoteWidget, comments::CommentThread)>, crate::error::AppError> {
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let rows = comments::ThreadRows::load(db, &ids, expanded).await?;
    let marks = match viewer {
        Some(user) => crate::db::marks::on_page(db, user.id, &ids, &rows.comment_ids()).await?,
        None => Default::default(),
    };
    let widgets = votes::widgets(viewer, posts, &marks);
    let threads = comments::threads(viewer, &ids, &rows, &marks.comment_votes, base_query);
    Ok(widgets.into_iter().zip(threads).collect())
}

/// Whether the request came from script (`fetch` with the CSRF header or asking for JSON) rather than
/// a plain form, so the answer is JSON instead of a redirect.
fn wants_json(req: &actix_web::HttpRequest) -> bool {
    let accepts_json = req
        .headers()
        .get("accept")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    accepts_json || req.headers().contains_key(crate::auth::csrf::HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    use crate::auth::CurrentUser;
    use crate::domain::Role;
    use crate::i18n::Lang;
    use crate::web::context::Page;

    /// How a post page includes the partials (see templates/social/README.md).
    #[derive(Template)]
    #[template(
        source = "{% let vote = question_vote %}{% include \"social/vote.html\" %}\
                  {% let thread = question_thread %}{% include \"social/comments.html\" %}\
                  {% for (vote, thread) in answers %}{% include \"social/vote.html\" %}\
                  {% include \"social/comments.html\" %}{% endfor %}",
        ext = "html"
    )]
    struct PostPageExample {
        page: Page,
        question_vote: votes::VoteWidget,
        question_thread: comments::CommentThread,
        answers: Vec<(votes::VoteWidget, comments::CommentThread)>,
    }

    fn page(user: Option<CurrentUser>) -> Page {
        Page {
            t: Lang::En.catalog(),
            lang: "en",
            other_langs: Vec::new(),
            title: "t".into(),
            user,
            csrf_token: "tok".into(),
            flash: None,
            path: "/".into(),
            unread_notifications: 0,
            brand_css: None,
            logo: String::new(),
            favicon: String::new(),
            footer_links: Vec::new(),
            banner: None,
        }
    }

    fn widget(id: i64, my_vote: i64) -> votes::VoteWidget {
        votes::VoteWidget {
            target_kind: "answer",
            target_id: id,
            score: 3,
            my_vote,
            can_up: true,
            can_down: false,
            can_bookmark: true,
            bookmarked: my_vote == 1,
            can_watch: false,
            watching: false,
        }
    }

    fn thread(post_id: i64) -> comments::CommentThread {
        comments::CommentThread {
            post_id,
            show_all: None,
            comments: vec![comments::CommentItem {
                id: 7,
                author: "bob".into(),
                author_path: "/u/bob".into(),
                body_html: "<p>hi <em>there</em></p>".into(),
                created: "2026-11-29 10:00 UTC".into(),
                edited: true,
                can_edit: true,
                can_delete: true,
                score: 2,
                my_vote: 1,
                can_vote: true,
                hidden: false,
                can_flag: true,
            }],
            can_comment: true,
            locked: false,
        }
    }

    #[test]
    fn partials_render_forms_for_members_and_plain_scores_for_visitors() {
        let member = CurrentUser {
            id: 1,
            username: "alice".into(),
            role: Role::Member,
            reputation: 20,
            trust_level: 0,
            locale: None,
        };
        let example = PostPageExample {
            page: page(Some(member)),
            question_vote: widget(1, 1),
            question_thread: thread(1),
            answers: vec![(widget(2, 0), thread(2))],
        };
        let html = example.render().expect("renders");
        assert!(html.contains("action=\"/votes\""), "{html}");
        assert!(
            html.contains("name=\"value\" value=\"0\""),
            "pressing the active up vote retracts"
        );
        assert!(
            html.contains("<em>there</em>"),
            "comment HTML is trusted (sanitised on write)"
        );
        assert!(html.contains("id=\"comment-7\"") && html.contains("/comments/7/edit"));
        assert!(html.contains("name=\"post_id\" value=\"2\""));
        assert!(
            html.contains("name=\"target_kind\" value=\"comment\""),
            "comments take upvotes"
        );

        let visitor = PostPageExample {
            page: page(None),
            question_vote: widget(1, 0),
            question_thread: comments::CommentThread {
                post_id: 1,
                show_all: None,
                comments: Vec::new(),
                can_comment: false,
                locked: false,
            },
            answers: Vec::new(),
        };
        let html = visitor.render().expect("renders");
        assert!(!html.contains("action=\"/votes\""));
        assert!(html.contains("href=\"/login\""));
    }
}
