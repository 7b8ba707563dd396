//! `agora reindex`: re-renders content stored by an older renderer and rebuilds the search index.
use anyhow::Context;

use crate::config::Settings;
use crate::db::Db;

pub async fn reindex(settings: &Settings) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url)
        .await
        .context("cannot open the database at DATABASE_URL")?;
    db.migrate().await.context("cannot migrate the database")?;
    let started = std::time::Instant::now();
    let result = crate::search::reindex_all(&db).await;
    db.close().await;
    let r = result?;
    println!(
        "reindexed {} posts in {:.1}s: {} posts and {} comments re-rendered, {} stale index rows removed",
        r.posts_seen,
        started.elapsed().as_secs_f64(),
        r.posts_rerendered,
        r.comments_rerendered,
        r.orphans_removed
    );
    Ok(())
}
