fn main() -> std::process::ExitCode {
    harbour_match::cli::run_cli(std::env::args_os())
}
