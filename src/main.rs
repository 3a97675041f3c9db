//! The `meshedge` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    meshedge::cli::main()
}
