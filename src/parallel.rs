//! Parallel work: one pool of threads, one per core, for every stage that splits its work
//! (walking and parsing files, merging tenants, finishing objects, the two sides of a diff),
//! and the ordering of batches handed on as they are made ([`in_order`]).
//!
//! One pool, started once: no stage starts threads of its own, and nested work (a diff's two
//! builds, each parallel inside) shares the cores instead of oversubscribing them. Results always
//! come back in input order, so output never depends on which thread did what.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

/// Stack size of the pool's threads: documents nest deeply.
const STACK: usize = 8 << 20;

/// The pool (built on first use); `None` if no thread could be started, and then work runs on
/// the calling thread.
pub(crate) fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new().num_threads(threads).stack_size(STACK).build().ok()
    })
    .as_ref()
}

/// Runs `f` over `items` in the pool, results in item order.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    match pool() {
        Some(pool) => pool.install(|| items.par_iter().map(f).collect()),
        None => items.iter().map(f).collect(),
    }
}

/// Runs `a` and `b`, in parallel in the pool.
pub(crate) fn join<A: FnOnce() -> RA + Send, B: FnOnce() -> RB + Send, RA: Send, RB: Send>(a: A, b: B) -> (RA, RB) {
    match pool() {
        Some(pool) => pool.install(|| rayon::join(a, b)),
        None => (a(), b()),
    }
}

/// Runs `f` over `items`, taking each, in the pool; results in item order.
pub(crate) fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    match pool() {
        Some(pool) => pool.install(|| items.into_par_iter().map(f).collect()),
        None => items.into_iter().map(f).collect(),
    }
}

/// [`map_owned`] keeping the `Some` results only, in order: the results dropped take no room.
pub(crate) fn filter_map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> Option<R> + Sync + Send) -> Vec<R> {
    match pool() {
        Some(pool) => pool.install(|| items.into_par_iter().filter_map(f).collect()),
        None => items.into_iter().filter_map(f).collect(),
    }
}

/// Runs `produce`, which hands on batches of work as it goes, and `finish` over each batch in the
/// pool while production goes on; results in the order the batches were handed on. The queue is
/// short: when the pool is behind, the producer finishes a batch itself, so that only a few
/// batches are ever waiting.
pub(crate) fn in_order<T: Send, R: Send>(
    produce: impl FnOnce(&mut dyn FnMut(Vec<T>)) + Send,
    finish: impl Fn(Vec<T>) -> R + Sync,
) -> Vec<R> {
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::new());
    let keep = |index: usize, batch: Vec<T>| {
        let result = finish(batch);
        done.lock().unwrap_or_else(|e| e.into_inner()).push((index, result));
    };
    let mut index = 0;
    let mut next = || {
        index += 1;
        index - 1
    };
    match pool() {
        Some(pool) => {
            let queued = AtomicUsize::new(0);
            let limit = 2 * pool.current_num_threads();
            pool.scope(|scope| {
                produce(&mut |batch| {
                    let index = next();
                    if queued.load(Ordering::Acquire) >= limit {
                        return keep(index, batch);
                    }
                    queued.fetch_add(1, Ordering::AcqRel);
                    let (queued, keep) = (&queued, &keep);
                    scope.spawn(move |_| {
                        keep(index, batch);
                        queued.fetch_sub(1, Ordering::AcqRel);
                    })
                })
            })
        }
        None => produce(&mut |batch| keep(next(), batch)),
    }
    let mut parts = done.into_inner().unwrap_or_else(|e| e.into_inner());
    parts.sort_unstable_by_key(|(index, _)| *index);
    parts.into_iter().map(|(_, result)| result).collect()
}
