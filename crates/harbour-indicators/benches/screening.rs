//! Screenings evaluated per second, against a baseline measured in the same run.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-ind cargo bench -p harbour-indicators --bench screening`
//!
//! Criterion reports each case's throughput (elements = screenings). After it, a short
//! interleaved measurement prints screenings per second and the ratio to the baseline, a bare
//! loop that only counts the observed ids, so the figure is comparable across machines.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use harbour_indicators::{evaluate, screen, Catalogue, InterviewPart, PersonMinority};

/// A typical positive adult screening: six observations across four dimensions.
const ADULT: [&str; 6] = [
    "rec_deceit_job_employer_location",
    "rec_deceit_wages",
    "exploitation_excessive_hours",
    "exploitation_low_or_no_pay",
    "dest_coercion_confiscation_of_documents",
    "dest_coercion_debt_bondage",
];

fn owned(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// The baseline: touch every observed id and count it, nothing else.
fn baseline(observed: &[String]) -> usize {
    observed.iter().filter(|id| !id.is_empty()).count()
}

fn benches(c: &mut Criterion, cat: &Catalogue) {
    let adult_labour = cat.get("adult_labour").expect("shipped list");
    let child_sexual = cat.get("child_sexual").expect("shipped list");
    let observed = owned(&ADULT);
    let child_obs = owned(&[
        "rec_coercion_violence",
        "rec_coercion_debt_bondage",
        "exploitation_hazardous",
        "exploitation_bad_living_conditions",
        "dest_coercion_forced_tasks_or_clients",
    ]);
    let interview = vec![
        InterviewPart {
            exploitation: "labour".into(),
            observed: observed.clone(),
        },
        InterviewPart {
            exploitation: "sexual".into(),
            observed: owned(&[
                "rec_coercion_violence",
                "dest_coercion_forced_tasks_or_clients",
            ]),
        },
    ];

    let mut g = c.benchmark_group("screening");
    g.throughput(Throughput::Elements(1));
    g.bench_function("baseline_count_ids", |b| {
        b.iter(|| baseline(black_box(&observed)))
    });
    g.bench_function("screen_adult_labour_6_ids", |b| {
        b.iter(|| screen(adult_labour, black_box(&observed), PersonMinority::Adult))
    });
    g.bench_function("evaluate_adult_labour_6_ids", |b| {
        b.iter(|| evaluate(adult_labour, black_box(&observed), PersonMinority::Adult))
    });
    g.bench_function("screen_child_sexual_5_ids", |b| {
        b.iter(|| {
            screen(
                child_sexual,
                black_box(&child_obs),
                PersonMinority::PresumedChild,
            )
        })
    });
    g.bench_function("catalogue_screen_by_list_id", |b| {
        b.iter(|| {
            cat.screen(
                black_box("adult_labour"),
                black_box(&observed),
                PersonMinority::Adult,
            )
        })
    });
    g.finish();
    let mut g = c.benchmark_group("interview");
    g.throughput(Throughput::Elements(2));
    g.bench_function("labour_and_sexual", |b| {
        b.iter(|| cat.screen_interview(PersonMinority::Adult, black_box(&interview)))
    });
    g.finish();
}

/// Best-of-rounds nanoseconds per call for each closure, interleaved round by round so all of
/// them see the same machine load.
fn per_call(fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    const ROUNDS: u32 = 15;
    const CALLS: u32 = 200_000;
    let mut best = vec![f64::MAX; fs.len()];
    for _ in 0..ROUNDS {
        for (f, b) in fs.iter_mut().zip(best.iter_mut()) {
            let t = Instant::now();
            for _ in 0..CALLS {
                f();
            }
            *b = b.min(t.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS));
        }
    }
    best
}

fn ratio_report(cat: &Catalogue) {
    let list = cat.get("adult_labour").expect("shipped list");
    let observed = owned(&ADULT);
    let ns = per_call(&mut [
        &mut || {
            black_box(baseline(black_box(&observed)));
        },
        &mut || {
            let r = screen(list, black_box(&observed), PersonMinority::Adult);
            black_box(r.map(|r| r.indicated).ok());
        },
        &mut || {
            let r = evaluate(list, black_box(&observed), PersonMinority::Adult);
            black_box(r.map(|r| r.indicated).ok());
        },
    ]);
    let (base, scr, eval) = (ns[0], ns[1], ns[2]);
    println!();
    println!("same-run comparison (best of 15 rounds x 200k calls; adult_labour, 6 observed ids):");
    for (name, t) in [
        ("baseline: count the ids", base),
        ("screen(): full result", scr),
        ("evaluate(): verdict only", eval),
    ] {
        println!(
            "  {name:<26} {t:>8.1} ns/call {:>14.0} per second  {:>6.1}x baseline time",
            1e9 / t,
            t / base
        );
    }
}

fn main() {
    let cat = Catalogue::builtin().expect("shipped lists load");
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &cat);
    c.final_summary();
    // Only when actually benchmarking; `cargo test --benches` runs criterion in test mode.
    if std::env::args().any(|a| a == "--bench") {
        ratio_report(&cat);
    }
}
