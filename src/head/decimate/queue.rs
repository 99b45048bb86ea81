//! The collapse queue, cheapest collapse first.
use std::cmp::Ordering;

/// The collapse queue: at most one entry per vertex (its cheapest collapse's cost), cheapest
/// first, ties by vertex id (deterministic). An indexed binary heap: a vertex whose
/// neighbourhood changed gets its key moved in place, so no stale entries pile up to be popped
/// and skipped (as they did in a lazy heap with a version stamp per vertex). Each entry holds
/// its cost, so sifting compares what it has already read.
pub(super) struct Queue {
    heap: Vec<(f64, u32)>,
    /// Where each vertex sits in `heap` (`u32::MAX`: not queued).
    at: Vec<u32>,
}

fn before(a: (f64, u32), b: (f64, u32)) -> bool {
    match a.0.total_cmp(&b.0) {
        Ordering::Less => true,
        Ordering::Greater => false,
        Ordering::Equal => a.1 < b.1,
    }
}

impl Queue {
    pub(super) fn new(n: usize) -> Queue {
        Queue {
            heap: Vec::with_capacity(n),
            at: vec![u32::MAX; n],
        }
    }

    fn place(&mut self, i: usize, e: (f64, u32)) {
        self.heap[i] = e;
        self.at[e.1 as usize] = i as u32;
    }

    fn up(&mut self, mut i: usize) {
        let e = self.heap[i];
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = self.heap[parent];
            if !before(e, p) {
                break;
            }
            self.place(i, p);
            i = parent;
        }
        self.place(i, e);
    }

    fn down(&mut self, mut i: usize) {
        let e = self.heap[i];
        let n = self.heap.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && before(self.heap[r], self.heap[l]) {
                r
            } else {
                l
            };
            if !before(self.heap[c], e) {
                break;
            }
            self.place(i, self.heap[c]);
            i = c;
        }
        self.place(i, e);
    }

    /// Queues `v` at `cost`, or moves it there if it is queued.
    pub(super) fn set(&mut self, v: u32, cost: f64) {
        let i = self.at[v as usize];
        if i == u32::MAX {
            self.heap.push((cost, v));
            let last = self.heap.len() - 1;
            self.up(last);
        } else {
            let i = i as usize;
            let old = self.heap[i].0;
            self.heap[i].0 = cost;
            if cost.total_cmp(&old).is_lt() {
                self.up(i);
            } else {
                self.down(i);
            }
        }
    }

    pub(super) fn remove(&mut self, v: u32) {
        let i = self.at[v as usize];
        if i == u32::MAX {
            return;
        }
        self.at[v as usize] = u32::MAX;
        let Some(last) = self.heap.pop() else {
            return;
        };
        let i = i as usize;
        if i < self.heap.len() {
            self.place(i, last);
            self.up(i);
            let i = self.at[last.1 as usize] as usize;
            self.down(i);
        }
    }

    pub(super) fn pop(&mut self) -> Option<u32> {
        let v = self.heap.first()?.1;
        self.remove(v);
        Some(v)
    }
}
