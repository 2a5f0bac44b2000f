//! Command-line interface, callable as a library function so the main
//! `harbour` binary can mount it as `harbour match ...`.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::index::{self, Index, LinkOutput, Options};
use crate::io::{parse_map, read_csv, write_atomic, Table};
use crate::model::{Comp, Model};
use crate::normalize::{phonetic, NameForms};
use crate::record::{prepare, Field, Prepared, Record};

#[derive(Parser, Debug)]
#[command(
    name = "harbour-match",
    about = "Cross-script family tracing and duplicate detection"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Debug, Clone)]
struct Common {
    /// Column holding the record id.
    #[arg(long)]
    id: String,
    /// Map a field to a column: --map given_name=first (repeatable).
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    map: Vec<String>,
    /// Report pairs at or above this match probability.
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// Year an age estimate refers to when a record has no recorded_on date.
    #[arg(long)]
    reference_year: Option<i32>,
    /// Use a saved model instead of training one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Save the trained model (JSON).
    #[arg(long)]
    save_model: Option<PathBuf>,
    /// Random pairs sampled to estimate u.
    #[arg(long, default_value_t = Options::default().u_samples)]
    u_samples: usize,
    /// Write JSON instead of CSV.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Link two lists: pairs of (A, B) records that are the same person.
    Link {
        /// First list (CSV with a header row).
        a: PathBuf,
        /// Second list, linked against the first.
        b: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Pairs file to write (id_a,id_b,probability,match_weight,explanation).
        #[arg(long)]
        out: PathBuf,
    },
    /// Find duplicates within one list.
    Dedupe {
        /// The list (CSV with a header row).
        a: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Pairs file to write (id_a,id_b,probability,match_weight,explanation).
        #[arg(long)]
        out: PathBuf,
        /// Also write id,cluster for every record.
        #[arg(long)]
        clusters: Option<PathBuf>,
    },
    /// Rank the records of a list against one record given with --set.
    Query {
        /// The records to search (CSV with a header row).
        a: PathBuf,
        #[command(flatten)]
        common: Common,
        /// A field of the query record: --set given_name=Сашко (repeatable).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// How many candidates to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
    /// Show the normalised forms of a name.
    Normalize {
        /// A name in any script.
        name: String,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Input(#[from] crate::io::InputError),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Model(PathBuf, String),
    #[error("{0}")]
    Usage(String),
}

/// Run the CLI; `args[0]` is the program name.
pub fn run_cli<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("harbour-match: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    1970 + (secs as f64 / 31_556_952.0) as i32
}

fn load(path: &Path, c: &Common) -> Result<Table, CliError> {
    let map = parse_map(&c.map)?;
    let t = std::time::Instant::now();
    let table = read_csv(
        path,
        &c.id,
        &map,
        c.reference_year.unwrap_or_else(current_year),
    )?;
    eprintln!(
        "harbour-match: read {} records from {} in {:.3}s",
        table.records.len(),
        path.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(table)
}

fn load_model(c: &Common) -> Result<Option<Model>, CliError> {
    let Some(p) = &c.model else { return Ok(None) };
    let s = std::fs::read_to_string(p).map_err(|e| CliError::Io(p.clone(), e))?;
    serde_json::from_str(&s)
        .map(Some)
        .map_err(|e| CliError::Model(p.clone(), e.to_string()))
}

fn save_model(c: &Common, m: &Model) -> Result<(), CliError> {
    if let Some(p) = &c.save_model {
        let s = serde_json::to_string_pretty(m)
            .map_err(|e| CliError::Model(p.clone(), e.to_string()))?;
        write_atomic(p, |w| w.write_all(s.as_bytes())).map_err(|e| CliError::Io(p.clone(), e))?;
    }
    Ok(())
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if std::io::stderr().is_terminal() {
        let pb = indicatif::ProgressBar::new(0);
        if let Ok(st) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
        {
            pb.set_style(st);
        }
        pb.set_message("blocking");
        Some(pb)
    } else {
        None
    }
}

fn run_pairs(a: &Table, b: Option<&Table>, c: &Common) -> Result<LinkOutput, CliError> {
    if !(0.0..=1.0).contains(&c.threshold) {
        return Err(CliError::Usage(format!(
            "--threshold {} is not a probability between 0 and 1",
            c.threshold
        )));
    }
    let mut fields = a.fields.clone();
    if let Some(b) = b {
        fields.retain(|f| b.fields.contains(f));
    }
    let model = load_model(c)?;
    let comps = match &model {
        Some(m) => m.comps.clone(),
        None => Comp::active(&fields),
    };
    if comps.is_empty() {
        return Err(CliError::Usage(
            "the files share no comparable field".into(),
        ));
    }
    let opts = Options {
        threshold: c.threshold,
        u_samples: c.u_samples,
        ..Options::default()
    };
    let pb = progress_bar();
    let progress = |done: usize, total: usize| {
        if let Some(pb) = &pb {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
        }
    };
    let out = index::run(
        &comps,
        &a.prepared,
        b.map(|t| t.prepared.as_slice()),
        model,
        &opts,
        &progress,
    );
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let t = &out.timings;
    eprintln!(
        "harbour-match: blocking {:.3}s, training {:.3}s (u from {} random pairs {:.3}s; EM {} iterations on {} session pairs {:.3}s + {:.3}s), scoring {:.3}s",
        t.blocking_s,
        t.training_s,
        out.model.u_pairs,
        t.u_sampling_s,
        out.model.em_iterations,
        out.model.em_pairs,
        t.em_pairs_s,
        t.em_s,
        t.scoring_s
    );
    save_model(c, &out.model)?;
    Ok(out)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_pairs(
    path: &Path,
    a: &Table,
    b: &Table,
    out: &LinkOutput,
    json: bool,
) -> Result<(), CliError> {
    let tf = index::term_freq(&[&a.prepared, &b.prepared]);
    write_atomic(path, |w| {
        if json {
            let rows: Vec<serde_json::Value> = out
                .pairs
                .iter()
                .map(|p| {
                    let ex = out
                        .model
                        .explain(&a.prepared[p.a], &b.prepared[p.b], Some(&tf));
                    serde_json::json!({
                        "id_a": a.records[p.a].id,
                        "id_b": b.records[p.b].id,
                        "probability": p.probability,
                        "match_weight": p.weight,
                        "explanation": ex.text(),
                        "fields": ex.fields,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *w, &rows).map_err(std::io::Error::other)?;
            writeln!(w)
        } else {
            writeln!(w, "id_a,id_b,probability,match_weight,explanation")?;
            for p in &out.pairs {
                let ex = out
                    .model
                    .explain(&a.prepared[p.a], &b.prepared[p.b], Some(&tf));
                writeln!(
                    w,
                    "{},{},{:.6},{:.3},{}",
                    csv_field(&a.records[p.a].id),
                    csv_field(&b.records[p.b].id),
                    p.probability,
                    p.weight,
                    csv_field(&ex.text())
                )?;
            }
            Ok(())
        }
    })
    .map_err(|e| CliError::Io(path.to_path_buf(), e))
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.cmd {
        Cmd::Link { a, b, common, out } => {
            let ta = load(&a, &common)?;
            let tb = load(&b, &common)?;
            let res = run_pairs(&ta, Some(&tb), &common)?;
            write_pairs(&out, &ta, &tb, &res, common.json)?;
            eprintln!(
                "harbour-match: {} candidate pairs, {} at p >= {}, written to {}",
                res.candidates.len(),
                res.pairs.len(),
                common.threshold,
                out.display()
            );
        }
        Cmd::Dedupe {
            a,
            common,
            out,
            clusters,
        } => {
            let ta = load(&a, &common)?;
            let res = run_pairs(&ta, None, &common)?;
            // Dedupe pairs hold (earlier, later) positions.
            write_pairs(&out, &ta, &ta, &res, common.json)?;
            if let Some(cp) = clusters {
                let cl = index::clusters(ta.records.len(), &res.pairs);
                write_atomic(&cp, |w| {
                    writeln!(w, "id,cluster")?;
                    for (r, c) in ta.records.iter().zip(&cl) {
                        writeln!(w, "{},{}", csv_field(&r.id), csv_field(&ta.records[*c].id))?;
                    }
                    Ok(())
                })
                .map_err(|e| CliError::Io(cp.clone(), e))?;
            }
            eprintln!(
                "harbour-match: {} candidate pairs, {} at p >= {}, written to {}",
                res.candidates.len(),
                res.pairs.len(),
                common.threshold,
                out.display()
            );
        }
        Cmd::Query {
            a,
            common,
            set,
            top,
        } => {
            let ta = load(&a, &common)?;
            let mut q = Record::new("query");
            for s in &set {
                let (f, v) = s
                    .split_once('=')
                    .ok_or_else(|| CliError::Usage(format!("--set {s}: expected FIELD=VALUE")))?;
                let field = Field::from_name(f.trim())
                    .ok_or_else(|| CliError::Usage(format!("--set: unknown field '{f}'")))?;
                q.set(field, v);
            }
            let year = common.reference_year.unwrap_or_else(current_year);
            let qp: Prepared = prepare(&q, year)
                .map_err(|e| CliError::Usage(format!("--set {}: {}", e.field.name(), e.message)))?;
            let model = match load_model(&common)? {
                Some(m) => m,
                None => run_pairs(&ta, None, &common)?.model,
            };
            let mut idx = Index::new(Options::default().max_bucket);
            for (r, p) in ta.records.iter().zip(&ta.prepared) {
                idx.add(r.id.clone(), p.clone());
            }
            let (hits, n) = idx.query(&model, &qp, top);
            let mut stdout = std::io::stdout().lock();
            let rows: Vec<serde_json::Value> = hits
                .iter()
                .map(|h| {
                    let ex = model.explain(&qp, &idx.records[h.index as usize], Some(&idx.tf));
                    serde_json::json!({"id": h.id, "probability": h.probability, "match_weight": h.weight, "explanation": ex.text()})
                })
                .collect();
            let res = if common.json {
                serde_json::to_writer_pretty(
                    &mut stdout,
                    &serde_json::json!({"candidates_scored": n, "hits": rows}),
                )
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(stdout))
            } else {
                (|| {
                    writeln!(stdout, "id,probability,match_weight,explanation")?;
                    for r in &rows {
                        writeln!(
                            stdout,
                            "{},{:.6},{:.3},{}",
                            csv_field(r["id"].as_str().unwrap_or("")),
                            r["probability"].as_f64().unwrap_or(0.0),
                            r["match_weight"].as_f64().unwrap_or(0.0),
                            csv_field(r["explanation"].as_str().unwrap_or(""))
                        )?;
                    }
                    Ok(())
                })()
            };
            res.map_err(|e| CliError::Io(PathBuf::from("<stdout>"), e))?;
        }
        Cmd::Normalize { name } => {
            let f = NameForms::new(&name);
            let out = serde_json::json!({
                "original": f.original,
                "uk_national": f.uk_national,
                "ru_icao": f.ru_icao,
                "skeleton": f.skeleton,
                "phonetic": phonetic(&f.skeleton, 5),
            });
            println!("{out}");
        }
    }
    Ok(())
}
