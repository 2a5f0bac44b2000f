//! UA-trace evaluation: recall@k, MRR and candidates per request for Harbour
//! and the Primero-like baseline, plus query latency.

use std::time::Instant;

use serde::Serialize;

use crate::baseline::Primero;
use crate::index::{link, Index, Options, Timings};
use crate::model::{Comp, Model};
use crate::record::{Prepared, Preparer, Record};
use crate::synth::{generate_each, UaTrace, COLUMNS};

#[derive(Debug, Clone, Serialize, Default)]
pub struct RankMetrics {
    pub requests: usize,
    pub recall_at_1: f64,
    pub recall_at_5: f64,
    pub recall_at_10: f64,
    pub recall_at_20: f64,
    pub mrr: f64,
    /// Records scored per request (after blocking; all name hits for Primero).
    pub candidates_scored: f64,
    /// Candidates a caseworker is shown: top 10 at probability >= 0.5 (for
    /// Primero: top 10 with a name hit).
    pub candidates_shown: f64,
    pub query_ms_p50: f64,
    pub query_ms_p95: f64,
    pub query_ms_max: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UaTraceReport {
    pub children: usize,
    pub requests: usize,
    pub prepare_s: f64,
    pub index_build_s: f64,
    pub training_s: f64,
    /// Parts of training (blocking the requests, u sampling, EM pairs, EM).
    pub training_parts: Timings,
    pub harbour: RankMetrics,
    pub primero: Option<RankMetrics>,
    /// Share of true pairs that the blocking keys bring together.
    pub pairs_completeness: f64,
    /// Calibration: (bin lower bound, predicted mean, observed match rate, count)
    /// over the top-10 lists.
    pub calibration: Vec<(f64, f64, f64, usize)>,
    /// The trained model (m, u, prior), for the record.
    pub model: Model,
    /// Explanations of the top two candidates of the first requests, to
    /// show what a caseworker would read.
    pub examples: Vec<String>,
}

fn finish(mut ranks: Vec<Option<usize>>, cands: f64, shown: f64, mut lat: Vec<f64>) -> RankMetrics {
    let n = ranks.len().max(1) as f64;
    let at = |k: usize, r: &[Option<usize>]| {
        r.iter().filter(|x| x.is_some_and(|x| x < k)).count() as f64 / n
    };
    let mrr = ranks
        .iter()
        .map(|r| r.map(|x| 1.0 / (x as f64 + 1.0)).unwrap_or(0.0))
        .sum::<f64>()
        / n;
    lat.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        lat.get(((lat.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let m = RankMetrics {
        requests: ranks.len(),
        recall_at_1: at(1, &ranks),
        recall_at_5: at(5, &ranks),
        recall_at_10: at(10, &ranks),
        recall_at_20: at(20, &ranks),
        mrr,
        candidates_scored: cands / n,
        candidates_shown: shown / n,
        query_ms_p50: pct(0.5),
        query_ms_p95: pct(0.95),
        query_ms_max: lat.last().copied().unwrap_or(0.0),
    };
    ranks.clear();
    m
}

/// The year an age estimate is anchored to when a record has no date.
const YEAR: i32 = 2024;

/// Prepares children into a new index as they arrive, timing the two parts.
struct Builder {
    preparer: Preparer,
    index: Index,
    prepare_s: f64,
    index_s: f64,
}

impl Builder {
    fn new(children: usize) -> Self {
        let mut index = Index::new(Options::default().max_bucket);
        index.reserve(children);
        Builder {
            preparer: Preparer::new(),
            index,
            prepare_s: 0.0,
            index_s: 0.0,
        }
    }

    fn add(&mut self, r: &Record) {
        let t = Instant::now();
        let p = self.preparer.prepare(r, YEAR);
        self.prepare_s += t.elapsed().as_secs_f64();
        if let Ok(p) = p {
            let t = Instant::now();
            self.index.add(r.id.clone(), p);
            self.index_s += t.elapsed().as_secs_f64();
        }
    }
}

/// Run the benchmark on generated data. The model is trained without labels
/// by linking the requests to the children (EM); `with_primero` adds the
/// baseline (a full inverted-index scan, fine at 10k).
pub fn evaluate(data: &UaTrace, with_primero: bool) -> UaTraceReport {
    let mut b = Builder::new(data.children.len());
    for r in &data.children {
        b.add(r);
    }
    let primero = with_primero.then_some(data.children.as_slice());
    evaluate_index(b, &data.requests, &data.truth, primero, &mut |_| {})
}

/// `evaluate` on data generated as it is indexed (`synth::generate_each`):
/// the children are never all held as records, which is what lets the
/// benchmark run at ten million. Each child is also handed to `child` (to
/// write it out for the peers), and `phase` is called after "indexed",
/// "trained" and "queried" (to measure memory). No Primero-like baseline.
pub fn evaluate_generated(
    children: usize,
    requests: usize,
    seed: u64,
    child: &mut dyn FnMut(&Record),
    phase: &mut dyn FnMut(&str),
) -> (UaTraceReport, Vec<Record>, Vec<usize>) {
    let mut b = Builder::new(children);
    let (reqs, truth) = generate_each(children, requests, seed, |r| {
        child(&r);
        b.add(&r);
    });
    phase("indexed");
    let report = evaluate_index(b, &reqs, &truth, None, phase);
    (report, reqs, truth)
}

fn evaluate_index(
    built: Builder,
    requests: &[Record],
    truth: &[usize],
    primero_children: Option<&[Record]>,
    phase: &mut dyn FnMut(&str),
) -> UaTraceReport {
    let Builder {
        mut preparer,
        index,
        mut prepare_s,
        index_s: index_build_s,
    } = built;
    let t = Instant::now();
    let reqs: Vec<Prepared> = requests
        .iter()
        .filter_map(|r| preparer.prepare(r, YEAR).ok())
        .collect();
    drop(preparer);
    prepare_s += t.elapsed().as_secs_f64();
    let comps = Comp::active(&COLUMNS);
    let t = Instant::now();
    let trained = link(&comps, &index, &reqs, None, &Options::default(), &|_, _| {});
    let training_s = t.elapsed().as_secs_f64();
    let model: Model = trained.model;
    let training_parts = trained.timings;
    drop(trained.candidates);
    drop(trained.pairs);
    phase("trained");

    let (mut ranks, mut cands, mut shown, mut lat) = (Vec::new(), 0.0, 0.0, Vec::new());
    let mut found = 0usize;
    let mut calib: Vec<(f64, f64, usize)> = vec![(0.0, 0.0, 0); 10];
    let mut buf = Vec::new();
    let mut examples = Vec::new();
    for (q, &truth) in reqs.iter().zip(truth) {
        let t = Instant::now();
        let (hits, n) = index.query(&model, q, 20);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        cands += n as f64;
        shown += hits
            .iter()
            .take(10)
            .filter(|h| h.probability >= 0.5)
            .count() as f64;
        ranks.push(hits.iter().position(|h| h.index as usize == truth));
        for h in hits.iter().take(10) {
            let b = ((h.probability * 10.0) as usize).min(9);
            calib[b].0 += h.probability;
            calib[b].1 += f64::from(u8::from(h.index as usize == truth));
            calib[b].2 += 1;
        }
        if examples.len() < 6 {
            for h in hits.iter().take(2) {
                let ex = model.explain(q, &index.records[h.index as usize], Some(&index.tf));
                examples.push(format!(
                    "{} -> {} (true match: {}): p={:.3}: {}",
                    requests
                        .get(examples.len() / 2)
                        .map(|r| r.id.as_str())
                        .unwrap_or(""),
                    h.id,
                    h.index as usize == truth,
                    h.probability,
                    ex.text()
                ));
            }
        }
        index.candidates(q, &mut buf);
        found += usize::from(buf.binary_search(&(truth as u32)).is_ok());
    }
    let harbour = finish(ranks, cands, shown, lat);
    phase("queried");

    let primero = primero_children.map(|children| {
        let p = Primero::new(children, &index.records);
        let (mut ranks, mut cands, mut shown, mut lat) = (Vec::new(), 0.0, 0.0, Vec::new());
        for ((r, q), &truth) in requests.iter().zip(&reqs).zip(truth) {
            let t = Instant::now();
            let (top, n) = p.query(r, q, 20);
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            cands += n as f64;
            shown += top.len().min(10) as f64;
            ranks.push(top.iter().position(|&d| d as usize == truth));
        }
        finish(ranks, cands, shown, lat)
    });
    UaTraceReport {
        children: index.len(),
        requests: reqs.len(),
        prepare_s,
        index_build_s,
        training_s,
        training_parts,
        harbour,
        primero,
        pairs_completeness: found as f64 / reqs.len().max(1) as f64,
        calibration: calib
            .iter()
            .enumerate()
            .filter(|(_, c)| c.2 > 0)
            .map(|(i, c)| (i as f64 / 10.0, c.0 / c.2 as f64, c.1 / c.2 as f64, c.2))
            .collect(),
        model,
        examples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::generate;

    /// The UA-trace 10k run at test scale: 10,000 children, 300 requests.
    #[test]
    fn ua_trace_10k_recall() {
        let data = generate(10_000, 300, 2024);
        let r = evaluate(&data, true);
        let p = r.primero.clone().unwrap_or_default();
        assert!(r.harbour.recall_at_10 >= 0.9, "{:?}", r.harbour);
        assert!(
            r.harbour.recall_at_10 > p.recall_at_10 + 0.2,
            "harbour {:?} primero {:?}",
            r.harbour,
            p
        );
    }
}
