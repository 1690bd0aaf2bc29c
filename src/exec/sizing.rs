//! How many items to ask each stream for next.
//!
//! `Limit` counts items evaluated before the filter, so a fixed overfetch
//! gives short pages when the filter is selective and wasted reads when it is
//! not. Instead each request asks for what the page still needs from this
//! stream, divided by the selectivity observed on it so far.

/// The selectivity assumed before a stream has returned anything, when the
/// plan filters (EXPLAIN says so).
pub const PRIOR_SELECTIVITY: f64 = 0.25;

/// Weight of the prior, in items, in the running selectivity estimate.
const PRIOR_WEIGHT: f64 = 4.0;

/// Largest `Limit` the sizing asks for (DynamoDB's 1 MB page cap applies anyway).
const MAX_LIMIT: f64 = 10_000.0;

/// What sizing needs to know about one stream.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Observed {
    /// Items evaluated so far.
    pub scanned: u64,
    /// Items that passed every filter so far.
    pub matched: u64,
    /// Rows taken from this stream by the merge so far.
    pub taken: u64,
    /// Rows buffered, not yet taken.
    pub buffered: usize,
}

/// Rows the page still wants from one stream: its share of the remaining
/// need, by the share of rows it supplied so far (even at first).
pub(crate) fn wanted(obs: &Observed, need: usize, taken_total: u64, active: usize) -> usize {
    let active = active.max(1) as f64;
    let share = (obs.taken as f64 + 1.0) / (taken_total as f64 + active);
    let want = (need as f64 * share.min(1.0)).ceil() as usize;
    want.saturating_sub(obs.buffered)
}

/// The `Limit` for the next request of a stream that should yield `want` rows.
pub(crate) fn limit_for(obs: &Observed, want: usize, filtered: bool) -> u32 {
    let selectivity = if filtered {
        (obs.matched as f64 + PRIOR_SELECTIVITY * PRIOR_WEIGHT) / (obs.scanned as f64 + PRIOR_WEIGHT)
    } else {
        1.0
    };
    let items = (want.max(1) as f64 / selectivity.max(1e-3)).ceil();
    items.clamp(1.0, MAX_LIMIT) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfiltered_asks_for_exactly_the_share() {
        let o = Observed::default();
        assert_eq!(wanted(&o, 51, 0, 2), 26);
        assert_eq!(limit_for(&o, 26, false), 26);
    }

    #[test]
    fn follows_observed_selectivity() {
        let o = Observed { scanned: 100, matched: 10, taken: 10, buffered: 0 };
        let l = limit_for(&o, 20, true);
        assert!((180..=200).contains(&l), "{l}");
    }
}
