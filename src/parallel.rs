//! Parallel work: one pool of threads, one per core, for every stage that splits its work
//! (walking and parsing files, merging tenants, finishing objects, the two sides of a diff).
//!
//! One pool, started once: no stage starts threads of its own, and nested work (a diff's two
//! builds, each parallel inside) shares the cores instead of oversubscribing them. Results always
//! come back in input order, so output never depends on which thread did what.

use std::sync::OnceLock;

use rayon::prelude::*;

/// Stack size of the pool's threads: documents nest deeply.
const STACK: usize = 8 << 20;

/// The pool (built on first use); `None` if no thread could be started, and then work runs on
/// the calling thread.
pub fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new().num_threads(threads).stack_size(STACK).build().ok()
    })
    .as_ref()
}

/// Runs `f` over `items` in the pool, results in item order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    match pool() {
        Some(pool) => pool.install(|| items.par_iter().map(f).collect()),
        None => items.iter().map(f).collect(),
    }
}

/// Runs `a` and `b`, in parallel in the pool.
pub fn join<A: FnOnce() -> RA + Send, B: FnOnce() -> RB + Send, RA: Send, RB: Send>(a: A, b: B) -> (RA, RB) {
    match pool() {
        Some(pool) => pool.install(|| rayon::join(a, b)),
        None => (a(), b()),
    }
}

/// Runs `f` over `items`, taking each, in the pool; results in item order.
pub fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    match pool() {
        Some(pool) => pool.install(|| items.into_par_iter().map(f).collect()),
        None => items.into_iter().map(f).collect(),
    }
}
