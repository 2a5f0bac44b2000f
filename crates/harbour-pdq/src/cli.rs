//! The `harbour pdq` command line, as a library function the main `harbour`
//! binary can mount (`harbour_pdq::cli::run_cli`), plus a standalone binary.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};

use crate::bank::{BankDir, QUALITY_UNKNOWN};
use crate::core::{Hasher, DIHEDRAL_NAMES};
use crate::decode::{decode_file, DecodeOptions, JpegDecoder};
use crate::hash::Hash256;
use crate::{DEFAULT_DISTANCE, MIN_MATCH_QUALITY};

/// Show a progress bar (on a terminal only) from this many files up.
const PROGRESS_MIN_FILES: usize = 16;

#[derive(Parser, Debug)]
#[command(
    name = "harbour pdq",
    about = "PDQ perceptual hashes (bit-exact with Meta's reference) and hash banks with exact matching"
)]
struct Cli {
    /// Directory holding bank files (NAME.pdqbank).
    #[arg(long, global = true, default_value = "./pdq-banks")]
    bank_dir: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Hash image files (PNG, JPEG, WebP, GIF first frame, BMP).
    Hash {
        /// Also print the eight dihedral hashes (original, rotate90, rotate180,
        /// rotate270, flipx, flipy, flipplus1, flipminus1).
        #[arg(long)]
        dihedral: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        decode: DecodeArgs,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Manage banks: add, remove, list.
    #[command(subcommand)]
    Bank(BankCmd),
    /// Find bank entries within a Hamming distance of an image (and its eight
    /// dihedral variants) or of a given hash.
    Match {
        /// An image file, or a 64-hex-digit PDQ hash.
        input: String,
        /// Bank to search (repeat for several).
        #[arg(long = "bank", required = true)]
        banks: Vec<String>,
        /// Maximum Hamming distance (inclusive).
        #[arg(long, default_value_t = DEFAULT_DISTANCE, value_parser = clap::value_parser!(u32).range(0..=256))]
        distance: u32,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        decode: DecodeArgs,
    },
}

#[derive(Subcommand, Debug)]
enum BankCmd {
    /// Add images or hashes to a bank (created if missing).
    Add {
        #[arg(long)]
        bank: String,
        /// Label for every item added (default: the file name, or empty for hashes).
        #[arg(long)]
        label: Option<String>,
        /// Also add images with quality below 50 (they are refused by default).
        #[arg(long)]
        allow_low_quality: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        decode: DecodeArgs,
        /// Image files and/or 64-hex-digit hashes.
        #[arg(required = true)]
        items: Vec<String>,
    },
    /// Tombstone entries by hash, label or id (they stop matching; ids stay).
    Remove {
        #[arg(long)]
        bank: String,
        #[arg(long)]
        label: Option<String>,
        #[arg(long)]
        id: Vec<u32>,
        /// Hashes to remove.
        hashes: Vec<String>,
    },
    /// List banks, or the entries of one bank.
    List {
        #[arg(long)]
        bank: Option<String>,
        /// Include removed (tombstoned) entries.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Clone)]
struct DecodeArgs {
    /// JPEG decoder: libjpeg-turbo gives the reference's exact pixels (needs
    /// the `libjpeg-turbo` build feature); auto uses it when built in.
    #[arg(long, value_enum, default_value_t = JpegArg::Auto)]
    jpeg_decoder: JpegArg,
    /// Apply the EXIF orientation before hashing (the reference does not).
    #[arg(long)]
    apply_exif_orientation: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum JpegArg {
    Auto,
    PureRust,
    LibjpegTurbo,
}

impl DecodeArgs {
    fn options(&self) -> DecodeOptions {
        DecodeOptions {
            apply_exif_orientation: self.apply_exif_orientation,
            jpeg: match self.jpeg_decoder {
                JpegArg::Auto => JpegDecoder::Auto,
                JpegArg::PureRust => JpegDecoder::PureRust,
                JpegArg::LibjpegTurbo => JpegDecoder::LibjpegTurbo,
            },
        }
    }
}

/// A failure that ends the command with exit code 1 and a message.
struct Fail(String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail(e.to_string())
    }
}

/// Runs the CLI; `args[0]` is the program name (e.g. "harbour pdq").
pub fn run_cli<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            // Prints help/version to stdout (exit 0) or the usage error (exit 2).
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match cli.cmd {
        Cmd::Hash {
            dihedral,
            json,
            decode,
            files,
        } => cmd_hash(&mut out, &files, dihedral, json, decode.options()),
        Cmd::Bank(b) => cmd_bank(&mut out, &BankDir::new(&cli.bank_dir), b),
        Cmd::Match {
            input,
            banks,
            distance,
            json,
            decode,
        } => cmd_match(
            &mut out,
            &BankDir::new(&cli.bank_dir),
            &input,
            &banks,
            distance,
            json,
            decode.options(),
        ),
    };
    let _ = out.flush();
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(Fail(msg)) => {
            eprintln!("harbour pdq: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn progress(n: usize) -> indicatif::ProgressBar {
    if n < PROGRESS_MIN_FILES || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files, {per_sec}, eta {eta}")
    {
        pb.set_style(style);
    }
    pb
}

/// Returns Ok(all files hashed).
fn cmd_hash(
    out: &mut impl Write,
    files: &[PathBuf],
    dihedral: bool,
    json: bool,
    opts: DecodeOptions,
) -> Result<bool, Fail> {
    let pb = progress(files.len());
    let mut hasher = Hasher::new();
    let mut all_ok = true;
    let mut records = Vec::new();
    for path in files {
        let res = hash_one(&mut hasher, path, dihedral, opts);
        pb.inc(1);
        match res {
            Ok((h, q, dih)) => {
                if json {
                    let mut v = json!({"file": path.display().to_string(), "hash": h.to_hex(), "quality": q});
                    if let Some(d) = dih {
                        v["dihedral"] = dihedral_json(&d);
                    }
                    records.push(v);
                } else {
                    // Same shape as the reference's pdq-photo-hasher: hash,quality,file
                    let mut line = h.to_hex();
                    if let Some(d) = dih {
                        for x in &d[1..] {
                            line.push(',');
                            line.push_str(&x.to_hex());
                        }
                    }
                    pb.suspend(|| writeln!(out, "{line},{q},{}", path.display()))?;
                }
            }
            Err(msg) => {
                all_ok = false;
                pb.suspend(|| eprintln!("harbour pdq: {}: {msg}", path.display()));
                if json {
                    records.push(json!({"file": path.display().to_string(), "error": msg}));
                }
            }
        }
    }
    pb.finish_and_clear();
    if json {
        writeln!(out, "{}", Value::Array(records))?;
    }
    Ok(all_ok)
}

type Hashed = (Hash256, u8, Option<[Hash256; 8]>);

fn hash_one(
    hasher: &mut Hasher,
    path: &Path,
    dihedral: bool,
    opts: DecodeOptions,
) -> Result<Hashed, String> {
    let px = decode_file(path, opts).map_err(|e| e.to_string())?;
    if dihedral {
        let d = hasher
            .hash_dihedral(px.as_ref())
            .map_err(|e| e.to_string())?;
        Ok((d.hashes[0], d.quality, Some(d.hashes)))
    } else {
        let h = hasher.hash(px.as_ref()).map_err(|e| e.to_string())?;
        Ok((h.hash, h.quality, None))
    }
}

fn dihedral_json(d: &[Hash256; 8]) -> Value {
    let mut m = serde_json::Map::new();
    for (name, h) in DIHEDRAL_NAMES.iter().zip(d) {
        m.insert((*name).to_string(), Value::String(h.to_hex()));
    }
    Value::Object(m)
}

/// An argument that is a hash, unless a file by that name exists.
fn as_hash(arg: &str) -> Option<Hash256> {
    if Path::new(arg).exists() {
        return None;
    }
    Hash256::from_hex(arg).ok()
}

/// Decode-and-hash error text, clearer when the argument is neither a file nor a hash.
fn input_error(arg: &str, e: impl std::fmt::Display) -> String {
    if Path::new(arg).exists() {
        e.to_string()
    } else {
        "no such file, and not a 64-hex-digit PDQ hash".to_string()
    }
}

fn cmd_bank(out: &mut impl Write, dir: &BankDir, cmd: BankCmd) -> Result<bool, Fail> {
    match cmd {
        BankCmd::Add {
            bank,
            label,
            allow_low_quality,
            json,
            decode,
            items,
        } => {
            let mut b = dir.load_or_new(&bank)?;
            let mut hasher = Hasher::new();
            let pb = progress(items.len());
            let mut added = Vec::new();
            let mut all_ok = true;
            for item in &items {
                pb.inc(1);
                let res: Result<(Hash256, u8, String), String> = match as_hash(item) {
                    Some(h) => Ok((h, QUALITY_UNKNOWN, String::new())),
                    None => hash_one(&mut hasher, Path::new(item), false, decode.options())
                        .map_err(|e| input_error(item, e))
                        .and_then(|(h, q, _)| {
                            if q < MIN_MATCH_QUALITY && !allow_low_quality {
                                Err(format!("quality {q} is below {MIN_MATCH_QUALITY}: not added (use --allow-low-quality to override)"))
                            } else {
                                let name = Path::new(item)
                                    .file_name()
                                    .map(|n| n.to_string_lossy().into_owned())
                                    .unwrap_or_default();
                                Ok((h, q, name))
                            }
                        }),
                };
                match res {
                    Ok((h, q, default_label)) => {
                        let l = label.clone().unwrap_or(default_label);
                        let id = b.add(h, &l, q)?;
                        added
                            .push(json!({"id": id, "hash": h.to_hex(), "label": l, "input": item}));
                    }
                    Err(msg) => {
                        all_ok = false;
                        pb.suspend(|| eprintln!("harbour pdq: {item}: {msg}"));
                    }
                }
            }
            pb.finish_and_clear();
            dir.save(&b)?;
            if json {
                writeln!(out, "{}", json!({"bank": bank, "added": added}))?;
            } else {
                for a in &added {
                    writeln!(
                        out,
                        "added {} {} {}",
                        a["id"],
                        a["hash"].as_str().unwrap_or(""),
                        a["label"].as_str().unwrap_or("")
                    )?;
                }
            }
            Ok(all_ok)
        }
        BankCmd::Remove {
            bank,
            label,
            id,
            hashes,
        } => {
            if label.is_none() && id.is_empty() && hashes.is_empty() {
                return Err(Fail("say what to remove: HASH..., --label or --id".into()));
            }
            let mut b = dir.load(&bank)?;
            let mut removed = Vec::new();
            for h in &hashes {
                let h = Hash256::from_hex(h).map_err(|e| format!("{h:?}: {e}"))?;
                removed.extend(b.remove_hash(&h));
            }
            if let Some(l) = &label {
                removed.extend(b.remove_label(l));
            }
            for i in id {
                if b.remove_id(i) {
                    removed.push(i);
                }
            }
            dir.save(&b)?;
            writeln!(
                out,
                "removed {} entr{} from {bank}",
                removed.len(),
                if removed.len() == 1 { "y" } else { "ies" }
            )?;
            Ok(true)
        }
        BankCmd::List { bank, all, json } => {
            match bank {
                None => {
                    let mut rows = Vec::new();
                    for name in dir.list()? {
                        let b = dir.load(&name)?;
                        rows.push(json!({"bank": name, "live": b.live_count(), "records": b.entries().len()}));
                    }
                    if json {
                        writeln!(out, "{}", Value::Array(rows))?;
                    } else {
                        for r in rows {
                            writeln!(
                                out,
                                "{}\t{} live\t{} records",
                                r["bank"].as_str().unwrap_or(""),
                                r["live"],
                                r["records"]
                            )?;
                        }
                    }
                }
                Some(name) => {
                    let b = dir.load(&name)?;
                    let mut rows = Vec::new();
                    for (id, e) in b.entries().iter().enumerate() {
                        if e.removed && !all {
                            continue;
                        }
                        let quality = (e.quality != QUALITY_UNKNOWN).then_some(e.quality);
                        if json {
                            rows.push(json!({"id": id, "hash": e.hash.to_hex(), "label": e.label, "quality": quality, "removed": e.removed}));
                        } else {
                            let q = quality.map_or("-".to_string(), |q| q.to_string());
                            let status = if e.removed { "\tremoved" } else { "" };
                            writeln!(out, "{id}\t{}\t{q}\t{}{status}", e.hash, e.label)?;
                        }
                    }
                    if json {
                        writeln!(out, "{}", Value::Array(rows))?;
                    }
                }
            }
            Ok(true)
        }
    }
}

fn cmd_match(
    out: &mut impl Write,
    dir: &BankDir,
    input: &str,
    banks: &[String],
    distance: u32,
    json: bool,
    opts: DecodeOptions,
) -> Result<bool, Fail> {
    // A bare hash is matched as given: dihedral variants need the image's DCT.
    let (queries, quality) = match as_hash(input) {
        Some(h) => (vec![h], None),
        None => {
            let px = decode_file(Path::new(input), opts)
                .map_err(|e| format!("{input}: {}", input_error(input, e)))?;
            let d = Hasher::new().hash_dihedral(px.as_ref())?;
            if d.quality < MIN_MATCH_QUALITY {
                return Err(Fail(format!(
                    "{input}: quality {} is below {MIN_MATCH_QUALITY}; too featureless to match reliably, refused",
                    d.quality
                )));
            }
            (d.hashes.to_vec(), Some(d.quality))
        }
    };
    let mut matches = Vec::new();
    for name in banks {
        let b = dir.load(name)?;
        for m in b.search(&queries, distance) {
            let variant = if queries.len() == 8 {
                DIHEDRAL_NAMES[m.query as usize]
            } else {
                "original"
            };
            matches.push((name.clone(), m, variant));
        }
    }
    matches.sort_by(|a, b| (a.1.distance, &a.0, a.1.id).cmp(&(b.1.distance, &b.0, b.1.id)));
    if json {
        let ms: Vec<Value> = matches
            .iter()
            .map(|(bank, m, v)| json!({"bank": bank, "id": m.id, "hash": m.hash.to_hex(), "label": m.label, "distance": m.distance, "variant": v}))
            .collect();
        writeln!(
            out,
            "{}",
            json!({"query": {"input": input, "hash": queries[0].to_hex(), "quality": quality, "variants_searched": queries.len()}, "distance": distance, "matches": ms})
        )?;
    } else {
        for (bank, m, v) in &matches {
            writeln!(
                out,
                "{}\t{bank}\t{}\t{}\t{v}\t{}",
                m.distance, m.id, m.hash, m.label
            )?;
        }
        if matches.is_empty() {
            eprintln!("no match within distance {distance}");
        }
    }
    Ok(true)
}
