//! The `agora` command: parses arguments and hands over to the library.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use agora::config::Settings;

#[derive(Parser)]
#[command(
    name = "agora",
    version,
    about = "A self-hosted forum for AI practitioners"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the forum (the default).
    Serve,
    /// Create or upgrade the database schema.
    Migrate,
    /// Manage accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Copy a live SQLite database consistently to FILE.
    Backup { file: PathBuf },
    /// Fill an empty database with a demo community (users, posts, comments, votes).
    SeedDemo {
        /// Only print how to seed, and only when the database has no posts (used by `make run`).
        #[arg(long)]
        hint: bool,
    },
    /// Re-render content stored by an older renderer and rebuild the search index.
    Reindex,
    /// The on-box language model.
    Ai {
        #[command(subcommand)]
        command: agora::cli::ai::AiCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin account; the password is read from a prompt or standard input.
    Create { username: String, email: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = dotenvy::dotenv();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("agora: {e}");
            return ExitCode::from(2);
        }
    };
    agora::telemetry::init(&settings.log_filter, settings.log_json);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("agora: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => agora::cli::serve(settings).await,
            Command::Migrate => agora::cli::migrate(&settings).await,
            Command::Admin {
                command: AdminCommand::Create { username, email },
            } => agora::cli::admin_create(&settings, &username, &email).await,
            Command::Backup { file } => agora::cli::backup(&settings, &file).await,
            Command::SeedDemo { hint } => agora::seed::run_cli(&settings, hint).await,
            Command::Reindex => agora::cli::reindex::reindex(&settings).await,
            Command::Ai {
                command: agora::cli::ai::AiCommand::Eval { questions },
            } => agora::cli::ai::eval(&questions, &settings.ai).await,
            Command::Ai { command } => agora::cli::ai::run(command, &settings.ai),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agora: {e:#}");
            ExitCode::FAILURE
        }
    }
}
