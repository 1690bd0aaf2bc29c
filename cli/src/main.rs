//! `dynaquery`: SQL list queries, exports and EXPLAIN on Amazon DynamoDB,
//! through the dynaquery library. See `dynaquery --help` and the README's
//! "Command line" section.

mod args;
mod commands;
mod connect;
mod describe;
mod exit;
mod export;
mod format;
mod json;
mod schema_file;

use std::process::ExitCode;

use clap::error::ErrorKind as ClapErrorKind;
use clap::Parser;

use args::{Cli, Command};
use exit::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    if cli.conn.memory.is_some() && (cli.conn.endpoint.is_some() || cli.conn.profile.is_some()) {
        return report(&Failure::usage("--memory runs without DynamoDB: drop --endpoint and --profile"));
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return report(&Failure::new(exit::Category::Io, format!("cannot start the runtime: {e}"))),
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Query(a) => commands::query(&cli.conn, a).await,
            Command::Export(a) => commands::export(&cli.conn, a).await,
            Command::Explain(a) => commands::explain(&cli.conn, a).await,
            Command::Describe(a) => commands::describe(&cli.conn, a).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) if f.quiet => ExitCode::SUCCESS,
        Err(f) => report(&f),
    }
}

fn report(f: &Failure) -> ExitCode {
    eprintln!("{}", f.line());
    ExitCode::from(f.category.code())
}

/// Help and version print as clap prints them (exit 0); every usage error
/// is one line on stderr and exit 2.
fn clap_exit(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ClapErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ClapErrorKind::MissingSubcommand => report(
            &Failure::usage("a sub-command is required: query, export, explain or describe (see --help)"),
        ),
        _ => {
            // clap's message, up to its "Usage:" block, on one line.
            let rendered = e.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .flat_map(str::split_whitespace)
                .collect();
            let message = message.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            report(&Failure::usage(format!("{message} (see --help)")))
        }
    }
}
