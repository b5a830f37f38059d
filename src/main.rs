use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = fabgen::cli::Cli::parse();
    match fabgen::run(cli, &mut std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", fabgen::format_error(&err));
            ExitCode::FAILURE
        }
    }
}
