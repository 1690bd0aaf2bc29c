//! What an `Engine` remembers of recent queries, so a list endpoint's
//! repeated first page starts warm.
//!
//! One entry per normalized query fingerprint (filter values included: the
//! same endpoint with another status is another entry), holding the
//! sizing state the query's last first page left: the state its cursor
//! carries, and (for the adaptive policy) where that page ended, so the
//! same page run again reads to there in one round
//! ([`super::Sizing::remembered_state`]). At most [`CAPACITY`] entries;
//! the least recently used goes first. Old evidence fades: the state a page
//! leaves pools what it started from with what it saw, capped
//! (`Tuning::carried_items`), so each new page outweighs older ones; and
//! an entry not refreshed within [`MAX_AGE`] later stores is dropped.

use std::collections::HashMap;

/// Most queries remembered.
pub(crate) const CAPACITY: usize = 256;

/// Stores (of any query) after which an entry nobody refreshed is dropped.
pub(crate) const MAX_AGE: u64 = 4096;

/// The engine's memory: fingerprint → (last use, sizing state).
#[derive(Debug, Default)]
pub(crate) struct Memory {
    entries: HashMap<[u8; 16], (u64, Vec<u8>)>,
    clock: u64,
}

impl Memory {
    /// The state remembered for `fingerprint`, if any (and fresh).
    pub fn get(&mut self, fingerprint: &[u8; 16]) -> Option<Vec<u8>> {
        let now = self.clock;
        let (used, state) = self.entries.get_mut(fingerprint)?;
        if now.saturating_sub(*used) > MAX_AGE {
            self.entries.remove(fingerprint);
            return None;
        }
        *used = now;
        Some(state.clone())
    }

    /// Remembers `state` for `fingerprint` (an empty state forgets it).
    pub fn put(&mut self, fingerprint: [u8; 16], state: Vec<u8>) {
        self.clock += 1;
        if state.is_empty() || state.len() > super::MAX_STATE_BYTES {
            self.entries.remove(&fingerprint);
            return;
        }
        if !self.entries.contains_key(&fingerprint) && self.entries.len() >= CAPACITY {
            if let Some(oldest) = self.entries.iter().min_by_key(|(_, (used, _))| *used).map(|(k, _)| *k) {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(fingerprint, (self.clock, state));
    }

    /// Entries held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(i: u32) -> [u8; 16] {
        let mut f = [0; 16];
        f[..4].copy_from_slice(&i.to_be_bytes());
        f
    }

    #[test]
    fn bounded_least_recently_used_first() {
        let mut m = Memory::default();
        for i in 0..CAPACITY as u32 {
            m.put(fp(i), vec![1]);
        }
        // Using entry 0 makes entry 1 the least recently used.
        assert_eq!(m.get(&fp(0)), Some(vec![1]));
        m.put(fp(9999), vec![2]);
        assert_eq!(m.len(), CAPACITY);
        assert_eq!(m.get(&fp(1)), None);
        assert_eq!(m.get(&fp(0)), Some(vec![1]));
        assert_eq!(m.get(&fp(9999)), Some(vec![2]));
    }

    #[test]
    fn stale_and_empty_states_are_forgotten() {
        let mut m = Memory::default();
        m.put(fp(1), vec![1]);
        m.put(fp(1), Vec::new());
        assert_eq!(m.get(&fp(1)), None);
        m.put(fp(2), vec![1]);
        for i in 0..=MAX_AGE {
            m.put(fp(3 + (i % 10) as u32), vec![1]);
        }
        assert_eq!(m.get(&fp(2)), None);
    }
}
