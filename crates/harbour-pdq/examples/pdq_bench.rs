//! Benchmark driver used by `benches/pdq/run.sh` (run in release mode).
//!
//! * `prepare-images OUT IMAGE...`: decode each image once and write its RGB
//!   pixels as `OUT/NNN.rgb` (u32 LE width, u32 LE height, then RGB bytes), so
//!   this crate and the Python reference hash byte-identical pixels.
//! * `hash-bench DIR SECONDS`: single-thread hashing throughput over those
//!   files; prints JSON plus every hash for a cross-check with the reference.
//! * `gen-hashes DIR N QUERIES SEED`: synthetic bank (half uniform random,
//!   half clustered) and queries (8 hashes each, the first a near-duplicate of
//!   a stored hash for half of them) in faiss' 32-byte layout.
//! * `match-bench DIR DISTANCE`: linear and MIH search over that data, with
//!   recall against an independent brute force; prints JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use harbour_pdq::index::{LinearIndex, MihIndex, Scratch};
use harbour_pdq::{Hash256, Hasher, Layout, PixelsRef};

type R<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> R<()> {
    let args: Vec<String> = std::env::args().collect();
    let a = |i: usize| -> R<&str> {
        args.get(i)
            .map(|s| s.as_str())
            .ok_or_else(|| format!("missing argument {i}; see the file header for usage").into())
    };
    match a(1)? {
        "prepare-images" => prepare_images(Path::new(a(2)?), &args[3..]),
        "hash-bench" => hash_bench(Path::new(a(2)?), a(3)?.parse()?),
        "gen-hashes" => gen_hashes(
            Path::new(a(2)?),
            a(3)?.parse()?,
            a(4)?.parse()?,
            a(5)?.parse()?,
        ),
        "match-bench" => match_bench(Path::new(a(2)?), a(3)?.parse()?),
        other => Err(format!("unknown command {other}").into()),
    }
}

fn prepare_images(out: &Path, images: &[String]) -> R<()> {
    std::fs::create_dir_all(out)?;
    for (i, img) in images.iter().enumerate() {
        let px = harbour_pdq::decode::decode_file(Path::new(img), Default::default())?;
        // Flatten to RGB so both sides use the RGB luma path.
        let rgb: Vec<u8> = match px.layout {
            Layout::Rgb => px.data,
            Layout::Rgba => px
                .data
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect(),
            Layout::Gray => px.data.iter().flat_map(|&g| [g, g, g]).collect(),
            Layout::GrayAlpha => px
                .data
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0]])
                .collect(),
        };
        let mut f = std::fs::File::create(out.join(format!("{i:03}.rgb")))?;
        f.write_all(&(px.width as u32).to_le_bytes())?;
        f.write_all(&(px.height as u32).to_le_bytes())?;
        f.write_all(&rgb)?;
        println!("{i:03}.rgb {}x{} {img}", px.width, px.height);
    }
    Ok(())
}

/// (width, height, RGB bytes, source path).
type Rgb = (usize, usize, Vec<u8>, PathBuf);

fn load_rgb(dir: &Path) -> R<Vec<Rgb>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rgb"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for p in files {
        let b = std::fs::read(&p)?;
        let w = u32::from_le_bytes(b[0..4].try_into()?) as usize;
        let h = u32::from_le_bytes(b[4..8].try_into()?) as usize;
        out.push((w, h, b[8..].to_vec(), p));
    }
    Ok(out)
}

fn view(im: &Rgb) -> PixelsRef<'_> {
    PixelsRef {
        width: im.0,
        height: im.1,
        layout: Layout::Rgb,
        data: &im.2,
    }
}

fn hash_bench(dir: &Path, seconds: f64) -> R<()> {
    let imgs = load_rgb(dir)?;
    let mut hasher = Hasher::new();

    // Hashes for the cross-check: full image, no pre-shrink, like pdqhash.compute.
    let mut hashes = Vec::new();
    for im in &imgs {
        let h = hasher.hash_full(view(im))?;
        hashes.push(serde_json::json!({"file": im.3.file_name().map(|n| n.to_string_lossy().into_owned()), "hash": h.hash.to_hex(), "quality": h.quality}));
    }
    // The PyPI `pdqhash` binding computes luma in numpy float64 and then
    // rounds to f32 (the C++ CLI uses f32 throughout). Feeding that same luma
    // to our core must reproduce its hashes bit for bit.
    let mut numpy_luma_hashes = Vec::new();
    for (w, h, d, _) in &imgs {
        let luma: Vec<f32> = d
            .chunks_exact(3)
            .map(|p| {
                (f64::from(p[0]) * 0.299 + f64::from(p[1]) * 0.587 + f64::from(p[2]) * 0.114) as f32
            })
            .collect();
        let r = hasher.hash_luma(&luma, *h, *w).ok_or("luma size")?;
        numpy_luma_hashes.push(r.hash.to_hex());
    }
    let mut results = serde_json::Map::new();
    for (name, preshrink) in [("full", false), ("preshrink512", true)] {
        let t0 = Instant::now();
        let mut n = 0u64;
        let mut pixels = 0u64;
        while t0.elapsed().as_secs_f64() < seconds {
            for im in &imgs {
                let r = if preshrink {
                    hasher.hash(view(im))?
                } else {
                    hasher.hash_full(view(im))?
                };
                std::hint::black_box(r);
                n += 1;
                pixels += (im.0 * im.1) as u64;
            }
        }
        let dt = t0.elapsed().as_secs_f64();
        results.insert(
            name.to_string(),
            serde_json::json!({"images_per_s": n as f64 / dt, "megapixels_per_s": pixels as f64 / dt / 1e6, "images": n}),
        );
    }
    println!(
        "{}",
        serde_json::json!({"throughput": results, "hashes": hashes, "hashes_numpy_luma": numpy_luma_hashes})
    );
    Ok(())
}

/// SplitMix64: a fixed, documented generator so the data set is reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn hash(&mut self) -> Hash256 {
        Hash256([self.next(), self.next(), self.next(), self.next()])
    }
    fn flip(&mut self, h: Hash256, bits: usize) -> Hash256 {
        let mut x = h;
        for _ in 0..bits {
            let b = (self.next() % 256) as usize;
            x.0[b >> 6] ^= 1 << (b & 63);
        }
        x
    }
}

fn write_hashes(path: &Path, hs: &[Hash256]) -> R<()> {
    let mut buf = Vec::with_capacity(hs.len() * 32);
    for h in hs {
        buf.extend_from_slice(&h.to_le_bytes());
    }
    std::fs::write(path, buf)?;
    Ok(())
}

fn read_hashes(path: &Path) -> R<Vec<Hash256>> {
    let b = std::fs::read(path)?;
    Ok(b.chunks_exact(32)
        .map(|c| {
            let mut a = [0u8; 32];
            a.copy_from_slice(c);
            Hash256::from_le_bytes(&a)
        })
        .collect())
}

fn gen_hashes(dir: &Path, n: usize, queries: usize, seed: u64) -> R<()> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(seed);
    let mut db = Vec::with_capacity(n);
    // Half uniform random.
    for _ in 0..n / 2 {
        db.push(rng.hash());
    }
    // Half clustered: centres with members up to 40 bits away, like many
    // near-duplicate copies of the same picture.
    while db.len() < n {
        let c = rng.hash();
        let members = 1 + (rng.next() % 64) as usize;
        for _ in 0..members.min(n - db.len()) {
            let k = (rng.next() % 41) as usize;
            db.push(rng.flip(c, k));
        }
    }
    // Shuffle so clusters are not contiguous (Fisher-Yates).
    for i in (1..db.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        db.swap(i, j);
    }
    let mut qs = Vec::with_capacity(queries * 8);
    for qi in 0..queries {
        let first = if qi % 2 == 0 {
            let base = db[(rng.next() % n as u64) as usize];
            let k = (rng.next() % 40) as usize;
            rng.flip(base, k)
        } else {
            rng.hash()
        };
        qs.push(first);
        for _ in 1..8 {
            qs.push(rng.hash());
        }
    }
    write_hashes(&dir.join("db.bin"), &db)?;
    write_hashes(&dir.join("queries.bin"), &qs)?;
    println!(
        "{}",
        serde_json::json!({"n": n, "queries": queries, "seed": seed})
    );
    Ok(())
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// (query, id, distance) for every query's best distance <= max.
type Pairs = Vec<(u32, u32, u32)>;

fn match_bench(dir: &Path, max: u32) -> R<()> {
    let db = read_hashes(&dir.join("db.bin"))?;
    let qs = read_hashes(&dir.join("queries.bin"))?;
    let nq = qs.len() / 8;
    let mut report = serde_json::Map::new();

    // Independent brute force for ground truth: plain per-pair distance.
    let t0 = Instant::now();
    let mut truth: Pairs = Vec::new();
    // Profiling aid: QUICK=1 skips most of the (slow) brute force.
    let quick = std::env::var_os("QUICK").is_some();
    let truth_queries = nq.min(if quick {
        10
    } else if db.len() > 2_000_000 {
        100
    } else {
        nq
    });
    for q in 0..truth_queries {
        let vars = &qs[q * 8..q * 8 + 8];
        for (id, h) in db.iter().enumerate() {
            let d = vars.iter().map(|v| v.distance(h)).min().unwrap_or(u32::MAX);
            if d <= max {
                truth.push((q as u32, id as u32, d));
            }
        }
    }
    report.insert("truth".into(), serde_json::json!({"queries": truth_queries, "pairs": truth.len(), "seconds": t0.elapsed().as_secs_f64()}));

    let recall = |got: &Pairs| -> (f64, bool) {
        let sub: Pairs = got
            .iter()
            .copied()
            .filter(|p| (p.0 as usize) < truth_queries)
            .collect();
        let found = truth
            .iter()
            .filter(|t| sub.binary_search(t).is_ok())
            .count();
        let r = if truth.is_empty() {
            1.0
        } else {
            found as f64 / truth.len() as f64
        };
        (r, sub == truth)
    };

    let rss0 = rss_kib();
    let t0 = Instant::now();
    let lin = LinearIndex::new(&db);
    let build = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let mut got: Pairs = Vec::new();
    for q in 0..nq {
        for hit in lin.search(&qs[q * 8..q * 8 + 8], max) {
            got.push((q as u32, hit.id, hit.distance));
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    got.sort_unstable();
    let (r, exact) = recall(&got);
    report.insert("linear".into(), serde_json::json!({"build_s": build, "queries_per_s": nq as f64 / dt, "pairs": got.len(), "recall": r, "identical_to_truth": exact, "index_bytes": lin.memory_bytes(), "rss_delta_kib": rss_kib().saturating_sub(rss0)}));
    // Same index, queries in batches of 16 (one pass over memory per batch).
    let t0 = Instant::now();
    let sets: Vec<&[Hash256]> = (0..nq).map(|q| &qs[q * 8..q * 8 + 8]).collect();
    let mut got: Pairs = Vec::new();
    for (q, hits) in lin.search_batch(&sets, max).into_iter().enumerate() {
        for hit in hits {
            got.push((q as u32, hit.id, hit.distance));
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    got.sort_unstable();
    let (r, exact) = recall(&got);
    report.insert("linear_batch16".into(), serde_json::json!({"build_s": build, "queries_per_s": nq as f64 / dt, "pairs": got.len(), "recall": r, "identical_to_truth": exact, "index_bytes": lin.memory_bytes(), "rss_delta_kib": rss_kib().saturating_sub(rss0)}));
    drop(lin);

    let rss0 = rss_kib();
    let t0 = Instant::now();
    let mih = MihIndex::new(&db);
    let build = t0.elapsed().as_secs_f64();
    let mut scratch = Scratch::new();
    let t0 = Instant::now();
    let mut got: Pairs = Vec::new();
    for q in 0..nq {
        for hit in mih.search(&qs[q * 8..q * 8 + 8], max, &mut scratch) {
            got.push((q as u32, hit.id, hit.distance));
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    got.sort_unstable();
    let (r, exact) = recall(&got);
    report.insert("mih".into(), serde_json::json!({"substrings": mih.substrings(), "build_s": build, "queries_per_s": nq as f64 / dt, "pairs": got.len(), "recall": r, "identical_to_truth": exact, "index_bytes": mih.memory_bytes(), "rss_delta_kib": rss_kib().saturating_sub(rss0)}));

    // Pairs for the Python side's cross-check of faiss results.
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("truth_pairs.bin"))?);
    for (q, id, d) in &got {
        f.write_all(&q.to_le_bytes())?;
        f.write_all(&id.to_le_bytes())?;
        f.write_all(&d.to_le_bytes())?;
    }
    report.insert("n".into(), db.len().into());
    report.insert("queries".into(), nq.into());
    report.insert("distance".into(), max.into());
    println!("{}", serde_json::Value::Object(report));
    Ok(())
}
