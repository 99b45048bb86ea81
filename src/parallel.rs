//! The one parallel map: independent items spread over the machine's cores with
//! [`std::thread::scope`], results in the items' order. Each item is computed by the same code
//! whatever the thread count, so results never depend on how many threads ran.

/// Most threads any map uses.
pub const MAX_THREADS: usize = 16;

/// Threads for a map: the cores the machine offers, at most [`MAX_THREADS`].
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_THREADS)
}

/// `f` over `items` on [`threads`] threads; results in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_indices(items.len(), threads(), |i| f(&items[i]))
}

/// `f(0), f(1), …, f(n − 1)` on at most `threads` threads (at least one); results in order.
///
/// Items are handed out in blocks from a shared counter, so that a thread that draws cheap
/// items takes more of them (the rays of an ear cost more than those of the crown).
pub fn map_indices<R: Send>(n: usize, threads: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    // About 16 blocks per thread: fine enough to balance, coarse enough that the counter is
    // not contended.
    let block = n.div_ceil(16 * threads).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let start = b * block;
            if start >= n {
                return done;
            }
            done.push((b, (start..(start + block).min(n)).map(&f).collect()));
        }
    };
    let mut blocks: Vec<(usize, Vec<R>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        handles
            .into_iter()
            // A panic in a worker is a bug: carry it on rather than lose those items.
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    blocks.sort_unstable_by_key(|(b, _)| *b);
    blocks.into_iter().flat_map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_whatever_the_thread_count() {
        let want: Vec<u64> = (0..1000u64).map(|i| i * i).collect();
        for threads in [1, 2, 3, 7, 64] {
            assert_eq!(map_indices(1000, threads, |i| (i * i) as u64), want);
        }
        let items: Vec<u64> = (0..5).collect();
        assert_eq!(map(&items, |x| x + 1), vec![1, 2, 3, 4, 5]);
        assert!(map_indices(0, 4, |i| i).is_empty());
    }
}
