//! Criterion micro-benchmarks of exact search (8 query hashes, distance 31).
//! For 1M/10M comparisons with faiss see benches/pdq/run.sh.

use criterion::{criterion_group, criterion_main, Criterion};
use harbour_pdq::index::{LinearIndex, MihIndex, Scratch};
use harbour_pdq::Hash256;

fn hashes(n: usize, mut s: u64) -> Vec<Hash256> {
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s ^ (s >> 29)
    };
    (0..n)
        .map(|_| Hash256([next(), next(), next(), next()]))
        .collect()
}

fn bench(c: &mut Criterion) {
    let db = hashes(200_000, 1);
    let q = hashes(8, 2);
    let lin = LinearIndex::new(&db);
    let mih = MihIndex::new(&db);
    let mut scratch = Scratch::new();
    let mut g = c.benchmark_group("search_200k_8variants_d31");
    g.bench_function("linear", |b| b.iter(|| lin.search(&q, 31)));
    g.bench_function("mih", |b| b.iter(|| mih.search(&q, 31, &mut scratch)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
