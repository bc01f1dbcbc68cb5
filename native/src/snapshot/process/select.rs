//! Which processes get a record: the top N by CPU, the top N by memory, and those
//! that matched a pattern, under a hard cap. Pure: it sees only what the scan found.

use std::cmp::Ordering;

/// What the scan keeps of each process until selection: numbers only, the name
/// as a range of the scan's name arena, so a scan of thousands of processes makes
/// no per-process allocation.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub pid: u32,
    pub ppid: u32,
    pub state: u8,
    /// User CPU, clock ticks.
    pub utime: u64,
    /// System CPU, clock ticks.
    pub stime: u64,
    /// Clock ticks after boot.
    pub starttime: u64,
    pub vsize: u64,
    pub rss_pages: u64,
    pub threads: u32,
    /// Clock ticks waiting for block I/O (`delayacct_blkio_ticks`).
    pub blkio_ticks: u64,
    /// `start..end` of the name in the scan's arena.
    pub name: (usize, usize),
    pub cpu_percent: f64,
    pub matched: bool,
    /// Matched an exclude pattern: counted, but never selected (neither top-N nor match).
    pub excluded: bool,
}

impl Candidate {
    fn cpu_ticks(&self) -> u64 {
        self.utime.saturating_add(self.stime)
    }
}

/// The indices of `all` to report, in report order (CPU % descending, then RSS
/// descending, then pid), and how many selected processes the cap left out.
///
/// The top-N records come first under the cap (they are bounded by 2 × `top_n`),
/// then pattern matches fill what room is left, busiest first.
pub fn select(all: &[Candidate], top_n: u32, max_processes: u32) -> (Vec<usize>, u32) {
    let n = usize::try_from(top_n).unwrap_or(usize::MAX).min(all.len());
    let mut chosen = vec![false; all.len()];
    if n > 0 {
        let mut idx: Vec<usize> = (0..all.len())
            .filter(|&i| all.get(i).is_some_and(|c| !c.excluded))
            .collect();
        for order in [by_cpu as fn(&Candidate, &Candidate) -> Ordering, by_rss] {
            let cmp = |a: &usize, b: &usize| match (all.get(*a), all.get(*b)) {
                (Some(a), Some(b)) => order(a, b),
                _ => Ordering::Equal,
            };
            let n = n.min(idx.len());
            if n == 0 {
                break;
            }
            if n < idx.len() {
                idx.select_nth_unstable_by(n - 1, cmp);
            }
            for &i in idx.iter().take(n) {
                if let Some(c) = chosen.get_mut(i) {
                    *c = true;
                }
            }
        }
    }
    let report = |a: &usize, b: &usize| match (all.get(*a), all.get(*b)) {
        (Some(a), Some(b)) => by_report(a, b),
        _ => Ordering::Equal,
    };
    let mut top: Vec<usize> = (0..all.len())
        .filter(|&i| chosen.get(i) == Some(&true))
        .collect();
    let mut matched: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|&(i, c)| c.matched && !c.excluded && chosen.get(i) != Some(&true))
        .map(|(i, _)| i)
        .collect();
    top.sort_unstable_by(report);
    matched.sort_unstable_by(report);
    let mut left_out = 0usize;
    if max_processes > 0 {
        let cap = usize::try_from(max_processes).unwrap_or(usize::MAX);
        if top.len() > cap {
            left_out += top.len() - cap;
            top.truncate(cap);
        }
        let room = cap - top.len();
        if matched.len() > room {
            left_out += matched.len() - room;
            matched.truncate(room);
        }
    }
    top.extend(matched);
    top.sort_unstable_by(report);
    (top, u32::try_from(left_out).unwrap_or(u32::MAX))
}

fn by_cpu(a: &Candidate, b: &Candidate) -> Ordering {
    b.cpu_percent
        .total_cmp(&a.cpu_percent)
        .then(b.cpu_ticks().cmp(&a.cpu_ticks()))
        .then(a.pid.cmp(&b.pid))
}

fn by_rss(a: &Candidate, b: &Candidate) -> Ordering {
    b.rss_pages.cmp(&a.rss_pages).then(a.pid.cmp(&b.pid))
}

fn by_report(a: &Candidate, b: &Candidate) -> Ordering {
    b.cpu_percent
        .total_cmp(&a.cpu_percent)
        .then(b.rss_pages.cmp(&a.rss_pages))
        .then(a.pid.cmp(&b.pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proc(pid: u32, cpu: f64, ticks: u64, rss: u64, matched: bool) -> Candidate {
        Candidate {
            pid,
            cpu_percent: cpu,
            utime: ticks,
            rss_pages: rss,
            matched,
            ..Default::default()
        }
    }

    fn pids(all: &[Candidate], idx: &[usize]) -> Vec<u32> {
        idx.iter()
            .filter_map(|&i| all.get(i))
            .map(|c| c.pid)
            .collect()
    }

    #[test]
    fn takes_the_top_n_by_cpu_and_by_memory_in_report_order() {
        let all = vec![
            proc(1, 50.0, 10, 1, false),
            proc(2, 10.0, 10, 900, false),
            proc(3, 90.0, 10, 2, false),
            proc(4, 0.0, 10, 3, false),
            proc(5, 0.0, 10, 800, false),
        ];
        let (idx, left_out) = select(&all, 2, 0);
        assert_eq!(pids(&all, &idx), vec![3, 1, 2, 5]);
        assert_eq!(left_out, 0);
    }

    #[test]
    fn breaks_cpu_ties_by_cumulative_cpu_time() {
        let all = vec![
            proc(1, 0.0, 5, 0, false),
            proc(2, 0.0, 500, 0, false),
            proc(3, 0.0, 50, 0, false),
        ];
        let (idx, _) = select(&all, 1, 0);
        // pid 2 by cumulative CPU; pid 1 is the memory top (all zero: lowest pid).
        assert_eq!(pids(&all, &idx), vec![1, 2]);
    }

    #[test]
    fn adds_pattern_matches_and_counts_those_beyond_the_cap() {
        let mut all: Vec<Candidate> = (1..=10).map(|p| proc(p, 0.0, 0, 0, true)).collect();
        all.push(proc(100, 99.0, 0, 5000, false));
        let (idx, left_out) = select(&all, 1, 4);
        assert_eq!(pids(&all, &idx), vec![100, 1, 2, 3]);
        assert_eq!(left_out, 7);
        let (idx, left_out) = select(&all, 0, 0);
        assert_eq!(idx.len(), 10);
        assert_eq!(left_out, 0);
    }

    #[test]
    fn nothing_is_selected_when_top_n_is_zero_and_nothing_matched() {
        let all = vec![proc(1, 50.0, 1, 1, false)];
        assert_eq!(select(&all, 0, 10), (vec![], 0));
        assert_eq!(select(&[], 10, 10), (vec![], 0));
    }

    #[test]
    fn excluded_processes_take_no_place_in_top_n_or_under_the_cap() {
        let mut all = vec![
            proc(1, 90.0, 9, 900, true),
            proc(2, 80.0, 8, 800, true),
            proc(3, 1.0, 1, 10, true),
            proc(4, 2.0, 2, 20, true),
        ];
        all[0].excluded = true;
        all[1].excluded = true;
        let (chosen, left_out) = select(&all, 1, 2);
        let pids: Vec<u32> = chosen.iter().map(|&i| all[i].pid).collect();
        assert_eq!(pids, vec![4, 3]);
        assert_eq!(left_out, 0);
    }
}
