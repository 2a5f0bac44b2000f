//! Fuzz-style robustness: random and damaged inputs give Err or a hash, never a panic.

use std::path::PathBuf;

use harbour_pdq::decode::{decode_bytes, DecodeOptions, JpegDecoder};

fn reference_dir() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pdq-reference/images");
    assert!(
        dir.is_dir(),
        "PDQ reference images not found at {}",
        dir.display()
    );
    dir
}

/// Every reference image (large: used by the ignored, exhaustive tests).
fn reference_files() -> Vec<Vec<u8>> {
    let dir = reference_dir();
    let mut out = Vec::new();
    for sub in ["misc-images", "reg-test-input", "reg-test-input/dih"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        out.extend(files.iter().map(|p| std::fs::read(p).unwrap()));
    }
    assert!(out.len() >= 5);
    out
}

/// Small inputs in every supported format, so the default (debug) run stays
/// fast: the small reference JPEGs plus a 48x40 image encoded as PNG, GIF,
/// BMP and WebP here.
fn small_files() -> Vec<Vec<u8>> {
    let dir = reference_dir();
    let mut out: Vec<Vec<u8>> = [
        "misc-images/small.jpg",
        "misc-images/wee.jpg",
        "reg-test-input/labelme-subset/q0003.jpg",
    ]
    .iter()
    .map(|f| std::fs::read(dir.join(f)).unwrap())
    .collect();
    let img = image::RgbaImage::from_fn(48, 40, |x, y| {
        image::Rgba([(x * 5) as u8, (y * 6) as u8, ((x ^ y) * 3) as u8, 200])
    });
    for fmt in [
        image::ImageFormat::Png,
        image::ImageFormat::Gif,
        image::ImageFormat::Bmp,
        image::ImageFormat::WebP,
    ] {
        let mut buf = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgba8(img.clone())
            .write_to(&mut buf, fmt)
            .unwrap();
        let bytes = buf.into_inner();
        // Sanity: the undamaged file decodes and hashes.
        let px = decode_bytes(&bytes, DecodeOptions::default()).unwrap();
        harbour_pdq::hash(px.as_ref()).unwrap();
        out.push(bytes);
    }
    out
}

/// Small deterministic generator (SplitMix64) so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn decoders() -> Vec<DecodeOptions> {
    let mut v = vec![DecodeOptions {
        jpeg: JpegDecoder::PureRust,
        apply_exif_orientation: false,
    }];
    v.push(DecodeOptions {
        jpeg: JpegDecoder::PureRust,
        apply_exif_orientation: true,
    });
    if harbour_pdq::decode::turbo_available() {
        v.push(DecodeOptions {
            jpeg: JpegDecoder::LibjpegTurbo,
            apply_exif_orientation: false,
        });
    }
    v
}

fn decode_and_hash(bytes: &[u8], opts: DecodeOptions) {
    if let Ok(px) = decode_bytes(bytes, opts) {
        // Whatever decodes must hash without error.
        harbour_pdq::hash(px.as_ref()).unwrap();
        harbour_pdq::hash_dihedral(px.as_ref()).unwrap();
    }
}

fn truncations(files: &[Vec<u8>], seed: u64, random_cuts: usize) {
    let mut rng = Rng(seed);
    for bytes in files {
        // Header region byte by byte is the riskiest; then random cut points.
        let mut cuts: Vec<usize> = (0..bytes.len().min(80)).collect();
        cuts.extend((0..random_cuts).map(|_| rng.below(bytes.len())));
        for cut in cuts {
            for opts in decoders() {
                decode_and_hash(&bytes[..cut], opts);
            }
        }
    }
}

fn corruptions(files: &[Vec<u8>], seed: u64, per_file: usize) {
    let mut rng = Rng(seed);
    for bytes in files {
        for _ in 0..per_file {
            let mut b = bytes.clone();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(b.len());
                b[i] = rng.next() as u8;
            }
            for opts in decoders() {
                decode_and_hash(&b, opts);
            }
        }
    }
}

#[test]
fn truncated_files_never_panic() {
    truncations(&small_files(), 1, 25);
}

#[test]
fn corrupted_files_never_panic() {
    corruptions(&small_files(), 2, 25);
}

/// Slow in debug builds; run with `cargo test --release -p harbour-pdq -- --ignored`.
#[test]
#[ignore]
fn truncated_large_reference_files_never_panic() {
    truncations(&reference_files(), 11, 40);
}

#[test]
#[ignore]
fn corrupted_large_reference_files_never_panic() {
    corruptions(&reference_files(), 12, 40);
}

#[test]
fn random_bytes_with_image_magics_are_errors() {
    let magics: [&[u8]; 6] = [
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF89a",
        b"BM",
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"",
    ];
    let mut rng = Rng(3);
    for m in magics {
        for _ in 0..200 {
            let mut b = m.to_vec();
            let n = rng.below(300);
            b.extend((0..n).map(|_| rng.next() as u8));
            for opts in decoders() {
                decode_and_hash(&b, opts);
            }
        }
    }
}
