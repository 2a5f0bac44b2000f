//! Exact Hamming-radius search over 256-bit hashes.
//!
//! Two interchangeable, exact strategies:
//! * [`LinearIndex`]: a packed scan, 4 XOR+popcount per stored hash per query.
//! * [`MihIndex`]: multi-index hashing. The hash is cut into 16 words of 16
//!   bits; if two hashes differ in at most `d` bits, then by pigeonhole some
//!   word differs in at most `floor(d / 16)` bits. Probing every key within
//!   that radius in all 16 word tables therefore finds every true match
//!   (recall 1.0 for any `d`), and each candidate is verified on all 256 bits.
//!
//! Every search takes a set of query hashes (a hash and its dihedral
//! variants) and returns each stored hash whose distance to the closest of
//! them is within `d`, with that distance and which query achieved it.

// Lane loops index several parallel arrays; ranges read clearest there.
#![allow(clippy::needless_range_loop)]

use crate::hash::Hash256;

/// One result: stored position, distance, and which query hash was closest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hit {
    pub distance: u32,
    pub id: u32,
    pub query: u8,
}

/// Smallest distance from `h` to any query, and that query's position.
#[inline(always)]
fn best_of(h: &[u64; 4], queries: &[[u64; 4]]) -> (u32, u8) {
    let mut best = u32::MAX;
    let mut which = 0u8;
    for (qi, q) in queries.iter().enumerate() {
        let d = (h[0] ^ q[0]).count_ones()
            + (h[1] ^ q[1]).count_ones()
            + (h[2] ^ q[2]).count_ones()
            + (h[3] ^ q[3]).count_ones();
        if d < best {
            best = d;
            which = qi as u8;
        }
    }
    (best, which)
}

/// Hashes per block in the linear layout: limb-major blocks of 8 let the
/// compiler process 8 stored hashes per instruction (e.g. one AVX-512
/// VPOPCNTQ, or two AVX2 registers).
const LANES: usize = 8;
type Block = [[u64; LANES]; 4];

/// Distances from the 8 hashes of a block to one query, lane by lane.
#[inline(always)]
fn block_dist(blk: &Block, q: &[u64; 4]) -> [u64; LANES] {
    let mut d = [0u64; LANES];
    for (l, limbs) in blk.iter().enumerate() {
        let ql = q[l];
        for (di, x) in d.iter_mut().zip(limbs.iter()) {
            *di += u64::from((*x ^ ql).count_ones());
        }
    }
    d
}

/// Scans all blocks for several query sets at once (`sets[s]` = a query and
/// its variants), so each block is read from memory once per batch rather
/// than once per query. `outs[s]` receives set `s`'s hits.
#[inline(always)]
fn scan_generic(
    blocks: &[Block],
    len: usize,
    sets: &[&[[u64; 4]]],
    max: u32,
    outs: &mut [Vec<Hit>],
) {
    let max = u64::from(max);
    for (b, blk) in blocks.iter().enumerate() {
        for (set, out) in sets.iter().zip(outs.iter_mut()) {
            let mut best = [u64::MAX; LANES];
            for q in set.iter() {
                let d = block_dist(blk, q);
                for (bi, di) in best.iter_mut().zip(d) {
                    *bi = (*bi).min(di);
                }
            }
            // Rare path: some lane matched; redo it scalar to learn which query.
            if best.iter().any(|&x| x <= max) {
                for (i, bi) in best.iter().enumerate() {
                    let id = b * LANES + i;
                    if *bi <= max && id < len {
                        let h = [blk[0][i], blk[1][i], blk[2][i], blk[3][i]];
                        let (dist, qi) = best_of(&h, set);
                        out.push(Hit {
                            distance: dist,
                            id: id as u32,
                            query: qi,
                        });
                    }
                }
            }
        }
    }
}

// The default x86-64 target has neither POPCNT nor wide vectors; compile
// copies of the kernels for better CPUs and pick one at run time. (Integer
// code only: this cannot change any result, only speed.)
/// AVX-512 kernel written out by hand: the compiler's own vectorisation of
/// `scan_generic` transposes across queries and spills. One register holds
/// one limb of 8 stored hashes; VPOPCNTQ counts 8 distances at once.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
fn scan_avx512(
    blocks: &[Block],
    len: usize,
    sets: &[&[[u64; 4]]],
    max: u32,
    outs: &mut [Vec<Hit>],
) {
    use std::arch::x86_64::*;
    let qv: Vec<Vec<[__m512i; 4]>> = sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|q| {
                    [
                        _mm512_set1_epi64(q[0] as i64),
                        _mm512_set1_epi64(q[1] as i64),
                        _mm512_set1_epi64(q[2] as i64),
                        _mm512_set1_epi64(q[3] as i64),
                    ]
                })
                .collect()
        })
        .collect();
    let maxv = _mm512_set1_epi64(i64::from(max));
    for (b, blk) in blocks.iter().enumerate() {
        // SAFETY: each limb row is 8 u64 = 64 bytes; unaligned loads are allowed.
        let l = unsafe {
            [
                _mm512_loadu_epi64(blk[0].as_ptr() as *const i64),
                _mm512_loadu_epi64(blk[1].as_ptr() as *const i64),
                _mm512_loadu_epi64(blk[2].as_ptr() as *const i64),
                _mm512_loadu_epi64(blk[3].as_ptr() as *const i64),
            ]
        };
        for ((set, qs), out) in sets.iter().zip(&qv).zip(outs.iter_mut()) {
            let mut best = _mm512_set1_epi64(i64::MAX);
            for q in qs {
                let d0 = _mm512_popcnt_epi64(_mm512_xor_si512(l[0], q[0]));
                let d1 = _mm512_popcnt_epi64(_mm512_xor_si512(l[1], q[1]));
                let d2 = _mm512_popcnt_epi64(_mm512_xor_si512(l[2], q[2]));
                let d3 = _mm512_popcnt_epi64(_mm512_xor_si512(l[3], q[3]));
                let d = _mm512_add_epi64(_mm512_add_epi64(d0, d1), _mm512_add_epi64(d2, d3));
                best = _mm512_min_epu64(best, d);
            }
            let mask = _mm512_cmple_epu64_mask(best, maxv);
            if mask != 0 {
                // Rare path: redo matching lanes scalar to learn which query.
                for i in 0..LANES {
                    let id = b * LANES + i;
                    if mask & (1 << i) != 0 && id < len {
                        let h = [blk[0][i], blk[1][i], blk[2][i], blk[3][i]];
                        let (dist, qi) = best_of(&h, set);
                        out.push(Hit {
                            distance: dist,
                            id: id as u32,
                            query: qi,
                        });
                    }
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn scan_avx2(blocks: &[Block], len: usize, sets: &[&[[u64; 4]]], max: u32, outs: &mut [Vec<Hit>]) {
    scan_generic(blocks, len, sets, max, outs)
}

fn scan(blocks: &[Block], len: usize, sets: &[&[[u64; 4]]], max: u32, outs: &mut [Vec<Hit>]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512vpopcntdq")
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("popcnt")
        {
            // SAFETY: the CPU has these features, checked just above.
            unsafe { scan_avx512(blocks, len, sets, max, outs) };
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("popcnt")
        {
            // SAFETY: as above.
            unsafe { scan_avx2(blocks, len, sets, max, outs) };
            return;
        }
    }
    scan_generic(blocks, len, sets, max, outs)
}

fn to_blocks(hashes: &[[u64; 4]]) -> Vec<Block> {
    hashes
        .chunks(LANES)
        .map(|c| {
            let mut b = [[0u64; LANES]; 4];
            for (i, h) in c.iter().enumerate() {
                for l in 0..4 {
                    b[l][i] = h[l];
                }
            }
            b
        })
        .collect()
}

/// Query hashes per search are capped at 256 so `Hit::query` fits a `u8`
/// (a search is a hash and its 8 dihedral variants); hashes beyond are ignored.
pub const MAX_QUERY_HASHES: usize = 256;

fn query_limbs(q: &[Hash256]) -> Vec<[u64; 4]> {
    q.iter().take(MAX_QUERY_HASHES).map(|h| h.0).collect()
}

fn to_limbs(hashes: &[Hash256]) -> Vec<[u64; 4]> {
    hashes.iter().map(|h| h.0).collect()
}

fn finish(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_unstable();
    hits
}

/// Packed linear scan.
#[derive(Debug, Clone, Default)]
pub struct LinearIndex {
    blocks: Vec<Block>,
    len: usize,
}

impl LinearIndex {
    pub fn new(hashes: &[Hash256]) -> LinearIndex {
        LinearIndex {
            blocks: to_blocks(&to_limbs(hashes)),
            len: hashes.len(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every stored hash within `max` of any of `queries`, sorted by (distance, id).
    pub fn search(&self, queries: &[Hash256], max: u32) -> Vec<Hit> {
        let out = Vec::new();
        if queries.is_empty() {
            return out;
        }
        let q = query_limbs(queries);
        let mut outs = [out];
        scan(&self.blocks, self.len, &[&q], max, &mut outs);
        let [out] = outs;
        finish(out)
    }

    /// Several searches in one pass over memory (higher throughput for
    /// batches); result `i` equals `self.search(sets[i], max)`.
    pub fn search_batch(&self, sets: &[&[Hash256]], max: u32) -> Vec<Vec<Hit>> {
        // Batches of 16 sets keep the per-block work in L1 while amortising
        // each block's load over 16 x 8 query hashes.
        let mut results = Vec::with_capacity(sets.len());
        for chunk in sets.chunks(16) {
            let limbs: Vec<Vec<[u64; 4]>> = chunk.iter().map(|s| query_limbs(s)).collect();
            let refs: Vec<&[[u64; 4]]> = limbs.iter().map(|v| v.as_slice()).collect();
            let mut outs: Vec<Vec<Hit>> = vec![Vec::new(); chunk.len()];
            scan(&self.blocks, self.len, &refs, max, &mut outs);
            results.extend(outs.into_iter().map(finish));
        }
        results
    }

    /// Bytes of heap memory held.
    pub fn memory_bytes(&self) -> usize {
        self.blocks.capacity() * std::mem::size_of::<Block>()
    }
}

/// One substring table of the multi-index: bits `start..start + width`.
#[derive(Debug, Clone, Default)]
struct Table {
    start: u32,
    width: u32,
    /// CSR offsets (`2^width + 1`) into `ids`.
    offsets: Vec<u32>,
    /// Stored positions grouped by substring value, ascending within a group.
    ids: Vec<u32>,
}

/// Multi-index hashing over `m` contiguous substrings (11 <= m <= 16, so each
/// is at most 24 bits and its offset table at most 64 MiB).
#[derive(Debug, Clone, Default)]
pub struct MihIndex {
    hashes: Vec<[u64; 4]>,
    tables: Vec<Table>,
}

/// Bits `start..start + width` (width <= 32) of the 256-bit hash.
#[inline(always)]
fn substring(h: &[u64; 4], start: u32, width: u32) -> usize {
    let (limb, off) = ((start / 64) as usize, start % 64);
    let mut v = h[limb] >> off;
    if off + width > 64 {
        v |= h[limb + 1] << (64 - off);
    }
    (v & ((1u64 << width) - 1)) as usize
}

/// All `width`-bit masks with at most `r` bits set, fewest bits first.
fn masks_within(width: u32, r: u32) -> Vec<u32> {
    fn rec(width: u32, from: u32, left: u32, acc: u32, out: &mut Vec<u32>) {
        if left == 0 {
            return;
        }
        for b in from..width {
            let m = acc | (1 << b);
            out.push(m);
            rec(width, b + 1, left - 1, m, out);
        }
    }
    let mut out = vec![0u32];
    rec(width, 0, r.min(width), 0, &mut out);
    out.sort_by_key(|x| x.count_ones());
    out
}

fn probes(width: u32, r: u32) -> f64 {
    (0..=r.min(width)).map(|k| binom(width, k)).sum()
}

impl MihIndex {
    /// Builds the index with a substring count suited to the size: sixteen
    /// 16-bit words up to 4M hashes (4 MiB of offsets); above that eleven
    /// 23-24-bit substrings, so buckets stay near one entry while a distance
    /// of 31 still probes radius 2 only (31 / 11 = 2). Exact either way.
    pub fn new(hashes: &[Hash256]) -> MihIndex {
        let m = if hashes.len() < (1 << 22) { 16 } else { 11 };
        MihIndex::with_substrings(hashes, m)
    }

    /// Builds with `m` substrings (clamped to 11..=16). Positions are `u32`,
    /// so at most 2^32 - 1 hashes.
    pub fn with_substrings(hashes: &[Hash256], m: u32) -> MihIndex {
        let m = m.clamp(11, 16);
        let hashes = to_limbs(hashes);
        let n = hashes.len();
        let (base, extra) = (256 / m, 256 % m);
        let mut tables = Vec::with_capacity(m as usize);
        let mut start = 0;
        for t in 0..m {
            let width = base + u32::from(t < extra);
            let keys = 1usize << width;
            let mut offsets = vec![0u32; keys + 1];
            for h in &hashes {
                offsets[substring(h, start, width) + 1] += 1;
            }
            for k in 0..keys {
                offsets[k + 1] += offsets[k];
            }
            // Counting sort: fill in ascending id order, so buckets stay sorted.
            let mut next: Vec<u32> = offsets[..keys].to_vec();
            let mut ids = vec![0u32; n];
            for (id, h) in hashes.iter().enumerate() {
                let k = substring(h, start, width);
                ids[next[k] as usize] = id as u32;
                next[k] += 1;
            }
            tables.push(Table {
                start,
                width,
                offsets,
                ids,
            });
            start += width;
        }
        MihIndex { hashes, tables }
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Number of substring tables.
    pub fn substrings(&self) -> usize {
        self.tables.len()
    }

    /// Bytes of heap memory held.
    pub fn memory_bytes(&self) -> usize {
        self.hashes.capacity() * 32
            + self
                .tables
                .iter()
                .map(|t| t.offsets.capacity() * 4 + t.ids.capacity() * 4)
                .sum::<usize>()
    }

    fn radius(&self, max: u32) -> u32 {
        max / self.tables.len().max(1) as u32
    }

    /// Estimated probes plus candidate visits for one query hash at `max`;
    /// used to decide when probing costs more than scanning.
    pub fn probe_cost(&self, max: u32) -> f64 {
        let r = self.radius(max);
        self.tables
            .iter()
            .map(|t| probes(t.width, r) * (1.0 + self.len() as f64 / (1u64 << t.width) as f64))
            .sum()
    }

    /// Every stored hash within `max` of any of `queries`, sorted by (distance, id).
    ///
    /// Exact: if a stored hash is within `max`, then (pigeonhole over the `m`
    /// substrings) one substring differs in at most `max / m` bits, and every
    /// key within that radius is probed in every table.
    pub fn search(&self, queries: &[Hash256], max: u32, scratch: &mut Scratch) -> Vec<Hit> {
        let q = query_limbs(queries);
        let mut out = Vec::new();
        if q.is_empty() || self.hashes.is_empty() {
            return out;
        }
        let r = self.radius(max);
        if self.tables.iter().any(|t| r >= t.width) {
            // Every key of a table would be probed: a scan is the same answer.
            // (Choosing the cheaper strategy in general is `Index`'s job.)
            for (id, h) in self.hashes.iter().enumerate() {
                let (d, qi) = best_of(h, &q);
                if d <= max {
                    out.push(Hit {
                        distance: d,
                        id: id as u32,
                        query: qi,
                    });
                }
            }
            return finish(out);
        }
        scratch.prepare(self.hashes.len());
        // Mark candidates in a bitset: it removes duplicates across tables and
        // query variants, and walking it afterwards visits hashes in memory order.
        for t in &self.tables {
            let mi = scratch.mask_index(t.width, r);
            let (masks, seen) = (&scratch.masks[mi].1, &mut scratch.seen);
            for qh in &q {
                let key = substring(qh, t.start, t.width);
                for &m in masks {
                    let k = key ^ m as usize;
                    let (a, b) = (t.offsets[k] as usize, t.offsets[k + 1] as usize);
                    for &id in &t.ids[a..b] {
                        seen[(id >> 6) as usize] |= 1u64 << (id & 63);
                    }
                }
            }
        }
        verify(
            &self.hashes,
            &q,
            max,
            &mut scratch.seen,
            &mut scratch.cands,
            &mut out,
        );
        finish(out)
    }
}

#[inline(always)]
fn verify_generic(
    hashes: &[[u64; 4]],
    q: &[[u64; 4]],
    max: u32,
    seen: &mut [u64],
    cands: &mut Vec<u32>,
    out: &mut Vec<Hit>,
) {
    // Walk the bitset into a list first: the verify loop below is then free of
    // hard-to-predict branches, so the CPU overlaps the (random, cache-missing)
    // loads of many candidates; explicit prefetch widens that further.
    cands.clear();
    for (wi, word) in seen.iter_mut().enumerate() {
        let mut bits = *word;
        *word = 0; // leave the bitset clean for the next search
        while bits != 0 {
            cands.push((wi * 64) as u32 + bits.trailing_zeros());
            bits &= bits - 1;
        }
    }
    const AHEAD: usize = 16;
    for (k, &id) in cands.iter().enumerate() {
        #[cfg(target_arch = "x86_64")]
        if let Some(&next) = cands.get(k + AHEAD) {
            let p = hashes[next as usize].as_ptr() as *const i8;
            // SAFETY: prefetch is a hint and never faults; `p` is in bounds anyway.
            unsafe { std::arch::x86_64::_mm_prefetch(p, std::arch::x86_64::_MM_HINT_T0) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = k;
        let (d, qi) = best_of(&hashes[id as usize], q);
        if d <= max {
            out.push(Hit {
                distance: d,
                id,
                query: qi,
            });
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn verify_popcnt(
    hashes: &[[u64; 4]],
    q: &[[u64; 4]],
    max: u32,
    seen: &mut [u64],
    cands: &mut Vec<u32>,
    out: &mut Vec<Hit>,
) {
    verify_generic(hashes, q, max, seen, cands, out)
}

fn verify(
    hashes: &[[u64; 4]],
    q: &[[u64; 4]],
    max: u32,
    seen: &mut [u64],
    cands: &mut Vec<u32>,
    out: &mut Vec<Hit>,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU supports POPCNT, checked just above.
            unsafe { verify_popcnt(hashes, q, max, seen, cands, out) };
            return;
        }
    }
    verify_generic(hashes, q, max, seen, cands, out)
}

fn binom(n: u32, k: u32) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
}

/// Per-thread working memory for [`MihIndex::search`].
#[derive(Debug, Default)]
pub struct Scratch {
    seen: Vec<u64>,
    cands: Vec<u32>,
    /// Probe masks per (width, radius), computed once.
    masks: Vec<((u32, u32), Vec<u32>)>,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch::default()
    }

    fn prepare(&mut self, n: usize) {
        let words = n.div_ceil(64);
        if self.seen.len() != words {
            self.seen = vec![0; words];
        }
    }

    fn mask_index(&mut self, width: u32, r: u32) -> usize {
        match self.masks.iter().position(|(k, _)| *k == (width, r)) {
            Some(p) => p,
            None => {
                self.masks.push(((width, r), masks_within(width, r)));
                self.masks.len() - 1
            }
        }
    }
}

/// Which strategy answers a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchStrategy {
    /// MIH when its estimated probe work is below a full scan, else linear.
    #[default]
    Auto,
    Linear,
    Mih,
}

/// An exact index that picks a strategy per search (both give identical results).
#[derive(Debug, Clone)]
pub struct Index {
    linear_hashes: LinearIndex,
    mih: Option<MihIndex>,
}

/// Below this many hashes the scan is always used and no MIH tables are built
/// (the 16 x 65537 offset tables alone are 4 MiB).
pub const MIH_MIN_LEN: usize = 50_000;

impl Index {
    pub fn new(hashes: &[Hash256], strategy: SearchStrategy) -> Index {
        let build_mih = match strategy {
            SearchStrategy::Linear => false,
            SearchStrategy::Mih => true,
            SearchStrategy::Auto => hashes.len() >= MIH_MIN_LEN,
        };
        Index {
            linear_hashes: LinearIndex::new(hashes),
            mih: build_mih.then(|| MihIndex::new(hashes)),
        }
    }

    pub fn len(&self) -> usize {
        self.linear_hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.linear_hashes.is_empty()
    }

    pub fn search(&self, queries: &[Hash256], max: u32, scratch: &mut Scratch) -> Vec<Hit> {
        match &self.mih {
            // Measured (docs/pdq.md): probing wins while it touches well under
            // the whole bank; 0.25 leaves room for its random access.
            Some(m)
                if m.probe_cost(max) * (queries.len() as f64)
                    < 0.25 * self.len() as f64 * queries.len() as f64 =>
            {
                m.search(queries, max, scratch)
            }
            _ => self.linear_hashes.search(queries, max),
        }
    }

    pub fn memory_bytes(&self) -> usize {
        self.linear_hashes.memory_bytes() + self.mih.as_ref().map_or(0, |m| m.memory_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(hashes: &[Hash256], q: &[Hash256], max: u32) -> Vec<Hit> {
        let mut out = Vec::new();
        for (id, h) in hashes.iter().enumerate() {
            let mut best = (u32::MAX, 0u8);
            for (qi, qq) in q.iter().enumerate() {
                let d = h.distance(qq);
                if d < best.0 {
                    best = (d, qi as u8);
                }
            }
            if best.0 <= max {
                out.push(Hit {
                    distance: best.0,
                    id: id as u32,
                    query: best.1,
                });
            }
        }
        out.sort_unstable();
        out
    }

    fn flip(h: Hash256, bits: &[usize]) -> Hash256 {
        let mut x = h;
        for &b in bits {
            x.0[b >> 6] ^= 1u64 << (b & 63);
        }
        x
    }

    fn arb_hash() -> impl proptest::strategy::Strategy<Value = Hash256> {
        any::<[u64; 4]>().prop_map(Hash256)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Index results equal brute force, with stored hashes planted near
        /// the queries so radii up to 63 have real matches to find.
        #[test]
        fn mih_and_linear_equal_brute_force(
            base in proptest::collection::vec(arb_hash(), 1..300),
            queries in proptest::collection::vec(arb_hash(), 1..9),
            planted in proptest::collection::vec((0usize..8, proptest::collection::vec(0usize..256, 0..70)), 0..60),
            max in 0u32..64,
        ) {
            let mut hashes = base;
            for (qi, bits) in planted {
                hashes.push(flip(queries[qi % queries.len()], &bits));
            }
            let want = brute(&hashes, &queries, max);
            let lin = LinearIndex::new(&hashes).search(&queries, max);
            let mut scratch = Scratch::new();
            let mih = MihIndex::new(&hashes);
            let got = mih.search(&queries, max, &mut scratch);
            prop_assert_eq!(&lin, &want);
            let sets: Vec<&[Hash256]> = vec![&queries, &queries[..1], &queries];
            let batch = LinearIndex::new(&hashes).search_batch(&sets, max);
            prop_assert_eq!(&batch[0], &want);
            prop_assert_eq!(&batch[2], &want);
            prop_assert_eq!(&batch[1], &brute(&hashes, &queries[..1], max));
            prop_assert_eq!(&got, &want);
            // Scratch reuse must not leak state between searches.
            let again = mih.search(&queries, max, &mut scratch);
            prop_assert_eq!(&again, &want);
        }
    }

    #[test]
    fn every_scan_kernel_agrees() {
        // The dispatcher picks one kernel per CPU; check all this CPU can run.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed
        };
        let base: Vec<Hash256> = (0..1001)
            .map(|_| Hash256([next(), next(), next(), next()]))
            .collect();
        let mut hashes = base.clone();
        for (i, h) in base.iter().take(200).enumerate() {
            let bits: Vec<usize> = (0..i % 60).map(|k| (k * 37 + i) % 256).collect();
            hashes.push(flip(*h, &bits));
        }
        let sets: Vec<Vec<[u64; 4]>> = base
            .iter()
            .take(5)
            .map(|h| vec![h.0, [1, 2, 3, 4]])
            .collect();
        let refs: Vec<&[[u64; 4]]> = sets.iter().map(|v| v.as_slice()).collect();
        let blocks = to_blocks(&to_limbs(&hashes));
        for max in [0, 10, 31, 47] {
            let mut want = vec![Vec::new(); refs.len()];
            scan_generic(&blocks, hashes.len(), &refs, max, &mut want);
            for (i, set) in sets.iter().enumerate() {
                let qs: Vec<Hash256> = set.iter().map(|l| Hash256(*l)).collect();
                assert_eq!(finish(want[i].clone()), brute(&hashes, &qs, max));
            }
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("popcnt")
                {
                    let mut got = vec![Vec::new(); refs.len()];
                    unsafe { scan_avx2(&blocks, hashes.len(), &refs, max, &mut got) };
                    assert_eq!(got, want);
                }
                if std::arch::is_x86_feature_detected!("avx512vpopcntdq")
                    && std::arch::is_x86_feature_detected!("avx512f")
                {
                    let mut got = vec![Vec::new(); refs.len()];
                    unsafe { scan_avx512(&blocks, hashes.len(), &refs, max, &mut got) };
                    assert_eq!(got, want);
                }
            }
        }
    }

    #[test]
    fn wide_substrings_equal_brute_force() {
        // The layout used above 4M hashes (23/24-bit substrings) and one between,
        // on small data.
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed
        };
        let queries: Vec<Hash256> = (0..8)
            .map(|_| Hash256([next(), next(), next(), next()]))
            .collect();
        let mut hashes: Vec<Hash256> = (0..500)
            .map(|_| Hash256([next(), next(), next(), next()]))
            .collect();
        for i in 0..400usize {
            let bits: Vec<usize> = (0..i % 50).map(|_| (next() % 256) as usize).collect();
            hashes.push(flip(queries[i % 8], &bits));
        }
        let mih = MihIndex::with_substrings(&hashes, 11);
        assert_eq!(mih.substrings(), 11);
        let mut s = Scratch::new();
        for max in [0, 22, 31, 33, 47] {
            assert_eq!(
                mih.search(&queries, max, &mut s),
                brute(&hashes, &queries, max),
                "max {max}"
            );
        }
    }

    #[test]
    fn exact_at_the_pigeonhole_boundary() {
        // 47 differing bits spread as 2 or 3 per word: worst case for r = 2.
        let q = Hash256([0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 7, 11]);
        let bits: Vec<usize> = (0..47).map(|i| (i % 16) * 16 + i / 16).collect();
        let x = flip(q, &bits);
        assert_eq!(x.distance(&q), 47);
        let mih = MihIndex::new(&[x]);
        let mut s = Scratch::new();
        assert_eq!(mih.search(&[q], 47, &mut s).len(), 1);
        assert_eq!(mih.search(&[q], 46, &mut s).len(), 0);
        let idx = Index::new(&[x], SearchStrategy::Mih);
        assert_eq!(idx.search(&[q], 47, &mut s)[0].distance, 47);
    }
}
