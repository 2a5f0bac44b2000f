//! UA-trace benchmark: `cargo run --release --example uatrace -- CHILDREN REQUESTS SEED [--no-primero] [--csv DIR] [--memory]`
//! prints one JSON report. With --csv it also writes children.csv,
//! requests.csv and truth.csv for the peers. With --memory it reports
//! the live heap after each phase instead (counting allocator below).
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes and their peak, so the report can say where the
/// memory goes (peak RSS from /usr/bin/time is the whole process).
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: forwards to the system allocator with the caller's layout.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: p was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: same contract as GlobalAlloc::realloc, forwarded.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn mb(b: usize) -> f64 {
    b as f64 / 1e6
}

/// CPU seconds of this process so far (user + system, from /proc; Linux
/// only, None elsewhere). On a shared machine this is steadier than wall
/// time, which includes waiting for a core.
fn cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn live_mb() -> f64 {
    mb(LIVE.load(Ordering::Relaxed))
}

/// Sizes of the per-record types and a breakdown of a built index.
fn memory_report(n: usize, seed: u64) -> serde_json::Value {
    use harbour_match::index::Index;
    use harbour_match::record::{NameFeat, Prepared, Preparer, Record};
    let base = LIVE.load(Ordering::Relaxed);
    let t = std::time::Instant::now();
    let mut preparer = Preparer::new();
    let mut index = Index::new(50_000);
    index.reserve(n);
    harbour_match::synth::generate_each(n, 0, seed, |r| {
        if let Ok(p) = preparer.prepare(&r, 2024) {
            index.add(r.id, p);
        }
    });
    let build_s = t.elapsed().as_secs_f64();
    let with_preparer = LIVE.load(Ordering::Relaxed);
    drop(preparer);
    let index_only = LIVE.load(Ordering::Relaxed);
    serde_json::json!({
        "children": n,
        "size_of_record": std::mem::size_of::<Record>(),
        "size_of_prepared": std::mem::size_of::<Prepared>(),
        "size_of_name_feat": std::mem::size_of::<NameFeat>(),
        "generate_prepare_index_s": build_s,
        "preparer_cache_mb": mb(with_preparer - index_only),
        "index_alone_mb": mb(index_only - base),
        "index_bytes_per_child": (index_only - base) as f64 / n.max(1) as f64,
        "index_parts": index
            .heap_bytes()
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
        "peak_mb": mb(PEAK.load(Ordering::Relaxed)),
        "index_len": index.len(),
    })
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let num = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (n, r, seed) = (num(1, 10_000), num(2, 1_000), num(3, 2024) as u64);
    if args.iter().any(|a| a == "--memory") {
        println!("{}", memory_report(n, seed));
        return std::process::ExitCode::SUCCESS;
    }
    let csv_dir = args
        .iter()
        .position(|a| a == "--csv")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let with_primero = !args.iter().any(|a| a == "--no-primero");
    let result = if with_primero {
        run_with_primero(n, r, seed, csv_dir.as_deref())
    } else {
        run_streamed(n, r, seed, csv_dir.as_deref())
    };
    match result {
        Ok(mut v) => {
            v["seed"] = serde_json::json!(seed);
            v["heap_peak_mb"] = serde_json::json!(mb(PEAK.load(Ordering::Relaxed)));
            println!("{v}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("uatrace: cannot write CSV: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn csv_file(
    dir: &std::path::Path,
    name: &str,
) -> std::io::Result<std::io::BufWriter<std::fs::File>> {
    std::fs::create_dir_all(dir)?;
    Ok(std::io::BufWriter::new(std::fs::File::create(
        dir.join(name),
    )?))
}

fn write_requests(
    dir: &std::path::Path,
    requests: &[harbour_match::record::Record],
    truth: &[usize],
) -> std::io::Result<()> {
    let mut f = csv_file(dir, "requests.csv")?;
    harbour_match::synth::to_csv(requests, &mut f)?;
    f.flush()?;
    let mut f = csv_file(dir, "truth.csv")?;
    writeln!(f, "request_id,child_id")?;
    for (q, &c) in requests.iter().zip(truth) {
        writeln!(f, "{},{}", q.id, harbour_match::synth::child_id(c))?;
    }
    f.flush()
}

/// Small runs: all children in memory, the Primero-like baseline too.
fn run_with_primero(
    n: usize,
    r: usize,
    seed: u64,
    csv: Option<&std::path::Path>,
) -> std::io::Result<serde_json::Value> {
    let t = std::time::Instant::now();
    let data = harbour_match::synth::generate(n, r, seed);
    let gen_s = t.elapsed().as_secs_f64();
    if let Some(dir) = csv {
        let mut f = csv_file(dir, "children.csv")?;
        harbour_match::synth::to_csv(&data.children, &mut f)?;
        f.flush()?;
        write_requests(dir, &data.requests, &data.truth)?;
    }
    let report = harbour_match::eval::evaluate(&data, true);
    let mut v = serde_json::to_value(&report).unwrap_or_default();
    v["generate_s"] = serde_json::json!(gen_s);
    Ok(v)
}

/// Large runs: children generated, written and indexed one at a time.
fn run_streamed(
    n: usize,
    r: usize,
    seed: u64,
    csv: Option<&std::path::Path>,
) -> std::io::Result<serde_json::Value> {
    let mut file = match csv {
        Some(dir) => Some(csv_file(dir, "children.csv")?),
        None => None,
    };
    let mut out = match &mut file {
        Some(f) => Some(harbour_match::synth::CsvOut::new(f)?),
        None => None,
    };
    let mut write_err: Option<std::io::Error> = None;
    let mut heap = serde_json::Map::new();
    let t = std::time::Instant::now();
    let mut indexed_s = 0.0;
    let mut cpu_trained = None;
    let mut query_cpu = None;
    let (report, requests, truth) = harbour_match::eval::evaluate_generated(
        n,
        r,
        seed,
        &mut |c| {
            if let (Some(o), None) = (&mut out, &write_err) {
                if let Err(e) = o.write(c) {
                    write_err = Some(e);
                }
            }
        },
        &mut |phase| {
            if phase == "indexed" {
                indexed_s = t.elapsed().as_secs_f64();
            }
            if phase == "trained" {
                cpu_trained = cpu_s();
            }
            if phase == "queried" {
                query_cpu = cpu_s().zip(cpu_trained).map(|(b, a)| b - a);
            }
            heap.insert(
                format!("heap_live_mb_{phase}"),
                serde_json::json!(live_mb()),
            );
        },
    );
    if let Some(e) = write_err {
        return Err(e);
    }
    if let Some(o) = &mut out {
        o.flush()?;
    }
    drop(out);
    if let Some(f) = &mut file {
        f.flush()?;
    }
    if let Some(dir) = csv {
        write_requests(dir, &requests, &truth)?;
    }
    let mut v = serde_json::to_value(&report).unwrap_or_default();
    // Generation is interleaved with normalising and indexing; this is the
    // rest of that phase (CSV writing included).
    v["generate_s"] = serde_json::json!(indexed_s - report.prepare_s - report.index_build_s);
    for (k, x) in heap {
        v[k] = x;
    }
    // CPU of the query loop (ranking, explanations of the first requests
    // and the pairs-completeness recount) per request.
    if let Some(c) = query_cpu {
        v["query_cpu_ms_per_request"] = serde_json::json!(c * 1000.0 / r.max(1) as f64);
    }
    Ok(v)
}
