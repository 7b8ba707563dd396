//! Every command of `agora` (argument parsing stays in main.rs): serve, migrate, admin, backup here;
//! [`reindex`], [`ai`] and the demo seeding (`crate::seed`) beside.
pub mod ai;
pub mod reindex;

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use anyhow::{bail, Context};

use crate::auth::password;
use crate::config::Settings;
use crate::db::{self, users::CreateUserError, Db};
use crate::domain::{Email, NewPassword, Role, Username};
use crate::startup::Application;

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let bind = settings.bind;
    let app = Application::build(settings).await?;
    tracing::info!(%bind, "agora is serving on http://{bind}");
    app.run_until_stopped().await?;
    tracing::info!("agora stopped");
    Ok(())
}

async fn open(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url)
        .await
        .context("cannot open the database at DATABASE_URL")?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    open(settings).await?.close().await;
    println!("database is up to date");
    Ok(())
}

/// Creates an admin account. The password comes from a prompt, or from standard input when that is not
/// a terminal (for scripts): it is never an argument, so it stays out of shell history and `ps`.
pub async fn admin_create(settings: &Settings, username: &str, email: &str) -> anyhow::Result<()> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!(message(&e)))?;
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!(message(&e)))?;
    let typed = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Repeat password: ")?;
        if first != again {
            bail!("the passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    let password = NewPassword::parse(&typed, &[username.as_str(), email.as_str()])
        .map_err(|e| anyhow::anyhow!(message(&e)))?;
    let hash = password::hash(password.expose().to_string()).await?;
    let db = open(settings).await?;
    let new = db::users::NewUser {
        username: &username,
        email: &email,
        password_hash: &hash,
        role: Role::Admin,
        locale: None,
        signup_network: None,
    };
    match db::users::create(&db, new).await {
        Ok(id) => println!("created admin {username} (id {id})"),
        Err(CreateUserError::UsernameTaken) => bail!("the username {username} is taken"),
        Err(CreateUserError::EmailTaken) => bail!("the email {} is taken", email.as_str()),
        Err(CreateUserError::Db(e)) => return Err(e.into()),
    }
    db.close().await;
    Ok(())
}

fn message(error: &crate::domain::FieldError) -> String {
    let text = crate::i18n::Lang::En.catalog().get(error.key).to_string();
    match &error.detail {
        Some(detail) => format!("{}: {text} ({detail})", error.field),
        None => format!("{}: {text}", error.field),
    }
}

/// Copies the live database as it is. It never migrates: a backup taken before an upgrade must
/// hold the old schema, and a backup command must not change the file it copies.
pub async fn backup(settings: &Settings, target: &Path) -> anyhow::Result<()> {
    if target.exists() {
        bail!("{} exists already; choose a new file", target.display());
    }
    if let Some(live) = settings.database_url.sqlite_path() {
        if !live.exists() {
            bail!("no database at {}: nothing to back up", live.display());
        }
    }
    let db = Db::connect(&settings.database_url)
        .await
        .context("cannot open the database at DATABASE_URL")?;
    db.backup_to(target).await.context("backup failed")?;
    db.close().await;
    println!("backed up to {}", target.display());
    Ok(())
}
