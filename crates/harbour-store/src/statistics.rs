//! The statistical projection as the stores keep and count it (migration 0009): a
//! non-identifying row per case and its exploitation forms, counted by plain `GROUP BY`.

use time::Date;

pub use harbour_statistics::CaseStatistics;

/// A column statistics may be broken down by. Every name maps to one fixed SQL expression, so a
/// query string never carries user input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatDim {
    Quarter,
    Year,
    ReferrerKind,
    ExploitationForm,
    AgeAtReferral,
    AgeAtExploitation,
    CtdcAgeBand,
    Sex,
    Nationality,
    Region,
    OnlineRecruitment,
    CountyLines,
    RgOutcome,
    RgQuarter,
    RgDays,
    RgWithinTarget,
    CgOutcome,
    CgQuarter,
    CgDays,
    CgWithinTarget,
    GuardianHours,
    GuardianWithinTarget,
    Phase,
    Closure,
}

impl StatDim {
    pub const ALL: [StatDim; 24] = [
        StatDim::Quarter,
        StatDim::Year,
        StatDim::ReferrerKind,
        StatDim::ExploitationForm,
        StatDim::AgeAtReferral,
        StatDim::AgeAtExploitation,
        StatDim::CtdcAgeBand,
        StatDim::Sex,
        StatDim::Nationality,
        StatDim::Region,
        StatDim::OnlineRecruitment,
        StatDim::CountyLines,
        StatDim::RgOutcome,
        StatDim::RgQuarter,
        StatDim::RgDays,
        StatDim::RgWithinTarget,
        StatDim::CgOutcome,
        StatDim::CgQuarter,
        StatDim::CgDays,
        StatDim::CgWithinTarget,
        StatDim::GuardianHours,
        StatDim::GuardianWithinTarget,
        StatDim::Phase,
        StatDim::Closure,
    ];

    /// The name in the API (`by=quarter,exploitation_form`).
    pub fn name(self) -> &'static str {
        match self {
            StatDim::Quarter => "quarter",
            StatDim::Year => "year",
            StatDim::ReferrerKind => "referrer_kind",
            StatDim::ExploitationForm => "exploitation_form",
            StatDim::AgeAtReferral => "age_at_referral",
            StatDim::AgeAtExploitation => "age_at_exploitation",
            StatDim::CtdcAgeBand => "age_broad",
            StatDim::Sex => "sex",
            StatDim::Nationality => "nationality",
            StatDim::Region => "region",
            StatDim::OnlineRecruitment => "online_recruitment",
            StatDim::CountyLines => "county_lines",
            StatDim::RgOutcome => "reasonable_grounds_outcome",
            StatDim::RgQuarter => "reasonable_grounds_quarter",
            StatDim::RgDays => "reasonable_grounds_days",
            StatDim::RgWithinTarget => "reasonable_grounds_within_target",
            StatDim::CgOutcome => "conclusive_grounds_outcome",
            StatDim::CgQuarter => "conclusive_grounds_quarter",
            StatDim::CgDays => "conclusive_grounds_days",
            StatDim::CgWithinTarget => "conclusive_grounds_within_target",
            StatDim::GuardianHours => "guardian_hours",
            StatDim::GuardianWithinTarget => "guardian_within_target",
            StatDim::Phase => "status",
            StatDim::Closure => "closure",
        }
    }

    pub fn parse(s: &str) -> Option<StatDim> {
        StatDim::ALL.into_iter().find(|d| d.name() == s)
    }

    /// The SQL expression, as text in both backends.
    pub fn column(self) -> &'static str {
        match self {
            StatDim::Quarter => "s.referred_quarter",
            StatDim::Year => "SUBSTR(s.referred_quarter, 1, 4)",
            StatDim::ReferrerKind => "s.referrer_kind",
            StatDim::ExploitationForm => "f.form",
            StatDim::AgeAtReferral => "s.age_at_referral",
            StatDim::AgeAtExploitation => "s.age_at_exploitation",
            StatDim::CtdcAgeBand => "s.ctdc_age_band",
            StatDim::Sex => "s.sex",
            StatDim::Nationality => "s.nationality",
            StatDim::Region => "s.region",
            StatDim::OnlineRecruitment => "CAST(s.online_recruitment AS TEXT)",
            StatDim::CountyLines => "CAST(s.county_lines AS TEXT)",
            StatDim::RgOutcome => "s.rg_outcome",
            StatDim::RgQuarter => "s.rg_quarter",
            StatDim::RgDays => "CAST(s.rg_days AS TEXT)",
            StatDim::RgWithinTarget => "CAST(s.rg_within_target AS TEXT)",
            StatDim::CgOutcome => "s.cg_outcome",
            StatDim::CgQuarter => "s.cg_quarter",
            StatDim::CgDays => "CAST(s.cg_days AS TEXT)",
            StatDim::CgWithinTarget => "CAST(s.cg_within_target AS TEXT)",
            StatDim::GuardianHours => "CAST(s.guardian_hours AS TEXT)",
            StatDim::GuardianWithinTarget => "CAST(s.guardian_within_target AS TEXT)",
            StatDim::Phase => "s.phase",
            StatDim::Closure => "s.closure",
        }
    }
}

/// Count cases (or case × exploitation form, when that is a dimension) referred between `from`
/// and `to` (inclusive days), grouped by `dims`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StatisticsQuery {
    pub dims: Vec<StatDim>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// One group: a value (or none) per dimension, and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatisticsCount {
    pub keys: Vec<Option<String>>,
    pub count: u64,
}

impl StatisticsQuery {
    /// The SQL of the count and the days to bind, in order. `placeholder(n)` is the backend's
    /// n-th bind marker (`?` or `$n`). Plain SQL both backends run as is.
    pub fn sql(&self, placeholder: impl Fn(usize) -> String) -> (String, Vec<String>) {
        let forms = self.dims.contains(&StatDim::ExploitationForm);
        // Quarter and form alone need only the forms table, which repeats the referral quarter.
        let forms_only = forms
            && self.dims.iter().all(|d| {
                matches!(
                    d,
                    StatDim::ExploitationForm
                        | StatDim::Quarter
                        | StatDim::Year
                        | StatDim::AgeAtReferral
                        | StatDim::AgeAtExploitation
                )
            });
        let cols: Vec<String> = self
            .dims
            .iter()
            .map(|d| {
                let c = d.column();
                if forms_only {
                    c.replace("s.", "f.")
                } else {
                    c.to_string()
                }
            })
            .collect();
        let (from, day) = if forms_only {
            ("case_exploitation_forms f", "f.referred_on")
        } else if forms {
            (
                "case_statistics s JOIN case_exploitation_forms f ON f.case_id = s.case_id",
                "s.referred_on",
            )
        } else {
            ("case_statistics s", "s.referred_on")
        };
        let mut sql = String::from("SELECT ");
        for c in &cols {
            sql.push_str(c);
            sql.push_str(", ");
        }
        sql.push_str("COUNT(*) FROM ");
        sql.push_str(from);
        let mut binds = Vec::new();
        let mut conds = Vec::new();
        if let Some(f) = self.from {
            binds.push(crate::day_text(f));
            conds.push(format!("{day} >= {}", placeholder(binds.len())));
        }
        if let Some(t) = self.to {
            binds.push(crate::day_text(t));
            conds.push(format!("{day} <= {}", placeholder(binds.len())));
        }
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        if !cols.is_empty() {
            sql.push_str(" GROUP BY ");
            let ordinals: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
            sql.push_str(&ordinals.join(", "));
        }
        (sql, binds)
    }
}

/// A 0/1 flag column.
pub fn flag(b: bool) -> i16 {
    i16::from(b)
}

/// The stored columns of a statistical row, in table order, as both backends bind and read them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatColumns {
    pub case_id: uuid::Uuid,
    pub referred_on: String,
    pub referred_quarter: String,
    pub referrer_kind: String,
    pub age_at_referral: String,
    pub age_at_exploitation: String,
    pub ctdc_age_band: Option<String>,
    pub sex: String,
    pub nationality: Option<String>,
    pub region: Option<String>,
    pub online_recruitment: i16,
    pub county_lines: i16,
    pub rg_outcome: Option<String>,
    pub rg_quarter: Option<String>,
    pub rg_days: Option<i32>,
    pub rg_within_target: Option<i16>,
    pub cg_outcome: Option<String>,
    pub cg_quarter: Option<String>,
    pub cg_days: Option<i32>,
    pub cg_within_target: Option<i16>,
    pub guardian_hours: Option<i32>,
    pub guardian_within_target: Option<i16>,
    pub phase: String,
    pub closure: Option<String>,
    pub forms: Vec<String>,
}

/// Columns of `case_statistics` in table order (without the forms).
pub const STAT_COLUMNS: &str = "case_id, referred_on, referred_quarter, referrer_kind, \
    age_at_referral, age_at_exploitation, ctdc_age_band, sex, nationality, region, \
    online_recruitment, county_lines, rg_outcome, rg_quarter, rg_days, rg_within_target, \
    cg_outcome, cg_quarter, cg_days, cg_within_target, guardian_hours, guardian_within_target, \
    phase, closure";

fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

fn outcome(s: &Option<String>) -> crate::StoreResult<Option<harbour_domain::DecisionOutcome>> {
    use harbour_domain::DecisionOutcome;
    match s.as_deref() {
        None => Ok(None),
        Some("positive") => Ok(Some(DecisionOutcome::Positive)),
        Some("negative") => Ok(Some(DecisionOutcome::Negative)),
        Some(o) => Err(crate::StoreError::Corrupt(format!(
            "decision outcome `{o}`"
        ))),
    }
}

impl StatColumns {
    pub fn from_row(s: &CaseStatistics) -> StatColumns {
        StatColumns {
            case_id: s.case_id.0,
            referred_on: crate::day_text(s.referred_on),
            referred_quarter: s.referred_quarter.clone(),
            referrer_kind: s.referrer_kind.as_str().into(),
            age_at_referral: s.age_at_referral.as_str().into(),
            age_at_exploitation: s.age_at_exploitation.as_str().into(),
            ctdc_age_band: s.ctdc_age_band.clone(),
            sex: s.sex.as_str().into(),
            nationality: s.nationality.clone(),
            region: s.region.clone(),
            online_recruitment: flag(s.online_recruitment),
            county_lines: flag(s.county_lines),
            rg_outcome: s.rg_outcome_str().map(str::to_owned),
            rg_quarter: s.rg_quarter.clone(),
            rg_days: s.rg_days.map(clamp_i32),
            rg_within_target: s.rg_within_target.map(flag),
            cg_outcome: s.cg_outcome_str().map(str::to_owned),
            cg_quarter: s.cg_quarter.clone(),
            cg_days: s.cg_days.map(clamp_i32),
            cg_within_target: s.cg_within_target.map(flag),
            guardian_hours: s.guardian_hours.map(clamp_i32),
            guardian_within_target: s.guardian_within_target.map(flag),
            phase: s.phase.as_str().into(),
            closure: s.closure.map(|c| c.as_str().to_owned()),
            forms: s
                .exploitation_forms
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
        }
    }

    pub fn into_row(self) -> crate::StoreResult<CaseStatistics> {
        use crate::parse_stored;
        let age = |s: &str| {
            harbour_statistics::AgeGroup::parse(s)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("age group `{s}`")))
        };
        Ok(CaseStatistics {
            case_id: harbour_domain::CaseId(self.case_id),
            referred_on: crate::parse_day(&self.referred_on)?,
            referred_quarter: self.referred_quarter,
            referrer_kind: parse_stored(&self.referrer_kind)?,
            exploitation_forms: self
                .forms
                .iter()
                .map(|f| parse_stored(f))
                .collect::<crate::StoreResult<_>>()?,
            age_at_referral: age(&self.age_at_referral)?,
            age_at_exploitation: age(&self.age_at_exploitation)?,
            ctdc_age_band: self.ctdc_age_band,
            sex: parse_stored(&self.sex)?,
            nationality: self.nationality,
            region: self.region,
            online_recruitment: self.online_recruitment != 0,
            county_lines: self.county_lines != 0,
            rg_outcome: outcome(&self.rg_outcome)?,
            rg_quarter: self.rg_quarter,
            rg_days: self.rg_days.map(i64::from),
            rg_within_target: self.rg_within_target.map(|f| f != 0),
            cg_outcome: outcome(&self.cg_outcome)?,
            cg_quarter: self.cg_quarter,
            cg_days: self.cg_days.map(i64::from),
            cg_within_target: self.cg_within_target.map(|f| f != 0),
            guardian_hours: self.guardian_hours.map(i64::from),
            guardian_within_target: self.guardian_within_target.map(|f| f != 0),
            phase: parse_stored(&self.phase)?,
            closure: self.closure.as_deref().map(parse_stored).transpose()?,
            support: Default::default(),
        })
    }
}

// ----- rights access, redress and services (migration 0013) -----

pub use harbour_statistics::support::SupportStatistics;

/// What a count of the support projection counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SupportMeasure {
    /// Eligible person × right: keys `[by.., right, status, late]`, late ("1"/"0") as at the day.
    Rights { as_of: Date },
    /// Cases with a support row: keys `[by.., cooperation outcome]`.
    Cooperation,
    /// Cases with a support row: keys `[by.., furthest compensation stage]`.
    Compensation,
    /// Accepted service referrals: keys `[by.., days from referral to acceptance]`.
    ServiceAcceptance,
    /// Cases per stage and currency with the sum of their amounts: keys `[stage, currency, sum]`
    /// (`by` is ignored: sums are published for the whole period only).
    CompensationAmounts,
}

/// A count of the support projection, by case dimensions, over cases referred in a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportQuery {
    pub measure: SupportMeasure,
    pub by: Vec<StatDim>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl SupportQuery {
    /// How many key columns precede the count.
    pub fn key_count(&self) -> usize {
        match self.measure {
            SupportMeasure::Rights { .. } => self.by.len() + 3,
            SupportMeasure::CompensationAmounts => 3,
            _ => self.by.len() + 1,
        }
    }

    /// The SQL and the texts to bind, in order; `placeholder(n)` as for [`StatisticsQuery::sql`].
    pub fn sql(&self, placeholder: impl Fn(usize) -> String) -> (String, Vec<String>) {
        let mut binds: Vec<String> = Vec::new();
        let bind = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            placeholder(binds.len())
        };
        let by: &[StatDim] = match self.measure {
            SupportMeasure::CompensationAmounts => &[],
            _ => &self.by,
        };
        let mut cols: Vec<String> = by.iter().map(|d| d.column().to_string()).collect();
        let (table, extra_cond) = match &self.measure {
            SupportMeasure::Rights { as_of } => {
                let day = crate::day_text(*as_of);
                let (a, b, c) = (
                    bind(day.clone(), &mut binds),
                    bind(day.clone(), &mut binds),
                    bind(day, &mut binds),
                );
                cols.push("r.right_code".into());
                cols.push("r.status".into());
                cols.push(format!(
                    "CASE WHEN r.due_on < {a} AND (r.met_on IS NULL OR r.met_on > {b}) \
                     AND (r.closed_on IS NULL OR r.closed_on > {c}) THEN '1' ELSE '0' END"
                ));
                // Without a breakdown the rights rows alone answer (they repeat the days).
                if by.is_empty() {
                    ("case_right_statistics r", None)
                } else {
                    (
                        "case_right_statistics r JOIN case_statistics s ON s.case_id = r.case_id",
                        None,
                    )
                }
            }
            SupportMeasure::Cooperation => {
                cols.push("u.cooperation".into());
                (
                    "case_support_statistics u JOIN case_statistics s ON s.case_id = u.case_id",
                    None,
                )
            }
            SupportMeasure::Compensation => {
                cols.push("u.compensation".into());
                (
                    "case_support_statistics u JOIN case_statistics s ON s.case_id = u.case_id",
                    None,
                )
            }
            SupportMeasure::ServiceAcceptance => {
                cols.push("CAST(v.accepted_days AS TEXT)".into());
                (
                    "case_service_statistics v JOIN case_statistics s ON s.case_id = v.case_id",
                    Some("v.accepted_days IS NOT NULL"),
                )
            }
            SupportMeasure::CompensationAmounts => {
                cols.push("a.stage".into());
                cols.push("a.currency".into());
                (
                    "case_compensation_amounts a JOIN case_statistics s ON s.case_id = a.case_id",
                    None,
                )
            }
        };
        let grouped = cols.len();
        let mut sql = String::from("SELECT ");
        for c in &cols {
            sql.push_str(c);
            sql.push_str(", ");
        }
        if self.measure == SupportMeasure::CompensationAmounts {
            sql.push_str("CAST(SUM(a.amount_minor) AS TEXT), ");
        }
        sql.push_str("COUNT(*) FROM ");
        sql.push_str(table);
        if by.contains(&StatDim::ExploitationForm) {
            sql.push_str(" JOIN case_exploitation_forms f ON f.case_id = s.case_id");
        }
        let mut conds: Vec<String> = extra_cond.into_iter().map(str::to_string).collect();
        let day = if matches!(self.measure, SupportMeasure::Rights { .. }) {
            "r.referred_on"
        } else {
            "s.referred_on"
        };
        if let Some(f) = self.from {
            let p = bind(crate::day_text(f), &mut binds);
            conds.push(format!("{day} >= {p}"));
        }
        if let Some(t) = self.to {
            let p = bind(crate::day_text(t), &mut binds);
            conds.push(format!("{day} <= {p}"));
        }
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        if grouped > 0 {
            sql.push_str(" GROUP BY ");
            let ordinals: Vec<String> = (1..=grouped).map(|i| i.to_string()).collect();
            sql.push_str(&ordinals.join(", "));
        }
        (sql, binds)
    }
}

/// The support rows of one case as both backends write them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportColumns {
    pub case_id: uuid::Uuid,
    /// (right, status, due_on, met_on); each row also carries the referral and closing days.
    pub rights: Vec<(String, String, Option<String>, Option<String>)>,
    pub referred_on: String,
    /// The statistical row's referral quarter (the counters' quarter, as for the row's own).
    pub referred_quarter: String,
    pub closed_on: Option<String>,
    pub cooperation: String,
    pub compensation: String,
    /// (stage, currency, amount in minor units)
    pub amounts: Vec<(String, String, i64)>,
    /// (n, service kind, status, days to acceptance)
    pub services: Vec<(i32, String, String, Option<i32>)>,
}

impl SupportColumns {
    pub fn from_row(s: &CaseStatistics) -> SupportColumns {
        let u = &s.support;
        SupportColumns {
            case_id: s.case_id.0,
            rights: u
                .rights
                .iter()
                .map(|r| {
                    (
                        r.right.clone(),
                        r.status.as_str().to_string(),
                        r.due_on.map(crate::day_text),
                        r.met_on.map(crate::day_text),
                    )
                })
                .collect(),
            referred_on: crate::day_text(s.referred_on),
            referred_quarter: s.referred_quarter.clone(),
            closed_on: u.closed_on.map(crate::day_text),
            cooperation: u.cooperation_outcome().as_str().to_string(),
            compensation: u.compensation_stage().as_str().to_string(),
            amounts: u
                .amounts
                .iter()
                .map(|a| {
                    (
                        a.stage.as_str().to_string(),
                        a.currency.clone(),
                        i64::try_from(a.amount_minor).unwrap_or(i64::MAX),
                    )
                })
                .collect(),
            services: u
                .services
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        i32::try_from(i).unwrap_or(i32::MAX),
                        v.service_kind.clone(),
                        v.status.as_str().to_string(),
                        v.accepted_days.map(clamp_i32),
                    )
                })
                .collect(),
        }
    }
}

/// Tables of the support projection, deleted before `case_statistics` (they refer to it).
pub const SUPPORT_TABLES: [&str; 4] = [
    "case_right_statistics",
    "case_support_statistics",
    "case_compensation_amounts",
    "case_service_statistics",
];

// ----- pre-aggregated counts (migration 0014) -----
//
// The dashboard's tables are a handful of fixed groupings. Scanning a million rows for each of
// them on every view costs seconds; instead each store keeps, in `statistics_counts`, how many
// statistical rows fall in each group of each of those groupings ("cubes"), per referral day (or
// per referral quarter where a day would multiply the groups, for durations). The counts change
// in the same transaction as the rows (the old row's groups minus one, the new row's plus one),
// so they are exactly a `GROUP BY` over the rows at every commit, on any number of app servers.

/// How finely a cube keeps the referral period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grain {
    /// Per referral day: any period of whole days is answered from the counts.
    Day,
    /// Per referral quarter (durations: a day would multiply the groups by ~90). A period that
    /// does not start or end on a quarter boundary counts its partial quarters from the rows.
    Quarter,
}

/// One kept grouping: its name in the table, the dimensions it keeps (in key order, besides the
/// referral period), whether it counts case × exploitation form, and its grain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cube {
    pub name: &'static str,
    pub dims: &'static [StatDim],
    pub forms: bool,
    pub grain: Grain,
}

/// The dashboard's groupings (see `statistics_for_publication` and `late_counts` in the service).
pub const CUBES: [Cube; 10] = [
    Cube {
        name: "age_at_exploitation",
        dims: &[StatDim::AgeAtExploitation],
        forms: false,
        grain: Grain::Day,
    },
    Cube {
        name: "form_age_at_exploitation",
        dims: &[StatDim::ExploitationForm, StatDim::AgeAtExploitation],
        forms: true,
        grain: Grain::Day,
    },
    Cube {
        name: "referrer_kind",
        dims: &[StatDim::ReferrerKind],
        forms: false,
        grain: Grain::Day,
    },
    Cube {
        name: "reasonable_grounds",
        dims: &[StatDim::RgQuarter, StatDim::RgOutcome],
        forms: false,
        grain: Grain::Day,
    },
    Cube {
        name: "conclusive_grounds",
        dims: &[StatDim::CgQuarter, StatDim::CgOutcome],
        forms: false,
        grain: Grain::Day,
    },
    Cube {
        name: "reasonable_grounds_days",
        dims: &[StatDim::RgDays, StatDim::RgWithinTarget],
        forms: false,
        grain: Grain::Quarter,
    },
    Cube {
        name: "conclusive_grounds_days",
        dims: &[StatDim::CgDays],
        forms: false,
        grain: Grain::Quarter,
    },
    Cube {
        name: "guardian_hours",
        dims: &[StatDim::GuardianHours],
        forms: false,
        grain: Grain::Quarter,
    },
    Cube {
        name: "status",
        dims: &[StatDim::Phase],
        forms: false,
        grain: Grain::Day,
    },
    Cube {
        name: "guardian_late",
        dims: &[
            StatDim::AgeAtReferral,
            StatDim::GuardianWithinTarget,
            StatDim::Phase,
        ],
        forms: false,
        grain: Grain::Day,
    },
];

/// One counter: a group of one cube in one period. An empty key is "none" (a column that is
/// NULL in the rows; no kept dimension has an empty value) and fills unused key columns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountKey {
    pub cube: &'static str,
    pub quarter: String,
    /// The referral day for a [`Grain::Day`] cube, empty for a [`Grain::Quarter`] one.
    pub day: String,
    pub keys: [String; 3],
}

/// Changes to counters, applied in key order (so concurrent writers take the counters' row
/// locks in one order and cannot deadlock on them).
pub type CountDeltas = std::collections::BTreeMap<CountKey, i64>;

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// The text a dimension's SQL expression ([`StatDim::column`]) gives for this row.
fn value(c: &StatColumns, d: StatDim) -> String {
    match d {
        StatDim::AgeAtExploitation => c.age_at_exploitation.clone(),
        StatDim::AgeAtReferral => c.age_at_referral.clone(),
        StatDim::ReferrerKind => c.referrer_kind.clone(),
        StatDim::RgQuarter => opt(&c.rg_quarter),
        StatDim::RgOutcome => opt(&c.rg_outcome),
        StatDim::CgQuarter => opt(&c.cg_quarter),
        StatDim::CgOutcome => opt(&c.cg_outcome),
        StatDim::RgDays => opt(&c.rg_days),
        StatDim::RgWithinTarget => opt(&c.rg_within_target),
        StatDim::CgDays => opt(&c.cg_days),
        StatDim::GuardianHours => opt(&c.guardian_hours),
        StatDim::GuardianWithinTarget => opt(&c.guardian_within_target),
        StatDim::Phase => c.phase.clone(),
        // Not kept in any cube (the forms cube fills the form itself).
        _ => String::new(),
    }
}

/// Add `sign` (+1 for a row written, -1 for the row it replaces) to every counter `row` is in.
pub fn add_counts(deltas: &mut CountDeltas, row: &StatColumns, sign: i64) {
    for cube in &CUBES {
        // A per-day cube is kept per quarter too (day ''), so that whole quarters are read
        // from a few counters and only a period's partial quarters from the day counters.
        let days = match cube.grain {
            Grain::Day => vec![row.referred_on.clone(), String::new()],
            Grain::Quarter => vec![String::new()],
        };
        for day in days {
            let key = |form: Option<&str>| {
                let mut keys: [String; 3] = Default::default();
                for (i, d) in cube.dims.iter().enumerate() {
                    keys[i] = match (d, form) {
                        (StatDim::ExploitationForm, Some(f)) => f.to_string(),
                        _ => value(row, *d),
                    };
                }
                CountKey {
                    cube: cube.name,
                    quarter: row.referred_quarter.clone(),
                    day: day.clone(),
                    keys,
                }
            };
            if cube.forms {
                for f in &row.forms {
                    *deltas.entry(key(Some(f))).or_default() += sign;
                }
            } else {
                *deltas.entry(key(None)).or_default() += sign;
            }
        }
    }
    deltas.retain(|_, d| *d != 0);
}

/// The statement adding one delta (both backends): bind cube, quarter, day, k1, k2, k3, n.
pub fn upsert_count_sql(placeholder: impl Fn(usize) -> String) -> String {
    let p: Vec<String> = (1..=7).map(placeholder).collect();
    format!(
        "INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n) VALUES ({}) \
         ON CONFLICT (cube, day, quarter, k1, k2, k3) DO UPDATE SET n = statistics_counts.n + excluded.n",
        p.join(", ")
    )
}

/// The statements that recount every cube from the rows (`harbour statistics rebuild`), after
/// the table has been emptied.
pub fn rebuild_counts_sql() -> Vec<String> {
    CUBES
        .iter()
        .flat_map(|cube| {
            let grains: &[Grain] = match cube.grain {
                Grain::Day => &[Grain::Day, Grain::Quarter],
                Grain::Quarter => &[Grain::Quarter],
            };
            grains.iter().map(move |g| (cube, *g))
        })
        .map(|(cube, grain)| {
            let (table, alias) = if cube.forms {
                ("case_exploitation_forms f", "f.")
            } else {
                ("case_statistics s", "s.")
            };
            let col = |d: &StatDim| {
                let c = d.column();
                if cube.forms {
                    c.replace("s.", "f.")
                } else {
                    c.to_string()
                }
            };
            let mut keys: Vec<String> = cube
                .dims
                .iter()
                .map(|d| format!("COALESCE({}, '')", col(d)))
                .collect();
            while keys.len() < 3 {
                keys.push("''".into());
            }
            let day = match grain {
                Grain::Day => format!("{alias}referred_on"),
                Grain::Quarter => "''".into(),
            };
            // PostgreSQL refuses a constant in GROUP BY: group by the expressions only.
            let groups: Vec<String> = std::iter::once(format!("{alias}referred_quarter"))
                .chain(std::iter::once(day.clone()))
                .chain(keys.iter().cloned())
                .filter(|g| g != "''")
                .collect();
            format!(
                "INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n) \
                 SELECT '{}', {alias}referred_quarter, {day}, {}, COUNT(*) FROM {table} \
                 GROUP BY {}",
                cube.name,
                keys.join(", "),
                groups.join(", ")
            )
        })
        .collect()
}

/// How to answer a [`StatisticsQuery`] from the counts: the SQL over `statistics_counts` (with
/// its binds) and the partial quarters at the period's ends, to count from the rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountsPlan {
    pub cube: &'static str,
    pub sql: String,
    pub binds: Vec<String>,
    pub edges: Vec<StatisticsQuery>,
}

fn quarter_index(d: Date) -> i32 {
    d.year() * 4 + (d.month() as i32 - 1) / 3
}

fn quarter_name(i: i32) -> String {
    format!("{}-Q{}", i.div_euclid(4), i.rem_euclid(4) + 1)
}

fn quarter_start(i: i32) -> Option<Date> {
    let month = time::Month::try_from((i.rem_euclid(4) * 3 + 1) as u8).ok()?;
    Date::from_calendar_date(i.div_euclid(4), month, 1).ok()
}

/// A period of referral days split into the whole quarters `lo..=hi` (either end open) and the
/// partial quarters at its ends (`edges`, inclusive days). `None` if a bound is out of range.
struct QuarterSpan {
    lo: Option<i32>,
    hi: Option<i32>,
    edges: Vec<(Date, Date)>,
}

impl QuarterSpan {
    fn of(from: Option<Date>, to: Option<Date>) -> Option<QuarterSpan> {
        let mut span = QuarterSpan {
            lo: None,
            hi: None,
            edges: Vec::new(),
        };
        if let Some(f) = from {
            let q = quarter_index(f);
            if quarter_start(q) == Some(f) {
                span.lo = Some(q);
            } else {
                span.lo = Some(q + 1);
                let end = quarter_start(q + 1)?.previous_day()?;
                span.edges.push((f, to.map_or(end, |t| t.min(end))));
            }
        }
        if let Some(t) = to {
            let q = quarter_index(t);
            if t.next_day()
                .and_then(|n| quarter_start(q + 1).map(|s| s == n))
                == Some(true)
            {
                span.hi = Some(q);
            } else {
                span.hi = Some(q - 1);
                let start = quarter_start(q)?;
                span.edges.push((from.map_or(start, |f| f.max(start)), t));
            }
        }
        Some(span)
    }

    /// The whole period lies within one or two partial quarters.
    fn within(&self) -> bool {
        matches!((self.lo, self.hi), (Some(l), Some(h)) if l > h)
    }

    /// `quarter >= .. AND quarter <= ..` for the whole quarters, binding their names.
    fn quarter_conds(
        &self,
        binds: &mut Vec<String>,
        placeholder: &impl Fn(usize) -> String,
    ) -> Vec<String> {
        let mut conds = Vec::new();
        if let Some(l) = self.lo {
            binds.push(quarter_name(l));
            conds.push(format!("quarter >= {}", placeholder(binds.len())));
        }
        if let Some(h) = self.hi {
            binds.push(quarter_name(h));
            conds.push(format!("quarter <= {}", placeholder(binds.len())));
        }
        conds
    }
}

impl StatisticsQuery {
    /// The cube that holds this query's groups, if one does, and how to read it. `None`: count
    /// the rows (dimensions no cube keeps, or a period inside one quarter for a quarter cube).
    pub fn counts_plan(&self, placeholder: impl Fn(usize) -> String) -> Option<CountsPlan> {
        let forms = self.dims.contains(&StatDim::ExploitationForm);
        let kept: Vec<StatDim> = self
            .dims
            .iter()
            .copied()
            .filter(|d| !matches!(d, StatDim::Quarter | StatDim::Year))
            .collect();
        let cube = CUBES
            .iter()
            .find(|c| c.forms == forms && kept.iter().all(|d| c.dims.contains(d)))?;
        let mut binds = Vec::new();
        let mut conds = vec!["cube = ".to_string() + &placeholder(1)];
        binds.push(cube.name.to_string());
        // Whole quarters lo..=hi come from per-quarter counters; the partial quarters at the
        // ends (edges) from per-day counters, or from the rows for a per-quarter cube.
        let span = QuarterSpan::of(self.from, self.to)?;
        let within = span.within();
        let mut edges = span.edges.clone();
        let mut whole = vec!["day = ''".to_string()];
        whole.extend(span.quarter_conds(&mut binds, &placeholder));
        match cube.grain {
            Grain::Quarter => {
                if within {
                    return None;
                }
                conds.extend(whole);
            }
            Grain::Day => {
                let mut alternatives = Vec::new();
                if within {
                    // Only the quarter bounds were bound; rebind from the start.
                    binds.truncate(1);
                    edges = vec![(self.from?, self.to?)];
                } else {
                    alternatives.push(format!("({})", whole.join(" AND ")));
                }
                for (a, b) in edges.drain(..) {
                    binds.push(crate::day_text(a));
                    let pa = placeholder(binds.len());
                    binds.push(crate::day_text(b));
                    let pb = placeholder(binds.len());
                    alternatives.push(format!("(day >= {pa} AND day <= {pb})"));
                }
                conds.push(format!("({})", alternatives.join(" OR ")));
            }
        }
        let cols: Vec<String> = self
            .dims
            .iter()
            .map(|d| match d {
                StatDim::Quarter => "quarter".to_string(),
                StatDim::Year => "SUBSTR(quarter, 1, 4)".to_string(),
                d => {
                    let i = cube.dims.iter().position(|c| c == d).unwrap_or(0) + 1;
                    format!("NULLIF(k{i}, '')")
                }
            })
            .collect();
        let mut sql = String::from("SELECT ");
        for c in &cols {
            sql.push_str(c);
            sql.push_str(", ");
        }
        sql.push_str("CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM statistics_counts WHERE ");
        sql.push_str(&conds.join(" AND "));
        if !cols.is_empty() {
            let ordinals: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
            sql.push_str(" GROUP BY ");
            sql.push_str(&ordinals.join(", "));
            // A group whose rows were all replaced leaves a zero counter; a GROUP BY has no
            // such group.
            sql.push_str(" HAVING SUM(n) > 0 ORDER BY ");
            sql.push_str(&ordinals.join(", "));
        }
        Some(CountsPlan {
            cube: cube.name,
            sql,
            binds,
            edges: edges
                .into_iter()
                .map(|(from, to)| StatisticsQuery {
                    dims: self.dims.clone(),
                    from: Some(from),
                    to: Some(to),
                })
                .collect(),
        })
    }
}

/// Add up counts of the same groups (the counts and the partial quarters counted from rows).
pub fn merge_counts(parts: Vec<Vec<StatisticsCount>>) -> Vec<StatisticsCount> {
    let mut all: std::collections::BTreeMap<Vec<Option<String>>, u64> = Default::default();
    for part in parts {
        for c in part {
            *all.entry(c.keys).or_default() += c.count;
        }
    }
    all.into_iter()
        .map(|(keys, count)| StatisticsCount { keys, count })
        .collect()
}

/// A group whose pre-aggregated count differs from the `GROUP BY` over the rows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CountMismatch {
    pub cube: &'static str,
    pub keys: Vec<Option<String>>,
    pub counted: u64,
    pub rows: u64,
}

/// Compare the counters' answer with the rows' group by group, noting each group compared and
/// each that differs.
fn compare_counts(
    cube: &'static str,
    counted: Vec<StatisticsCount>,
    rows: Vec<StatisticsCount>,
    compared: &mut u64,
    mismatches: &mut Vec<CountMismatch>,
) {
    let tally = |counts: Vec<StatisticsCount>| {
        counts
            .into_iter()
            .map(|c| (c.keys, c.count))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (counted, rows) = (tally(counted), tally(rows));
    let mut keys: Vec<&Vec<Option<String>>> = counted.keys().chain(rows.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        *compared += 1;
        let (c, r) = (
            counted.get(k).copied().unwrap_or(0),
            rows.get(k).copied().unwrap_or(0),
        );
        if c != r {
            mismatches.push(CountMismatch {
                cube,
                keys: k.clone(),
                counted: c,
                rows: r,
            });
        }
    }
}

/// Compare every kept grouping, by referral quarter and (within `from`..`to`, if given), with a
/// plain `GROUP BY` over the rows. Returns the groups compared and those that differ.
pub async fn check_statistics_counts(
    store: &dyn crate::Store,
    from: Option<Date>,
    to: Option<Date>,
) -> crate::StoreResult<(u64, Vec<CountMismatch>)> {
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for cube in &CUBES {
        let mut dims = vec![StatDim::Quarter];
        dims.extend_from_slice(cube.dims);
        let q = StatisticsQuery { dims, from, to };
        compare_counts(
            cube.name,
            store.count_statistics(&q).await?,
            store.count_case_statistics(&q).await?,
            &mut compared,
            &mut mismatches,
        );
    }
    Ok((compared, mismatches))
}

// ----- pre-aggregated rights, redress and service counts (migration 0015) -----
//
// The rights-access section of the dashboard counted ~17 rows per case on every view. Its
// figures are counters too, per referral quarter (a period's partial quarters are counted from
// the rows, as for the duration cubes). Lateness depends on the day it is counted at: a right is
// late at day D when it was due before D and neither met nor the case closed by D. With
// `start` = the day after it fell due and `end` = the earlier of the met and closing days,
// late(D) = [start <= D] - [max(start, end) <= D]: two counts of days up to D. So the counters
// keep how many rights *become* late on each day (`rights_late_from`) and how many *stop* being
// late (`rights_late_until`), per day and per quarter of that day; late rights at D are the
// whole quarters before D's quarter plus D's quarter's days up to D.

/// The support projection's counters (the `cube` column).
pub const SUPPORT_CUBES: [&str; 10] = [
    RIGHTS_CUBE,
    LATE_FROM_DAY,
    LATE_FROM_QUARTER,
    LATE_UNTIL_DAY,
    LATE_UNTIL_QUARTER,
    "cooperation",
    "compensation",
    AMOUNT_CASES,
    AMOUNT_SUMS,
    "service_acceptance",
];
const RIGHTS_CUBE: &str = "rights";
const LATE_FROM_DAY: &str = "rights_late_from";
const LATE_FROM_QUARTER: &str = "rights_late_from_q";
const LATE_UNTIL_DAY: &str = "rights_late_until";
const LATE_UNTIL_QUARTER: &str = "rights_late_until_q";
const AMOUNT_CASES: &str = "compensation_amounts";
const AMOUNT_SUMS: &str = "compensation_sums";

/// `2026-Q1` of a stored day (`2026-02-03`), as [`harbour_statistics::quarter_of`] names it.
fn quarter_of_text(day: &str) -> crate::StoreResult<String> {
    Ok(harbour_statistics::quarter_of(crate::parse_day(day)?))
}

fn day_after(day: &str) -> crate::StoreResult<String> {
    crate::parse_day(day)?
        .next_day()
        .map(crate::day_text)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("day `{day}`")))
}

/// Add `sign` to every counter a case's support rows are in (as [`add_counts`] does for the
/// statistical row), under the statistical row's referral quarter.
pub fn add_support_counts(
    deltas: &mut CountDeltas,
    c: &SupportColumns,
    sign: i64,
) -> crate::StoreResult<()> {
    let quarter = c.referred_quarter.clone();
    let mut add = |cube: &'static str, day: &str, keys: [&str; 3], n: i64| {
        *deltas
            .entry(CountKey {
                cube,
                quarter: quarter.clone(),
                day: day.to_string(),
                keys: keys.map(str::to_string),
            })
            .or_default() += n;
    };
    for (right, status, due_on, met_on) in &c.rights {
        add(RIGHTS_CUBE, "", [right, status, ""], sign);
        let Some(due) = due_on else { continue };
        let start = day_after(due)?;
        add(LATE_FROM_DAY, &start, [right, status, ""], sign);
        add(
            LATE_FROM_QUARTER,
            "",
            [right, status, &quarter_of_text(&start)?],
            sign,
        );
        let end = match (met_on, &c.closed_on) {
            (Some(m), Some(c)) => Some(m.min(c)),
            (m, c) => m.as_ref().or(c.as_ref()),
        };
        if let Some(end) = end {
            let until = end.max(&start);
            add(LATE_UNTIL_DAY, until, [right, status, ""], sign);
            add(
                LATE_UNTIL_QUARTER,
                "",
                [right, status, &quarter_of_text(until)?],
                sign,
            );
        }
    }
    add("cooperation", "", [&c.cooperation, "", ""], sign);
    add("compensation", "", [&c.compensation, "", ""], sign);
    for (stage, currency, amount) in &c.amounts {
        add(AMOUNT_CASES, "", [stage, currency, ""], sign);
        add(AMOUNT_SUMS, "", [stage, currency, ""], sign * amount);
    }
    for (_, _, _, days) in &c.services {
        if let Some(d) = days {
            add("service_acceptance", "", [&d.to_string(), "", ""], sign);
        }
    }
    deltas.retain(|_, d| *d != 0);
    Ok(())
}

/// How a backend writes "the day after" and "the quarter of" a stored day in SQL, for the
/// recount of the support counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn day_after(self, e: &str) -> String {
        match self {
            Dialect::Sqlite => format!("date({e}, '+1 day')"),
            Dialect::Postgres => format!("to_char(CAST({e} AS DATE) + 1, 'YYYY-MM-DD')"),
        }
    }
}

fn quarter_sql(e: &str) -> String {
    format!(
        "SUBSTR({e}, 1, 4) || '-Q' || CAST((CAST(SUBSTR({e}, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)"
    )
}

/// The statements that recount the support counters from the rows (`harbour statistics
/// rebuild` and migration 0015), after they have been deleted.
pub fn rebuild_support_counts_sql(dialect: Dialect) -> Vec<String> {
    let ins = "INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)";
    // The statistical row's quarter, as the incremental counters and the rows' breakdown use.
    let rq = "s.referred_quarter";
    let rights = "case_right_statistics r JOIN case_statistics s ON s.case_id = r.case_id";
    // Rights with a deadline: the referral quarter, the day they become late and the day they
    // stop (none while still late).
    let late = format!(
        "SELECT q, right_code, status, start_on, CASE WHEN end_on IS NULL THEN NULL \
         WHEN end_on > start_on THEN end_on ELSE start_on END AS until_on FROM (SELECT {rq} AS q, \
         r.right_code, r.status, {} AS start_on, CASE WHEN r.met_on IS NULL THEN r.closed_on \
         WHEN r.closed_on IS NULL OR r.met_on < r.closed_on THEN r.met_on ELSE r.closed_on END \
         AS end_on FROM {rights} WHERE r.due_on IS NOT NULL) x",
        dialect.day_after("r.due_on")
    );
    let per_day = |cube: &str, col: &str| {
        format!(
            "{ins} SELECT '{cube}', q, {col}, right_code, status, '', COUNT(*) FROM ({late}) y \
             WHERE {col} IS NOT NULL GROUP BY q, {col}, right_code, status"
        )
    };
    let per_quarter = |cube: &str, col: &str| {
        let eq = quarter_sql(col);
        format!(
            "{ins} SELECT '{cube}', q, '', right_code, status, {eq}, COUNT(*) FROM ({late}) y \
             WHERE {col} IS NOT NULL GROUP BY q, right_code, status, {eq}"
        )
    };
    let by_case = |cube: &str, table: &str, k1: &str, k2: &str, n: &str, cond: &str| {
        let groups: Vec<&str> = ["s.referred_quarter", k1, k2]
            .into_iter()
            .filter(|g| *g != "''")
            .collect();
        format!(
            "{ins} SELECT '{cube}', s.referred_quarter, '', {k1}, {k2}, '', {n} FROM {table} \
             JOIN case_statistics s ON s.case_id = t.case_id{cond} GROUP BY {}",
            groups.join(", ")
        )
    };
    vec![
        format!(
            "{ins} SELECT '{RIGHTS_CUBE}', {rq}, '', r.right_code, r.status, '', COUNT(*) \
             FROM {rights} GROUP BY {rq}, r.right_code, r.status"
        ),
        per_day(LATE_FROM_DAY, "start_on"),
        per_quarter(LATE_FROM_QUARTER, "start_on"),
        per_day(LATE_UNTIL_DAY, "until_on"),
        per_quarter(LATE_UNTIL_QUARTER, "until_on"),
        by_case(
            "cooperation",
            "case_support_statistics t",
            "t.cooperation",
            "''",
            "COUNT(*)",
            "",
        ),
        by_case(
            "compensation",
            "case_support_statistics t",
            "t.compensation",
            "''",
            "COUNT(*)",
            "",
        ),
        by_case(
            AMOUNT_CASES,
            "case_compensation_amounts t",
            "t.stage",
            "t.currency",
            "COUNT(*)",
            "",
        ),
        by_case(
            AMOUNT_SUMS,
            "case_compensation_amounts t",
            "t.stage",
            "t.currency",
            "SUM(t.amount_minor)",
            "",
        ),
        by_case(
            "service_acceptance",
            "case_service_statistics t",
            "CAST(t.accepted_days AS TEXT)",
            "''",
            "COUNT(*)",
            " WHERE t.accepted_days IS NOT NULL",
        ),
    ]
}

/// How to answer a [`SupportQuery`] from the counters: the SQL (keys then a count per row, as
/// the rows' query gives them, except rights: `[t|f|u, right, status]`, see [`finish`]) and the
/// partial quarters to count from the rows.
///
/// [`finish`]: SupportCountsPlan::finish
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportCountsPlan {
    pub sql: String,
    pub binds: Vec<String>,
    /// Key columns before the count in this plan's SQL.
    pub key_count: usize,
    pub edges: Vec<SupportQuery>,
    measure: SupportMeasure,
}

impl SupportQuery {
    /// `None`: count the rows (a breakdown by a case dimension, which no counter keeps, or a
    /// period inside one quarter).
    pub fn counts_plan(&self, placeholder: impl Fn(usize) -> String) -> Option<SupportCountsPlan> {
        // The counters keep the referral quarter, so a breakdown by quarter or year is theirs
        // too; any other case dimension is counted from the rows. Amounts ignore `by`.
        let group = match (self.by.as_slice(), &self.measure) {
            (_, SupportMeasure::CompensationAmounts) | ([], _) => None,
            ([StatDim::Quarter], _) => Some("quarter, "),
            ([StatDim::Year], _) => Some("SUBSTR(quarter, 1, 4), "),
            _ => return None,
        };
        let g = group.unwrap_or("");
        let span = QuarterSpan::of(self.from, self.to)?;
        if span.within() {
            return None;
        }
        let mut binds = Vec::new();
        let period = |binds: &mut Vec<String>| {
            let mut c = vec!["day = ''".to_string()];
            c.extend(span.quarter_conds(binds, &placeholder));
            c.join(" AND ")
        };
        let one = |cube: &str, binds: &mut Vec<String>| {
            format!(
                "SELECT {g}k1, CAST(SUM(n) AS BIGINT) FROM statistics_counts WHERE cube = '{cube}' \
                 AND {} GROUP BY {g}k1 HAVING SUM(n) > 0",
                period(binds)
            )
        };
        let (sql, key_count) = match &self.measure {
            SupportMeasure::Rights { as_of } => {
                let q = quarter_index(*as_of);
                let q_start = crate::day_text(quarter_start(q)?);
                let mut parts = vec![format!(
                    "SELECT 't', {g}k1, k2, CAST(SUM(n) AS BIGINT) FROM statistics_counts \
                     WHERE cube = '{RIGHTS_CUBE}' AND {} GROUP BY {g}k1, k2",
                    period(&mut binds)
                )];
                for (kind, day_cube, quarter_cube) in [
                    ("f", LATE_FROM_DAY, LATE_FROM_QUARTER),
                    ("u", LATE_UNTIL_DAY, LATE_UNTIL_QUARTER),
                ] {
                    // Whole quarters before the day's quarter...
                    let p = period(&mut binds);
                    binds.push(quarter_name(q));
                    parts.push(format!(
                        "SELECT '{kind}', {g}k1, k2, CAST(SUM(n) AS BIGINT) FROM \
                         statistics_counts WHERE cube = '{quarter_cube}' AND {p} AND k3 < {} \
                         GROUP BY {g}k1, k2",
                        placeholder(binds.len())
                    ));
                    // ...and its days up to the day itself.
                    binds.push(q_start.clone());
                    let a = placeholder(binds.len());
                    binds.push(crate::day_text(*as_of));
                    let b = placeholder(binds.len());
                    let p = span.quarter_conds(&mut binds, &placeholder);
                    let mut conds = vec![
                        format!("cube = '{day_cube}'"),
                        format!("day >= {a}"),
                        format!("day <= {b}"),
                    ];
                    conds.extend(p);
                    parts.push(format!(
                        "SELECT '{kind}', {g}k1, k2, CAST(SUM(n) AS BIGINT) FROM \
                         statistics_counts WHERE {} GROUP BY {g}k1, k2",
                        conds.join(" AND ")
                    ));
                }
                (parts.join(" UNION ALL "), 3 + usize::from(group.is_some()))
            }
            SupportMeasure::Cooperation => (
                one("cooperation", &mut binds),
                1 + usize::from(group.is_some()),
            ),
            SupportMeasure::Compensation => (
                one("compensation", &mut binds),
                1 + usize::from(group.is_some()),
            ),
            SupportMeasure::ServiceAcceptance => (
                one("service_acceptance", &mut binds),
                1 + usize::from(group.is_some()),
            ),
            SupportMeasure::CompensationAmounts => {
                let cases = format!("SUM(CASE WHEN cube = '{AMOUNT_CASES}' THEN n ELSE 0 END)");
                (
                    format!(
                        "SELECT k1, k2, CAST(SUM(CASE WHEN cube = '{AMOUNT_SUMS}' THEN n ELSE 0 \
                         END) AS TEXT), CAST({cases} AS BIGINT) FROM statistics_counts WHERE \
                         cube IN ('{AMOUNT_CASES}', '{AMOUNT_SUMS}') AND {} GROUP BY k1, k2 \
                         HAVING {cases} > 0",
                        period(&mut binds)
                    ),
                    3,
                )
            }
        };
        Some(SupportCountsPlan {
            sql,
            binds,
            key_count,
            edges: span
                .edges
                .iter()
                .map(|(from, to)| SupportQuery {
                    from: Some(*from),
                    to: Some(*to),
                    ..self.clone()
                })
                .collect(),
            measure: self.measure.clone(),
        })
    }
}

impl SupportCountsPlan {
    /// The counts as [`SupportQuery::sql`] gives them, from this plan's counters (`counted`) and
    /// its edges' rows.
    pub fn finish(
        &self,
        counted: Vec<StatisticsCount>,
        edges: Vec<Vec<StatisticsCount>>,
    ) -> crate::StoreResult<Vec<StatisticsCount>> {
        let counted = match self.measure {
            SupportMeasure::Rights { .. } => {
                // [t|f|u, (quarter,) right, status] -> late = from - until, on time = total
                // - late.
                let mut sums: std::collections::BTreeMap<Vec<Option<String>>, [i64; 3]> =
                    Default::default();
                for c in counted {
                    let mut k = c.keys.into_iter();
                    let kind = k.next().flatten();
                    let slot = match kind.as_deref() {
                        Some("t") => 0,
                        Some("f") => 1,
                        Some("u") => 2,
                        _ => return Err(crate::StoreError::Corrupt("rights counter".into())),
                    };
                    let key: Vec<Option<String>> = k.collect();
                    sums.entry(key).or_default()[slot] +=
                        i64::try_from(c.count).unwrap_or(i64::MAX);
                }
                let mut out = Vec::new();
                for (key, [total, from, until]) in sums {
                    let late = from - until;
                    if late < 0 || late > total {
                        return Err(crate::StoreError::Corrupt(format!(
                            "rights counters: {late} late of {total}"
                        )));
                    }
                    for (flag, n) in [("1", late), ("0", total - late)] {
                        if n > 0 {
                            out.push(StatisticsCount {
                                keys: key
                                    .iter()
                                    .cloned()
                                    .chain([Some(flag.to_string())])
                                    .collect(),
                                count: n as u64,
                            });
                        }
                    }
                }
                out
            }
            _ => counted,
        };
        if edges.is_empty() {
            return Ok(counted);
        }
        let mut parts = vec![counted];
        parts.extend(edges);
        if self.measure != SupportMeasure::CompensationAmounts {
            return Ok(merge_counts(parts));
        }
        // Amount keys end with the sum: add the sums of the same stage and currency.
        let mut all: std::collections::BTreeMap<Vec<Option<String>>, (u128, u64)> =
            Default::default();
        for c in parts.into_iter().flatten() {
            let mut keys = c.keys;
            let sum: u128 = match keys.pop().flatten() {
                Some(s) => s
                    .parse()
                    .map_err(|_| crate::StoreError::Corrupt(format!("compensation sum `{s}`")))?,
                None => 0,
            };
            let e = all.entry(keys).or_default();
            e.0 += sum;
            e.1 += c.count;
        }
        Ok(all
            .into_iter()
            .map(|(mut keys, (sum, count))| {
                keys.push(Some(sum.to_string()));
                StatisticsCount { keys, count }
            })
            .collect())
    }
}

/// Compare the support counters with the rows, for every measure, in all and by quarter and
/// year, over the period, with lateness as at each of `as_of`. Returns the groups compared and those that differ.
pub async fn check_support_counts(
    store: &dyn crate::Store,
    as_of: &[Date],
    from: Option<Date>,
    to: Option<Date>,
) -> crate::StoreResult<(u64, Vec<CountMismatch>)> {
    let mut measures: Vec<(&'static str, SupportMeasure)> = as_of
        .iter()
        .map(|d| (RIGHTS_CUBE, SupportMeasure::Rights { as_of: *d }))
        .collect();
    measures.extend([
        ("cooperation", SupportMeasure::Cooperation),
        ("compensation", SupportMeasure::Compensation),
        (AMOUNT_CASES, SupportMeasure::CompensationAmounts),
        ("service_acceptance", SupportMeasure::ServiceAcceptance),
    ]);
    let mut compared = 0;
    let mut mismatches = Vec::new();
    let mut queries = Vec::new();
    for (cube, measure) in measures {
        for by in [vec![], vec![StatDim::Quarter], vec![StatDim::Year]] {
            queries.push((cube, measure.clone(), by));
        }
    }
    for (cube, measure, by) in queries {
        let q = SupportQuery {
            measure,
            by,
            from,
            to,
        };
        compare_counts(
            cube,
            store.count_support_statistics(&q).await?,
            store.count_support_rows(&q).await?,
            &mut compared,
            &mut mismatches,
        );
    }
    Ok((compared, mismatches))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squash(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Migration 0015 counts what is already there with exactly the recount's statements.
    #[test]
    fn migration_0015_runs_the_recount_of_the_support_counters() {
        for (dialect, migration) in [
            (
                Dialect::Sqlite,
                include_str!("../../harbour-store-sqlite/migrations/0015_support_counts.sql"),
            ),
            (
                Dialect::Postgres,
                include_str!("../../harbour-store-postgres/migrations/0015_support_counts.sql"),
            ),
        ] {
            let migration = squash(migration);
            for sql in rebuild_support_counts_sql(dialect) {
                assert!(
                    migration.contains(&format!("{};", squash(&sql))),
                    "{dialect:?} migration lacks:\n{sql};"
                );
            }
        }
    }
}
