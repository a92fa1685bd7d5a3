//! Groups of a grouped reduction (flox's map-reduce), and which of them the partial
//! result over some positions carries: only the groups present there. A chunk of a
//! daily resample holds a few days of 4,000, so its partial result is a few days wide,
//! not 4,000; combining chunks widens the result to the groups of their positions.

use std::ops::Range;
use std::sync::Arc;

/// Which group each position along a reduced axis belongs to (`usize::MAX`: none),
/// and how many groups there are.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Groups {
    pub(crate) of: Arc<[usize]>,
    pub(crate) count: usize,
}

impl Groups {
    /// The groups with positions in `span`, in order: those a partial result over the
    /// span carries. Group 0 alone when none has (a partial result is never empty; it
    /// carries no positions then).
    pub(crate) fn present(&self, span: Range<usize>) -> Vec<usize> {
        let mut seen = vec![false; self.count];
        for &g in &self.of[span] {
            if let Some(seen) = seen.get_mut(g) {
                *seen = true;
            }
        }
        let ids: Vec<usize> = (0..self.count).filter(|&g| seen[g]).collect();
        if ids.is_empty() { vec![0] } else { ids }
    }
}

/// The groups of a grouped partial step, and the positions of the reduced axis each of
/// its chunks along that axis covers.
#[derive(Debug, Clone)]
pub(crate) struct Grouped {
    pub(crate) groups: Groups,
    spans: Arc<[Range<usize>]>,
}

impl Grouped {
    /// Partial results over chunks of `lengths` along the reduced axis.
    pub(crate) fn new(groups: Groups, lengths: &[usize]) -> Self {
        let spans = lengths
            .iter()
            .scan(0, |start, &n| {
                *start += n;
                Some(*start - n..*start)
            })
            .collect();
        Self { groups, spans }
    }

    /// Partial results of these combined, output chunk `j` from chunks `members[j]`.
    pub(crate) fn combined(&self, members: &[Range<usize>]) -> Self {
        let spans = members
            .iter()
            .map(|m| self.spans[m.start].start..self.spans[m.end - 1].end)
            .collect();
        Self {
            groups: self.groups.clone(),
            spans,
        }
    }

    /// The groups chunk `k` along the reduced axis carries, in order.
    pub(crate) fn ids(&self, k: usize) -> Vec<usize> {
        self.groups.present(self.spans[k].clone())
    }

    /// These chunks in runs that no group spans (flox's cohorts), each run's groups
    /// before the next's: runs reduce on their own, so a
    /// daily resample combines the chunks of a day, not of the whole axis. One run of
    /// every chunk when groups interleave (a monthly climatology over many years).
    pub(crate) fn cohorts(&self) -> Vec<Range<usize>> {
        let Groups { of, count } = &self.groups;
        let (n, count, chunks) = (of.len(), *count, self.spans.len());
        // How many groups have positions on both sides of each position's start.
        let mut first = vec![usize::MAX; count];
        let mut last = vec![0; count];
        for (p, &g) in of.iter().enumerate() {
            if g < count {
                first[g] = first[g].min(p);
                last[g] = p;
            }
        }
        let mut opened = vec![0i64; n + 1];
        for (&a, &b) in first.iter().zip(&last).filter(|(a, _)| **a != usize::MAX) {
            opened[a + 1] += 1;
            opened[b + 1] -= 1;
        }
        let across: Vec<i64> = opened
            .iter()
            .scan(0, |open, &d| {
                *open += d;
                Some(*open)
            })
            .collect();
        let mut cohorts: Vec<Range<usize>> = Vec::new();
        let (mut start, mut labelled, mut highest) = (0, false, None::<usize>);
        for (c, span) in self.spans.iter().enumerate() {
            let groups = of[span.clone()].iter().filter(|&&g| g < count);
            let lowest = groups.clone().min().copied();
            if let Some(lowest) = lowest
                && labelled
                && across[span.start] == 0
            {
                if highest.is_some_and(|h| h >= lowest) {
                    // Groups out of order along the axis: no runs.
                    return std::iter::once(0..chunks).collect();
                }
                cohorts.push(start..c);
                start = c;
            }
            labelled |= lowest.is_some();
            highest = highest.max(groups.max().copied());
        }
        cohorts.push(start..chunks);
        cohorts
    }

    /// How many groups each chunk along the reduced axis carries.
    pub(crate) fn widths(&self) -> Vec<usize> {
        (0..self.spans.len()).map(|k| self.ids(k).len()).collect()
    }

    /// The groups of the result, chunk by chunk, when each of these chunks is a cohort
    /// of its own: from its first group (the first chunk from group 0) to the next's
    /// first (the last to the last group), groups without positions included.
    pub(crate) fn results(&self) -> Vec<Range<usize>> {
        let starts: Vec<usize> = (0..self.spans.len())
            .map(|k| if k == 0 { 0 } else { self.ids(k)[0] })
            .chain([self.groups.count])
            .collect();
        starts.windows(2).map(|w| w[0]..w[1]).collect()
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // runs of chunks, one run or several
mod tests {
    use super::*;

    #[test]
    fn chunks_carry_the_groups_of_their_positions() {
        // Positions 0..8 in groups 0 0 1 1 - 3 3 3 (group 2 has none, 4 is unlabelled).
        let groups = Groups {
            of: vec![0, 0, 1, 1, usize::MAX, 3, 3, 3].into(),
            count: 4,
        };
        let grouped = Grouped::new(groups, &[3, 2, 3]);
        assert_eq!(grouped.ids(0), [0, 1]);
        assert_eq!(grouped.ids(1), [1]);
        assert_eq!(grouped.widths(), [2, 1, 1]);
        let combined = grouped.combined(&[0..2, 2..3]);
        assert_eq!(combined.ids(0), [0, 1]);
        assert_eq!(combined.ids(1), [3]);
        assert_eq!(combined.results(), [0..3, 3..4]);
        assert_eq!(combined.combined(&[0..2]).ids(0), [0, 1, 3]);
    }

    #[test]
    fn cohorts_are_runs_of_chunks_no_group_spans() {
        // Days of four positions: in chunks of 3, every day but the first spans two.
        let days = Groups {
            of: (0..12).map(|p| p / 4).collect::<Vec<_>>().into(),
            count: 3,
        };
        assert_eq!(Grouped::new(days.clone(), &[3, 3, 3, 3]).cohorts(), [0..4]);
        assert_eq!(
            Grouped::new(days.clone(), &[2, 2, 4, 4]).cohorts(),
            [0..2, 2..3, 3..4]
        );
        assert_eq!(Grouped::new(days, &[4, 4, 4]).cohorts(), [0..1, 1..2, 2..3]);
        // Unlabelled chunks join the run before them (the first run, at the start).
        let gaps = Groups {
            of: vec![usize::MAX, 0, 0, usize::MAX, 1, 1].into(),
            count: 2,
        };
        assert_eq!(Grouped::new(gaps, &[1, 2, 1, 2]).cohorts(), [0..3, 3..4]);
        // Months of two years: every chunk in one run.
        let months = Groups {
            of: vec![0, 1, 0, 1].into(),
            count: 2,
        };
        assert_eq!(Grouped::new(months, &[1, 1, 1, 1]).cohorts(), [0..4]);
        // Groups out of order along the axis: one run.
        let reversed = Groups {
            of: vec![1, 1, 0, 0].into(),
            count: 2,
        };
        assert_eq!(Grouped::new(reversed, &[2, 2]).cohorts(), [0..2]);
    }

    #[test]
    fn positions_without_groups_carry_group_zero() {
        let groups = Groups {
            of: vec![usize::MAX, usize::MAX, 2].into(),
            count: 3,
        };
        assert_eq!(Grouped::new(groups, &[2, 1]).ids(0), [0]);
    }
}
