//! Staff decisions on accounts: deleting a spammer hides everything they wrote in one step and
//! restoring brings exactly that back; a silenced member reads but cannot write.
use reqwest::StatusCode;

use super::{app, audit_rows, comment_status, moderation_notices, post_status, Member};
use crate::helpers::location;
use agora::domain::Role;

#[tokio::test]
async fn deleting_a_spammer_hides_all_their_content_and_restore_brings_exactly_it_back() {
    let app = app().await;
    let spammer = Member::with(&app, "spammy", Role::Member, 60).await;
    let victim = Member::join(&app, "asker").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;

    let victims_question = victim.ask("Best way to evaluate a RAG pipeline?").await;
    let q1 = spammer.ask("Buy cheap GPU hours here, best prices").await;
    let q2 = spammer.ask("Cheap GPU hours, limited time offer").await;
    let answer = spammer.answer(victims_question).await;
    let res = spammer
        .comment(victims_question, "Visit my site for GPUs")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let comment = super::id_after(&location(&res), "#comment-");
    // Something they deleted themselves before stays deleted after the restore.
    let gone = spammer.ask("An older post they deleted themselves").await;
    let res = spammer
        .post(&format!("/questions/{gone}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A flag on the account is resolved by the deletion.
    victim.flag("user", spammer.id, "spam", "").await;
    // Their resource submission and their comment on a listed resource go too.
    let listed = crate::resources::submit_ok(
        &moderator,
        &crate::resources::paper("LoRA paper", "https://arxiv.org/abs/2106.09685", &[]),
    )
    .await;
    let spam_resource = crate::resources::submit_ok(
        &spammer,
        &crate::resources::paper("Cheap GPU hours", "https://gpu.example/deal", &[]),
    )
    .await;
    let res = spammer
        .post(
            &format!("/resources/{listed}/comments"),
            &[("body", "Cheap GPU hours at my site")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let resource_comment: i64 =
        sqlx::query_scalar("SELECT id FROM resource_comments WHERE author_id = $1")
            .bind(spammer.id)
            .fetch_one(app.db.reader())
            .await
            .expect("resource comment");
    let resource_comment_status = || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM resource_comments WHERE id = $1")
            .bind(resource_comment)
            .fetch_one(app.db.reader())
            .await
            .expect("status")
    };

    let res = moderator
        .post(
            &format!("/admin/users/{}/spammer", spammer.id),
            &[("reason", "GPU spam")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for post in [q1, q2, answer] {
        assert_eq!(post_status(&app, post).await, "hidden");
    }
    assert_eq!(comment_status(&app, comment).await, "hidden");
    assert_eq!(
        crate::resources::resource_status(&app, spam_resource).await,
        "rejected"
    );
    assert_eq!(resource_comment_status().await, "hidden");
    assert_eq!(
        crate::resources::resource_status(&app, listed).await,
        "approved"
    );
    assert_eq!(post_status(&app, gone).await, "deleted");
    assert_eq!(post_status(&app, victims_question).await, "published");
    let answers: i64 = sqlx::query_scalar("SELECT answer_count FROM posts WHERE id = $1")
        .bind(victims_question)
        .fetch_one(app.db.reader())
        .await
        .expect("answer count");
    assert_eq!(answers, 0);
    // Suspended, sessions ended, logged, told.
    assert_eq!(
        spammer.get("/settings").await.0,
        StatusCode::SEE_OTHER,
        "their session ended: sent to log in"
    );
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(spammer.id)
        .fetch_one(app.db.reader())
        .await
        .expect("sessions");
    assert_eq!(sessions, 0);
    let user = agora::db::users::by_id(&app.db, spammer.id)
        .await
        .expect("db")
        .expect("user");
    assert!(user.suspended_until.is_some());
    assert_eq!(
        audit_rows(&app, "delete_spammer", "user", spammer.id).await,
        1
    );
    assert_eq!(moderation_notices(&app, spammer.id).await, 1);
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM flags WHERE target_kind = 'user' AND target_id = $1 AND status = 'open'",
    )
    .bind(spammer.id)
    .fetch_one(app.db.reader())
    .await
    .expect("flags");
    assert_eq!(open, 0);

    // Staff deleted one of the hidden posts meanwhile: the restore leaves that one deleted.
    let res = moderator
        .post(&format!("/admin/posts/{q2}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (_, html) = moderator.get(&format!("/admin/users/{}", spammer.id)).await;
    assert!(html.contains("restore_content"), "{html}");
    let res = moderator
        .post(
            &format!("/admin/users/{}/restore_content", spammer.id),
            &[("reason", "a mistake")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(post_status(&app, q1).await, "published");
    assert_eq!(post_status(&app, answer).await, "published");
    assert_eq!(comment_status(&app, comment).await, "published");
    assert_eq!(
        crate::resources::resource_status(&app, spam_resource).await,
        "pending"
    );
    assert_eq!(resource_comment_status().await, "published");
    assert_eq!(post_status(&app, q2).await, "deleted");
    assert_eq!(post_status(&app, gone).await, "deleted");
    let user = agora::db::users::by_id(&app.db, spammer.id)
        .await
        .expect("db")
        .expect("user");
    assert!(user.suspended_until.is_none(), "the suspension is lifted");
    assert_eq!(
        audit_rows(&app, "restore_spammer", "user", spammer.id).await,
        1
    );
    // Nothing left to restore.
    let res = moderator
        .post(&format!("/admin/users/{}/restore_content", spammer.id), &[])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Moderators cannot delete staff as spammers.
    let other = Member::with(&app, "othermod", Role::Moderator, 1).await;
    let res = moderator
        .post(&format!("/admin/users/{}/spammer", other.id), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_silenced_member_reads_but_every_write_is_refused_saying_until_when() {
    let app = app().await;
    let member = Member::with(&app, "noisy", Role::Member, 200).await;
    let other = Member::join(&app, "asker").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let question = other.ask("How to cache embeddings between runs?").await;
    let own = member.ask("My own question from before the silence").await;

    let res = moderator
        .post(
            &format!("/admin/users/{}/silence", member.id),
            &[("days", "0"), ("reason", "heated")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "days are checked");
    let res = moderator
        .post(
            &format!("/admin/users/{}/silence", member.id),
            &[("days", "2"), ("reason", "cool down")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(audit_rows(&app, "silence_user", "user", member.id).await, 1);
    assert_eq!(moderation_notices(&app, member.id).await, 1);
    let (_, html) = moderator.get(&format!("/admin/users/{}", member.id)).await;
    assert!(html.contains("Silenced until"), "{html}");

    // Reading works.
    let (status, _) = member.get("/questions").await;
    assert_eq!(status, StatusCode::OK);

    let check = |html: String, what: &str| {
        assert!(html.contains("silenced until"), "{what}: {html}");
    };
    let res = member
        .post(
            "/questions",
            &[
                ("title", "A question while silenced here"),
                ("body", "my carefully written text"),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "silenced: 403");
    let html = res.text().await.expect("body");
    assert!(html.contains("my carefully written text"), "text kept");
    check(html, "question");
    let res = member
        .post(
            "/articles",
            &[
                ("title", "An article while silenced"),
                ("body", "article text"),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    check(res.text().await.expect("body"), "article");
    let res = member
        .post(
            &format!("/questions/{question}/answers"),
            &[("body", "an answer while silenced")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("an answer while silenced"), "text kept");
    check(html, "answer");
    let res = member.comment(own, "a comment while silenced").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    check(res.text().await.expect("body"), "comment");
    let res = member
        .post(
            "/votes",
            &[
                ("target_kind", "question"),
                ("target_id", &question.to_string()),
                ("value", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    check(res.text().await.expect("body"), "vote");
    let res = member.flag("post", question, "spam", "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    check(res.text().await.expect("body"), "flag");

    let res = member
        .post(
            &format!("/questions/{own}/edit"),
            &[
                ("title", "My own question, edited while silenced"),
                ("body", "edited text kept"),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("edited text kept"), "text kept");
    check(html, "edit");

    let res = moderator
        .post(&format!("/admin/users/{}/unsilence", member.id), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        audit_rows(&app, "unsilence_user", "user", member.id).await,
        1
    );
    assert_eq!(moderation_notices(&app, member.id).await, 2);
    member.answer(question).await;
}
