//! A backend wrapper that records which items every request evaluated, per
//! stream, and checks that a stream's read frontier only moves forward:
//! within a page no request evaluates an item an earlier request of the
//! page evaluated, and across the pages of one pagination no request
//! evaluates again an item before the cursor's position (the run of ties
//! at it excepted). Items a page read past its last row are read again by
//! the next page, which must emit them: a cursor is a position, not a
//! store of rows.
//!
//! What a request evaluated is learnt by sending the same request (key
//! condition, `ExclusiveStartKey`, `Limit`, direction) again without its
//! filter and projection: `Limit` counts items before the filter, so the
//! unfiltered response holds exactly the items the real one evaluated.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use dynaquery::{
    Backend, BatchGetRequest, BatchGetResponse, Engine, Item, Query, ReadRequest, ReadResponse, Value,
};

/// A stream: its partition values and leading sort equalities.
type StreamId = String;

/// Evaluated items of one stream on one page: primary key → sort value.
type Seen = BTreeMap<String, Option<Value>>;

pub struct Recording<B> {
    inner: B,
    /// The primary key attributes, to name items.
    pk: Vec<String>,
    /// The sort-key column the streams are ordered and narrowed by.
    col: String,
    /// The items checked (`None`: all): an item whose position on the
    /// index is not its value of `col` (another entity of a single-table
    /// design, its key composed from other parts) cannot be placed
    /// against the cursor.
    checked: Option<fn(&Item) -> bool>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Per stream, what this page evaluated.
    page: BTreeMap<StreamId, Seen>,
    /// Per stream, what earlier pages evaluated.
    earlier: BTreeMap<StreamId, Seen>,
    /// Items evaluated on each page, in order.
    per_page: Vec<u64>,
    /// The cursor row's value on the column.
    cursor_at: Option<Value>,
    violations: Vec<String>,
    requests: u64,
}

impl<B: Backend> Recording<B> {
    pub fn new(inner: B, pk: &[&str], col: &str) -> Self {
        Recording {
            inner,
            pk: pk.iter().map(|s| s.to_string()).collect(),
            col: col.to_owned(),
            checked: None,
            state: Mutex::new(State { per_page: vec![0], ..State::default() }),
        }
    }

    /// Checks only the items `f` accepts (see [`Recording::checked`]).
    #[allow(dead_code)]
    pub fn checking_only(mut self, f: fn(&Item) -> bool) -> Self {
        self.checked = Some(f);
        self
    }

    /// Ends a page whose last row is `last` (the next page's cursor
    /// position; `None` at the end): the next page may evaluate again what
    /// lies at or after its value, and nothing before it.
    pub fn end_page(&self, last: Option<&Item>) {
        let mut st = self.state.lock().unwrap();
        let page = std::mem::take(&mut st.page);
        for (stream, seen) in page {
            st.earlier.entry(stream).or_default().extend(seen);
        }
        st.per_page.push(0);
        st.cursor_at = last.and_then(|l| l.get(&self.col)).cloned();
    }

    /// Every violation of the invariant seen so far.
    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    /// Items evaluated per page, pages in order.
    pub fn items_per_page(&self) -> Vec<u64> {
        let st = self.state.lock().unwrap();
        let mut v = st.per_page.clone();
        if v.last() == Some(&0) {
            v.pop();
        }
        v
    }

    pub fn requests(&self) -> u64 {
        self.state.lock().unwrap().requests
    }

    fn name(&self, item: &Item) -> String {
        self.pk.iter().map(|k| format!("{:?}", item.get(k))).collect::<Vec<_>>().join("|")
    }
}

fn stream_id(request: &ReadRequest) -> StreamId {
    match &request.key {
        Some(k) => format!("{:?}|{:?}|{:?}", request.index, k.partition, k.sort_eq),
        None => format!("{:?}|scan", request.index),
    }
}

impl<B: Backend> Backend for Recording<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        let mut bare = request.clone();
        bare.filter = None;
        bare.projection = None;
        let evaluated = self.inner.read(bare).await?;
        let response = self.inner.read(request.clone()).await?;
        let id = stream_id(&request);
        let mut st = self.state.lock().unwrap();
        st.requests += 1;
        *st.per_page.last_mut().unwrap() += evaluated.scanned_count;
        let mut dup = BTreeSet::new();
        for item in &evaluated.items {
            let name = self.name(item);
            let value = item.get(&self.col).cloned();
            let again_on_page = st.page.get(&id).is_some_and(|s| s.contains_key(&name));
            let before_cursor =
                match (&value, &st.cursor_at) {
                    (Some(v), Some(at)) => v.cmp_same_type(at).is_some_and(|o| {
                        if request.scan_forward {
                            o.is_lt()
                        } else {
                            o.is_gt()
                        }
                    }),
                    _ => true,
                };
            let checked = self.checked.is_none_or(|f| f(item));
            let again_across =
                checked && st.earlier.get(&id).is_some_and(|s| s.contains_key(&name)) && before_cursor;
            if again_on_page || again_across {
                dup.insert(format!(
                    "{name} ({}: {value:?})",
                    if again_on_page { "this page" } else { "an earlier page" }
                ));
            }
            st.page.entry(id.clone()).or_default().insert(name, value);
        }
        if !dup.is_empty() {
            let msg = format!("stream {id}: {request:?} evaluated again: {dup:?}");
            st.violations.push(msg);
        }
        Ok(response)
    }

    /// Forwarded as it is: a `BatchGetItem` reads no index stream.
    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        self.inner.batch_get(request).await
    }
}

/// Every page of `q` through a recording backend, telling it where each
/// page ended, and checking the pagination's contract as it goes: a
/// cursor only after a full page, and never a cursor to an empty page.
pub async fn pages<B: Backend>(
    engine: &Engine<Recording<B>>,
    q: &Query,
    max_pages: usize,
) -> Result<Vec<Vec<Item>>, String> {
    let mut out: Vec<Vec<Item>> = Vec::new();
    let mut q = q.clone();
    for _ in 0..max_pages {
        let page = engine.fetch(&q).await.map_err(|e| format!("{e:?}"))?;
        if page.rows.is_empty() && !out.is_empty() {
            return Err(format!("page {} is empty: the page before it carried a cursor", out.len() + 1));
        }
        let full = page.rows.len() == q.get_limit();
        engine.backend().end_page(page.rows.last().filter(|_| page.next_cursor.is_some()));
        out.push(page.rows);
        match page.next_cursor {
            Some(c) if full => q = q.cursor(c),
            Some(_) => return Err("a short page carried a cursor".into()),
            None => return Ok(out),
        }
    }
    Err(format!("more than {max_pages} pages"))
}
