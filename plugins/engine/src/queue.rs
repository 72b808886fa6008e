//! The fight's pending events in time order, events of one time in the
//! order they were pushed.
//!
//! A fight keeps a few dozen events pending at once (swing timers, ticks,
//! expiries, the next decision), so the queue is a vector sorted by time,
//! latest first: the next event is popped from the end, and a new one is
//! inserted at its place by time alone. Ties need no sequence number: a new event goes in front of (so is popped after) every pending
//! event of its time. This beats a binary heap of (time, sequence, event)
//! at this size, and it is what keeps an iteration's events in one exact,
//! platform-independent order.

/// Pending events of type `E`, each at a time on the fight clock.
#[derive(Debug, Clone)]
pub(crate) struct EventQueue<E> {
    /// Latest first; among events of one time, the latest pushed first.
    pending: Vec<(i64, E)>,
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            pending: Vec::with_capacity(64),
        }
    }

    /// Adds `event` at `time`, after every pending event of that time.
    ///
    /// Natively the place is found by a binary search and the later events
    /// move with one `memmove`; in wasm, where both cost more, the new
    /// event walks from the end past the earlier ones (BENCHMARKS.md has
    /// the figures). The order is the same either way.
    pub fn push(&mut self, time: i64, event: E) {
        if cfg!(target_family = "wasm") {
            self.push_walking(time, event);
        } else {
            self.push_searching(time, event);
        }
    }

    fn push_searching(&mut self, time: i64, event: E) {
        let at = self.pending.partition_point(|&(t, _)| t > time);
        self.pending.insert(at, (time, event));
    }

    fn push_walking(&mut self, time: i64, event: E) {
        self.pending.push((time, event));
        let mut i = self.pending.len() - 1;
        while i > 0 && self.pending[i - 1].0 <= time {
            self.pending.swap(i, i - 1);
            i -= 1;
        }
    }

    /// Removes and returns the earliest event (the first pushed among
    /// events of one time).
    pub fn pop(&mut self) -> Option<(i64, E)> {
        self.pending.pop()
    }

    /// The earliest pending time after `now`, if any.
    pub fn next_time_after(&self, now: i64) -> Option<i64> {
        self.pending
            .iter()
            .rev()
            .map(|&(t, _)| t)
            .find(|&t| t > now)
    }

    /// Drops every pending event.
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::EventQueue;

    /// Both ways of pushing, on one sequence of pushes and pops.
    fn each_way(run: impl Fn(&mut dyn FnMut(&mut EventQueue<char>, i64, char))) {
        run(&mut |q, t, e| q.push_searching(t, e));
        run(&mut |q, t, e| q.push_walking(t, e));
    }

    #[test]
    fn events_come_out_by_time_then_in_push_order() {
        each_way(|push| {
            let mut q = EventQueue::new();
            for (t, e) in [
                (30, 'a'),
                (10, 'b'),
                (30, 'c'),
                (20, 'd'),
                (10, 'e'),
                (0, 'f'),
            ] {
                push(&mut q, t, e);
            }
            let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
            assert_eq!(
                order,
                [
                    (0, 'f'),
                    (10, 'b'),
                    (10, 'e'),
                    (20, 'd'),
                    (30, 'a'),
                    (30, 'c')
                ]
            );
        });
    }

    #[test]
    fn a_push_between_pops_keeps_the_order() {
        each_way(|push| {
            let mut q = EventQueue::new();
            push(&mut q, 5, 'a');
            push(&mut q, 5, 'b');
            assert_eq!(q.pop(), Some((5, 'a')));
            push(&mut q, 5, 'c');
            push(&mut q, 4, 'd');
            assert_eq!(q.pop(), Some((4, 'd')));
            assert_eq!(q.pop(), Some((5, 'b')));
            assert_eq!(q.pop(), Some((5, 'c')));
            assert_eq!(q.pop(), None);
        });
    }

    #[test]
    fn the_next_time_after_now_skips_events_at_or_before_it() {
        let mut q = EventQueue::new();
        assert_eq!(q.next_time_after(0), None);
        q.push(7, ());
        q.push(3, ());
        q.push(3, ());
        assert_eq!(q.next_time_after(2), Some(3));
        assert_eq!(q.next_time_after(3), Some(7));
        assert_eq!(q.next_time_after(7), None);
        q.clear();
        assert_eq!(q.next_time_after(0), None);
    }
}
