//! Blocking index and the three modes: one query against an in-memory index
//! (top-k), batch link of two lists, dedupe of one list into clusters.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::model::{compare, probability, Comp, Gamma, Model, TermFreq};
use crate::normalize::phonetic;
use crate::record::{Name, NameFeat, Prepared};

/// Tunables of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pairs at or above this probability are reported.
    pub threshold: f64,
    /// Buckets larger than this are skipped at query time: a key shared by
    /// that many records says nothing (the skip is counted).
    pub max_bucket: usize,
    pub em_iterations: usize,
    pub u_samples: usize,
    /// At most this many pairs per EM session (sampled when more agree).
    pub em_pairs_per_session: usize,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.5,
            max_bucket: 50_000,
            em_iterations: 40,
            u_samples: 50_000,
            em_pairs_per_session: 100_000,
            seed: 42,
        }
    }
}

fn h<T: Hash>(t: T) -> u64 {
    let mut s = DefaultHasher::new();
    t.hash(&mut s);
    s.finish()
}

fn given_keys(g: &NameFeat) -> Vec<u64> {
    if g.groups.is_empty() {
        vec![h(("p", phonetic(&g.skel, 4)))]
    } else {
        g.groups.iter().map(|(id, _)| h(("g", *id))).collect()
    }
}

fn name_keys(
    given: Option<&NameFeat>,
    surname: Option<&NameFeat>,
    years: Option<(i32, i32)>,
    widen: i32,
    out: &mut Vec<u64>,
) {
    let gk = given.map(given_keys).unwrap_or_default();
    let sk = surname.map(|s| h(("s", &s.phon)));
    if let Some((lo, hi)) = years {
        for y in (lo - widen)..=(hi + widen) {
            for k in &gk {
                out.push(h((1u8, *k, y)));
            }
            if let Some(s) = sk {
                out.push(h((2u8, s, y)));
            }
        }
    }
    if let Some(s) = sk {
        for k in &gk {
            out.push(h((3u8, *k, s)));
        }
    }
}

/// Blocking keys of a record. Query-side keys widen the birth year by one
/// and also try given name and surname swapped; index-side keys do not, so
/// each record is stored once per key.
pub fn blocking_keys(p: &Prepared, query: bool) -> Vec<u64> {
    let mut out = Vec::new();
    let widen = i32::from(query);
    let (given, surname) = (p.given.as_deref(), p.surname.as_deref());
    name_keys(given, surname, p.years, widen, &mut out);
    if query {
        name_keys(surname, given, p.years, widen, &mut out);
    }
    // The FEBRL-style rules of Splink's own example, on the fields present.
    let g = &p.generic;
    let (street, addr, postcode, state, ssid) = (&g[0], &g[1], &g[3], &g[4], &g[5]);
    if p.dob.is_some_and(|d| d.day.is_some()) {
        out.push(h((4u8, p.dob_digits.as_str())));
    }
    if !ssid.is_empty() {
        out.push(h((5u8, ssid)));
    }
    if !state.is_empty() && !addr.is_empty() {
        out.push(h((6u8, state, addr)));
    }
    if !street.is_empty() && !addr.is_empty() {
        out.push(h((7u8, street, addr)));
    }
    if !postcode.is_empty() {
        out.push(h((8u8, postcode)));
    }
    if let (Some(g), Some(s)) = (&p.given, &p.surname) {
        out.push(h((9u8, &g.skel, &s.skel)));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Record ids in one buffer: a million short ids would otherwise be a
/// million small allocations. `ids[i]` is the id of record `i`.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    text: String,
    ends: Vec<usize>,
}

impl Ids {
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }

    fn reserve(&mut self, records: usize) {
        self.ends.reserve(records);
    }
}

impl std::ops::Index<usize> for Ids {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        self.get(i).unwrap_or("")
    }
}

/// The distinct names and birth places of the indexed records, each held
/// once and shared by every record that has it.
#[derive(Debug, Default)]
struct Interner {
    names: HashSet<Name>,
    places: HashSet<Arc<str>>,
}

impl Interner {
    fn name(&mut self, n: &mut Name) {
        match self.names.get(n) {
            Some(shared) => *n = shared.clone(),
            None => {
                self.names.insert(n.clone());
            }
        }
    }

    fn place(&mut self, s: &mut Arc<str>) {
        match self.places.get(s) {
            Some(shared) => *s = shared.clone(),
            None => {
                self.places.insert(s.clone());
            }
        }
    }

    fn record(&mut self, p: &mut Prepared) {
        for n in p.given.iter_mut().chain(p.surname.iter_mut()) {
            self.name(n);
        }
        for n in p.parents.iter_mut() {
            self.name(n);
        }
        if let Some((s, _)) = &mut p.place {
            self.place(s);
        }
    }
}

/// The inverted index from blocking key to record positions. Most of it is
/// one sorted array of keys and one of postings (12 bytes per key, 4 per
/// posting); records added since the last merge sit in a small hash map
/// and are merged in once that holds an eighth as many keys as the arrays.
/// (A hash map of vectors for everything cost about 100 bytes per key, and
/// most keys are held by a single record.)
#[derive(Debug, Default)]
struct Blocks {
    keys: Vec<u64>,
    /// Postings of keys[i] are postings[starts[i]..starts[i + 1]].
    starts: Vec<u32>,
    postings: Vec<u32>,
    recent: HashMap<u64, Vec<u32>>,
    recent_postings: usize,
}

impl Blocks {
    fn push(&mut self, key: u64, ix: u32) {
        self.recent.entry(key).or_default().push(ix);
        self.recent_postings += 1;
        if self.recent.len() > (self.keys.len() / 8).max(1 << 16) {
            self.merge();
        }
    }

    /// Postings of a key: the merged part, then the recent one (each in
    /// the order records were added).
    fn get(&self, key: u64) -> (&[u32], &[u32]) {
        let old = match self.keys.binary_search(&key) {
            Ok(i) => {
                let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
                &self.postings[a..b]
            }
            Err(_) => &[][..],
        };
        let new = self.recent.get(&key).map_or(&[][..], Vec::as_slice);
        (old, new)
    }

    /// Fold the recent postings into the sorted arrays (a linear merge).
    fn merge(&mut self) {
        let mut recent: Vec<(u64, Vec<u32>)> = self.recent.drain().collect();
        recent.sort_unstable_by_key(|x| x.0);
        let n_keys = self.keys.len() + recent.len();
        let mut keys = Vec::with_capacity(n_keys);
        let mut starts = Vec::with_capacity(n_keys + 1);
        let mut postings = Vec::with_capacity(self.postings.len() + self.recent_postings);
        let mut r = recent.into_iter().peekable();
        let mut i = 0;
        starts.push(0u32);
        loop {
            let next_old = self.keys.get(i).copied();
            let next_new = r.peek().map(|x| x.0);
            let key = match (next_old, next_new) {
                (None, None) => break,
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
            };
            if next_old == Some(key) {
                let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
                postings.extend_from_slice(&self.postings[a..b]);
                i += 1;
            }
            if next_new == Some(key) {
                if let Some((_, v)) = r.next() {
                    postings.extend_from_slice(&v);
                }
            }
            keys.push(key);
            // Positions are u32 like record indexes; 4 billion postings
            // would be some 700 million records, far past this design.
            starts.push(postings.len() as u32);
        }
        self.keys = keys;
        self.starts = starts;
        self.postings = postings;
        self.recent = HashMap::new();
        self.recent_postings = 0;
    }

    fn keys(&self) -> usize {
        self.keys.len()
            + self
                .recent
                .keys()
                .filter(|k| self.keys.binary_search(k).is_err())
                .count()
    }

    fn postings(&self) -> usize {
        self.postings.len() + self.recent_postings
    }

    fn heap_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(u64, Vec<u32>)>() + 1;
        self.keys.capacity() * 8
            + self.starts.capacity() * 4
            + self.postings.capacity() * 4
            + self.recent.capacity() * slot
            + self
                .recent
                .values()
                .map(|v| v.capacity() * 4)
                .sum::<usize>()
    }
}

/// In-memory index of prepared records. Adding a record updates the
/// buckets and term frequencies only; the model is not retrained.
pub struct Index {
    pub records: Vec<Prepared>,
    pub ids: Ids,
    blocks: Blocks,
    pub tf: TermFreq,
    pub max_bucket: usize,
    /// Records withdrawn from search (consent withdrawn, record closed):
    /// skipped by queries until the index is next rebuilt.
    removed: Vec<bool>,
    interner: Interner,
}

/// One ranked candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub index: u32,
    pub id: String,
    pub weight: f64,
    pub probability: f64,
}

impl Index {
    pub fn new(max_bucket: usize) -> Self {
        Index {
            records: Vec::new(),
            ids: Ids::default(),
            blocks: Blocks::default(),
            tf: TermFreq::default(),
            max_bucket,
            removed: Vec::new(),
            interner: Interner::default(),
        }
    }

    /// Make room for `additional` more records up front, so building a
    /// large index does not pass through doubled vectors.
    pub fn reserve(&mut self, additional: usize) {
        self.records.reserve_exact(additional);
        self.ids.reserve(additional);
        self.removed.reserve_exact(additional);
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn add(&mut self, id: String, mut p: Prepared) -> u32 {
        let ix = self.records.len() as u32;
        for k in blocking_keys(&p, false) {
            self.blocks.push(k, ix);
        }
        self.tf.add(&p);
        self.interner.record(&mut p);
        self.records.push(p);
        self.ids.push(&id);
        self.removed.push(false);
        ix
    }

    /// Withdraw a record from search without rebuilding: it stays in the
    /// buckets but no query returns it. Returns false for an unknown index.
    pub fn remove(&mut self, ix: u32) -> bool {
        match self.removed.get_mut(ix as usize) {
            Some(r) => {
                *r = true;
                true
            }
            None => false,
        }
    }

    /// Approximate heap bytes of each part of the index (`*_bytes`) and
    /// counts of keys, postings and distinct names, for the memory
    /// benchmark (capacities, not just lengths: that is what is held).
    pub fn heap_bytes(&self) -> Vec<(&'static str, usize)> {
        let name = |n: &NameFeat| {
            std::mem::size_of::<NameFeat>()
                + 16
                + n.display.capacity()
                + n.skel.capacity()
                + n.stem.capacity()
                + n.phon.capacity()
                + n.groups.capacity() * std::mem::size_of::<(u32, crate::lexicon::Relation)>()
        };
        let records = self.records.capacity() * std::mem::size_of::<Prepared>()
            + self
                .records
                .iter()
                .map(|p| p.parents.len() * std::mem::size_of::<Name>() + p.generic.heap_bytes())
                .sum::<usize>();
        let blocks = self.blocks.heap_bytes();
        let interned = self.interner.names.capacity() * 9
            + self.interner.names.iter().map(|n| name(n)).sum::<usize>()
            + self.interner.places.capacity() * 17
            + self
                .interner
                .places
                .iter()
                .map(|s| 16 + s.len())
                .sum::<usize>();
        vec![
            ("records_bytes", records),
            (
                "ids_bytes",
                self.ids.text.capacity() + self.ids.ends.capacity() * 8,
            ),
            ("blocks_bytes", blocks),
            ("term_frequencies_bytes", self.tf.heap_bytes()),
            ("names_and_places_bytes", interned),
            ("removed_flags_bytes", self.removed.capacity()),
            ("blocking_keys", self.blocks.keys()),
            ("postings", self.blocks.postings()),
            ("distinct_names", self.interner.names.len()),
        ]
    }

    /// Indexes of records sharing a blocking key with `p`, sorted, unique.
    pub fn candidates(&self, p: &Prepared, out: &mut Vec<u32>) {
        out.clear();
        for k in blocking_keys(p, true) {
            let (old, new) = self.blocks.get(k);
            if old.len() + new.len() <= self.max_bucket {
                out.extend_from_slice(old);
                out.extend_from_slice(new);
            }
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&i| !self.removed.get(i as usize).copied().unwrap_or(true));
    }

    /// Top-k candidates for one record, best first, with the number of
    /// candidates scored.
    pub fn query(&self, model: &Model, p: &Prepared, k: usize) -> (Vec<Hit>, usize) {
        let mut cand = Vec::new();
        self.candidates(p, &mut cand);
        let mut scored: Vec<(f64, u32)> = cand
            .iter()
            .filter_map(|&i| {
                let r = self.records.get(i as usize)?;
                let (g, _) = compare(&model.comps, p, r);
                Some((model.weight(&g, p, r, Some(&self.tf)), i))
            })
            .collect();
        let n = scored.len();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(k);
        let hits = scored
            .into_iter()
            .map(|(w, i)| Hit {
                index: i,
                id: self.ids.get(i as usize).unwrap_or_default().to_string(),
                weight: w,
                probability: probability(w),
            })
            .collect();
        (hits, n)
    }
}

/// A scored pair of record positions (a in the first list, b in the second;
/// for dedupe both in the one list, a < b).
#[derive(Debug, Clone, Serialize)]
pub struct ScoredPair {
    pub a: usize,
    pub b: usize,
    pub weight: f64,
    pub probability: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub prepare_s: f64,
    pub blocking_s: f64,
    pub training_s: f64,
    /// Parts of training: u sampling, EM-session pairs, EM itself.
    pub u_sampling_s: f64,
    pub em_pairs_s: f64,
    pub em_s: f64,
    pub scoring_s: f64,
}

pub struct LinkOutput {
    pub model: Model,
    /// All candidate pairs from blocking (for pairs completeness).
    pub candidates: Vec<(u32, u32)>,
    /// Pairs at or above the threshold, best first.
    pub pairs: Vec<ScoredPair>,
    pub timings: Timings,
}

/// Map `f` over `items` on all cores (the comparisons are independent).
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .max(1);
    if threads == 1 || items.len() < 4096 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn random_gammas(
    comps: &[Comp],
    a: &[Prepared],
    b: Option<&[Prepared]>,
    n: usize,
    seed: u64,
) -> Vec<Gamma> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pairs = Vec::with_capacity(n);
    let bl = b.unwrap_or(a);
    if a.is_empty() || bl.is_empty() || (b.is_none() && a.len() < 2) {
        return Vec::new();
    }
    while pairs.len() < n {
        let i = rng.gen_range(0..a.len());
        let j = rng.gen_range(0..bl.len());
        if b.is_none() && i == j {
            continue;
        }
        pairs.push((i, j));
    }
    par_map(&pairs, |&(i, j)| compare(comps, &a[i], &bl[j]).0)
}

/// EM sessions: the comparisons each blocks on (and so leaves out).
fn sessions() -> [Vec<Comp>; 4] {
    [
        vec![Comp::DateOfBirth],
        vec![Comp::GivenName, Comp::Surname],
        vec![Comp::Postcode],
        vec![Comp::SocSecId],
    ]
}

fn session_part(c: Comp, p: &Prepared) -> Option<String> {
    let v = match c {
        Comp::Surname => p.surname.as_ref().map(|n| n.stem.clone()),
        Comp::GivenName => p.given.as_ref().map(|n| match n.groups.first() {
            Some((id, _)) => format!("g{id}"),
            None => n.skel.clone(),
        }),
        Comp::DateOfBirth => p
            .dob
            .filter(|d| d.day.is_some())
            .map(|_| p.dob_digits.to_string()),
        Comp::Postcode => Some(p.generic[3].to_string()),
        Comp::SocSecId => Some(p.generic[5].to_string()),
        _ => None,
    };
    v.filter(|s| !s.is_empty())
}

/// The value an EM session blocks on: exact agreement on all its fields.
fn session_key(cs: &[Comp], p: &Prepared) -> Option<String> {
    let parts: Option<Vec<String>> = cs.iter().map(|c| session_part(*c, p)).collect();
    parts.map(|v| v.join("|"))
}

/// Comparison vectors of pairs that agree on `c`'s session key, from the
/// whole data, sampled down to about `cap` pairs.
fn session_gammas(
    comps: &[Comp],
    c: &[Comp],
    a: &[Prepared],
    b: Option<&[Prepared]>,
    cap: usize,
    seed: u64,
) -> Vec<Gamma> {
    let mut ka: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, p) in a.iter().enumerate() {
        if let Some(k) = session_key(c, p) {
            ka.entry(k).or_default().push(i as u32);
        }
    }
    let mut kb: HashMap<String, Vec<u32>> = HashMap::new();
    if let Some(bl) = b {
        for (i, p) in bl.iter().enumerate() {
            if let Some(k) = session_key(c, p) {
                kb.entry(k).or_default().push(i as u32);
            }
        }
    }
    let block_pairs = |k: &String, v: &Vec<u32>| -> usize {
        match b {
            Some(_) => v.len() * kb.get(k).map_or(0, Vec::len),
            None => v.len() * v.len().saturating_sub(1) / 2,
        }
    };
    let total: usize = ka.iter().map(|(k, v)| block_pairs(k, v)).sum();
    let keep = if total > cap {
        cap as f64 / total as f64
    } else {
        1.0
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5e55_1015);
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut keys: Vec<&String> = ka.keys().collect();
    keys.sort();
    for k in keys {
        let va = &ka[k];
        match b {
            Some(_) => {
                for &j in kb.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                    for &i in va {
                        if keep >= 1.0 || rng.gen_bool(keep) {
                            pairs.push((i, j));
                        }
                    }
                }
            }
            None => {
                for (x, &i) in va.iter().enumerate() {
                    for &j in &va[x + 1..] {
                        if keep >= 1.0 || rng.gen_bool(keep) {
                            pairs.push((i, j));
                        }
                    }
                }
            }
        }
    }
    let bl = b.unwrap_or(a);
    par_map(&pairs, |&(i, j)| {
        compare(comps, &a[i as usize], &bl[j as usize]).0
    })
}

/// Link two lists (b against an index of a), or dedupe one list when `b`
/// is None. Trains a model unless one is given.
pub fn run(
    comps: &[Comp],
    a: &[Prepared],
    b: Option<&[Prepared]>,
    model: Option<Model>,
    opts: &Options,
    progress: &dyn Fn(usize, usize),
) -> LinkOutput {
    let t = std::time::Instant::now();
    let mut index = Index::new(opts.max_bucket);
    index.reserve(a.len());
    match b {
        Some(bl) => {
            for (i, p) in a.iter().enumerate() {
                index.add(i.to_string(), p.clone());
            }
            let built = t.elapsed().as_secs_f64();
            let mut out = link(comps, &index, bl, model, opts, progress);
            out.timings.blocking_s += built;
            out
        }
        None => {
            let mut candidates: Vec<(u32, u32)> = Vec::new();
            let mut buf = Vec::new();
            for (j, p) in a.iter().enumerate() {
                index.candidates(p, &mut buf);
                candidates.extend(buf.iter().map(|&i| (i, j as u32)));
                index.add(j.to_string(), p.clone());
                if j % 1000 == 0 {
                    progress(j, a.len());
                }
            }
            let timings = Timings {
                blocking_s: t.elapsed().as_secs_f64(),
                ..Timings::default()
            };
            train_and_score(comps, a, None, candidates, &index.tf, model, opts, timings)
        }
    }
}

/// Link `b` against a built index (its records are the first list): the
/// same as `run` with `Some(b)`, without a second copy of the index.
pub fn link(
    comps: &[Comp],
    index: &Index,
    b: &[Prepared],
    model: Option<Model>,
    opts: &Options,
    progress: &dyn Fn(usize, usize),
) -> LinkOutput {
    let t = std::time::Instant::now();
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    let mut buf = Vec::new();
    for (j, p) in b.iter().enumerate() {
        index.candidates(p, &mut buf);
        candidates.extend(buf.iter().map(|&i| (i, j as u32)));
        if j % 1000 == 0 {
            progress(j, b.len());
        }
    }
    // Term frequencies over both lists.
    let mut tf = index.tf.clone();
    for p in b {
        tf.add(p);
    }
    let timings = Timings {
        blocking_s: t.elapsed().as_secs_f64(),
        ..Timings::default()
    };
    train_and_score(
        comps,
        &index.records,
        Some(b),
        candidates,
        &tf,
        model,
        opts,
        timings,
    )
}

#[allow(clippy::too_many_arguments)]
fn train_and_score(
    comps: &[Comp],
    a: &[Prepared],
    b: Option<&[Prepared]>,
    candidates: Vec<(u32, u32)>,
    tf: &TermFreq,
    model: Option<Model>,
    opts: &Options,
    mut timings: Timings,
) -> LinkOutput {
    let bl = b.unwrap_or(a);
    let gammas: Vec<(Gamma, bool)> = par_map(&candidates, |&(i, j)| {
        compare(comps, &a[i as usize], &bl[j as usize])
    });
    let t = std::time::Instant::now();
    let model = model.unwrap_or_else(|| {
        let total = match b {
            Some(bl) => a.len() as f64 * bl.len() as f64,
            None => a.len() as f64 * (a.len() as f64 - 1.0) / 2.0,
        };
        let t0 = std::time::Instant::now();
        let random = random_gammas(comps, a, b, opts.u_samples.min(total as usize), opts.seed);
        timings.u_sampling_s = t0.elapsed().as_secs_f64();
        let t0 = std::time::Instant::now();
        let sessions: Vec<(Vec<Comp>, Vec<Gamma>)> = sessions()
            .into_iter()
            .filter(|cs| cs.iter().all(|c| comps.contains(c)))
            .map(|cs| {
                let g = session_gammas(comps, &cs, a, b, opts.em_pairs_per_session, opts.seed);
                (cs, g)
            })
            .collect();
        timings.em_pairs_s = t0.elapsed().as_secs_f64();
        let t0 = std::time::Instant::now();
        let g: Vec<Gamma> = gammas.iter().map(|x| x.0).collect();
        let max_matches = match b {
            Some(bl) => a.len().min(bl.len()) as f64,
            None => a.len() as f64 - 1.0,
        };
        let m = Model::train(
            comps,
            &random,
            &sessions,
            &g,
            total,
            max_matches,
            opts.em_iterations,
        );
        timings.em_s = t0.elapsed().as_secs_f64();
        m
    });
    timings.training_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let mut pairs: Vec<ScoredPair> = candidates
        .iter()
        .zip(&gammas)
        .filter_map(|(&(i, j), (g, _))| {
            let w = model.weight(g, &a[i as usize], &bl[j as usize], Some(tf));
            let p = probability(w);
            (p >= opts.threshold).then_some(ScoredPair {
                a: i as usize,
                b: j as usize,
                weight: w,
                probability: p,
            })
        })
        .collect();
    pairs.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    timings.scoring_s = t.elapsed().as_secs_f64();
    LinkOutput {
        model,
        candidates,
        pairs,
        timings,
    }
}

/// Term frequencies of a list, for explaining pairs outside `run`.
pub fn term_freq(lists: &[&[Prepared]]) -> TermFreq {
    let mut tf = TermFreq::default();
    for l in lists {
        for p in *l {
            tf.add(p);
        }
    }
    tf
}

/// Connected components of the predicted pairs: cluster id per record.
pub fn clusters(n: usize, pairs: &[ScoredPair]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for pr in pairs {
        if pr.a < n && pr.b < n {
            let (x, y) = (find(&mut parent, pr.a), find(&mut parent, pr.b));
            if x != y {
                parent[x.max(y)] = x.min(y);
            }
        }
    }
    (0..n).map(|i| find(&mut parent, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The merged arrays plus the recent map answer exactly as one hash
        /// map of vectors would, whenever the merges happen.
        #[test]
        fn blocks_answer_like_a_hash_map(
            pushes in proptest::collection::vec((0u64..40, any::<bool>()), 0..300),
        ) {
            let mut blocks = Blocks::default();
            let mut reference: HashMap<u64, Vec<u32>> = HashMap::new();
            for (ix, (key, merge_now)) in pushes.iter().enumerate() {
                blocks.push(*key, ix as u32);
                reference.entry(*key).or_default().push(ix as u32);
                if *merge_now {
                    blocks.merge();
                }
            }
            for key in 0u64..41 {
                let (old, new) = blocks.get(key);
                let got: Vec<u32> = old.iter().chain(new).copied().collect();
                let want = reference.get(&key).cloned().unwrap_or_default();
                prop_assert_eq!(got, want);
            }
            prop_assert_eq!(blocks.keys(), reference.len());
            prop_assert_eq!(blocks.postings(), pushes.len());
        }
    }

    #[test]
    fn index_holds_each_distinct_name_once() {
        use crate::record::{prepare, Field, Record};
        let rec = |id: &str, given: &str| {
            let r = Record::new(id)
                .with(Field::GivenName, given)
                .with(Field::Surname, "Фейкенко")
                .with(Field::BirthPlace, "Kharkiv");
            prepare(&r, 2024).unwrap()
        };
        let (a, b) = (rec("1", "Fake"), rec("2", "Other"));
        let (sa, sb) = (a.surname.clone().unwrap(), b.surname.clone().unwrap());
        assert!(!Arc::ptr_eq(&sa, &sb));
        let mut index = Index::new(100);
        index.add("1".into(), a);
        index.add("2".into(), b);
        let (ra, rb) = (&index.records[0], &index.records[1]);
        let same = |x: &Option<Name>, y: &Option<Name>| match (x, y) {
            (Some(x), Some(y)) => Arc::ptr_eq(x, y),
            _ => false,
        };
        assert!(same(&ra.surname, &rb.surname));
        assert!(!same(&ra.given, &rb.given));
        let (pa, pb) = (ra.place.as_ref().unwrap(), rb.place.as_ref().unwrap());
        assert!(Arc::ptr_eq(&pa.0, &pb.0));
        assert_eq!(&index.ids[1], "2");
    }

    #[test]
    fn ids_are_read_back() {
        let mut ids = Ids::default();
        for id in ["C1", "", "Дитина-2", "C3"] {
            ids.push(id);
        }
        assert_eq!(ids.len(), 4);
        assert_eq!(&ids[0], "C1");
        assert_eq!(&ids[1], "");
        assert_eq!(&ids[2], "Дитина-2");
        assert_eq!(ids.get(3), Some("C3"));
        assert_eq!(ids.get(4), None);
    }
}
