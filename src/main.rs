//! The `meshedge` binary: everything lives in the library; see `cli`.

// A build allocates many small maps; mimalloc serves them faster and with less overhead.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    meshedge::cli::main()
}
