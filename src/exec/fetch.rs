//! The `BatchGetItem` fetch of a plan on a thin (`KEYS_ONLY`/`INCLUDE`)
//! GSI: once a page's rows are known, the attributes the index lacks are
//! read for those rows only, and merged into them.
//!
//! ```text
//! page rows (index items) ──chunks of ≤100 keys──▶ Backend::batch_get
//!        ▲                                            │ items, unprocessed keys
//!        └──── merge attributes the row lacks ◀───────┘ (retried, backoff)
//! ```
//!
//! Retrying unprocessed keys lives here, once, not in each backend. A page
//! fetches each row at most once ([`Filled`]): a run of ties fetched for
//! an `ORDER BY` attribute the index lacks is not fetched again for the
//! filter after the fetch or the output.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::backend::{Backend, BatchGetRequest, MAX_BATCH_GET_KEYS};
use crate::encoding::{encode_into, Direction};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::{Fetch, Plan};
use crate::stats::QueryStats;
use crate::value::Item;

/// Calls for one chunk of keys before unprocessed keys become an error.
pub(crate) const MAX_ATTEMPTS: u32 = 8;
/// The first backoff; each retry doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(20);
/// The longest backoff between two calls for one chunk.
const MAX_BACKOFF: Duration = Duration::from_millis(1000);

/// The table keys (encoded) of the rows a page has filled: a row fetched
/// once — with a run of ties, before it was sorted — is not fetched again
/// for the filter after the fetch or the output.
pub(crate) type Filled = HashSet<Vec<u8>>;

/// Fetches `fetch`'s attributes for `rows` and merges them in: an
/// attribute a row already holds (from the index) is kept as it is, so
/// the row stays where the page put it. A row whose item is gone is
/// removed. Rows whose key is in `filled` are left as they are, and the
/// rows filled here are added to it. Costs go to `stats`.
///
/// # Errors
/// The backend's; [`ErrorKind::Throttled`] when keys are still
/// unprocessed after [`MAX_ATTEMPTS`] calls.
pub(crate) async fn fill<B: Backend>(
    plan: &Plan,
    fetch: &Fetch,
    backend: &B,
    rows: &mut Vec<Item>,
    stats: &mut QueryStats,
    filled: &mut Filled,
) -> Result<()> {
    let pk: &[String] = &fetch.table_key;
    let encoded: Vec<Vec<u8>> = rows.iter().map(|r| encode_key(r, pk)).collect::<Result<_>>()?;
    let done: Vec<bool> = encoded.iter().map(|k| filled.contains(k)).collect();
    let keys: Vec<Item> = rows.iter().zip(&done).filter(|(_, d)| !**d).map(|(r, _)| key_of(r, pk)).collect();
    if keys.is_empty() {
        return Ok(());
    }
    let mut found = get_all(plan, fetch, backend, &keys, stats).await?;
    let mut kept = Vec::with_capacity(rows.len());
    for ((mut row, key), done) in std::mem::take(rows).into_iter().zip(encoded).zip(done) {
        if !done {
            let Some(item) = found.remove(&key) else { continue };
            for (k, v) in item {
                row.entry(k).or_insert(v);
            }
            filled.insert(key);
        }
        kept.push(row);
    }
    *rows = kept;
    Ok(())
}

/// Reads `keys` with `BatchGetItem` in chunks of at most
/// [`MAX_BATCH_GET_KEYS`], retrying unprocessed keys with backoff: the
/// items found, by encoded key.
async fn get_all<B: Backend>(
    plan: &Plan,
    fetch: &Fetch,
    backend: &B,
    keys: &[Item],
    stats: &mut QueryStats,
) -> Result<HashMap<Vec<u8>, Item>> {
    let pk: &[String] = &fetch.table_key;
    let projection = fetch.attributes.as_ref().map(|attrs| {
        let mut p = pk.to_vec();
        p.extend(attrs.iter().filter(|a| !pk.contains(a)).cloned());
        p
    });
    let mut found: HashMap<Vec<u8>, Item> = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(MAX_BATCH_GET_KEYS) {
        let mut pending: Vec<Item> = chunk.to_vec();
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 0;
        while !pending.is_empty() {
            attempt += 1;
            if attempt > 1 {
                sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            let mut request = BatchGetRequest::new(plan.table.clone(), std::mem::take(&mut pending));
            request.projection = projection.clone();
            let response = backend.batch_get(request).await?;
            stats.batch_get_calls += 1;
            stats.round_trips += 1;
            if let Some(c) = response.consumed_capacity {
                stats.consumed_capacity = Some(stats.consumed_capacity.unwrap_or(0.0) + c);
            }
            stats.items_fetched += response.items.len() as u64;
            for item in response.items {
                found.insert(encode_key(&item, pk)?, item);
            }
            pending = response.unprocessed_keys;
            if !pending.is_empty() && attempt >= MAX_ATTEMPTS {
                return Err(Error::new(
                    ErrorKind::Throttled,
                    format!(
                        "BatchGetItem on table `{}` still left {} keys unprocessed after {MAX_ATTEMPTS} calls \
                         with backoff; retry the page later",
                        plan.table,
                        pending.len()
                    ),
                )
                .with_retryable(true));
            }
        }
    }
    Ok(found)
}

fn key_of(row: &Item, pk: &[String]) -> Item {
    pk.iter().filter_map(|a| row.get(a).map(|v| (a.clone(), v.clone()))).collect()
}

/// The key's values as one byte string (key attributes are scalars).
fn encode_key(item: &Item, pk: &[String]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for a in pk {
        encode_into(&mut out, item.get(a), Direction::Asc).map_err(|e| crate::exec::unorderable(a, e))?;
    }
    Ok(out)
}

/// A runtime-agnostic sleep (the crate does not tie itself to tokio): a
/// thread sleeps and wakes the future through a channel.
pub(crate) async fn sleep(d: Duration) {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(d);
        let _ = tx.send(());
    });
    let _ = rx.await;
}
