//! The grid a key's values lie on, so windows end where no row can be.
//!
//! Keys are often written on a grid: `created_at` rounded to the half hour,
//! a date without a time, a whole number. That shapes windows twice:
//!
//! - A window ending *on* a grid point holds that point's rows, and the
//!   stream's next request starts at the bound again (a key condition cannot
//!   exclude it), reading the whole point's rows a second time to drop them.
//!   So window ends go half a step past a point, where no row lies.
//! - A window ending *between* points has read nothing past the last point
//!   before its bound, so the next round measures distance from that point,
//!   not from the bound (or it would take the gap for distance covered).
//!
//! The grid is the greatest common divisor of the integral distances between
//! the items seen so far: a guess that only sizes reads. A row off the grid
//! is read all the same, just at the cost of a re-read.
//!
//! ```text
//!  rows at      13:30        13:00        12:30        (descending)
//!  window end          13:27 → 13:15 (half a step past 13:30's point… or
//!                              12:45, past 13:00's, as the need says)
//!  distance from       13:30 (the last point read), not 13:15
//! ```

/// Integral positions seen so far, and the largest step they all share.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    anchor: Option<i64>,
    /// Greatest common divisor of every distance from `anchor` (0 until a
    /// second distinct position is seen).
    step: u64,
    /// A position was not integral: no grid.
    off: bool,
    /// Positions seen, and how many in a row left `step` as it was.
    seen: u32,
    unchanged: u32,
}

/// Positions in a row that leave the step as it was, after which the grid
/// is taken as known and no more positions are read.
const SETTLED: u32 = super::Tuning::DEFAULT.grid_settled;

/// Positions seen before the grid is used: a few items far apart share
/// spurious common divisors (two points an hour apart on a half-hour grid
/// suggest an hour), and too coarse a grid misplaces every window.
const MIN_SEEN: u32 = super::Tuning::DEFAULT.grid_min_seen;

/// Largest magnitude an `f64` holds every integer up to.
const EXACT: f64 = 9_007_199_254_740_992.0;

impl Grid {
    /// Records one item's position.
    pub fn observe(&mut self, x: f64) {
        if self.off {
            return;
        }
        if !(x.is_finite() && x.fract() == 0.0 && x.abs() < EXACT) {
            self.off = true;
            return;
        }
        // Integral and below 2^53: exact as an i64.
        let x = x as i64;
        self.seen += 1;
        let before = self.step;
        match self.anchor {
            None => self.anchor = Some(x),
            Some(a) => self.step = gcd(self.step, x.abs_diff(a)),
        }
        self.unchanged = if self.step == before { self.unchanged + 1 } else { 0 };
    }

    /// True once more positions would not change the grid (or there is
    /// none): callers stop reading them.
    pub fn settled(&self) -> bool {
        self.off || self.step == 1 || self.unchanged >= SETTLED
    }

    /// A grid known beforehand: points `step` apart through `anchor` (a
    /// cursor's position and the step an earlier page found). No grid when
    /// `anchor` is not an integer a position can be.
    pub fn given(anchor: f64, step: u64) -> Grid {
        let mut g = Grid::default();
        g.observe(anchor);
        g.step = step;
        g.seen = MIN_SEEN;
        g.unchanged = SETTLED;
        g
    }

    /// The step, when known (for the next page's cursor).
    pub fn step(&self) -> Option<u64> {
        self.known().map(|_| self.step)
    }

    /// The anchor and step, when known: enough positions seen, all
    /// integral, more than one unit apart.
    fn known(&self) -> Option<(f64, f64)> {
        let a = self.anchor?;
        (!self.off && self.step > 1 && self.seen >= MIN_SEEN).then_some((a as f64, self.step as f64))
    }

    /// The grid point nearest `x`, but past `floor` (the first point past
    /// it otherwise); `x` when no grid is known.
    pub fn snap(&self, x: f64, floor: f64) -> f64 {
        self.pick(x, floor, f64::round)
    }

    /// The first grid point at or past `x`, and past `floor`; `x` when no
    /// grid is known.
    pub fn ceil(&self, x: f64, floor: f64) -> f64 {
        self.pick(x, floor, f64::ceil)
    }

    /// The last grid point at or before `x`; `x` when no grid is known. A
    /// window's bound between points has read everything up to that point
    /// and nothing more, so distances are measured from there.
    pub fn floor(&self, x: f64) -> f64 {
        self.pick(x, f64::NEG_INFINITY, f64::floor)
    }

    /// Half a step past `x`: a window bound there holds no row (when the
    /// grid is real), so the next read from it re-reads nothing.
    pub fn past(&self, x: f64) -> f64 {
        let Some((_, step)) = self.known() else { return x };
        x + step / 2.0
    }

    /// Whole steps from `from` to `to` (at least 0), when a grid is known.
    pub fn points_between(&self, from: f64, to: f64) -> Option<f64> {
        let (_, step) = self.known()?;
        Some(((to - from) / step).floor().max(0.0))
    }

    /// The point `round` takes `x` to, or the first point past `floor` when
    /// that one is not past it; `x` when no grid is known.
    fn pick(&self, x: f64, floor: f64, round: fn(f64) -> f64) -> f64 {
        let Some((a, step)) = self.known() else { return x };
        let point = a + round((x - a) / step) * step;
        if point > floor {
            point
        } else {
            a + ((floor - a) / step).floor() * step + step
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid after `points`, each seen often enough to be used.
    fn grid(points: &[f64]) -> Grid {
        let mut g = Grid::default();
        for p in points.iter().cycle().take(points.len().max(MIN_SEEN as usize)) {
            g.observe(*p);
        }
        g
    }

    #[test]
    fn a_few_positions_make_no_grid_and_enough_unchanged_settle_it() {
        let mut g = Grid::default();
        // Two points an hour apart on a half-hour grid: not used yet.
        g.observe(0.0);
        g.observe(3600.0);
        assert_eq!(g.snap(2000.0, 0.0), 2000.0);
        g.observe(1800.0);
        for i in 1..=SETTLED {
            assert!(!g.settled(), "settled after {i}");
            g.observe(f64::from(i % 7) * 1800.0);
        }
        assert!(g.settled());
        assert_eq!(g.snap(2000.0, 0.0), 1800.0);
        // Whole units: nothing to learn, so nothing more is read.
        assert!(grid(&[3.0, 4.0]).settled());
    }

    #[test]
    fn half_hours_snap_to_the_nearest_half_hour() {
        let g = grid(&[0.0, 3600.0, 5400.0, 9000.0]);
        assert_eq!(g.snap(7300.0, 0.0), 7200.0);
        assert_eq!(g.snap(8000.0, 0.0), 7200.0);
        assert_eq!(g.snap(8200.0, 0.0), 9000.0);
        // Negative positions (descending keys) too.
        let g = grid(&[-9000.0, -5400.0, -7200.0]);
        assert_eq!(g.snap(-7300.0, -9000.0), -7200.0);
    }

    #[test]
    fn a_window_always_moves_past_its_floor() {
        let g = grid(&[0.0, 1800.0]);
        // The nearest point is the floor itself: the next one.
        assert_eq!(g.snap(1900.0, 1800.0), 3600.0);
        // A floor between points (a window's bound): the next point past it.
        assert_eq!(g.snap(1900.0, 1850.0), 3600.0);
        assert_eq!(g.snap(5000.0, 1850.0), 5400.0);
    }

    #[test]
    fn ends_go_half_a_step_past_a_point_and_distances_run_from_the_last_point() {
        let g = grid(&[0.0, 1800.0, 5400.0]);
        assert_eq!(g.past(3600.0), 4500.0);
        assert_eq!(g.floor(4500.0), 3600.0);
        assert_eq!(g.floor(3600.0), 3600.0);
        assert_eq!(g.floor(-100.0), -1800.0);
        assert_eq!(g.ceil(3601.0, 0.0), 5400.0);
        assert_eq!(g.ceil(3600.0, 3600.0), 5400.0);
        let none = grid(&[0.5]);
        assert_eq!((none.past(3.0), none.floor(3.0), none.ceil(3.0, 0.0)), (3.0, 3.0, 3.0));
    }

    #[test]
    fn no_grid_leaves_positions_alone() {
        assert_eq!(grid(&[]).snap(12.5, 0.0), 12.5);
        assert_eq!(grid(&[7.0]).snap(12.5, 0.0), 12.5);
        assert_eq!(grid(&[7.0, 8.0]).snap(12.5, 0.0), 12.5);
        assert_eq!(grid(&[0.0, 1800.0, 0.5]).snap(1000.0, 0.0), 1000.0);
    }

    #[test]
    fn a_given_grid_places_a_first_window_past_the_nearest_point_and_the_step_goes_in_the_cursor() {
        // From a point, aimed 2.8 steps on: 3 points, not the 2 a bound at
        // 2.8 would hold; aimed 0.2 steps on: still one point.
        let g = Grid::given(3600.0, 1800);
        let end = |aim: f64| g.past(g.snap(aim, 3600.0));
        assert_eq!(end(3600.0 + 2.8 * 1800.0), 3600.0 + 3.0 * 1800.0 + 900.0);
        assert_eq!(end(3600.0 + 2.2 * 1800.0), 3600.0 + 2.0 * 1800.0 + 900.0);
        assert_eq!(end(3600.0 + 360.0), 3600.0 + 1800.0 + 900.0);
        assert_eq!(g.step(), Some(1800));
        // Off the integers: no grid, positions left alone.
        let off = Grid::given(0.5, 1800);
        assert_eq!((off.step(), off.past(off.snap(100.0, 0.5))), (None, 100.0));
        assert_eq!(grid(&[0.0, 1800.0, 5400.0]).step(), Some(1800));
        assert_eq!(grid(&[0.0, 1800.5]).step(), None);
    }

    #[test]
    fn a_window_counts_the_whole_points_it_holds_past_a_position() {
        // From a point to half a step past the third one on: 3 whole
        // points (the window's guard covers the last one's share).
        let g = Grid::given(3600.0, 1800);
        assert_eq!(g.points_between(3600.0, g.past(3600.0 + 3.0 * 1800.0)), Some(3.0));
        // From between points (5 400 and 7 200 past 4 000), backwards
        // (nothing), and no grid.
        assert_eq!(g.points_between(4000.0, 3600.0 + 2.0 * 1800.0 + 900.0), Some(2.0));
        assert_eq!(g.points_between(9000.0, 3600.0), Some(0.0));
        assert_eq!(Grid::default().points_between(0.0, 1e6), None);
        assert_eq!(grid(&[0.0, 1.0, 2.0]).points_between(0.0, 1e6), None);
    }
}
