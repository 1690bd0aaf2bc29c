//! A row's key bytes, held inline when short so that building a row
//! allocates nothing, and the `memcmp` the merge compares them with.
//!
//! A key of a timestamp or number, a short string and a number fits the
//! inline buffer; longer ones spill to the heap. Keys are short, so
//! [`compare`] walks them eight bytes at a time instead of calling `memcmp`.
//! A key also keeps where its merge prefix ends (its *split*): inside the
//! key, that costs no space, and a row is one 64-byte cache line.
//!
//! ```text
//! Key::Inline  [len | split | b0 b1 … b(len-1) | unused …]   (no allocation)
//! Key::Heap    Box<[u8]>, split                             (len > INLINE)
//! ```
//!
//! A row's key is encoded straight into an [`InlineBuf`] (an encoding
//! [`Sink`]), which becomes the inline key as it is; only a key that
//! overflows it is encoded again into a `Vec` and moved to the heap.

use std::cmp::Ordering;

use crate::encoding::Sink;

/// Bytes kept inline; with the length, the split and the tag the type is
/// 40 bytes.
const INLINE: usize = 37;

/// `PREFIX_MASKS[n]` keeps the first `n` bytes of a big-endian `u128`.
const PREFIX_MASKS: [u128; 17] = {
    let mut m = [0u128; 17];
    let mut n = 1;
    while n <= 16 {
        m[n] = u128::MAX << (128 - 8 * n);
        n += 1;
    }
    m
};

/// Byte string, inline up to [`INLINE`] bytes, with a split point.
#[derive(Clone)]
pub(crate) enum Key {
    Inline { len: u8, split: u8, bytes: [u8; INLINE] },
    Heap { bytes: Box<[u8]>, split: u32 },
}

impl Key {
    /// A copy of `src`, split at `split` (at most `src.len()`).
    pub fn from_slice(src: &[u8], split: usize) -> Key {
        debug_assert!(split <= src.len());
        if src.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..src.len()].copy_from_slice(src);
            // `split <= src.len() <= INLINE < 256`, so both fit a u8.
            Key::Inline { len: src.len() as u8, split: split as u8, bytes }
        } else {
            // Keys are bounded far below 4 GiB (DynamoDB items are 400 KB).
            Key::Heap { bytes: src.into(), split: split as u32 }
        }
    }

    /// The bytes before the split.
    #[inline]
    pub fn prefix(&self) -> &[u8] {
        match self {
            Key::Inline { split, bytes, .. } => &bytes[..usize::from(*split)],
            Key::Heap { bytes, split } => &bytes[..*split as usize],
        }
    }

    /// The bytes after the split.
    #[inline]
    pub fn rest(&self) -> &[u8] {
        match self {
            Key::Inline { len, split, bytes } => &bytes[usize::from(*split)..usize::from(*len)],
            Key::Heap { bytes, split } => &bytes[*split as usize..],
        }
    }

    /// The bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes, .. } => &bytes[..usize::from(*len)],
            Key::Heap { bytes, .. } => bytes,
        }
    }

    /// The first sixteen bytes before the split, zero-padded, as a
    /// big-endian number (the merge's first comparison of two heads).
    #[inline]
    pub fn prefix_word(&self) -> u128 {
        match self {
            Key::Inline { split, bytes, .. } => {
                let head = u128::from_be_bytes(bytes[..16].try_into().expect("INLINE >= 16"));
                // Keep the bytes before the split: the top `8 * split` bits.
                head & PREFIX_MASKS[usize::from(*split).min(16)]
            }
            Key::Heap { bytes, split } => word16(&bytes[..*split as usize]),
        }
    }

    /// Where the split falls.
    #[inline]
    pub fn split(&self) -> usize {
        match self {
            Key::Inline { split, .. } => usize::from(*split),
            Key::Heap { split, .. } => *split as usize,
        }
    }
}

/// An inline key being written: an encoding [`Sink`] over the inline
/// buffer. Bytes that do not fit mark it overflowed and are dropped, and so
/// is everything after them.
pub(crate) struct InlineBuf {
    len: usize,
    bytes: [u8; INLINE],
    overflow: bool,
}

impl InlineBuf {
    /// Empty.
    pub fn new() -> InlineBuf {
        InlineBuf { len: 0, bytes: [0; INLINE], overflow: false }
    }

    /// The key, split at `split` (at most the length); `None` when the
    /// bytes did not fit.
    pub fn finish(self, split: usize) -> Option<Key> {
        debug_assert!(split <= self.len);
        // Both at most INLINE < 256.
        (!self.overflow).then_some(Key::Inline { len: self.len as u8, split: split as u8, bytes: self.bytes })
    }
}

impl Sink for InlineBuf {
    #[inline]
    fn grow(&mut self, n: usize) -> Option<&mut [u8]> {
        let (start, end) = (self.len, self.len + n);
        if self.overflow || end > INLINE {
            self.overflow = true;
            return None;
        }
        self.len = end;
        Some(&mut self.bytes[start..end])
    }

    #[inline]
    fn len(&self) -> usize {
        self.len
    }
}

/// The first sixteen bytes of `key`, zero-padded, as a big-endian number.
#[inline]
pub(crate) fn word16(key: &[u8]) -> u128 {
    let mut w = [0u8; 16];
    let n = key.len().min(16);
    w[..n].copy_from_slice(&key[..n]);
    u128::from_be_bytes(w)
}

/// Lexicographic order of unsigned bytes (what `memcmp` and `[u8]::cmp`
/// give), eight bytes per step: as fast as `memcmp` on long keys, without
/// the call on short ones.
#[inline]
pub(crate) fn compare(mut a: &[u8], mut b: &[u8]) -> Ordering {
    while let (Some((x, a_rest)), Some((y, b_rest))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if x != y {
            return u64::from_be_bytes(*x).cmp(&u64::from_be_bytes(*y));
        }
        (a, b) = (a_rest, b_rest);
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_across_the_inline_limit() {
        for n in 0..=INLINE + 3 {
            let src: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(37) | 1).collect();
            for split in 0..=n {
                let k = Key::from_slice(&src, split);
                assert_eq!(k.as_slice(), &src[..]);
                assert_eq!(k.split(), split);
                assert_eq!(k.prefix_word(), word16(&src[..split]));
                assert_eq!(matches!(k, Key::Inline { .. }), n <= INLINE);
            }
        }
    }

    #[test]
    fn is_forty_bytes() {
        assert_eq!(std::mem::size_of::<Key>(), 40);
    }

    /// Two byte strings of up to `max` bytes each after a shared start of
    /// up to `max` bytes, so that long equal runs are tested too.
    pub(crate) fn keys_with_shared_start(
        max: usize,
    ) -> impl proptest::strategy::Strategy<Value = (Vec<u8>, Vec<u8>)> {
        use proptest::prelude::*;
        let bytes = move || proptest::collection::vec(any::<u8>(), 0..max);
        (bytes(), bytes(), 0..max).prop_map(|(a, b, common)| {
            let shared: Vec<u8> = a.iter().copied().cycle().take(common).collect();
            ([&shared[..], &a[..]].concat(), [&shared[..], &b[..]].concat())
        })
    }

    proptest::proptest! {
        #[test]
        fn compare_is_memcmp((a, b) in keys_with_shared_start(40)) {
            proptest::prop_assert_eq!(compare(&a, &b), a.cmp(&b));
            proptest::prop_assert_eq!(compare(&a, &a), std::cmp::Ordering::Equal);
        }
    }
}
