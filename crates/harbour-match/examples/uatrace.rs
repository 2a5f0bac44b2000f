//! UA-trace benchmark: `cargo run --release --example uatrace -- CHILDREN REQUESTS SEED [--no-primero] [--csv DIR]`
//! prints one JSON report. With --csv it also writes children.csv,
//! requests.csv and truth.csv for the peers.
use std::io::Write;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let num = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (n, r, seed) = (num(1, 10_000), num(2, 1_000), num(3, 2024) as u64);
    let t = std::time::Instant::now();
    let data = harbour_match::synth::generate(n, r, seed);
    let gen_s = t.elapsed().as_secs_f64();
    if let Some(dir) = args
        .iter()
        .position(|a| a == "--csv")
        .and_then(|i| args.get(i + 1))
    {
        let dir = std::path::Path::new(dir);
        let write = |name: &str, recs: &[harbour_match::record::Record]| -> std::io::Result<()> {
            let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name))?);
            harbour_match::synth::to_csv(recs, &mut f)?;
            f.flush()
        };
        let truth = || -> std::io::Result<()> {
            let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("truth.csv"))?);
            writeln!(f, "request_id,child_id")?;
            for (q, &c) in data.requests.iter().zip(&data.truth) {
                writeln!(f, "{},{}", q.id, data.children[c].id)?;
            }
            f.flush()
        };
        if let Err(e) = std::fs::create_dir_all(dir)
            .and_then(|_| write("children.csv", &data.children))
            .and_then(|_| write("requests.csv", &data.requests))
            .and_then(|_| truth())
        {
            eprintln!("uatrace: cannot write CSV to {}: {e}", dir.display());
            return std::process::ExitCode::FAILURE;
        }
    }
    let with_primero = !args.iter().any(|a| a == "--no-primero");
    let report = harbour_match::eval::evaluate(&data, with_primero);
    let mut v = serde_json::to_value(&report).unwrap_or_default();
    v["generate_s"] = serde_json::json!(gen_s);
    v["seed"] = serde_json::json!(seed);
    println!("{v}");
    std::process::ExitCode::SUCCESS
}
