//! The plain baseline: each stream's first `Limit` is its even share of
//! the page at the prior selectivity; every further request of the stream
//! doubles it. No windows, no estimates, nothing carried between pages.
//! It is there to compare the adaptive policy against, and to show that
//! sizing is swappable without touching what a stream reads.

use super::tuning::Tuning;
use super::{BadState, Ctx, PageEnd, Response, Round, Sizing, SizingStart};
use crate::value::{Item, Value};

const T: Tuning = Tuning::DEFAULT;

/// The baseline's state for one page.
#[derive(Debug, Default)]
pub(crate) struct Geometric {
    /// The caller's selectivity hint, if any.
    hint: Option<f64>,
}

impl Sizing for Geometric {
    fn resume(&mut self, _: &Ctx<'_>, _: &[u8], _: Option<&Value>, _: SizingStart) -> Result<(), BadState> {
        Ok(())
    }

    fn hint_selectivity(&mut self, selectivity: f64) {
        self.hint = Some(selectivity.clamp(1e-3, 1.0));
    }

    fn start(&self) -> SizingStart {
        if self.hint.is_some() {
            SizingStart::Hinted
        } else {
            SizingStart::Cold
        }
    }

    fn first_window(&mut self, _: &Ctx<'_>) -> Option<Value> {
        None
    }

    fn limit(&self, ctx: &Ctx<'_>, i: usize) -> u32 {
        let selectivity = if ctx.filtered { self.hint.unwrap_or(T.prior_selectivity) } else { 1.0 };
        let first = (ctx.page as f64 / ctx.streams.len().max(1) as f64 / selectivity).ceil() + 1.0;
        let calls = ctx.streams[i].obs.calls.min(30) as i32;
        (first * f64::from(T.baseline_growth).powi(calls)).clamp(1.0, T.max_limit) as u32
    }

    fn windowed_limit(&self, limit: u32) -> u32 {
        limit
    }

    fn round(&mut self, _: &Ctx<'_>, _: usize, _: &[(usize, &Item)]) -> Option<Round> {
        None
    }

    fn wants(&self, _: &Ctx<'_>, _: usize) -> bool {
        false
    }

    fn observe(&mut self, _: &Ctx<'_>, _: usize, _: &Response<'_>) {}

    fn state(&self, _: &Ctx<'_>, _: &PageEnd<'_>) -> Vec<u8> {
        Vec::new()
    }
}
