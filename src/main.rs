use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    // `diff` exits like diff(1): 1 means drift, so its errors are 2.
    let color = args.color.for_stderr();
    let error_code = if matches!(args.command, cli::Command::Diff(_)) { 2 } else { 1 };
    match cli::run(args, &mut std::io::stdout().lock()) {
        Ok(cli::Outcome::Done) => ExitCode::SUCCESS,
        Ok(cli::Outcome::Drift | cli::Outcome::Invalid) => ExitCode::from(1),
        Err(err) => {
            eprint!("{}", cli::report_error(&err, color));
            ExitCode::from(error_code)
        }
    }
}
