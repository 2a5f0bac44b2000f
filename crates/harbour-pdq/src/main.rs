fn main() -> std::process::ExitCode {
    harbour_pdq::cli::run_cli(std::env::args_os())
}
