//! Command-line interface (placeholder until the matcher lands).
use std::ffi::OsString;
use std::process::ExitCode;

pub fn run_cli<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let _ = args.into_iter().count();
    ExitCode::SUCCESS
}
