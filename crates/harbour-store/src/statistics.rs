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
