//! The cost matrix's report (`examples/cost_matrix.rs`): distributions per
//! shape, French share and kind of page, and each shape against the
//! targets of issue 14.

use std::fmt::Write as _;

use crate::workloads::{French, Shape};
use crate::{Kind, PageRec, Variant};

/// The targets of issue 14.
const NEXT_MEDIAN: f64 = 1.2;
const NEXT_P90: f64 = 1.5;
const WARM_P90: f64 = 1.5;
const COLD_P90: f64 = 2.0;
const RT_P95: f64 = 3.0;
const RT_MAX: f64 = 6.0;
const RCU_P90: f64 = 1.3;
const OVER: f64 = 1.3;

/// A figure, or `-` where no page gave one.
struct F(f64);

impl std::fmt::Display for F {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match f.precision() {
            _ if self.0.is_nan() => f.pad("-"),
            Some(p) => write!(f, "{:.*}", p, self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn sorted(v: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = v.collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Distributions over a set of pages.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct Dist {
    pages: usize,
    ratio_median: f64,
    ratio_p90: f64,
    ratio_max: f64,
    over_share: f64,
    round_trips: [usize; 4],
    rt_p95: f64,
    rt_max: f64,
    /// The same for a perfect reader's round trips.
    perfect_rt_p95: f64,
    perfect_rt_max: f64,
    rcu_median: f64,
    rcu_p90: f64,
}

fn dist<'a>(recs: impl Iterator<Item = &'a PageRec>) -> Dist {
    let recs: Vec<&PageRec> = recs.filter(|r| r.error.is_none()).collect();
    let ratios = sorted(recs.iter().map(|r| r.ratio));
    let rts = sorted(recs.iter().map(|r| f64::from(r.round_trips)));
    let rcus = sorted(recs.iter().filter_map(|r| r.rcu_ratio));
    let perfect_rts = sorted(recs.iter().map(|r| f64::from(r.perfect_round_trips)));
    let mut hist = [0usize; 4];
    for r in &recs {
        hist[(r.round_trips.max(1) as usize - 1).min(3)] += 1;
    }
    Dist {
        pages: recs.len(),
        ratio_median: percentile(&ratios, 0.5),
        ratio_p90: percentile(&ratios, 0.9),
        ratio_max: ratios.last().copied().unwrap_or(f64::NAN),
        over_share: ratios.iter().filter(|r| **r > OVER).count() as f64 / ratios.len().max(1) as f64,
        round_trips: hist,
        rt_p95: percentile(&rts, 0.95),
        rt_max: rts.last().copied().unwrap_or(f64::NAN),
        perfect_rt_p95: percentile(&perfect_rts, 0.95),
        perfect_rt_max: perfect_rts.last().copied().unwrap_or(f64::NAN),
        rcu_median: percentile(&rcus, 0.5),
        rcu_p90: percentile(&rcus, 0.9),
    }
}

/// Which targets a set of pages meets: (name, met — `None` without pages to judge —, detail).
fn targets(recs: &[&PageRec]) -> Vec<(&'static str, Option<bool>, String)> {
    let of = |k: Kind| dist(recs.iter().copied().filter(move |r| r.kind == k));
    let (next, warm, cold) = (of(Kind::Next), of(Kind::Warm), of(Kind::Cold));
    let all = dist(recs.iter().copied());
    let le = |x: f64, t: f64| if x.is_nan() { None } else { Some(x <= t) };
    let both = |a: Option<bool>, b: Option<bool>| a.zip(b).map(|(a, b)| a && b);
    vec![
        (
            "p2+ read/bound",
            both(le(next.ratio_median, NEXT_MEDIAN), le(next.ratio_p90, NEXT_P90)),
            format!("median {:.2} p90 {:.2}", F(next.ratio_median), F(next.ratio_p90)),
        ),
        ("warm p1", le(warm.ratio_p90, WARM_P90), format!("p90 {:.2}", F(warm.ratio_p90))),
        ("cold p1", le(cold.ratio_p90, COLD_P90), format!("p90 {:.2}", F(cold.ratio_p90))),
        (
            "round trips",
            both(le(all.rt_p95, RT_P95), le(all.rt_max, RT_MAX)),
            match all.perfect_rt_max > 1.0 {
                // Where a perfect reader needs more than one (a run of
                // ties past 1 MB), say how many.
                true => format!(
                    "p95 {} max {}; a perfect reader's p95 {} max {}",
                    F(all.rt_p95),
                    F(all.rt_max),
                    F(all.perfect_rt_p95),
                    F(all.perfect_rt_max)
                ),
                false => format!("p95 {} max {}", F(all.rt_p95), F(all.rt_max)),
            },
        ),
        ("RCU", le(all.rcu_p90, RCU_P90), format!("p90 {:.2}", F(all.rcu_p90))),
    ]
}

fn targets_text(recs: &[&PageRec]) -> String {
    targets(recs)
        .into_iter()
        .map(|(name, met, detail)| {
            format!(
                "{} {name} ({detail})",
                match met {
                    Some(true) => "ok  ",
                    Some(false) => "MISS",
                    None => "n/a ",
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn report(recs: &[PageRec], shapes: &[Shape], frenches: &[French]) -> (String, Vec<serde_json::Value>) {
    let mut s = String::new();
    let mut json = Vec::new();
    let _ = writeln!(
        s,
        "read/bound: items read over a perfect reader's; RT: sequential round trips; RCU: consumed over a perfect reader's.\n\
         Targets: p2+ read/bound median <= {NEXT_MEDIAN} and p90 <= {NEXT_P90}; warm p1 p90 <= {WARM_P90}; cold p1 p90 <= {COLD_P90}; \
         round trips p95 <= {RT_P95} and max <= {RT_MAX}; RCU/perfect p90 <= {RCU_P90}.\n"
    );
    for shape in shapes {
        let of_shape: Vec<&PageRec> = recs.iter().filter(|r| r.shape == shape.name()).collect();
        if of_shape.is_empty() {
            continue;
        }
        let _ = writeln!(s, "## {}\n", shape.name());
        let _ = writeln!(
            s,
            "| FR | pages | n | read/bound med | p90 | max | >{OVER}x | RT 1/2/3/>=4 | RT p95 | RT max | RCU/perfect med | p90 |"
        );
        let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        for fr in frenches {
            let label = fr.label();
            for kind in [Kind::Cold, Kind::Warm, Kind::Next] {
                let d = dist(of_shape.iter().copied().filter(|r| r.french == label && r.kind == kind));
                if d.pages == 0 {
                    continue;
                }
                let h = d.round_trips;
                let _ = writeln!(
                    s,
                    "| {label} | {} | {} | {:.2} | {:.2} | {:.2} | {:.0}% | {}/{}/{}/{} | {} | {} | {:.2} | {:.2} |",
                    kind.label(),
                    d.pages,
                    F(d.ratio_median),
                    F(d.ratio_p90),
                    F(d.ratio_max),
                    d.over_share * 100.0,
                    h[0],
                    h[1],
                    h[2],
                    h[3],
                    F(d.rt_p95),
                    F(d.rt_max),
                    F(d.rcu_median),
                    F(d.rcu_p90)
                );
                json.push(serde_json::json!({
                    "shape": shape.name(), "french": label, "pages": kind.label(), "dist": d,
                }));
            }
        }
        let _ = writeln!(s);
        for fr in frenches {
            let label = fr.label();
            let of: Vec<&PageRec> = of_shape.iter().copied().filter(|r| r.french == label).collect();
            if !of.is_empty() {
                let _ = writeln!(s, "- {label:<11} {}", targets_text(&of));
            }
        }
        let _ = writeln!(s, "- by query, read/bound median/p90/max:");
        for v in Variant::ALL {
            let d = dist(of_shape.iter().copied().filter(|r| r.query == v.name() && r.kind == Kind::Next));
            let c = dist(of_shape.iter().copied().filter(|r| r.query == v.name() && r.kind == Kind::Cold));
            let _ = writeln!(
                s,
                "  - {:<6} p2+ {:.2}/{:.2}/{:.2}, cold p1 {:.2}/{:.2}/{:.2}, RT max {}",
                v.name(),
                F(d.ratio_median),
                F(d.ratio_p90),
                F(d.ratio_max),
                F(c.ratio_median),
                F(c.ratio_p90),
                F(c.ratio_max),
                F(d.rt_max.max(c.rt_max))
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## Summary (all French shares together)\n");
    for shape in shapes {
        let of_shape: Vec<&PageRec> = recs.iter().filter(|r| r.shape == shape.name()).collect();
        if of_shape.is_empty() {
            continue;
        }
        let t = targets(&of_shape);
        let met: Vec<&str> = t.iter().filter(|x| x.1 == Some(true)).map(|x| x.0).collect();
        let missed: Vec<String> =
            t.iter().filter(|x| x.1 == Some(false)).map(|x| format!("{} ({})", x.0, x.2)).collect();
        let _ = writeln!(
            s,
            "- {:<11} meets {}/{}: {}{}",
            shape.name(),
            met.len(),
            met.len() + missed.len(),
            if met.is_empty() { "none".to_string() } else { met.join(", ") },
            if missed.is_empty() { String::new() } else { format!("; misses {}", missed.join(", ")) }
        );
        json.push(serde_json::json!({
            "shape": shape.name(), "targets": t.iter().map(|x| serde_json::json!({"target": x.0, "met": x.1, "detail": x.2})).collect::<Vec<_>>(),
        }));
    }
    let _ = writeln!(s, "\n## Next cursors (characters, every page that has one)\n");
    for shape in shapes {
        let chars = sorted(
            recs.iter().filter(|r| r.shape == shape.name()).filter_map(|r| r.cursor_chars).map(|n| n as f64),
        );
        if chars.is_empty() {
            continue;
        }
        let (median, p90, max) = (percentile(&chars, 0.5), percentile(&chars, 0.9), percentile(&chars, 1.0));
        let _ = writeln!(
            s,
            "- {:<11} median {median}, p90 {p90}, max {max} ({} cursors)",
            shape.name(),
            chars.len()
        );
        json.push(serde_json::json!({
            "shape": shape.name(), "cursor_chars": {"median": median, "p90": p90, "max": max, "n": chars.len()},
        }));
    }
    (s, json)
}
