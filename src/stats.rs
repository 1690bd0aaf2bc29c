//! What a page cost.

/// Measured costs of one page, reported on every [`Page`](crate::Page).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct QueryStats {
    /// Parallel streams (partition-key values) the plan fans out to.
    pub streams: usize,
    /// DynamoDB `Query`/`Scan` calls whose responses the page used.
    pub calls: u64,
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
    /// Read capacity units consumed, when the backend reports them.
    pub consumed_capacity: Option<f64>,
    /// Most rows held in memory at once (stream buffers, tie runs, top-N heap).
    pub peak_buffered_rows: usize,
    /// The same figures per stream, in the plan's stream order.
    pub per_stream: Vec<StreamStats>,
}

/// Measured costs of one stream (one partition-key value) for one page.
#[derive(Debug, Clone, Default, PartialEq)]
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
