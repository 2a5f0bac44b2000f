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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedCell {
    pub keys: BTreeMap<String, String>,
    pub count: Option<u64>,
    pub suppressed: bool,
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
/// fixpoint over every line.
pub fn suppression(g: &Grid, c: Control) -> Vec<bool> {
    let mut supp: Vec<bool> = g.counts.iter().map(|&n| c.below_threshold(n)).collect();
    let lines = g.lines();
    loop {
        let mut changed = false;
        for (total, comps) in &lines {
            loop {
                let suppressed: Vec<usize> = comps.iter().copied().filter(|&j| supp[j]).collect();
                let need = if supp[*total] {
                    // A total rebuilt by adding published cells would be published after all.
                    suppressed.is_empty() && !comps.is_empty()
                } else {
                    !suppressed.is_empty()
                        && (suppressed.len() < 2
                            || suppressed.iter().map(|&j| g.counts[j]).sum::<u64>() < c.threshold)
                };
                if !need {
                    break;
                }
                // The smallest published cell costs the least information to hide.
                let next = comps
                    .iter()
                    .copied()
                    .filter(|&j| !supp[j])
                    .min_by_key(|&j| (g.counts[j], j));
                match next {
                    Some(j) => supp[j] = true,
                    // Nothing left to hide in the line: hide its total instead.
                    None => supp[*total] = true,
                }
                changed = true;
            }
        }
        if !changed {
            return supp;
        }
    }
}

/// Control a table: build the grid, suppress, round, and publish every cell with its keys.
pub fn control(dims: &[Dimension], counts: &[(Vec<String>, u64)], c: Control) -> PublishedTable {
    let g = grid(dims, counts, c);
    let supp = suppression(&g, c);
    let cells = (0..g.counts.len())
        .map(|idx| PublishedCell {
            keys: g.keys(idx),
            count: (!supp[idx]).then(|| c.rounded(g.counts[idx])),
            suppressed: supp[idx],
        })
        .collect();
    PublishedTable {
        dimensions: g.dimensions,
        cells,
        k: c.threshold,
        resolution: c.resolution,
    }
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
        let cells = rows
            .iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| {
                        self.cells
                            .iter()
                            .find(|cell| {
                                &cell.keys[&row_dim] == r
                                    && col_dim.as_ref().is_none_or(|cd| &cell.keys[cd] == c)
                            })
                            .and_then(|cell| cell.count)
                    })
                    .collect()
            })
            .collect();
        Some(Pivot {
            row_dimension: row_dim,
            column_dimension: col_dim,
            rows,
            columns,
            cells,
        })
    }
}
