//! How long things took: median, 90th percentile and the share within the policy target, from a
//! histogram of durations (days or hours), under the same threshold as every published count.

use crate::disclosure::Control;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelinessSummary {
    /// How many decisions (or appointments) were measured, rounded down to the resolution.
    pub count: Option<u64>,
    pub median: Option<i64>,
    pub p90: Option<i64>,
    /// Share within the target, whole per cent (rounded down).
    pub within_target_percent: Option<u64>,
    pub target: Option<i64>,
    /// Fewer than k measured: nothing about the group is published.
    pub suppressed: bool,
}

/// The value at nearest rank `ceil(q * n)` of a histogram sorted by value.
fn percentile(sorted: &[(i64, u64)], n: u64, q_per_mille: u64) -> Option<i64> {
    if n == 0 {
        return None;
    }
    let rank = (q_per_mille * n).div_ceil(1000).max(1);
    let mut seen = 0;
    for (value, count) in sorted {
        seen += count;
        if seen >= rank {
            return Some(*value);
        }
    }
    sorted.last().map(|(v, _)| *v)
}

/// Summarise `histogram` (value, how many) against `target` (values ≤ target are on time).
pub fn summarise(histogram: &[(i64, u64)], target: Option<i64>, c: Control) -> TimelinessSummary {
    let on_time = target.map(|t| {
        histogram
            .iter()
            .filter(|(v, _)| *v <= t)
            .map(|(_, k)| k)
            .sum()
    });
    summarise_on_time(histogram, on_time, target, c)
}

/// As [`summarise`], with the number on time counted elsewhere (a target in working days is
/// decided per case when it is recorded, not from the number of calendar days).
pub fn summarise_on_time(
    histogram: &[(i64, u64)],
    on_time: Option<u64>,
    target: Option<i64>,
    c: Control,
) -> TimelinessSummary {
    let mut sorted: Vec<(i64, u64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_unstable();
    let n: u64 = sorted.iter().map(|(_, k)| k).sum();
    if c.below_threshold(n) {
        return TimelinessSummary {
            count: None,
            median: None,
            p90: None,
            within_target_percent: None,
            target,
            suppressed: true,
        };
    }
    let within = on_time.map(|k| k.min(n) * 100 / n);
    TimelinessSummary {
        count: Some(c.rounded(n)),
        median: percentile(&sorted, n, 500),
        p90: percentile(&sorted, n, 900),
        within_target_percent: within,
        target,
        suppressed: false,
    }
}
