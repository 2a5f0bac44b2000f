//! Statistics on the command line: `harbour demo --cases N` (a synthetic population through the
//! service layer), `harbour statistics rebuild|check`, `harbour export statistics` (controlled
//! tables as CSV, XLSX or JSON) and `harbour export cases --standard htcds` (case-level, refused
//! unless k-anonymous on the chosen quasi-identifiers) and `harbour export aggregates --standard
//! ctdc` (CTDC reportable aggregates: rounded counts of short attribute combinations).

use crate::{harbour_with_clock, load_policy, DbArgs, Failure, KeyArgs};
use harbour_service::statistics::{ControlledTable, Dashboard, RightsReport, StatisticsRequest};
use harbour_service::ManualClock;
use harbour_statistics::ctdc_aggregates::Aggregator;
use harbour_statistics::disclosure::Pivot;
use harbour_statistics::CaseStatistics;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// How many synthetic cases to make through the service layer.
    #[arg(long)]
    cases: u64,
    /// Spread the referrals over this many years before now.
    #[arg(long, default_value_t = 3)]
    years: i64,
    /// Random seed (the same seed gives the same population, apart from ids and keys).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(clap::Subcommand)]
pub enum StatisticsCmd {
    /// Rebuild every case's statistical row from its journal (erased cases keep theirs).
    Rebuild {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Count tables straight from the decrypted journals and compare with the projection.
    Check {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
    },
}

#[derive(clap::Subcommand)]
pub enum ExportCmd {
    /// The published tables (disclosure-controlled) as csv, xlsx or json.
    Statistics {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
        #[arg(long, default_value = "csv")]
        format: String,
        /// First and last referral day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// Output file (standard output if absent; required for xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Case-level records in the CTDC / HTCDS vocabulary, only if k-anonymous.
    Cases {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// The standard: htcds.
        #[arg(long)]
        standard: String,
        /// Quasi-identifiers every combination of which must be shared by at least k records.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "yearOfRegistration,gender,ageBroad,citizenship"
        )]
        quasi: Vec<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Reportable aggregates in the CTDC layout (synthetic-data-showcase): counts of every
    /// combination of up to --length HTCDS attribute values, rounded down to the resolution,
    /// none below k.
    Aggregates {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// The standard: ctdc.
        #[arg(long, value_parser = ["ctdc"])]
        standard: String,
        /// The reporting length: the most attributes combined in one line (1 to 6).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=6))]
        length: u8,
        /// HTCDS fields to combine (all of them if absent).
        #[arg(long, value_delimiter = ',', value_parser = htcds_field)]
        fields: Vec<String>,
        /// First and last referral day (YYYY-MM-DD).
        #[arg(long, value_parser = referral_day)]
        from: Option<time::Date>,
        #[arg(long, value_parser = referral_day)]
        to: Option<time::Date>,
        /// Output file (standard output if absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Checked while the line is parsed, so a wrong name exits 2 before anything is read or written.
fn htcds_field(s: &str) -> Result<String, String> {
    if HTCDS_FIELDS.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an HTCDS field of this export; use some of {}",
            HTCDS_FIELDS.join(", ")
        ))
    }
}

fn referral_day(s: &str) -> Result<time::Date, String> {
    harbour_domain::person::parse_date(s)
}

fn day(s: &Option<String>, name: &str) -> Result<Option<time::Date>, Failure> {
    s.as_deref()
        .map(|d| {
            harbour_domain::person::parse_date(d).map_err(|e| Failure(format!("--{name}: {e}")))
        })
        .transpose()
}

pub async fn demo(args: DemoArgs) -> Result<(), Failure> {
    if args.cases == 0 {
        return Err(Failure("--cases must be at least 1".into()));
    }
    let end = time::OffsetDateTime::now_utc();
    let clock = Arc::new(ManualClock::new(end));
    let h = harbour_with_clock(&args.db, &args.keys, clock.clone()).await?;
    let run = harbour_crypto::random_token()[..6].to_lowercase();
    let password = format!("synthetic-{}", &harbour_crypto::random_token()[..12]);
    let actors = harbour_service::synthetic::synthetic_actors(&h, &run, &password).await?;
    let started = Instant::now();
    let n = args.cases;
    let step = (n / 200).max(1);
    let mut err = std::io::stderr();
    let report = harbour_service::synthetic::generate(
        &h,
        &clock,
        &actors,
        n,
        args.years,
        end,
        args.seed,
        |done| {
            if done % step == 0 || done == n {
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                let rate = done as f64 / secs;
                let eta = (n - done) as f64 / rate.max(1e-9);
                let _ = write!(
                    err,
                    "\r{done}/{n} cases  {:5.1}%  {rate:7.0} cases/s  elapsed {:5.0}s  left ~{eta:5.0}s ",
                    done as f64 * 100.0 / n as f64,
                    secs
                );
                let _ = err.flush();
            }
        },
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!();
    println!(
        "made {} cases ({} decisions, {} guardians, {} closures) and {} anonymous notifications in {:.1}s: {:.0} cases/s through the service layer",
        report.cases,
        report.decisions,
        report.guardians,
        report.closures,
        report.notifications,
        secs,
        report.cases as f64 / secs
    );
    println!(
        "coordinator login: {} / {}",
        actors.coordinator.user.email, password
    );
    Ok(())
}

pub async fn statistics(cmd: StatisticsCmd) -> Result<(), Failure> {
    match cmd {
        StatisticsCmd::Rebuild { db, keys } => {
            let h = crate::harbour(&db, &keys).await?;
            let r = h.rebuild_statistics().await?;
            println!(
                "rebuilt {} of {} cases from their journals; {} without a key kept their row; {} pre-aggregated counters recounted",
                r.rebuilt, r.cases, r.kept_without_key, r.counters
            );
            Ok(())
        }
        StatisticsCmd::Check { db, keys } => {
            let h = crate::harbour(&db, &keys).await?;
            let started = Instant::now();
            let r = h.check_statistics_against_journals().await?;
            println!(
                "{} cases, {} figures compared with an independent count of the journals in {:.1}s; {} without a key",
                r.cases,
                r.figures,
                started.elapsed().as_secs_f64(),
                r.without_key
            );
            println!(
                "{} pre-aggregated counts compared with a GROUP BY over the projection",
                r.counters
            );
            for m in &r.counter_mismatches {
                println!(
                    "MISMATCH counts {} {:?}: counted {} rows {}",
                    m.cube, m.keys, m.counted, m.rows
                );
            }
            if r.mismatches.is_empty() && r.counter_mismatches.is_empty() {
                println!("ok: every figure matches");
                Ok(())
            } else {
                for m in &r.mismatches {
                    println!(
                        "MISMATCH {} {:?}: projection {} journals {}",
                        m.table, m.keys, m.projection, m.journals
                    );
                }
                Err(Failure(format!(
                    "{} figures and {} counts differ",
                    r.mismatches.len(),
                    r.counter_mismatches.len()
                )))
            }
        }
    }
}

fn tables(d: &Dashboard) -> Vec<(&'static str, &ControlledTable)> {
    vec![
        (
            "referrals_by_quarter_and_age_at_exploitation",
            &d.referrals_by_quarter,
        ),
        (
            "referrals_by_exploitation_form_and_age_at_exploitation",
            &d.referrals_by_form,
        ),
        (
            "referrals_by_first_responder_kind",
            &d.referrals_by_referrer,
        ),
        (
            "reasonable_grounds_decisions_by_quarter",
            &d.reasonable_grounds,
        ),
        (
            "conclusive_grounds_decisions_by_quarter",
            &d.conclusive_grounds,
        ),
        (
            "anonymous_notifications_by_quarter",
            &d.notifications_by_quarter,
        ),
        ("late_now", &d.late),
    ]
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Long format: one line per cell, suppressed cells with an empty count.
pub fn statistics_csv(d: &Dashboard) -> String {
    let mut out = String::new();
    let empty = String::new();
    let k = d.referrals_by_quarter.table.k;
    let r = d.referrals_by_quarter.table.resolution;
    out.push_str(&format!(
        "# Harbour statistics; disclosure control: threshold k={k}, rounded down to multiples of {r}; suppressed cells have no count; not_applicable cells are zero by definition (never suppressed); data as of {}\n",
        d.referrals_by_quarter.as_of
    ));
    out.push_str("table,dimension_1,value_1,dimension_2,value_2,count,suppressed,not_applicable\n");
    for (name, t) in tables(d) {
        for cell in &t.table.cells {
            let mut kv: Vec<(&String, &String)> = t
                .table
                .dimensions
                .iter()
                .filter_map(|dim| cell.keys.get_key_value(dim))
                .collect();
            kv.resize(2, (&empty, &empty));
            out.push_str(&format!(
                "{name},{},{},{},{},{},{},{}\n",
                csv_field(kv[0].0),
                csv_field(kv[0].1),
                csv_field(kv[1].0),
                csv_field(kv[1].1),
                cell.count.map(|n| n.to_string()).unwrap_or_default(),
                cell.suppressed,
                cell.not_applicable
            ));
        }
    }
    out.push_str("# timeliness (groups of fewer than k are suppressed)\n");
    out.push_str("measure,unit,count,median,p90,within_target_percent,target,suppressed\n");
    for m in &d.timeliness.measures {
        for g in &m.groups {
            let s = &g.summary;
            let show = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                m.measure,
                m.unit,
                s.count.map(|n| n.to_string()).unwrap_or_default(),
                show(s.median),
                show(s.p90),
                s.within_target_percent
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                show(s.target),
                s.suppressed
            ));
        }
    }
    out.push_str(&rights_csv(&d.rights));
    out
}

/// The rights summary as rows: one per right (and all rights), figures read from published
/// cells only (empty or [x] where a cell is suppressed).
pub const RIGHTS_COLUMNS: [&str; 12] = [
    "right",
    "eligible",
    "informed",
    "granted",
    "refused",
    "waived",
    "late",
    "informed_percent",
    "granted_percent",
    "refused_percent",
    "waived_percent",
    "late_percent",
];

/// Columns of [`RIGHTS_COLUMNS`] (after `right`) that are not applicable to a right without a
/// deadline: such a right is never late.
pub const LATE_COLUMNS: [usize; 2] = [5, 10];

/// How a figure is written: a number, suppressed, or not applicable (zero by definition).
pub const SUPPRESSED: &str = "[x]";
pub const NOT_APPLICABLE: &str = "n/a";

/// The rights rows as text: late figures of a right without a deadline are not applicable.
fn rights_rows_shown(r: &RightsReport, suppressed: &str) -> Vec<(String, Vec<String>)> {
    rights_rows(r)
        .into_iter()
        .zip(&r.summary)
        .map(|((right, values), s)| {
            let values = values
                .into_iter()
                .enumerate()
                .map(|(j, v)| {
                    if !s.deadline && LATE_COLUMNS.contains(&j) {
                        NOT_APPLICABLE.to_string()
                    } else {
                        v.map_or(suppressed.to_string(), |n| n.to_string())
                    }
                })
                .collect();
            (right, values)
        })
        .collect()
}

pub fn rights_rows(r: &RightsReport) -> Vec<(String, Vec<Option<u64>>)> {
    r.summary
        .iter()
        .map(|s| {
            (
                s.keys.get("right").cloned().unwrap_or_default(),
                vec![
                    s.eligible,
                    s.informed,
                    s.granted,
                    s.refused,
                    s.waived,
                    s.late,
                    s.informed_percent,
                    s.granted_percent,
                    s.refused_percent,
                    s.waived_percent,
                    s.late_percent,
                ],
            )
        })
        .collect()
}

/// Compensation and cooperation figures as (name, value) rows, then the sums if published.
pub fn redress_rows(r: &RightsReport) -> Vec<(String, Option<u64>)> {
    let mut out = Vec::new();
    if let Some(x) = r.redress.iter().find(|x| x.keys.is_empty()) {
        out.extend([
            ("cases".to_string(), x.cases),
            ("compensation_claimed".to_string(), x.compensation_claimed),
            ("compensation_awarded".to_string(), x.compensation_awarded),
            ("compensation_paid".to_string(), x.compensation_paid),
            ("cooperation_declined".to_string(), x.cooperation_declined),
            (
                "support_continuing_after_decline".to_string(),
                x.support_continuing_after_decline,
            ),
        ]);
    }
    for a in &r.amounts {
        out.push((
            format!("{}_sum_minor_units_{}", a.stage, a.currency),
            Some(a.amount_minor),
        ));
    }
    out
}

fn rights_csv(r: &RightsReport) -> String {
    let mut out = format!(
        "# rights access (lateness as at {}); figures read from published cells only\n",
        harbour_domain::person::format_date(r.late_as_at)
    );
    out.push_str(&RIGHTS_COLUMNS.join(","));
    out.push('\n');
    for (right, values) in rights_rows_shown(r, "") {
        out.push_str(&csv_field(&right));
        for v in values {
            out.push(',');
            out.push_str(&v);
        }
        out.push('\n');
    }
    out.push_str("# rights access cells (eligible person x right by status and lateness)\n");
    out.push_str("table,right,status,late,count,suppressed,not_applicable\n");
    for cell in &r.rights.table.cells {
        let key = |d: &str| csv_field(cell.keys.get(d).map_or("", String::as_str));
        out.push_str(&format!(
            "rights,{},{},{},{},{},{}\n",
            key("right"),
            key("status"),
            key("late"),
            cell.count.map(|n| n.to_string()).unwrap_or_default(),
            cell.suppressed,
            cell.not_applicable
        ));
    }
    out.push_str("# compensation and cooperation (cases)\n");
    out.push_str("table,dimension_1,value_1,count,suppressed,not_applicable\n");
    for (name, t) in [
        ("compensation", &r.compensation),
        ("cooperation", &r.cooperation),
    ] {
        for cell in &t.table.cells {
            out.push_str(&format!(
                "{name},{name},{},{},{},{}\n",
                csv_field(cell.keys.get(name).map_or("", String::as_str)),
                cell.count.map(|n| n.to_string()).unwrap_or_default(),
                cell.suppressed,
                cell.not_applicable
            ));
        }
    }
    out.push_str("figure,value\n");
    for (name, v) in redress_rows(r) {
        out.push_str(&format!(
            "{name},{}\n",
            v.map(|n| n.to_string()).unwrap_or_default()
        ));
    }
    if r.amounts_suppressed {
        out.push_str("# sums of compensation not published: too few cases\n");
    }
    out
}

/// A plain-text rendering of a pivot (for the terminal and the report).
pub fn render_pivot(title: &str, p: &Pivot) -> String {
    let head = format!(
        "{} \\ {}",
        p.row_dimension,
        p.column_dimension.as_deref().unwrap_or("")
    );
    let mut widths: Vec<usize> = vec![head
        .len()
        .max(p.rows.iter().map(String::len).max().unwrap_or(0))];
    for (j, c) in p.columns.iter().enumerate() {
        let w = p
            .cells
            .iter()
            .map(|row| row[j].map_or(SUPPRESSED.len(), |n| n.to_string().len()))
            .max()
            .unwrap_or(3)
            .max(c.len());
        widths.push(w);
    }
    let mut out = format!("{title}\n");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("{c:<w$}", w = widths[0])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let mut header = vec![head];
    header.extend(p.columns.iter().cloned());
    out.push_str(&line(header));
    out.push('\n');
    out.push_str(
        &widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-"),
    );
    out.push('\n');
    for (i, r) in p.rows.iter().enumerate() {
        let mut cells = vec![r.clone()];
        cells.extend(p.cells[i].iter().zip(&p.not_applicable[i]).map(|(c, na)| {
            if *na {
                NOT_APPLICABLE.to_string()
            } else {
                c.map_or(SUPPRESSED.to_string(), |n| n.to_string())
            }
        }));
        out.push_str(&line(cells));
        out.push('\n');
    }
    out
}

pub fn statistics_text(d: &Dashboard) -> String {
    let t = &d.referrals_by_quarter.table;
    let mut out = format!(
        "Harbour statistics (k = {}, rounded down to multiples of {}; [x] = suppressed; n/a = not applicable, zero by definition)\n\n",
        t.k, t.resolution
    );
    for (name, table) in tables(d) {
        if let Some(p) = table.table.pivot() {
            out.push_str(&render_pivot(name, &p));
            out.push('\n');
        }
    }
    out.push_str("timeliness: measure | unit | count | median | p90 | within target %\n");
    for m in &d.timeliness.measures {
        for g in &m.groups {
            let s = &g.summary;
            let show = |v: Option<i64>| v.map_or("[x]".to_string(), |v| v.to_string());
            out.push_str(&format!(
                "{} | {} | {} | {} | {} | {}\n",
                m.measure,
                m.unit,
                s.count.map_or("[x]".to_string(), |n| n.to_string()),
                show(s.median),
                show(s.p90),
                s.within_target_percent
                    .map_or("[x]".to_string(), |n| n.to_string()),
            ));
        }
    }
    let shown = |v: Option<u64>| v.map_or("[x]".to_string(), |n| n.to_string());
    out.push_str(&format!(
        "\nrights access (late as at {}): {}\n",
        harbour_domain::person::format_date(d.rights.late_as_at),
        RIGHTS_COLUMNS.join(" | ")
    ));
    for (right, values) in rights_rows_shown(&d.rights, SUPPRESSED) {
        out.push_str(&format!("{right} | {}\n", values.join(" | ")));
    }
    out.push_str("\ncompensation and cooperation\n");
    for (name, v) in redress_rows(&d.rights) {
        out.push_str(&format!("{name} | {}\n", shown(v)));
    }
    out
}

fn statistics_xlsx(d: &Dashboard, path: &std::path::Path) -> Result<(), Failure> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let note = format!(
        "Disclosure control: no count below k = {}; counts rounded down to multiples of {}; [x] = suppressed; n/a = not applicable (zero by definition). Data as of {}.",
        d.referrals_by_quarter.table.k, d.referrals_by_quarter.table.resolution, d.referrals_by_quarter.as_of
    );
    for (name, table) in tables(d) {
        let Some(p) = table.table.pivot() else {
            continue;
        };
        let ws = wb.add_worksheet();
        // Sheet names are at most 31 characters.
        let sheet: String = name.chars().take(31).collect();
        ws.set_name(&sheet).map_err(|e| Failure(e.to_string()))?;
        ws.write_string_with_format(0, 0, name, &bold)
            .map_err(|e| Failure(e.to_string()))?;
        ws.write_string(1, 0, &note)
            .map_err(|e| Failure(e.to_string()))?;
        ws.write_string_with_format(3, 0, &p.row_dimension, &bold)
            .map_err(|e| Failure(e.to_string()))?;
        for (j, c) in p.columns.iter().enumerate() {
            ws.write_string_with_format(3, (j + 1) as u16, c, &bold)
                .map_err(|e| Failure(e.to_string()))?;
        }
        for (i, r) in p.rows.iter().enumerate() {
            let row = (i + 4) as u32;
            ws.write_string(row, 0, r)
                .map_err(|e| Failure(e.to_string()))?;
            for (j, cell) in p.cells[i].iter().enumerate() {
                let col = (j + 1) as u16;
                match cell {
                    _ if p.not_applicable[i][j] => ws.write_string(row, col, NOT_APPLICABLE),
                    Some(n) => ws.write_number(row, col, *n as f64),
                    None => ws.write_string(row, col, SUPPRESSED),
                }
                .map_err(|e| Failure(e.to_string()))?;
            }
        }
    }
    // Rights access: the summary per right, then compensation and cooperation figures.
    let ws = wb.add_worksheet();
    ws.set_name("rights_access")
        .map_err(|e| Failure(e.to_string()))?;
    ws.write_string_with_format(0, 0, "rights_access", &bold)
        .map_err(|e| Failure(e.to_string()))?;
    ws.write_string(
        1,
        0,
        format!(
            "{note} Lateness as at {}; figures read from published cells only.",
            harbour_domain::person::format_date(d.rights.late_as_at)
        ),
    )
    .map_err(|e| Failure(e.to_string()))?;
    for (j, c) in RIGHTS_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(3, j as u16, *c, &bold)
            .map_err(|e| Failure(e.to_string()))?;
    }
    let mut row = 4u32;
    let cell = |ws: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, v: Option<u64>| {
        match v {
            Some(n) => ws.write_number(row, col, n as f64),
            None => ws.write_string(row, col, "[x]"),
        }
        .map(|_| ())
        .map_err(|e| Failure(e.to_string()))
    };
    for ((right, values), s) in rights_rows(&d.rights).into_iter().zip(&d.rights.summary) {
        ws.write_string(row, 0, &right)
            .map_err(|e| Failure(e.to_string()))?;
        for (j, v) in values.into_iter().enumerate() {
            if !s.deadline && LATE_COLUMNS.contains(&j) {
                ws.write_string(row, (j + 1) as u16, NOT_APPLICABLE)
                    .map_err(|e| Failure(e.to_string()))?;
            } else {
                cell(ws, row, (j + 1) as u16, v)?;
            }
        }
        row += 1;
    }
    row += 1;
    for (name, v) in redress_rows(&d.rights) {
        ws.write_string(row, 0, &name)
            .map_err(|e| Failure(e.to_string()))?;
        cell(ws, row, 1, v)?;
        row += 1;
    }
    wb.save(path)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))
}

fn write_out(out: &Option<PathBuf>, bytes: &[u8]) -> Result<(), Failure> {
    match out {
        Some(p) => std::fs::write(p, bytes).map_err(|e| Failure(format!("{}: {e}", p.display()))),
        None => {
            std::io::stdout().write_all(bytes)?;
            Ok(())
        }
    }
}

/// A record in the CTDC / HTCDS vocabulary (flags 1 or empty, missing values -99).
pub fn htcds_record(s: &CaseStatistics) -> BTreeMap<String, String> {
    use harbour_domain::{ExploitationForm as F, Sex};
    let flag = |b: bool| if b { "1".to_string() } else { String::new() };
    let has = |f: F| s.exploitation_forms.contains(&f);
    let majority = |a: harbour_statistics::AgeGroup| match a {
        harbour_statistics::AgeGroup::Adult => "Adult",
        harbour_statistics::AgeGroup::Child => "Minor",
        harbour_statistics::AgeGroup::Unknown => "-99",
    };
    let sexual = has(F::Sexual) || has(F::OnlineSexualExploitation);
    let labour = has(F::ForcedLabour) || has(F::DomesticServitude);
    let other = s.exploitation_forms.iter().any(|f| {
        !matches!(
            f,
            F::Sexual
                | F::OnlineSexualExploitation
                | F::ForcedLabour
                | F::DomesticServitude
                | F::Unknown
        )
    });
    let citizenship = match s.nationality.as_deref() {
        Some(n) if n.len() == 2 => n.to_string(),
        _ => "-99".to_string(),
    };
    [
        ("yearOfRegistration", s.referred_on.year().to_string()),
        (
            "gender",
            match s.sex {
                Sex::Female => "Woman",
                Sex::Male => "Man",
                Sex::Other => "Trans/Transgender/NonConforming",
                Sex::Unknown => "-99",
            }
            .to_string(),
        ),
        (
            "ageBroad",
            s.ctdc_age_band.clone().unwrap_or_else(|| "-99".into()),
        ),
        ("majorityStatus", majority(s.age_at_referral).to_string()),
        (
            "majorityStatusAtExploit",
            majority(s.age_at_exploitation).to_string(),
        ),
        ("citizenship", citizenship),
        ("isForcedLabour", flag(labour)),
        ("isSexualExploit", flag(sexual)),
        ("isOtherExploit", flag(other)),
        ("isSexAndLabour", flag(sexual && labour)),
        ("isForcedMarriage", flag(has(F::ForcedMarriage))),
        ("isOrganRemoval", flag(has(F::OrganRemoval))),
        ("typeOfLabourDomesticWork", flag(has(F::DomesticServitude))),
        ("typeOfLabourBegging", flag(has(F::ForcedBegging))),
        (
            "typeOfLabourIllicitActivities",
            flag(has(F::ForcedCriminality)),
        ),
        (
            "typeOfSexRemoteInteractiveServices",
            flag(has(F::OnlineSexualExploitation)),
        ),
        (
            "exploitationNotSpecified",
            flag(s.exploitation_forms.iter().all(|f| *f == F::Unknown)),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub const HTCDS_FIELDS: [&str; 17] = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "citizenship",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isOrganRemoval",
    "typeOfLabourDomesticWork",
    "typeOfLabourBegging",
    "typeOfLabourIllicitActivities",
    "typeOfSexRemoteInteractiveServices",
    "exploitationNotSpecified",
];

pub async fn export(cmd: ExportCmd) -> Result<(), Failure> {
    match cmd {
        ExportCmd::Statistics {
            db,
            keys,
            format,
            from,
            to,
            out,
        } => {
            let req = StatisticsRequest {
                from: day(&from, "from")?,
                to: day(&to, "to")?,
                by: vec![],
            };
            let h = crate::harbour(&db, &keys).await?;
            let d = h.statistics_for_publication(&req).await?;
            match format.as_str() {
                "csv" => write_out(&out, statistics_csv(&d).as_bytes()),
                "json" => write_out(&out, &serde_json::to_vec_pretty(&d)?),
                "text" => write_out(&out, statistics_text(&d).as_bytes()),
                "xlsx" => {
                    let path = out.ok_or_else(|| Failure("xlsx needs --out FILE".into()))?;
                    statistics_xlsx(&d, &path)
                }
                other => Err(Failure(format!(
                    "`{other}` is not a format; use csv, xlsx, json or text"
                ))),
            }
        }
        ExportCmd::Cases {
            db,
            keys,
            standard,
            quasi,
            out,
        } => {
            if standard != "htcds" {
                return Err(Failure(format!(
                    "`{standard}` is not a standard Harbour exports; use htcds"
                )));
            }
            for q in &quasi {
                if !HTCDS_FIELDS.contains(&q.as_str()) {
                    return Err(Failure(format!(
                        "`{q}` is not an HTCDS field of this export; use some of {}",
                        HTCDS_FIELDS.join(", ")
                    )));
                }
            }
            let policy = load_policy(keys.policy.as_deref())?;
            let h = crate::harbour(&db, &keys).await?;
            let records: Vec<BTreeMap<String, String>> = h
                .statistics_rows_for_export()
                .await?
                .iter()
                .map(htcds_record)
                .collect();
            let k = u64::from(policy.statistics.threshold);
            harbour_statistics::kanon::check(&records, &quasi, k)
                .map_err(|refusal| Failure(format!("refused: {refusal}")))?;
            let mut text = HTCDS_FIELDS.join(",");
            text.push('\n');
            for r in &records {
                let line: Vec<String> = HTCDS_FIELDS
                    .iter()
                    .map(|f| csv_field(r.get(*f).map_or("", String::as_str)))
                    .collect();
                text.push_str(&line.join(","));
                text.push('\n');
            }
            eprintln!(
                "{} records, k-anonymous (k = {k}) on {}",
                records.len(),
                quasi.join(", ")
            );
            write_out(&out, text.as_bytes())
        }
        ExportCmd::Aggregates {
            db,
            keys,
            standard: _,
            length,
            fields,
            from,
            to,
            out,
        } => {
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    // A usage error like the others clap reports: exit 2, nothing read or written.
                    clap::Error::raw(
                        clap::error::ErrorKind::ArgumentConflict,
                        format!(
                            "--from {} is after --to {}\n",
                            harbour_domain::person::format_date(f),
                            harbour_domain::person::format_date(t)
                        ),
                    )
                    .exit();
                }
            }
            // Combinations name their fields in HTCDS order whatever order --fields gives.
            let fields: Vec<&'static str> = HTCDS_FIELDS
                .iter()
                .copied()
                .filter(|f| fields.is_empty() || fields.iter().any(|g| g == f))
                .collect();
            let h = crate::harbour(&db, &keys).await?;
            let control = h.statistics_control();
            let mut aggregator = Aggregator::new(
                fields.iter().map(|f| f.to_string()).collect(),
                usize::from(length),
            )?;
            let mut values: Vec<String> = Vec::with_capacity(fields.len());
            for row in h.statistics_rows_for_export().await? {
                if from.is_some_and(|f| row.referred_on < f)
                    || to.is_some_and(|t| row.referred_on > t)
                {
                    continue;
                }
                let mut record = htcds_record(&row);
                values.clear();
                values.extend(fields.iter().map(|f| record.remove(*f).unwrap_or_default()));
                aggregator.add(&values)?;
            }
            let published = aggregator.publish(control);
            write_out(&out, published.to_csv().as_bytes())?;
            eprintln!(
                "{} records; {} combinations kept, {} suppressed; k = {}, resolution {}, length {}; data as of {}",
                published.records,
                published.lines.len(),
                published.suppressed,
                control.threshold,
                control.resolution,
                published.length,
                harbour_domain::person::format_date(time::OffsetDateTime::now_utc().date())
            );
            Ok(())
        }
    }
}
