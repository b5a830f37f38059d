use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

mod cli;

/// mimalloc rather than the system allocator: a render is some ten million small allocations
/// (trees of parsed objects), and glibc's malloc and free were a fifth of its time. Its arenas
/// are committed lazily (`.cargo/config.toml`), which keeps peak RSS at glibc's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    // `diff` exits like diff(1): 1 means drift, so its errors are 2.
    let color = args.color.for_stderr();
    let error_code = if matches!(args.command, cli::Command::Diff(_)) { 2 } else { 1 };
    match cli::run(args, &mut cli::Stdout::new()) {
        Ok(cli::Outcome::Done) => ExitCode::SUCCESS,
        Ok(cli::Outcome::Drift | cli::Outcome::Invalid) => ExitCode::from(1),
        Err(err) => {
            // Nothing more to say if stderr is gone too.
            let _ = std::io::stderr().write_all(cli::report_error(&err, color).as_bytes());
            ExitCode::from(error_code)
        }
    }
}
