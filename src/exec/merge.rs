//! K-way merge of the streams on the prefix of the order they are sorted by.
//!
//! Each stream has a *head*: its next row, or — when its buffer is empty
//! but it goes on — a *frontier*: the position of the last item it
//! evaluated. Its next row cannot sort before that, so rows before it are
//! emitted without reading the stream further, and the stream is read again
//! only when its frontier wins. A sparse stream is therefore read only as
//! far as the page actually goes.
//!
//! The heads play a tournament in a loser tree (as DataFusion's
//! sort-preserving merge does): each inner node keeps the loser of the
//! match played there, node 0 the overall winner. Taking the winner's next
//! row replays only its path to the root — `log₂ k` comparisons, no moves
//! of rows. Heads compare by prefix, then a frontier before a row at the
//! same position (the stream may still hold ties), then the lower stream
//! index, so the merge is deterministic; an exhausted stream loses to all.
//!
//! ```text
//!                 [0] winner: s1 (a1)
//!                 [1] loser:  s2 (f2)          leaf of stream i: node k + i
//!          [2] loser: s0 (b7)    [3] loser: s3 (c4)      parent: node / 2
//!        leaves: s0 b7   s1 a1   s2 f2 (frontier)   s3 c4
//!  next(): emit a1, s1's head := its next row, replay s1's path to [0]
//!  a frontier winning: read that stream once, its head := row or new frontier
//! ```

use std::cmp::Ordering;

use super::key::{compare, word16};
use super::row::Row;
use super::streams::Streams;
use crate::backend::Backend;
use crate::error::Result;
use crate::value::Item;

/// What the merge knows of a stream's next row.
enum Head {
    /// The stream's next row sorts at or after this position.
    Frontier(Vec<u8>),
    Row(Row),
}

impl Head {
    fn key(&self) -> &[u8] {
        match self {
            Head::Frontier(k) => k,
            Head::Row(r) => r.prefix(),
        }
    }

    /// A frontier sorts before a row at the same position (the stream may
    /// still hold ties).
    fn rank(&self) -> u8 {
        match self {
            Head::Frontier(_) => 0,
            Head::Row(_) => ROW_RANK,
        }
    }
}

/// [`Head::rank`] of a row.
const ROW_RANK: u8 = 1;

/// What a match compares first, kept beside the heads so that most
/// matches read no head: the first sixteen bytes of the head's key,
/// zero-padded ([`word16`]), then a *tail* packing the key's length and
/// the head's rank — the order's tie-breaks but the stream index, in one
/// integer.
///
/// When two heads' words differ, they order the heads as their whole keys
/// do: at the first byte that differs, either both keys have a byte there,
/// or one has ended (a zero pad) and the other, which extends it, has a
/// nonzero byte there and sorts after it either way. When the words are
/// equal and a key is at most sixteen bytes long, the keys agree up to the
/// shorter length and the longer one goes on in zero bytes, so the longer
/// sorts after (equal lengths: equal keys), which the lengths in the tails
/// say. Only two keys longer than sixteen bytes with equal words need their
/// bytes compared.
///
/// ```text
/// ts = 24997 DESC:  DD 7F FA FC FA F5 F5 F7 FF | 00 00 00 00 00 00 00
///                   └─────── key: 9 bytes ───┘   └── zero pad ──────┘
/// tail:             length 9 (bits 8..) | rank (bits 0..8)
/// two heads at 24997: words equal, tails then stream indexes decide (no
/// key read); a u64 of the first eight bytes would tie, and need the keys
/// ```
#[derive(Clone, Copy)]
struct Word {
    bytes: u128,
    tail: u64,
}

impl Word {
    /// No head: the greatest word and tail, so that it loses every match
    /// against a head without the keys (a key's first byte is a column's
    /// tag, never 0xFF, so no head's word is this great), and two streams
    /// without a head play by stream index.
    const NONE: Word = Word { bytes: u128::MAX, tail: u64::MAX };

    fn of(head: &Head) -> Word {
        match head {
            Head::Row(r) => Word::of_row(r),
            Head::Frontier(k) => Word::new(word16(k), k.len(), head.rank()),
        }
    }

    #[inline]
    fn of_row(row: &Row) -> Word {
        Word::new(row.prefix_word(), row.prefix_len(), ROW_RANK)
    }

    #[inline]
    fn new(bytes: u128, len: usize, rank: u8) -> Word {
        Word { bytes, tail: (len as u64) << 8 | u64::from(rank) }
    }

    /// True when the words alone do not order the keys: equal, and both
    /// keys longer than sixteen bytes.
    #[inline]
    fn need_keys(&self, other: &Word) -> bool {
        const LONG: u64 = 16 << 8 | 0xFF;
        self.bytes == other.bytes && self.tail > LONG && other.tail > LONG && self.tail != u64::MAX
    }

    /// The order of the two heads, but for their stream index: key, then
    /// rank; `keys` compares the keys in full, needed only when
    /// [`Word::need_keys`].
    #[inline]
    fn order(&self, other: &Word, keys: impl FnOnce() -> Ordering) -> Ordering {
        if self.need_keys(other) {
            return keys().then(self.tail.cmp(&other.tail));
        }
        (self.bytes, self.tail).cmp(&(other.bytes, other.tail))
    }
}

/// The merge state.
#[derive(Default)]
pub(crate) struct Merge {
    /// Stream `i`'s head; `None` once it is exhausted (or while it is refilled).
    heads: Vec<Option<Head>>,
    /// [`Word`] of each head ([`Word::NONE`] without a head).
    words: Vec<Word>,
    /// The loser tree over `heads`: `tree[0]` is the winning stream,
    /// `tree[n]` (`1 ≤ n < k`) the loser of the match at node `n`. Empty
    /// until every head is first filled.
    tree: Vec<usize>,
    started: bool,
    /// Streams `0..unfilled` still wait for their first head.
    unfilled: usize,
    /// The winner whose head was taken: refill it, then replay its path.
    refill: Option<usize>,
    /// Heads that are rows.
    rows: usize,
}

impl Merge {
    /// Rows held as heads.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Gives the streams still without a head one, in the first call every
    /// stream (from the last, then builds the tree), later the taken
    /// winner's (then replays its path). Safe to call again after an error.
    async fn settle<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<()> {
        if !self.started {
            self.started = true;
            self.heads = (0..s.len()).map(|_| None).collect();
            self.words = vec![Word::NONE; s.len()];
            self.unfilled = s.len();
        }
        while let Some(i) = self.unfilled.checked_sub(1) {
            self.fill(i, s).await?;
            self.unfilled = i;
            if i == 0 {
                self.build();
            }
        }
        if let Some(w) = self.refill {
            self.fill(w, s).await?;
            self.refill = None;
            self.replay(w);
        }
        Ok(())
    }

    /// Stream `i`'s head: its next row, its frontier, or — when neither is
    /// known yet — whatever one read brings.
    async fn fill<B: Backend>(&mut self, i: usize, s: &mut Streams<'_, B>) -> Result<()> {
        loop {
            if let Some(row) = s.pop(i) {
                self.set(i, Some(Head::Row(row)));
                return Ok(());
            }
            if s.is_done(i) {
                self.set(i, None);
                return Ok(());
            }
            if let Some(f) = s.frontier_key(i) {
                self.set(i, Some(Head::Frontier(f)));
                return Ok(());
            }
            s.read_once(i, &self.held()).await?;
        }
    }

    /// The rows held as heads, by stream: the sizing counts them as read.
    pub(crate) fn held(&self) -> Vec<(usize, &Item)> {
        self.heads
            .iter()
            .enumerate()
            .filter_map(|(i, h)| match h {
                Some(Head::Row(r)) => Some((i, &r.item)),
                _ => None,
            })
            .collect()
    }

    /// Replaces stream `i`'s head, keeping the row count.
    fn set(&mut self, i: usize, head: Option<Head>) -> Option<Head> {
        self.rows += usize::from(matches!(head, Some(Head::Row(_))));
        self.words[i] = head.as_ref().map_or(Word::NONE, Word::of);
        let old = std::mem::replace(&mut self.heads[i], head);
        self.rows -= usize::from(matches!(old, Some(Head::Row(_))));
        old
    }

    /// True when stream `a`'s head sorts before stream `b`'s: most
    /// matches are decided by the words alone.
    #[inline]
    fn less(&self, a: usize, b: usize) -> bool {
        let (x, y) = (&self.words[a], &self.words[b]);
        if x.bytes != y.bytes {
            return x.bytes < y.bytes;
        }
        if x.need_keys(y) {
            return self.less_by_keys(a, b);
        }
        (x.tail, a) < (y.tail, b)
    }

    /// [`less`](Merge::less) for heads whose words need their keys.
    #[inline(never)]
    fn less_by_keys(&self, a: usize, b: usize) -> bool {
        let key = |i: usize| self.heads[i].as_ref().map_or(&[][..], Head::key);
        let by_keys = self.words[a].order(&self.words[b], || compare(key(a), key(b)));
        by_keys.then(a.cmp(&b)) == Ordering::Less
    }

    /// Plays every match once. Each node parks the first value to reach it
    /// and plays the second (one from each child), passing the winner up.
    fn build(&mut self) {
        let k = self.heads.len();
        self.tree = vec![usize::MAX; k];
        for i in 0..k {
            let mut winner = i;
            let mut node = (k + i) / 2;
            while node != 0 && self.tree[node] != usize::MAX {
                if self.less(self.tree[node], winner) {
                    std::mem::swap(&mut self.tree[node], &mut winner);
                }
                node /= 2;
            }
            self.tree[node] = winner;
        }
    }

    /// Stream `w`, the winner, has a new head: replays its path to the root.
    fn replay(&mut self, w: usize) {
        let mut winner = w;
        let mut node = (self.heads.len() + w) / 2;
        while node != 0 {
            if self.less(self.tree[node], winner) {
                std::mem::swap(&mut self.tree[node], &mut winner);
            }
            node /= 2;
        }
        self.tree[0] = winner;
    }

    /// The winning stream, when it has a head.
    fn winner(&self) -> Option<(usize, &Head)> {
        let w = *self.tree.first()?;
        Some((w, self.heads[w].as_ref()?))
    }

    /// The winner `w`'s head is a frontier: reads that stream on from it
    /// and gives it its new head. A frontier can be stale (a round of
    /// requests read the stream further meanwhile): then the stream's new
    /// rows or frontier replace it with no request.
    async fn advance<B: Backend>(&mut self, w: usize, s: &mut Streams<'_, B>) -> Result<()> {
        let old = self.set(w, None);
        self.refill = Some(w);
        if let Some(Head::Frontier(seen)) = old {
            s.read_past(w, &seen, &self.held()).await?;
        }
        self.settle(s).await
    }

    /// True when every stream has its head and the tree is up to date.
    fn settled(&self) -> bool {
        self.started && self.unfilled == 0 && self.refill.is_none()
    }

    /// True when no stream can give another row on `prefix`: every head
    /// sorts strictly after it (a frontier past it says the stream's next
    /// row does too) or is exhausted. A run of ties on `prefix` is then
    /// whole without reading on to the row after it. False while a head is
    /// still to be filled.
    pub fn passed(&self, prefix: &[u8]) -> bool {
        if !self.settled() {
            return false;
        }
        match self.winner() {
            Some((_, head)) => compare(head.key(), prefix).is_gt(),
            // No winner with a head: every stream is exhausted.
            None => true,
        }
    }

    /// The next row in merge order when no read can be needed to give it:
    /// the winner is a row and its stream has another buffered. `None`
    /// otherwise (nothing taken): then [`next`](Merge::next) gives it. The
    /// hot path of the merge, free of the `async` machinery.
    pub fn next_at_hand<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Option<Row> {
        if !self.settled() {
            return None;
        }
        let w = *self.tree.first()?;
        if !matches!(self.heads[w], Some(Head::Row(_))) {
            return None;
        }
        let next = s.pop(w)?;
        // A row replaces a row: the count of rows held stays.
        self.words[w] = Word::of_row(&next);
        let Some(Head::Row(row)) = self.heads[w].replace(Head::Row(next)) else { return None };
        self.replay(w);
        Some(row)
    }

    /// The next row in merge order, `None` when every stream is exhausted.
    pub async fn next<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<Option<Row>> {
        if !self.settled() {
            self.settle(s).await?;
        }
        loop {
            let Some((w, head)) = self.winner() else { return Ok(None) };
            if let Head::Frontier(_) = head {
                self.advance(w, s).await?;
                continue;
            }
            let next = s.pop(w);
            let refill = next.is_none();
            let Some(Head::Row(row)) = self.set(w, next.map(Head::Row)) else { return Ok(None) };
            if refill {
                self.refill = Some(w);
                self.settle(s).await?;
            } else {
                self.replay(w);
            }
            return Ok(Some(row));
        }
    }

    /// True when another row follows (reading on where a frontier leads).
    pub async fn has_more<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<bool> {
        self.settle(s).await?;
        loop {
            match self.winner() {
                None => return Ok(false),
                Some((_, Head::Row(_))) => return Ok(true),
                Some((w, Head::Frontier(_))) => self.advance(w, s).await?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::key::tests::keys_with_shared_start;
    use super::{word16, Word};
    use std::cmp::Ordering;

    proptest::proptest! {
        #[test]
        fn words_order_as_keys_ranks_and_streams_do(
            (a, b) in keys_with_shared_start(24),
            (ra, rb) in (0u8..2, 0u8..2),
        ) {
            // Zero bytes and short keys are where padding could mislead.
            let zeros = [&a[..], &[0]].concat();
            for (x, y) in [(&a, &b), (&a, &zeros), (&a, &a[..a.len() / 2].to_vec()), (&a, &a)] {
                let (wx, wy) = (Word::new(word16(x), x.len(), ra), Word::new(word16(y), y.len(), rb));
                let mut full = false;
                let got = wx.order(&wy, || {
                    full = true;
                    x.cmp(y)
                });
                proptest::prop_assert_eq!(got, x.cmp(y).then(ra.cmp(&rb)));
                // The bytes are compared only past the words.
                proptest::prop_assert!(!full || (word16(x) == word16(y) && x.len().min(y.len()) > 16));
                proptest::prop_assert_eq!(full, wx.need_keys(&wy));
            }
        }
    }

    #[test]
    fn no_head_loses_to_every_head() {
        let never = || -> Ordering { unreachable!() };
        for len in [0, 5, 16, 17, 300] {
            let head = Word::new(word16(&vec![0xEF; len]), len, 1);
            assert_eq!(Word::NONE.order(&head, never), Ordering::Greater);
            assert_eq!(head.order(&Word::NONE, never), Ordering::Less);
        }
        assert_eq!(Word::NONE.order(&Word::NONE, never), Ordering::Equal);
    }

    #[test]
    fn equal_words_of_short_keys_order_by_length() {
        let w = |k: &[u8]| Word::new(word16(k), k.len(), 1);
        let never = || -> Ordering { unreachable!() };
        assert_eq!(w(&[1, 2]).order(&w(&[1, 2, 0]), never), Ordering::Less);
        assert_eq!(w(&[1, 2, 0]).order(&w(&[1, 2]), never), Ordering::Greater);
        assert_eq!(w(&[1, 2]).order(&w(&[1, 2]), never), Ordering::Equal);
    }
}
