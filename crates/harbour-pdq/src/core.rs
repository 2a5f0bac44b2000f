//! The PDQ hashing core: decoded pixels in, hash and quality out.
//!
//! This module knows nothing about file formats. Every floating-point step
//! follows the operation order of Meta's C++ reference in `f32` (Rust never
//! contracts `a * b + c` into an FMA and we use no intrinsics), and the one
//! transcendental input, the DCT matrix, is a stored bit-exact table. So the
//! same pixels give the same bits on every target, WebAssembly included.

// Index loops are kept where they mirror the reference's loops, for review.
#![allow(clippy::needless_range_loop)]

use crate::dct_table::DCT_BITS;
use crate::hash::Hash256;

/// Images with a side above this are first squashed to `PRESHRINK x PRESHRINK`
/// by nearest-neighbour sampling, as the reference's file hasher does.
pub const PRESHRINK: usize = 512;
/// The reference refuses to hash anything smaller (zero hash, quality 0).
pub const MIN_HASHABLE_DIM: usize = 5;

// The reference declares `const float c = 0.299;` i.e. decimal -> double ->
// float. Converting through f64 reproduces that double rounding exactly.
const LUMA_R: f32 = 0.299_f64 as f32;
const LUMA_G: f32 = 0.587_f64 as f32;
const LUMA_B: f32 = 0.114_f64 as f32;

/// Channel layout of a decoded pixel buffer (8 bits per channel, packed rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One grey channel. The reference uses the grey value itself as luma.
    Gray,
    /// Grey plus alpha; alpha is ignored.
    GrayAlpha,
    Rgb,
    /// RGB plus alpha; alpha is ignored.
    Rgba,
}

impl Layout {
    pub fn channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::GrayAlpha => 2,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }
}

/// A borrowed, packed (no row padding) 8-bit image.
#[derive(Debug, Clone, Copy)]
pub struct PixelsRef<'a> {
    pub width: usize,
    pub height: usize,
    pub layout: Layout,
    pub data: &'a [u8],
}

/// An owned, packed 8-bit image, as produced by the decoders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub layout: Layout,
    pub data: Vec<u8>,
}

impl Pixels {
    pub fn as_ref(&self) -> PixelsRef<'_> {
        PixelsRef {
            width: self.width,
            height: self.height,
            layout: self.layout,
            data: &self.data,
        }
    }
}

/// Errors from the hashing core (only malformed buffers: any real image hashes).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CoreError {
    #[error("pixel buffer has {actual} bytes, {width}x{height} {layout:?} needs {expected}")]
    BufferSize {
        width: usize,
        height: usize,
        layout: Layout,
        expected: usize,
        actual: usize,
    },
}

/// A hash and its quality (0..=100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqHash {
    pub hash: Hash256,
    pub quality: u8,
}

/// Order of [`Dihedral::hashes`]; the reference's order.
pub const DIHEDRAL_NAMES: [&str; 8] = [
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flipplus1",
    "flipminus1",
];

/// The eight dihedral hashes (see [`DIHEDRAL_NAMES`]) and the quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dihedral {
    pub hashes: [Hash256; 8],
    pub quality: u8,
}

impl<'a> PixelsRef<'a> {
    fn check(&self) -> Result<(), CoreError> {
        let expected = self
            .width
            .checked_mul(self.height)
            .and_then(|n| n.checked_mul(self.layout.channels()));
        match expected {
            Some(e) if e == self.data.len() => Ok(()),
            _ => Err(CoreError::BufferSize {
                width: self.width,
                height: self.height,
                layout: self.layout,
                expected: expected.unwrap_or(usize::MAX),
                actual: self.data.len(),
            }),
        }
    }
}

/// Reusable buffers; hashing many images with one `Hasher` avoids allocation.
#[derive(Default)]
pub struct Hasher {
    buf1: Vec<f32>,
    buf2: Vec<f32>,
    col_sums: Vec<f32>,
    shrunk: Vec<u8>,
}

impl Hasher {
    pub fn new() -> Hasher {
        Hasher::default()
    }

    /// Hash as the reference's file hasher does: nearest-neighbour squash to
    /// 512x512 when a side exceeds 512, then luma, blur, DCT.
    pub fn hash(&mut self, img: PixelsRef<'_>) -> Result<PdqHash, CoreError> {
        img.check()?;
        let (rows, cols) = self.load_luma(img, true);
        Ok(self.hash_loaded(rows, cols))
    }

    /// As [`Hasher::hash`] but without the 512 pre-shrink, i.e. the reference's
    /// `pdqHash256FromFloatLuma` on the full image (what the `pdqhash` Python
    /// package computes from a pixel array).
    pub fn hash_full(&mut self, img: PixelsRef<'_>) -> Result<PdqHash, CoreError> {
        img.check()?;
        let (rows, cols) = self.load_luma(img, false);
        Ok(self.hash_loaded(rows, cols))
    }

    /// The eight dihedral hashes, with the same pre-shrink as [`Hasher::hash`].
    pub fn hash_dihedral(&mut self, img: PixelsRef<'_>) -> Result<Dihedral, CoreError> {
        img.check()?;
        let (rows, cols) = self.load_luma(img, true);
        if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM {
            return Ok(Dihedral {
                hashes: [Hash256::ZERO; 8],
                quality: 0,
            });
        }
        // Unlike the single-hash path, the reference's dihedral path always
        // blurs, even for 64x64 input; keep that difference.
        let b64 = self.blur_and_decimate(rows, cols);
        let quality = quality_metric(&b64);
        let dct = dct64_to_16(&b64);
        Ok(Dihedral {
            hashes: dihedral_hashes(&dct),
            quality,
        })
    }

    /// Hash a row-major `f32` luma plane directly (no pre-shrink).
    pub fn hash_luma(&mut self, luma: &[f32], rows: usize, cols: usize) -> Option<PdqHash> {
        if rows.checked_mul(cols) != Some(luma.len()) {
            return None;
        }
        self.buf1.clear();
        self.buf1.extend_from_slice(luma);
        Some(self.hash_loaded(rows, cols))
    }

    fn hash_loaded(&mut self, rows: usize, cols: usize) -> PdqHash {
        if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM {
            return PdqHash {
                hash: Hash256::ZERO,
                quality: 0,
            };
        }
        let b64 = if rows == 64 && cols == 64 {
            // The reference skips the blur when the input is already 64x64.
            let mut b = [[0f32; 64]; 64];
            for (i, row) in b.iter_mut().enumerate() {
                row.copy_from_slice(&self.buf1[i * 64..i * 64 + 64]);
            }
            b
        } else {
            self.blur_and_decimate(rows, cols)
        };
        let quality = quality_metric(&b64);
        let dct = dct64_to_16(&b64);
        PdqHash {
            hash: bits_from_dct(&dct),
            quality,
        }
    }

    /// Fills `buf1` with luma; returns (rows, cols) after the optional squash.
    fn load_luma(&mut self, img: PixelsRef<'_>, preshrink: bool) -> (usize, usize) {
        let (w, h, data): (usize, usize, &[u8]) =
            if preshrink && (img.width > PRESHRINK || img.height > PRESHRINK) {
                nearest_squash(img, &mut self.shrunk);
                (PRESHRINK, PRESHRINK, &self.shrunk)
            } else {
                (img.width, img.height, img.data)
            };
        self.buf1.clear();
        self.buf1.reserve(w * h);
        // One arm per layout so each loop has a constant pixel size (lets the
        // compiler unroll and vectorise it).
        let rgb = |p: &[u8]| {
            // Same order as the reference: (R + G) + B, each a product in f32.
            LUMA_R * f32::from(p[0]) + LUMA_G * f32::from(p[1]) + LUMA_B * f32::from(p[2])
        };
        match img.layout {
            Layout::Gray => self.buf1.extend(data.iter().map(|&g| f32::from(g))),
            Layout::GrayAlpha => self
                .buf1
                .extend(data.chunks_exact(2).map(|p| f32::from(p[0]))),
            Layout::Rgb => self.buf1.extend(data.chunks_exact(3).map(rgb)),
            Layout::Rgba => self.buf1.extend(data.chunks_exact(4).map(rgb)),
        }
        (h, w)
    }

    fn blur_and_decimate(&mut self, rows: usize, cols: usize) -> [[f32; 64]; 64] {
        let win_along_rows = jarosz_window(cols, 64);
        let win_along_cols = jarosz_window(rows, 64);
        self.buf2.clear();
        self.buf2.resize(rows * cols, 0.0);
        for _ in 0..2 {
            box_rows(&self.buf1, &mut self.buf2, rows, cols, win_along_rows);
            box_cols(
                &self.buf2,
                &mut self.buf1,
                &mut self.col_sums,
                rows,
                cols,
                win_along_cols,
            );
        }
        let mut out = [[0f32; 64]; 64];
        for (i, row) in out.iter_mut().enumerate() {
            let ini = (((i as f64 + 0.5) * rows as f64) / 64.0) as usize;
            for (j, v) in row.iter_mut().enumerate() {
                let inj = (((j as f64 + 0.5) * cols as f64) / 64.0) as usize;
                *v = self.buf1[ini * cols + inj];
            }
        }
        out
    }
}

/// Nearest-neighbour squash to 512x512 as CImg's `resize(512, 512)` (its
/// interpolation type 1): source index `floor(x * W / 512)`.
fn nearest_squash(img: PixelsRef<'_>, out: &mut Vec<u8>) {
    let ch = img.layout.channels();
    out.clear();
    out.resize(PRESHRINK * PRESHRINK * ch, 0);
    let src_x: Vec<usize> = (0..PRESHRINK).map(|x| x * img.width / PRESHRINK).collect();
    for (y, orow) in out.chunks_exact_mut(PRESHRINK * ch).enumerate() {
        let sy = y * img.height / PRESHRINK;
        let row = &img.data[sy * img.width * ch..(sy + 1) * img.width * ch];
        match img.layout {
            Layout::Gray => squash_row::<1>(row, orow, &src_x),
            Layout::GrayAlpha => squash_row::<2>(row, orow, &src_x),
            Layout::Rgb => squash_row::<3>(row, orow, &src_x),
            Layout::Rgba => squash_row::<4>(row, orow, &src_x),
        }
    }
}

/// Copies pixels `src_x[i]` of `row` to pixel `i` of `out` (N bytes each).
fn squash_row<const N: usize>(row: &[u8], out: &mut [u8], src_x: &[usize]) {
    for (d, &sx) in out.chunks_exact_mut(N).zip(src_x) {
        d.copy_from_slice(&row[sx * N..sx * N + N]);
    }
}

/// Box window per pass: ceil(old / (2 * new)).
pub fn jarosz_window(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// The reference's 1-D box filter, with its four phases and running sum.
fn box_1d(input: &[f32], out: &mut [f32], window: usize) {
    let n = input.len();
    let half = (window + 2) / 2;
    let p1 = half - 1;
    let p2 = window - half + 1;
    let p3 = n - window;
    let p4 = half - 1;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut sum = 0f32;
    let mut cur = 0usize;
    for _ in 0..p1 {
        sum += input[ri];
        cur += 1;
        ri += 1;
    }
    for _ in 0..p2 {
        sum += input[ri];
        cur += 1;
        out[oi] = sum / cur as f32;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p3 {
        sum += input[ri];
        sum -= input[li];
        out[oi] = sum / cur as f32;
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p4 {
        sum -= input[li];
        cur -= 1;
        out[oi] = sum / cur as f32;
        li += 1;
        oi += 1;
    }
}

/// Rows per group in [`box_rows`].
const ROW_GROUP: usize = 8;

/// [`box_1d`] along every row. Rows are filtered eight at a time, stepping
/// through them in lockstep: eight independent running sums keep the CPU
/// busy where a single row's add-subtract-divide chain would stall it. Each
/// row still sees exactly the reference's sequence of operations.
fn box_rows(input: &[f32], out: &mut [f32], rows: usize, cols: usize, window: usize) {
    let grouped = rows / ROW_GROUP * ROW_GROUP;
    for r0 in (0..grouped).step_by(ROW_GROUP) {
        let span = r0 * cols..(r0 + ROW_GROUP) * cols;
        box_row_group(&input[span.clone()], &mut out[span], cols, window);
    }
    for r in grouped..rows {
        box_1d(
            &input[r * cols..(r + 1) * cols],
            &mut out[r * cols..(r + 1) * cols],
            window,
        );
    }
}

fn box_row_group(input: &[f32], out: &mut [f32], cols: usize, window: usize) {
    const G: usize = ROW_GROUP;
    let half = (window + 2) / 2;
    let p1 = half - 1;
    let p2 = window - half + 1;
    let p3 = cols - window;
    let p4 = half - 1;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut sum = [0f32; G];
    let mut cur = 0usize;
    for _ in 0..p1 {
        for g in 0..G {
            sum[g] += input[g * cols + ri];
        }
        cur += 1;
        ri += 1;
    }
    for _ in 0..p2 {
        cur += 1;
        let d = cur as f32;
        for g in 0..G {
            sum[g] += input[g * cols + ri];
            out[g * cols + oi] = sum[g] / d;
        }
        ri += 1;
        oi += 1;
    }
    let d = cur as f32;
    for _ in 0..p3 {
        for g in 0..G {
            sum[g] += input[g * cols + ri];
            sum[g] -= input[g * cols + li];
            out[g * cols + oi] = sum[g] / d;
        }
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p4 {
        cur -= 1;
        let d = cur as f32;
        for g in 0..G {
            sum[g] -= input[g * cols + li];
            out[g * cols + oi] = sum[g] / d;
        }
        li += 1;
        oi += 1;
    }
}

/// The same filter down every column, computed a row at a time so all columns
/// advance together (cache-friendly and vectorisable). Each column still sees
/// exactly the reference's sequence of adds, subtracts and divides.
fn box_cols(
    input: &[f32],
    out: &mut [f32],
    sums: &mut Vec<f32>,
    rows: usize,
    cols: usize,
    window: usize,
) {
    let half = (window + 2) / 2;
    let p1 = half - 1;
    let p2 = window - half + 1;
    let p3 = rows - window;
    let p4 = half - 1;
    sums.clear();
    sums.resize(cols, 0.0);
    let row = |r: usize| &input[r * cols..(r + 1) * cols];
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut cur = 0usize;
    for _ in 0..p1 {
        for (s, x) in sums.iter_mut().zip(row(ri)) {
            *s += *x;
        }
        cur += 1;
        ri += 1;
    }
    for _ in 0..p2 {
        cur += 1;
        let d = cur as f32;
        let o = &mut out[oi * cols..(oi + 1) * cols];
        for ((s, x), o) in sums.iter_mut().zip(row(ri)).zip(o) {
            *s += *x;
            *o = *s / d;
        }
        ri += 1;
        oi += 1;
    }
    let d = cur as f32;
    for _ in 0..p3 {
        let o = &mut out[oi * cols..(oi + 1) * cols];
        for (((s, a), b), o) in sums.iter_mut().zip(row(ri)).zip(row(li)).zip(o) {
            *s += *a;
            *s -= *b;
            *o = *s / d;
        }
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p4 {
        cur -= 1;
        let d = cur as f32;
        let o = &mut out[oi * cols..(oi + 1) * cols];
        for ((s, b), o) in sums.iter_mut().zip(row(li)).zip(o) {
            *s -= *b;
            *o = *s / d;
        }
        li += 1;
        oi += 1;
    }
}

/// Integer quality 0..=100 from gradients of the 64x64 image.
pub fn quality_metric(b: &[[f32; 64]; 64]) -> u8 {
    let mut sum: i32 = 0;
    // As the reference: ((u - v) * 100) / 255 in float, truncated to int.
    let grad = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    for i in 0..63 {
        for j in 0..64 {
            sum += grad(b[i][j], b[i + 1][j]).abs();
        }
    }
    for row in b.iter() {
        for j in 0..63 {
            sum += grad(row[j], row[j + 1]).abs();
        }
    }
    (sum / 90).min(100) as u8
}

#[inline]
fn dct(i: usize, k: usize) -> f32 {
    f32::from_bits(DCT_BITS[i * 64 + k])
}

/// B = D A D^T for the 16 lowest non-DC frequencies, accumulated in the
/// reference's order (k ascending, starting from 0.0).
pub fn dct64_to_16(a: &[[f32; 64]; 64]) -> [[f32; 16]; 16] {
    let mut t = [[0f32; 64]; 16];
    for (i, trow) in t.iter_mut().enumerate() {
        // Column-vectorised over j; each T[i][j] is the same k-ordered sum.
        for (k, arow) in a.iter().enumerate() {
            let d = dct(i, k);
            for (tv, av) in trow.iter_mut().zip(arow.iter()) {
                *tv += d * *av;
            }
        }
    }
    let mut b = [[0f32; 16]; 16];
    for i in 0..16 {
        for j in 0..16 {
            let mut s = 0f32;
            for k in 0..64 {
                s += t[i][k] * dct(j, k);
            }
            b[i][j] = s;
        }
    }
    b
}

/// Lower median (the 128th smallest of 256), as Torben's method returns.
fn median(d: &[[f32; 16]; 16]) -> f32 {
    let mut v: Vec<f32> = d.iter().flatten().copied().collect();
    v.sort_unstable_by(|a, b| a.total_cmp(b));
    v[127]
}

/// Bit (i, j) is set where the coefficient is strictly above the median.
pub fn bits_from_dct(d: &[[f32; 16]; 16]) -> Hash256 {
    let m = median(d);
    let mut h = Hash256::ZERO;
    for (i, row) in d.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if *v > m {
                h.set_bit(i * 16 + j);
            }
        }
    }
    h
}

/// The eight dihedral hashes from one DCT by sign flips and transposition:
/// odd horizontal frequencies change sign under a horizontal flip, odd
/// vertical ones under a vertical flip, and a transpose swaps the axes.
pub fn dihedral_hashes(a: &[[f32; 16]; 16]) -> [Hash256; 8] {
    // (transpose, negate when row index odd/even..., ) expressed per variant as
    // a closure deciding the sign of A[i][j] and whether it lands at [j][i].
    type Rule = fn(usize, usize) -> (bool, bool); // (negate, transpose)
    const RULES: [Rule; 8] = [
        |_, _| (false, false),            // original
        |_, j| (j & 1 == 0, true),        // rotate 90
        |i, j| ((i + j) & 1 == 1, false), // rotate 180
        |i, _| (i & 1 == 0, true),        // rotate 270
        |i, _| (i & 1 == 0, false),       // flip x
        |_, j| (j & 1 == 0, false),       // flip y
        |_, _| (false, true),             // flip +1 diagonal
        |i, j| ((i + j) & 1 == 1, true),  // flip -1 diagonal
    ];
    let mut out = [Hash256::ZERO; 8];
    for (o, rule) in out.iter_mut().zip(RULES.iter()) {
        let mut b = [[0f32; 16]; 16];
        for i in 0..16 {
            for j in 0..16 {
                let (neg, tr) = rule(i, j);
                let v = if neg { -a[i][j] } else { a[i][j] };
                if tr {
                    b[j][i] = v;
                } else {
                    b[i][j] = v;
                }
            }
        }
        *o = bits_from_dct(&b);
    }
    out
}

/// Convenience: hash one image with a fresh [`Hasher`].
pub fn hash(img: PixelsRef<'_>) -> Result<PdqHash, CoreError> {
    Hasher::new().hash(img)
}

/// Convenience: the eight dihedral hashes with a fresh [`Hasher`].
pub fn hash_dihedral(img: PixelsRef<'_>) -> Result<Dihedral, CoreError> {
    Hasher::new().hash_dihedral(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dct_table_matches_its_definition() {
        // The stored table must equal the reference's formula on this host.
        let scale = (2.0f64 / 64.0).sqrt() as f32;
        let pi = std::f64::consts::PI;
        for i in 0..16 {
            for j in 0..64 {
                let v = (f64::from(scale)
                    * ((pi / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64).cos())
                    as f32;
                assert_eq!(v.to_bits(), DCT_BITS[i * 64 + j], "D[{i}][{j}]");
            }
        }
    }

    #[test]
    fn box_filter_window_one_is_identity_up_to_rounding() {
        let x: Vec<f32> = (0..10).map(|v| v as f32).collect();
        let mut y = vec![0f32; 10];
        box_1d(&x, &mut y, 1);
        assert_eq!(x, y);
    }

    #[test]
    fn box_cols_equals_box_1d_per_column() {
        let rows = 37;
        let cols = 5;
        let input: Vec<f32> = (0..rows * cols)
            .map(|v| ((v * 7919) % 255) as f32 * 0.37)
            .collect();
        for w in 1..6 {
            let mut out = vec![0f32; rows * cols];
            let mut sums = Vec::new();
            box_cols(&input, &mut out, &mut sums, rows, cols, w);
            for c in 0..cols {
                let col: Vec<f32> = (0..rows).map(|r| input[r * cols + c]).collect();
                let mut exp = vec![0f32; rows];
                box_1d(&col, &mut exp, w);
                for r in 0..rows {
                    assert_eq!(out[r * cols + c].to_bits(), exp[r].to_bits());
                }
            }
        }
    }

    #[test]
    fn box_rows_equals_box_1d_per_row() {
        let cols = 23;
        for rows in [1, 7, 8, 9, 17, 24] {
            let input: Vec<f32> = (0..rows * cols)
                .map(|v| ((v * 7919) % 255) as f32 * 0.37)
                .collect();
            for w in 1..6 {
                let mut out = vec![0f32; rows * cols];
                box_rows(&input, &mut out, rows, cols, w);
                for r in 0..rows {
                    let mut exp = vec![0f32; cols];
                    box_1d(&input[r * cols..(r + 1) * cols], &mut exp, w);
                    for c in 0..cols {
                        assert_eq!(out[r * cols + c].to_bits(), exp[c].to_bits());
                    }
                }
            }
        }
    }

    #[test]
    fn tiny_images_give_zero_hash() {
        let data = vec![200u8; 4 * 4 * 3];
        let img = PixelsRef {
            width: 4,
            height: 4,
            layout: Layout::Rgb,
            data: &data,
        };
        let h = hash(img).unwrap();
        assert_eq!(h.hash, Hash256::ZERO);
        assert_eq!(h.quality, 0);
    }

    #[test]
    fn wrong_buffer_size_is_an_error() {
        let data = vec![0u8; 10];
        let img = PixelsRef {
            width: 4,
            height: 4,
            layout: Layout::Rgb,
            data: &data,
        };
        assert!(matches!(hash(img), Err(CoreError::BufferSize { .. })));
    }

    #[test]
    fn reused_hasher_equals_fresh_hasher() {
        // Buffers are reused across images of different sizes and layouts.
        let sizes = [
            (700, 300, Layout::Rgb),
            (64, 64, Layout::Gray),
            (513, 9, Layout::Rgba),
            (37, 41, Layout::GrayAlpha),
        ];
        let mut reused = Hasher::new();
        for (k, (w, h, layout)) in sizes.into_iter().enumerate() {
            let data: Vec<u8> = (0..w * h * layout.channels())
                .map(|i| ((i * 31 + k * 7 + (i / 97) * 13) % 251) as u8)
                .collect();
            let img = PixelsRef {
                width: w,
                height: h,
                layout,
                data: &data,
            };
            assert_eq!(reused.hash(img).unwrap(), Hasher::new().hash(img).unwrap());
            assert_eq!(
                reused.hash_dihedral(img).unwrap(),
                Hasher::new().hash_dihedral(img).unwrap()
            );
            assert_eq!(
                reused.hash_full(img).unwrap(),
                Hasher::new().hash_full(img).unwrap()
            );
        }
    }

    #[test]
    fn median_is_lower_median() {
        let mut d = [[0f32; 16]; 16];
        for (k, v) in d.iter_mut().flatten().enumerate() {
            *v = k as f32;
        }
        assert_eq!(median(&d), 127.0);
        assert_eq!(bits_from_dct(&d).count_ones(), 128);
    }
}
