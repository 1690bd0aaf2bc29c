//! Signed and expiring cursors: an envelope around the cursor body.
//!
//! Without keys and without a time-to-live, a cursor is the bare body
//! (version byte 1, the plain cursor body). With either, it is:
//!
//! ```text
//! 0x02 │ key id (1) │ flags (1) │ issued at, Unix seconds (u64 BE) │ body │ HMAC-SHA256 (32)
//!                     bit 0: signed — the MAC is present
//! ```
//!
//! The MAC covers every byte before it. It is checked — in constant time —
//! before anything else in the cursor is parsed, so a tampered cursor is
//! rejected without looking at its contents. Keys rotate: cursors are signed
//! with the first key of [`Options::cursor_keys`](crate::Options::cursor_keys)
//! and verified with whichever listed key their key id names.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::options::Options;

/// First byte of a sealed cursor; distinct from every body version in `cursor`.
const ENVELOPE: u8 = 2;
const SIGNED: u8 = 1;
const MAC_LEN: usize = 32;
const HEADER: usize = 1 + 1 + 1 + 8;

/// A cursor-signing key: an id (carried in the cursor, to pick the key when
/// verifying) and a secret of at least 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct CursorKey {
    id: u8,
    secret: Vec<u8>,
}

impl CursorKey {
    /// A key with this id and secret.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) when the
    /// secret is shorter than 32 bytes.
    pub fn new(id: u8, secret: impl Into<Vec<u8>>) -> Result<Self> {
        let secret = secret.into();
        if secret.len() < 32 {
            return Err(Error::invalid_query(format!(
                "cursor key {id}: the secret has {} bytes; use at least 32 random bytes",
                secret.len()
            )));
        }
        Ok(CursorKey { id, secret })
    }

    /// The key id.
    pub fn id(&self) -> u8 {
        self.id
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).unwrap_or_else(|_| unreachable!())
    }
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CursorKey {{ id: {}, secret: <{} bytes> }}", self.id, self.secret.len())
    }
}

fn now_secs(options: &Options) -> u64 {
    options.now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Wraps `body` as the options require.
pub(crate) fn seal(body: Vec<u8>, options: &Options) -> Vec<u8> {
    let key = options.cursor_keys.first();
    if key.is_none() && options.cursor_ttl.is_none() {
        return body;
    }
    let mut out = Vec::with_capacity(HEADER + body.len() + MAC_LEN);
    out.push(ENVELOPE);
    out.push(key.map_or(0, CursorKey::id));
    out.push(if key.is_some() { SIGNED } else { 0 });
    out.extend_from_slice(&now_secs(options).to_be_bytes());
    out.extend_from_slice(&body);
    if let Some(k) = key {
        let mut mac = k.mac();
        mac.update(&out);
        out.extend_from_slice(&mac.finalize().into_bytes());
    }
    out
}

fn reject(why: &str) -> Error {
    Error::invalid_cursor(format!("{why}; restart from the first page"))
}

/// Checks the envelope and returns the body.
pub(crate) fn open<'a>(raw: &'a [u8], options: &Options) -> Result<&'a [u8]> {
    let enveloped = raw.first() == Some(&ENVELOPE);
    if !enveloped {
        if !options.cursor_keys.is_empty() {
            return Err(reject("the cursor is not signed, and this service only accepts signed cursors"));
        }
        if options.cursor_ttl.is_some() {
            return Err(reject("the cursor carries no issue time, and this service's cursors expire"));
        }
        return Ok(raw);
    }
    if raw.len() < HEADER {
        return Err(reject("the cursor is truncated"));
    }
    let (id, flags) = (raw[1], raw[2]);
    let body_end = if flags & SIGNED != 0 {
        let key = options.cursor_keys.iter().find(|k| k.id == id).ok_or_else(|| {
            if options.cursor_keys.is_empty() {
                reject("the cursor is signed, but this service has no cursor keys to verify it")
            } else {
                reject(&format!("the cursor was signed with key {id}, which this service no longer accepts"))
            }
        })?;
        let Some(end) = raw.len().checked_sub(MAC_LEN).filter(|e| *e >= HEADER) else {
            return Err(reject("the cursor is truncated"));
        };
        let mut mac = key.mac();
        mac.update(&raw[..end]);
        mac.verify_slice(&raw[end..])
            .map_err(|_| reject("the cursor's signature does not match (it was altered)"))?;
        end
    } else {
        if !options.cursor_keys.is_empty() {
            return Err(reject("the cursor is not signed, and this service only accepts signed cursors"));
        }
        raw.len()
    };
    if let Some(ttl) = options.cursor_ttl {
        let mut at = [0u8; 8];
        at.copy_from_slice(&raw[3..HEADER]);
        let issued = u64::from_be_bytes(at);
        let now = now_secs(options);
        let age = Duration::from_secs(now.saturating_sub(issued));
        if age > ttl {
            return Err(reject(&format!(
                "the cursor expired ({}s old, the limit is {}s)",
                age.as_secs(),
                ttl.as_secs()
            )));
        }
        if issued > now + 300 {
            return Err(reject("the cursor was issued in the future"));
        }
    }
    Ok(&raw[HEADER..body_end])
}

/// The current time, as [`Options`] sees it.
pub(crate) fn system_now() -> SystemTime {
    SystemTime::now()
}
