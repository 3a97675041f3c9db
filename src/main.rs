//! The `meshedge` binary: the command line ([`cli`]) over the library, one function per command
//! ([`commands`]).
//!
//! Exit status for errors, decided here and only here: 1 errors in the input (diagnostics on
//! stderr, nothing on stdout), 2 usage or trouble outside the input. A reader that stops early
//! (`| head`) is not an error for any command. A command that ran returns its own outcome: 0,
//! or 1 where the outcome itself is the signal (`diff --exit-code` found differences, `check`
//! found errors).

// Diagnostics are returned by value on the cold error path; their size does not matter there.
#![allow(clippy::result_large_err)]

mod cli;
mod commands;

use std::process::ExitCode;

use meshedge::diagnostic::SourceText;
use meshedge::error::Error;

/// Asks Linux for no transparent huge pages in this process (`PR_SET_THP_DISABLE`,
/// https://docs.kernel.org/admin-guide/mm/transhuge.html): mimalloc advises huge pages for its
/// arenas, and a short run that touches a few kilobytes of a fresh 2 MiB region then has the
/// kernel clear and count all of it. Small pages lower the maximum RSS of `build` on the
/// 2,000-tenant repository by about a tenth and its system time with it
/// (`docs/performance.md`). Where the call is refused, nothing changes.
fn small_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

// A build allocates many small maps; mimalloc serves them faster and with less overhead.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    small_pages();
    let cli::Invocation { command, stderr } = cli::parse();
    match commands::run(&command, &stderr) {
        Ok(code) => code,
        Err(Error::Trouble(trouble)) if trouble.is_closed_pipe() => ExitCode::SUCCESS,
        Err(Error::Input(diagnosed)) => {
            stderr.diagnosed(&diagnosed);
            ExitCode::from(1)
        }
        Err(Error::Usage(diagnostics)) => {
            stderr.errors(&diagnostics, &SourceText::default());
            ExitCode::from(2)
        }
        Err(Error::Trouble(trouble)) => {
            stderr.trouble(&trouble);
            ExitCode::from(2)
        }
    }
}
