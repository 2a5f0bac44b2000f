//! Disclosure control of published tables (statistics.md, "Rules Harbour adopts").
//!
//! A table is every combination of its dimensions' values plus a `total` for each dimension (row,
//! column, period and grand totals). Each count is rounded down to a multiple of the resolution
//! and published only if the rounded count reaches the threshold k (primary suppression; a zero
//! is below k too, so an absent combination looks exactly like a small one). Then, along every
//! line of the table (the cells that add up to one total), secondary suppression makes sure a
//! suppressed cell cannot be recovered by subtracting published cells from a published total:
//! a line with a suppressed cell and a published total has at least two suppressed cells whose
//! true counts add up to at least k, so the difference says neither which cell holds the people
//! nor that any of them is small. A total that could be rebuilt by adding published cells is
//! protected the same way. Quarters are a dimension like any other, so the same rule covers
//! differences between periods within one output.
//!
//! Structural zeros: some cells are zero by definition (a decision outcome in the "no decision
//! yet" row, "late" for a right with no deadline). Everyone knows they are zero, so hiding them
//! protects nothing and publishing them reveals nothing: they are published as *not applicable*
//! (count 0, `not_applicable`), are never suppressed, and are never chosen as the partner of a
//! suppressed cell (a partner that everyone knows is 0 would leave the other cell recoverable).
//!
//! Linked tables: tables published together (one page, one export, one API answer) that count
//! the same unit share cells (a quarter total in two tables is one number). [`control_linked`]
//! makes suppression agree on shared cells and then runs the [`attack`] on everything published
//! together: each published cell is an interval `[v, v + resolution - 1]`, each structural zero
//! is 0, each line is an equation, and bounds are propagated to a fixpoint. A suppressed cell is
//! protected when the attacker's interval still holds at least k values: that is no narrower
//! than what suppression itself says of a primary cell ("somewhere in 0..k-1"), so the attacker
//! can neither tell a small count from zero nor pin one. Any cell left narrower gets another
//! cell of one of its lines suppressed, and everything is checked again until nothing is exposed.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The key of a total along a dimension.
pub const TOTAL: &str = "total";
/// Where open-ended values below the threshold are pooled.
pub const OTHER: &str = "other";

/// The policy of one output: threshold k and resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Control {
    pub threshold: u64,
    pub resolution: u64,
}

impl Control {
    /// The count as published, before suppression: rounded down to the resolution.
    pub fn rounded(&self, n: u64) -> u64 {
        let r = self.resolution.max(1);
        n / r * r
    }

    /// A count that may not be published on its own (primary suppression).
    pub fn below_threshold(&self, n: u64) -> bool {
        self.rounded(n) < self.threshold.max(1)
    }
}

/// One dimension of a table and the values it may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dimension {
    pub name: String,
    /// Every value of a closed vocabulary (so a value's absence reveals nothing), or the values
    /// seen so far of an open one. Values found in the counts are added.
    pub values: Vec<String>,
    /// Open-ended values (nationality, region): a value whose total is below the threshold is
    /// pooled into `other`, since even naming it would say someone of that nationality exists.
    pub open: bool,
}

impl Dimension {
    pub fn closed(name: &str, values: &[&str]) -> Dimension {
        Dimension {
            name: name.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            open: false,
        }
    }

    pub fn open(name: &str) -> Dimension {
        Dimension {
            name: name.into(),
            values: Vec::new(),
            open: true,
        }
    }
}

/// A cell as published: its keys, the rounded count or nothing, and whether it is suppressed.
/// A structural zero is published as count 0 with `not_applicable` (never suppressed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedCell {
    pub keys: BTreeMap<String, String>,
    pub count: Option<u64>,
    pub suppressed: bool,
    pub not_applicable: bool,
}

/// How one key of a cell is matched by a [`StructuralZero`] rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMatch {
    /// The key is one of these values.
    Is(Vec<String>),
    /// The key is none of these values (nor the total).
    IsNot(Vec<String>),
}

impl KeyMatch {
    pub fn is(values: &[&str]) -> KeyMatch {
        KeyMatch::Is(values.iter().map(|v| v.to_string()).collect())
    }

    pub fn is_not(values: &[&str]) -> KeyMatch {
        KeyMatch::IsNot(values.iter().map(|v| v.to_string()).collect())
    }

    fn matches(&self, v: &str) -> bool {
        match self {
            KeyMatch::Is(vs) => vs.iter().any(|x| x == v),
            KeyMatch::IsNot(vs) => v != TOTAL && !vs.iter().any(|x| x == v),
        }
    }
}

/// Cells that are zero by definition: every cell of a combination (no totals) whose keys match
/// all of `when`. A total is a structural zero when every cell under it is one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StructuralZero {
    pub when: Vec<(String, KeyMatch)>,
}

impl StructuralZero {
    pub fn when(dimension: &str, m: KeyMatch) -> StructuralZero {
        StructuralZero {
            when: vec![(dimension.to_string(), m)],
        }
    }

    pub fn and(mut self, dimension: &str, m: KeyMatch) -> StructuralZero {
        self.when.push((dimension.to_string(), m));
        self
    }

    fn matches(&self, keys: &BTreeMap<String, String>) -> bool {
        self.when
            .iter()
            .all(|(d, m)| keys.get(d).is_some_and(|v| m.matches(v)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedTable {
    pub dimensions: Vec<String>,
    pub cells: Vec<PublishedCell>,
    pub k: u64,
    pub resolution: u64,
}

impl PublishedTable {
    /// The published cell with exactly these keys (`total` for the dimensions not named).
    pub fn cell(&self, keys: &[(&str, &str)]) -> Option<&PublishedCell> {
        self.cells.iter().find(|c| {
            c.keys.iter().all(|(d, v)| {
                keys.iter()
                    .find(|(kd, _)| kd == d)
                    .map_or(v == TOTAL, |(_, kv)| kv == v)
            })
        })
    }
}

/// A table of true counts over the full grid of values and totals (index `len` of a dimension
/// is its total), before control. Kept separate so the rules can be checked against the truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub dimensions: Vec<String>,
    pub values: Vec<Vec<String>>,
    pub counts: Vec<u64>,
}

impl Grid {
    /// Sizes of each axis including its total.
    pub fn sizes(&self) -> Vec<usize> {
        self.values.iter().map(|v| v.len() + 1).collect()
    }

    fn strides(&self) -> Vec<usize> {
        let sizes = self.sizes();
        let mut strides = vec![1; sizes.len()];
        for i in (0..sizes.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * sizes[i + 1];
        }
        strides
    }

    /// Every line: (total cell, component cells) along each dimension.
    pub fn lines(&self) -> Vec<(usize, Vec<usize>)> {
        let sizes = self.sizes();
        let strides = self.strides();
        let mut out = Vec::new();
        for (i, (&size, &stride)) in sizes.iter().zip(&strides).enumerate() {
            let _ = i;
            for idx in 0..self.counts.len() {
                if (idx / stride) % size == size - 1 {
                    let base = idx - (size - 1) * stride;
                    let comps = (0..size - 1).map(|j| base + j * stride).collect();
                    out.push((idx, comps));
                }
            }
        }
        out
    }

    /// Which cells are structural zeros under these rules. A combination a rule names but that
    /// holds people is not one (the rule was wrong for these data): it is controlled like any
    /// other cell rather than published as 0.
    pub fn structural(&self, rules: &[StructuralZero]) -> Vec<bool> {
        let mut s = vec![false; self.counts.len()];
        if rules.is_empty() {
            return s;
        }
        let sizes = self.sizes();
        let strides = self.strides();
        for (idx, flag) in s.iter_mut().enumerate() {
            let leaf = (0..sizes.len()).all(|i| (idx / strides[i]) % sizes[i] < sizes[i] - 1);
            if leaf && self.counts[idx] == 0 {
                let keys = self.keys(idx);
                *flag = rules.iter().any(|r| r.matches(&keys));
            }
        }
        // Totals whose every part is a structural zero, from the innermost out.
        let lines = self.lines();
        loop {
            let mut changed = false;
            for (total, comps) in &lines {
                if !s[*total] && !comps.is_empty() && comps.iter().all(|&j| s[j]) {
                    s[*total] = true;
                    changed = true;
                }
            }
            if !changed {
                return s;
            }
        }
    }

    /// The keys of a cell.
    pub fn keys(&self, idx: usize) -> BTreeMap<String, String> {
        let sizes = self.sizes();
        let strides = self.strides();
        self.dimensions
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let j = (idx / strides[i]) % sizes[i];
                let v = self.values[i].get(j).map_or(TOTAL, String::as_str);
                (d.clone(), v.to_string())
            })
            .collect()
    }
}

/// Build the grid of true counts. Counts whose key list is not one value per dimension are
/// ignored (they cannot belong to this table).
pub fn grid(dims: &[Dimension], counts: &[(Vec<String>, u64)], c: Control) -> Grid {
    let d = dims.len();
    let counts: Vec<&(Vec<String>, u64)> = counts.iter().filter(|(k, _)| k.len() == d).collect();
    // Recode open dimensions: values whose own total is below the threshold become `other`.
    let mut recode: Vec<HashMap<String, String>> = vec![HashMap::new(); d];
    for (i, dim) in dims.iter().enumerate() {
        if !dim.open {
            continue;
        }
        let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
        for (keys, n) in &counts {
            *totals.entry(keys[i].as_str()).or_default() += n;
        }
        for (v, n) in totals {
            if c.below_threshold(n) && v != OTHER {
                recode[i].insert(v.to_string(), OTHER.to_string());
            }
        }
    }
    let mut values: Vec<Vec<String>> = dims.iter().map(|dim| dim.values.clone()).collect();
    let mapped: Vec<(Vec<String>, u64)> = counts
        .iter()
        .map(|(keys, n)| {
            let keys = keys
                .iter()
                .enumerate()
                .map(|(i, k)| recode[i].get(k).cloned().unwrap_or_else(|| k.clone()))
                .collect();
            (keys, *n)
        })
        .collect();
    for (i, dim) in dims.iter().enumerate() {
        if dim.open {
            values[i].retain(|v| !recode[i].contains_key(v));
        }
        for (keys, _) in &mapped {
            if !values[i].contains(&keys[i]) && keys[i] != TOTAL {
                values[i].push(keys[i].clone());
            }
        }
        if dim.open {
            // Pooled values go last; the others in a stable order.
            values[i].sort_by(|a, b| (a == OTHER, a).cmp(&(b == OTHER, b)));
        }
    }
    let mut g = Grid {
        dimensions: dims.iter().map(|d| d.name.clone()).collect(),
        values,
        counts: Vec::new(),
    };
    let sizes = g.sizes();
    let strides = g.strides();
    g.counts = vec![0; sizes.iter().product()];
    for (keys, n) in &mapped {
        let coords: Vec<usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                g.values[i]
                    .iter()
                    .position(|v| v == k)
                    .unwrap_or(sizes[i] - 1)
            })
            .collect();
        // Add the count to the cell and to every total it belongs to.
        for mask in 0..(1usize << d) {
            let idx: usize = (0..d)
                .map(|i| {
                    let ci = if mask & (1 << i) != 0 {
                        sizes[i] - 1
                    } else {
                        coords[i]
                    };
                    ci * strides[i]
                })
                .sum();
            g.counts[idx] += n;
        }
    }
    g
}

/// Which cells of the grid are suppressed: primary (rounded count below k) then secondary, to a
/// fixpoint over every line (one table on its own, no structural zeros).
pub fn suppression(g: &Grid, c: Control) -> Vec<bool> {
    let structural = vec![false; g.counts.len()];
    let mut supp = primary(g, &structural, c);
    secondary(g, &g.lines(), &structural, &mut supp, c);
    supp
}

fn primary(g: &Grid, structural: &[bool], c: Control) -> Vec<bool> {
    g.counts
        .iter()
        .zip(structural)
        .map(|(&n, &s)| !s && c.below_threshold(n))
        .collect()
}

/// Secondary suppression along every line, to a fixpoint; returns whether anything changed.
/// Structural zeros are never hidden and never count as a hidden partner.
fn secondary(
    g: &Grid,
    lines: &[(usize, Vec<usize>)],
    structural: &[bool],
    supp: &mut [bool],
    c: Control,
) -> bool {
    let mut any = false;
    loop {
        let mut changed = false;
        for (total, comps) in lines {
            loop {
                let suppressed: Vec<usize> = comps.iter().copied().filter(|&j| supp[j]).collect();
                let need = if supp[*total] {
                    // A total rebuilt by adding published cells would be published after all.
                    suppressed.is_empty() && comps.iter().any(|&j| !structural[j])
                } else {
                    !suppressed.is_empty()
                        && (suppressed.len() < 2
                            || suppressed.iter().map(|&j| g.counts[j]).sum::<u64>() < c.threshold)
                };
                if !need {
                    break;
                }
                // The smallest published cell costs the least information to hide; a
                // structural zero protects nothing (everyone knows it is 0).
                let next = comps
                    .iter()
                    .copied()
                    .filter(|&j| !supp[j] && !structural[j])
                    .min_by_key(|&j| (g.counts[j], j));
                match next {
                    Some(j) => supp[j] = true,
                    // Nothing left to hide in the line: hide its total instead.
                    None if !supp[*total] && !structural[*total] => supp[*total] = true,
                    None => break,
                }
                changed = true;
            }
        }
        if !changed {
            return any;
        }
        any = true;
    }
}

fn publish(g: &Grid, structural: &[bool], supp: &[bool], c: Control) -> PublishedTable {
    let cells = (0..g.counts.len())
        .map(|idx| PublishedCell {
            keys: g.keys(idx),
            count: if structural[idx] {
                Some(0)
            } else {
                (!supp[idx]).then(|| c.rounded(g.counts[idx]))
            },
            suppressed: supp[idx],
            not_applicable: structural[idx],
        })
        .collect();
    PublishedTable {
        dimensions: g.dimensions.clone(),
        cells,
        k: c.threshold,
        resolution: c.resolution,
    }
}

/// Control a table: build the grid, suppress, round, and publish every cell with its keys.
pub fn control(dims: &[Dimension], counts: &[(Vec<String>, u64)], c: Control) -> PublishedTable {
    control_with(dims, counts, &[], c)
}

/// Control one table that has structural zeros.
pub fn control_with(
    dims: &[Dimension],
    counts: &[(Vec<String>, u64)],
    structural: &[StructuralZero],
    c: Control,
) -> PublishedTable {
    let spec = TableSpec {
        unit: String::new(),
        dimensions: dims.to_vec(),
        counts: counts.to_vec(),
        structural: structural.to_vec(),
    };
    control_linked(std::slice::from_ref(&spec), c)
        .pop()
        .unwrap_or_else(|| publish(&grid(dims, counts, c), &[], &[], c))
}

/// One table of a publication: what it counts (`unit`: tables counting the same unit over the
/// same period share every cell with the same keys, a dimension absent being its total), its
/// dimensions, true counts and structural zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSpec {
    pub unit: String,
    pub dimensions: Vec<Dimension>,
    pub counts: Vec<(Vec<String>, u64)>,
    pub structural: Vec<StructuralZero>,
}

/// A cell's identity across tables: its unit and the keys that are not totals.
type Identity = (String, Vec<(String, String)>);

/// The identity of a published cell across tables: its unit and the keys that are not totals.
fn identity(unit: &str, keys: &BTreeMap<String, String>) -> Identity {
    (
        unit.to_string(),
        keys.iter()
            .filter(|(_, v)| v.as_str() != TOTAL)
            .map(|(d, v)| (d.clone(), v.clone()))
            .collect(),
    )
}

/// Control tables published together: each is controlled as [`control`] does, shared cells are
/// suppressed in every table if in one, and cells are suppressed until the [`attack`] on all
/// of them together pins no suppressed cell. Tables come back in the order given.
pub fn control_linked(specs: &[TableSpec], c: Control) -> Vec<PublishedTable> {
    let grids: Vec<Grid> = specs
        .iter()
        .map(|s| grid(&s.dimensions, &s.counts, c))
        .collect();
    let structural: Vec<Vec<bool>> = grids
        .iter()
        .zip(specs)
        .map(|(g, s)| g.structural(&s.structural))
        .collect();
    let lines: Vec<Vec<(usize, Vec<usize>)>> = grids.iter().map(Grid::lines).collect();
    let mut supp: Vec<Vec<bool>> = grids
        .iter()
        .zip(&structural)
        .map(|(g, s)| primary(g, s, c))
        .collect();
    // Cells that are the same number in several tables.
    let mut classes: HashMap<Identity, Vec<(usize, usize)>> = HashMap::new();
    for (t, (g, s)) in grids.iter().zip(specs).enumerate() {
        for idx in 0..g.counts.len() {
            classes
                .entry(identity(&s.unit, &g.keys(idx)))
                .or_default()
                .push((t, idx));
        }
    }
    let classes: Vec<Vec<(usize, usize)>> = classes.into_values().filter(|m| m.len() > 1).collect();
    let mut class_of: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, members) in classes.iter().enumerate() {
        for m in members {
            class_of.insert(*m, i);
        }
    }
    // Each round adds at least one suppressed cell, so this ends (at worst all are hidden).
    loop {
        loop {
            let mut changed = false;
            for t in 0..grids.len() {
                changed |= secondary(&grids[t], &lines[t], &structural[t], &mut supp[t], c);
            }
            for members in &classes {
                if members.iter().any(|&(t, i)| supp[t][i]) {
                    for &(t, i) in members {
                        if !supp[t][i] && !structural[t][i] {
                            supp[t][i] = true;
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let published: Vec<PublishedTable> = grids
            .iter()
            .zip(&structural)
            .zip(&supp)
            .map(|((g, s), p)| publish(g, s, p, c))
            .collect();
        let linked: Vec<(&str, &PublishedTable)> = specs
            .iter()
            .map(|s| s.unit.as_str())
            .zip(&published)
            .collect();
        let Some(&(t, idx)) = exposed(&linked).first() else {
            return published;
        };
        // Hide the smallest published cell of a line through the exposed cell (in any table
        // holding it), which widens what that line says about it.
        let members = class_of
            .get(&(t, idx))
            .map_or_else(|| vec![(t, idx)], |&i| classes[i].clone());
        let mut best: Option<(u64, usize, usize)> = None;
        for &(mt, mi) in &members {
            for (total, comps) in &lines[mt] {
                if *total != mi && !comps.contains(&mi) {
                    continue;
                }
                for &j in comps.iter().chain(std::iter::once(total)) {
                    if !supp[mt][j] && !structural[mt][j] {
                        let cand = (grids[mt].counts[j], mt, j);
                        if best.is_none_or(|b| cand < b) {
                            best = Some(cand);
                        }
                    }
                }
            }
        }
        let (mt, j) = match best {
            Some((_, mt, j)) => (mt, j),
            // Every line through it is hidden or structural: hide the smallest published cell
            // left anywhere (the attacker's bounds come from published cells only).
            None => match (0..grids.len())
                .flat_map(|mt| (0..grids[mt].counts.len()).map(move |j| (mt, j)))
                .filter(|&(mt, j)| !supp[mt][j] && !structural[mt][j])
                .min_by_key(|&(mt, j)| (grids[mt].counts[j], mt, j))
            {
                Some(x) => x,
                None => return published,
            },
        };
        supp[mt][j] = true;
    }
}

/// What an attacker can derive about one cell: its true count lies in `lo..=hi` (`hi` None:
/// no upper bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub lo: u64,
    pub hi: Option<u64>,
}

impl Interval {
    /// At least k values remain possible (see the module's rule).
    pub fn protects(&self, k: u64) -> bool {
        self.hi
            .is_none_or(|hi| hi.saturating_sub(self.lo).saturating_add(1) >= k)
    }
}

/// Every line of a published table, found from the keys: (total, parts).
fn published_lines(t: &PublishedTable) -> Vec<(usize, Vec<usize>)> {
    let index: HashMap<&BTreeMap<String, String>, usize> = t
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.keys, i))
        .collect();
    let mut parts: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, cell) in t.cells.iter().enumerate() {
        for (d, v) in &cell.keys {
            if v == TOTAL {
                continue;
            }
            let mut keys = cell.keys.clone();
            keys.insert(d.clone(), TOTAL.to_string());
            if let Some(&total) = index.get(&keys) {
                parts.entry((total, d.as_str())).or_default().push(i);
            }
        }
    }
    let mut out: Vec<(usize, Vec<usize>)> = parts
        .into_iter()
        .map(|((total, _), comps)| (total, comps))
        .collect();
    out.sort();
    out
}

/// The attacker: from tables published together (each with the unit it counts), the tightest
/// interval bound propagation derives for every cell. Published counts are rounded down, so a
/// published `v` is `v..=v+resolution-1`; a structural zero is 0; a suppressed cell is only
/// known to be at least 0; every line says its total is the sum of its parts, and cells with the
/// same unit and keys in two tables are one unknown. Propagation runs to a fixpoint (or 10,000
/// passes, after which the bounds are still sound).
pub fn attack(tables: &[(&str, &PublishedTable)]) -> Vec<Vec<Interval>> {
    attack_with(tables, &[])
}

/// A figure published beside the tables that is the sum of some of their cells, e.g. how many
/// decisions a timeliness summary measured: the positive plus the negative outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumOf {
    /// As published: rounded down to `resolution`.
    pub value: u64,
    pub resolution: u64,
    /// (table, cell) positions of the parts.
    pub parts: Vec<(usize, usize)>,
}

/// The [`attack`] with published sums of cells as further equations.
pub fn attack_with(tables: &[(&str, &PublishedTable)], sums: &[SumOf]) -> Vec<Vec<Interval>> {
    const INF: u64 = u64::MAX;
    let mut var: HashMap<Identity, usize> = HashMap::new();
    let mut ids: Vec<Vec<usize>> = Vec::new();
    for (unit, t) in tables {
        ids.push(
            t.cells
                .iter()
                .map(|cell| {
                    let n = var.len();
                    *var.entry(identity(unit, &cell.keys)).or_insert(n)
                })
                .collect(),
        );
    }
    let mut lo = vec![0u64; var.len()];
    let mut hi = vec![INF; var.len()];
    let mut lines: Vec<(usize, Vec<usize>)> = Vec::new();
    for ((_, t), ids) in tables.iter().zip(&ids) {
        let r = t.resolution.max(1);
        for (cell, &v) in t.cells.iter().zip(ids) {
            if cell.not_applicable {
                hi[v] = 0;
            } else if let Some(n) = cell.count {
                lo[v] = lo[v].max(n);
                hi[v] = hi[v].min(n.saturating_add(r - 1));
            }
        }
        for (total, comps) in published_lines(t) {
            lines.push((ids[total], comps.iter().map(|&j| ids[j]).collect()));
        }
    }
    for sum in sums {
        let parts: Vec<usize> = sum
            .parts
            .iter()
            .filter_map(|&(t, i)| ids.get(t).and_then(|ids| ids.get(i)).copied())
            .collect();
        lo.push(sum.value);
        hi.push(sum.value.saturating_add(sum.resolution.max(1) - 1));
        lines.push((lo.len() - 1, parts));
    }
    let tighten = |lo: &mut [u64], hi: &mut [u64], v: usize, l: u64, h: u64| -> bool {
        let mut changed = false;
        if l > lo[v] {
            lo[v] = l;
            changed = true;
        }
        if h < hi[v] {
            hi[v] = h;
            changed = true;
        }
        changed
    };
    for _ in 0..10_000 {
        let mut changed = false;
        for (total, comps) in &lines {
            let sum_lo: u64 = comps.iter().fold(0u64, |a, &j| a.saturating_add(lo[j]));
            let infinite = comps.iter().filter(|&&j| hi[j] == INF).count();
            let finite_hi: u64 = comps
                .iter()
                .filter(|&&j| hi[j] != INF)
                .fold(0u64, |a, &j| a.saturating_add(hi[j]));
            let sum_hi = if infinite > 0 { INF } else { finite_hi };
            changed |= tighten(&mut lo, &mut hi, *total, sum_lo, sum_hi);
            let (t_lo, t_hi) = (lo[*total], hi[*total]);
            let snapshot: Vec<(usize, u64, u64)> =
                comps.iter().map(|&j| (j, lo[j], hi[j])).collect();
            for (j, j_lo, j_hi) in snapshot {
                let others_infinite = infinite - usize::from(j_hi == INF) > 0;
                let new_lo = if others_infinite {
                    0
                } else {
                    let others_hi = finite_hi - if j_hi == INF { 0 } else { j_hi };
                    t_lo.saturating_sub(others_hi)
                };
                let new_hi = if t_hi == INF {
                    INF
                } else {
                    t_hi.saturating_sub(sum_lo - j_lo)
                };
                changed |= tighten(&mut lo, &mut hi, j, new_lo, new_hi);
            }
        }
        if !changed {
            break;
        }
    }
    ids.iter()
        .map(|ids| {
            ids.iter()
                .map(|&v| Interval {
                    lo: lo[v],
                    hi: (hi[v] != INF).then_some(hi[v]),
                })
                .collect()
        })
        .collect()
}

/// Suppressed cells the [`attack`] pins to fewer than k values, as (table, cell) positions.
/// Empty for every output [`control_linked`] produces.
pub fn exposed(tables: &[(&str, &PublishedTable)]) -> Vec<(usize, usize)> {
    exposed_with(tables, &[])
}

/// [`exposed`] with published sums of cells known to the attacker too.
pub fn exposed_with(tables: &[(&str, &PublishedTable)], sums: &[SumOf]) -> Vec<(usize, usize)> {
    let intervals = attack_with(tables, sums);
    let mut out = Vec::new();
    for (t, ((_, table), iv)) in tables.iter().zip(&intervals).enumerate() {
        for (i, (cell, iv)) in table.cells.iter().zip(iv).enumerate() {
            if cell.suppressed && !iv.protects(table.k) {
                out.push((t, i));
            }
        }
    }
    out
}

/// A one- or two-dimensional table laid out as published (UK NRM quarterly style): rows by the
/// first dimension, columns by the second (or one `count` column), totals last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pivot {
    pub row_dimension: String,
    pub column_dimension: Option<String>,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `None` is a suppressed cell.
    pub cells: Vec<Vec<Option<u64>>>,
    /// Structural zeros (published as 0, shown as "not applicable").
    pub not_applicable: Vec<Vec<bool>>,
}

impl PublishedTable {
    /// The table as rows and columns; None for tables of more than two dimensions or none.
    pub fn pivot(&self) -> Option<Pivot> {
        let (row_dim, col_dim) = match self.dimensions.as_slice() {
            [r] => (r.clone(), None),
            [r, c] => (r.clone(), Some(c.clone())),
            _ => return None,
        };
        let mut rows: Vec<String> = Vec::new();
        let mut columns: Vec<String> = Vec::new();
        for cell in &self.cells {
            let r = &cell.keys[&row_dim];
            if !rows.contains(r) {
                rows.push(r.clone());
            }
            let c = col_dim.as_ref().map_or("count", |c| cell.keys[c].as_str());
            if !columns.iter().any(|x| x == c) {
                columns.push(c.to_string());
            }
        }
        let found: Vec<Vec<Option<&PublishedCell>>> = rows
            .iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| {
                        self.cells.iter().find(|cell| {
                            &cell.keys[&row_dim] == r
                                && col_dim.as_ref().is_none_or(|cd| &cell.keys[cd] == c)
                        })
                    })
                    .collect()
            })
            .collect();
        let cells = found
            .iter()
            .map(|row| row.iter().map(|c| c.and_then(|c| c.count)).collect())
            .collect();
        let not_applicable = found
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| c.is_some_and(|c| c.not_applicable))
                    .collect()
            })
            .collect();
        Some(Pivot {
            row_dimension: row_dim,
            column_dimension: col_dim,
            rows,
            columns,
            cells,
            not_applicable,
        })
    }
}
