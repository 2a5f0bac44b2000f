//! Criterion micro-benchmarks of the hashing core (decoded pixels in).
//! For the side-by-side comparison with Meta's reference see benches/pdq/run.sh.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use harbour_pdq::decode::{decode_file, DecodeOptions};
use harbour_pdq::Hasher;

fn bench(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/pdq-reference/images/reg-test-input/dih/bridge-1-original.jpg");
    let px = match decode_file(&path, DecodeOptions::default()) {
        Ok(px) => px,
        Err(e) => panic!("reference image {} unavailable: {e}", path.display()),
    };
    let mut hasher = Hasher::new();
    let mut g = c.benchmark_group("hash_1600x1004");
    g.bench_function("reference_pipeline_preshrink512", |b| {
        b.iter(|| hasher.hash(px.as_ref()))
    });
    g.bench_function("full_resolution", |b| {
        b.iter(|| hasher.hash_full(px.as_ref()))
    });
    g.bench_function("dihedral", |b| b.iter(|| hasher.hash_dihedral(px.as_ref())));
    g.finish();
    c.bench_function("decode_and_hash_jpeg", |b| {
        b.iter(|| harbour_pdq::hash_file(&path, DecodeOptions::default()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
