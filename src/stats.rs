//! What a page cost.

/// Measured costs of one page, reported on every [`Page`](crate::Page).
///
/// With the `serde` feature it serializes as a map of these fields
/// (`sizing_start` as `"cold"`, `"warm"`, `"hinted"` or `"resumed"`); a
/// missing field deserializes to its default.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(default))]
#[non_exhaustive]
pub struct QueryStats {
    /// Parallel streams (partition-key values) the plan fans out to.
    pub streams: usize,
    /// DynamoDB `Query`/`Scan` calls answered while the page ran (a read
    /// ahead past a run of ties counts, see
    /// [`reads_ahead`](QueryStats::reads_ahead), even when the page ended
    /// inside the run and used none of its rows).
    pub calls: u64,
    /// Reads past a run of ties sent in the same round trip as the request
    /// that reads the rest of the run (on a cold first page, when its round
    /// plans to read on past the run): they save a round trip when the page
    /// needs rows past the run, and cost their reads when it does not.
    /// Counted when sent: one answered is in [`calls`](QueryStats::calls)
    /// too, one still in flight when the page was complete in
    /// [`abandoned_calls`](QueryStats::abandoned_calls).
    pub reads_ahead: u64,
    /// Prefetch requests still in flight when the page was complete; they are
    /// cancelled (dropped), and whatever they read is not in `items_read`.
    pub abandoned_calls: u64,
    /// Items DynamoDB evaluated (`ScannedCount` summed): what it bills for.
    pub items_read: u64,
    /// Items DynamoDB returned after its filter (`Count` summed).
    pub items_returned: u64,
    /// Rows handed to the caller.
    pub rows: u64,
    /// Sequential round trips on the critical path: the longest chain of
    /// requests where each was issued after the previous one's response.
    pub round_trips: u32,
    /// Read capacity units consumed, when the backend reports them
    /// (`Query`/`Scan` and `BatchGetItem` calls together).
    pub consumed_capacity: Option<f64>,
    /// `BatchGetItem` calls made to fetch, for the page's rows, the
    /// attributes a `KEYS_ONLY`/`INCLUDE` index does not project
    /// ([`Plan::fetch`](crate::Plan::fetch)); retries of unprocessed keys
    /// count. Not in [`calls`](QueryStats::calls); each is one
    /// [`round_trip`](QueryStats::round_trips).
    pub batch_get_calls: u64,
    /// Items those `BatchGetItem` calls returned.
    pub items_fetched: u64,
    /// Most rows held in memory at once (stream buffers, tie runs, top-N heap).
    pub peak_buffered_rows: usize,
    /// The same figures per stream, in the plan's stream order.
    pub per_stream: Vec<StreamStats>,
    /// How the page's request sizing started: cold, warm (from what the
    /// engine observed for the same query before), from the caller's
    /// selectivity hint, or resumed from the cursor.
    #[cfg_attr(feature = "serde", serde(with = "sizing_start"))]
    pub sizing_start: crate::SizingStart,
    /// The `LIMIT` the query asked for, when it was above
    /// [`Options::max_page_size`](crate::Options::max_page_size) and the page
    /// was lowered to that cap (so a full page holds fewer rows than asked
    /// for, and `next_cursor` continues); `None` when the `LIMIT` ran as
    /// asked. Set
    /// [`Options::reject_oversized_limit`](crate::Options::reject_oversized_limit)
    /// to refuse such a `LIMIT` instead.
    pub limit_clamped_from: Option<usize>,
}

/// Measured costs of one stream (one partition-key value) for one page.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(default))]
#[non_exhaustive]
pub struct StreamStats {
    /// Calls whose responses the page used.
    pub calls: u64,
    /// Items DynamoDB evaluated for this stream.
    pub items_read: u64,
    /// Rows that passed every filter.
    pub rows_matched: u64,
    /// Rows the merge took from this stream.
    pub rows_taken: u64,
}

impl QueryStats {
    /// Adds the costs of `other` (another page of the same plan) to these:
    /// counts are summed, peaks are maxed, per-stream figures are summed
    /// stream by stream. `rows` is left alone: skipped rows are not handed
    /// to the caller.
    pub(crate) fn absorb(&mut self, other: &QueryStats) {
        self.streams = self.streams.max(other.streams);
        self.calls += other.calls;
        self.reads_ahead += other.reads_ahead;
        self.abandoned_calls += other.abandoned_calls;
        self.items_read += other.items_read;
        self.items_returned += other.items_returned;
        self.round_trips += other.round_trips;
        self.batch_get_calls += other.batch_get_calls;
        self.items_fetched += other.items_fetched;
        self.consumed_capacity = match (self.consumed_capacity, other.consumed_capacity) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        self.peak_buffered_rows = self.peak_buffered_rows.max(other.peak_buffered_rows);
        if self.per_stream.len() < other.per_stream.len() {
            self.per_stream.resize(other.per_stream.len(), StreamStats::default());
        }
        for (mine, theirs) in self.per_stream.iter_mut().zip(&other.per_stream) {
            mine.calls += theirs.calls;
            mine.items_read += theirs.items_read;
            mine.rows_matched += theirs.rows_matched;
            mine.rows_taken += theirs.rows_taken;
        }
    }
}

/// [`SizingStart`](crate::SizingStart) as a lowercase name.
#[cfg(feature = "serde")]
mod sizing_start {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::SizingStart;

    pub(super) fn serialize<S: Serializer>(v: &SizingStart, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match v {
            SizingStart::Cold => "cold",
            SizingStart::Warm => "warm",
            SizingStart::Hinted => "hinted",
            SizingStart::Resumed => "resumed",
        })
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SizingStart, D::Error> {
        Ok(match String::deserialize(d)?.as_str() {
            "cold" => SizingStart::Cold,
            "warm" => SizingStart::Warm,
            "hinted" => SizingStart::Hinted,
            "resumed" => SizingStart::Resumed,
            other => {
                return Err(serde::de::Error::unknown_variant(other, &["cold", "warm", "hinted", "resumed"]))
            }
        })
    }
}
