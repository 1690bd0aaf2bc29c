//! EXPLAIN: a plan printed for people.

use std::fmt;

use super::{Plan, Strategy};
use crate::backend::{KeyCondition, SortRange};

fn key_condition(f: &mut fmt::Formatter<'_>, k: &KeyCondition) -> fmt::Result {
    let mut parts: Vec<String> =
        k.partition.iter().chain(k.sort_eq.iter()).map(|(a, v)| format!("{a} = {v}")).collect();
    if let Some((a, r)) = &k.sort_range {
        parts.push(match r {
            SortRange::Eq(v) => format!("{a} = {v}"),
            SortRange::Lt(v) => format!("{a} < {v}"),
            SortRange::Le(v) => format!("{a} <= {v}"),
            SortRange::Gt(v) => format!("{a} > {v}"),
            SortRange::Ge(v) => format!("{a} >= {v}"),
            SortRange::Between(lo, hi) => format!("{a} BETWEEN {lo} AND {hi}"),
            SortRange::BeginsWith(v) => format!("begins_with({a}, {v})"),
        });
    }
    f.write_str(&parts.join(" AND "))
}

/// ```text
/// Query index `status-created_at` of table `orders`, ScanIndexForward=false
///   streams: 2
///     #0 status = "paid" AND created_at BETWEEN "2026-10-25" AND "2026-11-24"
///     #1 status = "shipped" AND created_at BETWEEN "2026-10-25" AND "2026-11-24"
///   server filter: (attribute_exists(country) …)
///   client filter: none
///   order: created_at DESC, total DESC, order_id ASC
///   strategy: merge on (created_at DESC), then sort ties on (total DESC, order_id ASC)
///   limit: 50, read budget: 50000 items
/// ```
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = |index: Option<&str>| match index {
            Some(i) => format!("index `{i}` of table `{}`", self.table),
            None => format!("table `{}`", self.table),
        };
        if self.is_union() {
            writeln!(
                f,
                "Union of {} branches (OR across indexes), ScanIndexForward={}",
                self.branches.len(),
                self.scan_forward
            )?;
            for (b, branch) in self.branches.iter().enumerate() {
                let what = branch.disjunct.as_ref().map(|d| format!(" for {d}")).unwrap_or_default();
                let without = if b > 0 { ", leaving out the earlier branches' items" } else { "" };
                writeln!(f, "  branch {}: Query {}{what}{without}", b + 1, target(branch.index.as_deref()))?;
                self.fmt_branch(f, b, "    ")?;
            }
        } else {
            let target = target(self.index());
            if self.is_scan() && !self.streams.is_empty() {
                writeln!(f, "Scan {target}")?;
            } else {
                writeln!(f, "Query {target}, ScanIndexForward={}", self.scan_forward)?;
            }
            self.fmt_branch(f, 0, "  ")?;
        }
        let cols = |cs: &[super::SortColumn]| {
            cs.iter().map(|c| format!("{} {}", c.attr, c.dir.as_str())).collect::<Vec<_>>().join(", ")
        };
        writeln!(f, "  order: {}", cols(&self.order))?;
        let (served, rest) = self.order.split_at(self.served.min(self.order.len()));
        match self.strategy {
            Strategy::Merge => writeln!(f, "  strategy: k-way merge (streams deliver the whole order)")?,
            Strategy::MergeThenSortTies => {
                writeln!(f, "  strategy: merge on ({}), then sort ties on ({})", cols(served), cols(rest))?
            }
            Strategy::TopK => {
                writeln!(f, "  strategy: read all matching items, keep the top {} (heap)", self.limit)?
            }
        }
        match &self.projection {
            Some(p) => writeln!(f, "  projection: {}", p.join(", "))?,
            None => writeln!(f, "  projection: all attributes")?,
        }
        if let Some(fetch) = &self.fetch {
            let what = match &fetch.attributes {
                Some(a) => a.join(", "),
                None => "every attribute".to_owned(),
            };
            match &fetch.filter {
                None if !fetch.order.is_empty() => writeln!(
                    f,
                    "  fetch: BatchGetItem of {what} for the page's runs of ties and its other rows (≤{} keys a \
                     call)",
                    crate::backend::MAX_BATCH_GET_KEYS
                )?,
                None => writeln!(
                    f,
                    "  fetch: BatchGetItem of {what} for the page's rows (≤{} keys a call)",
                    crate::backend::MAX_BATCH_GET_KEYS
                )?,
                Some(late) => {
                    writeln!(
                        f,
                        "  fetch: BatchGetItem of {what} for candidate rows in order, as many as the page still \
                         needs (≤{} keys a call)",
                        crate::backend::MAX_BATCH_GET_KEYS
                    )?;
                    writeln!(f, "  filter after fetch: {late}")?;
                }
            }
        }
        if let Some(fetch) = self.fetch.as_ref().filter(|f| !f.order.is_empty()) {
            let (served, _) = self.order.split_at(self.served.min(self.order.len()));
            writeln!(
                f,
                "  order fetch: {} fetched run by run: rows tied on ({}) are fetched together, then sorted",
                fetch.order.join(", "),
                cols(served)
            )?;
        }
        write!(f, "  limit: {}, read budget: {} items", self.limit, self.read_budget)?;
        for n in &self.notes {
            write!(f, "\n  note: {n}")?;
        }
        Ok(())
    }
}

impl Plan {
    /// Branch `b`'s streams and filters, each line indented by `indent`.
    fn fmt_branch(&self, f: &mut fmt::Formatter<'_>, b: usize, indent: &str) -> fmt::Result {
        let streams: Vec<(usize, &super::StreamSpec)> =
            self.streams.iter().enumerate().filter(|(_, s)| s.branch == b).collect();
        writeln!(f, "{indent}streams: {}", streams.len())?;
        for (i, s) in streams {
            if let Some(k) = &s.key {
                write!(f, "{indent}  #{i} ")?;
                key_condition(f, k)?;
                writeln!(f)?;
            }
        }
        let branch = &self.branches[b];
        match &branch.server_filter {
            Some(c) => writeln!(f, "{indent}server filter: {c}")?,
            None => writeln!(f, "{indent}server filter: none")?,
        }
        match &branch.residual {
            Some(c) => writeln!(f, "{indent}client filter: {c}"),
            None => writeln!(f, "{indent}client filter: none"),
        }
    }
}
