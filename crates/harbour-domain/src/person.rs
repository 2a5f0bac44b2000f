//! The person a case is about: names as written in any script, a date of birth that may be
//! partial or only estimated, nationality or statelessness, languages and vulnerabilities.

use crate::error::{DomainError, FieldError};
use crate::org::string_enum;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Longest accepted free text in a name part; longer input is almost certainly not a name.
const MAX_NAME_LEN: usize = 200;

string_enum!(
    Sex {
        Female => "female",
        Male => "male",
        Other => "other",
        Unknown => "unknown",
    }
);

string_enum!(
    /// Groups the OSCE agenda names as particularly vulnerable (several may apply).
    Vulnerability {
        InstitutionalCare => "institutional_care",
        Runaway => "runaway",
        Unaccompanied => "unaccompanied",
        Separated => "separated",
        Disability => "disability",
        NationalMinority => "national_minority",
        Stateless => "stateless",
        ArmedConflict => "armed_conflict",
        NoBirthRegistration => "no_birth_registration",
        AsylumSeeker => "asylum_seeker",
        Refugee => "refugee",
        InternallyDisplaced => "internally_displaced",
        LeftBehind => "left_behind",
    }
);

/// A transliteration of a name into another script or scheme, kept for matching.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transliteration {
    /// e.g. `uk-national-2010`, `ru-icao`, `pl`, `de`.
    pub scheme: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

/// A name exactly as the person or a document wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patronymic: Option<String>,
    /// ISO 15924 script code as written, e.g. `Cyrl`, `Latn`, `Arab`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transliterations: Vec<Transliteration>,
}

/// An age range estimated by someone on a given day ("about 15 to 19").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeEstimate {
    pub min: u8,
    pub max: u8,
}

/// What is known of a date of birth.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BirthRepr", into = "BirthRepr")]
pub enum Birth {
    Exact(Date),
    Year(i32),
    YearMonth(i32, Month),
    /// An age range estimated on a day (the referral day unless given).
    Estimated {
        min: u8,
        max: u8,
        on: Option<Date>,
    },
    #[default]
    Unknown,
}

/// The wire and storage form of [`Birth`]: one of `date`, `year` (+ `month`) or `age_estimate`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BirthRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_estimate: Option<AgeEstimate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_on: Option<String>,
}

const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, DATE_FORMAT)
        .map_err(|_| format!("`{s}` is not a real calendar date in the form YYYY-MM-DD"))
}

pub fn format_date(d: Date) -> String {
    d.format(DATE_FORMAT).unwrap_or_default()
}

impl TryFrom<BirthRepr> for Birth {
    type Error = String;
    fn try_from(r: BirthRepr) -> Result<Self, Self::Error> {
        let given = [r.date.is_some(), r.year.is_some(), r.age_estimate.is_some()]
            .iter()
            .filter(|x| **x)
            .count();
        if given > 1 {
            return Err(
                "give only one of `date`, `year` (with optional `month`) or `age_estimate`".into(),
            );
        }
        if r.month.is_some() && r.year.is_none() {
            return Err("`month` needs a `year`".into());
        }
        if r.estimated_on.is_some() && r.age_estimate.is_none() {
            return Err("`estimated_on` belongs with an `age_estimate`".into());
        }
        if let Some(d) = r.date {
            let date = parse_date(&d)?;
            return Ok(Birth::Exact(date));
        }
        if let Some(y) = r.year {
            if !(1900..=9999).contains(&y) {
                return Err(format!("year of birth {y} is not plausible"));
            }
            return match r.month {
                None => Ok(Birth::Year(y)),
                Some(m) => Month::try_from(m)
                    .map(|m| Birth::YearMonth(y, m))
                    .map_err(|_| format!("month {m} does not exist; use 1 to 12")),
            };
        }
        if let Some(AgeEstimate { min, max }) = r.age_estimate {
            if min > max {
                return Err(format!(
                    "the age estimate's minimum {min} is above its maximum {max}"
                ));
            }
            if max > 120 {
                return Err(format!("an estimated age of {max} is not plausible"));
            }
            let on = r.estimated_on.as_deref().map(parse_date).transpose()?;
            return Ok(Birth::Estimated { min, max, on });
        }
        Ok(Birth::Unknown)
    }
}

impl From<Birth> for BirthRepr {
    fn from(b: Birth) -> Self {
        match b {
            Birth::Exact(d) => BirthRepr {
                date: Some(format_date(d)),
                ..Default::default()
            },
            Birth::Year(y) => BirthRepr {
                year: Some(y),
                ..Default::default()
            },
            Birth::YearMonth(y, m) => BirthRepr {
                year: Some(y),
                month: Some(m as u8),
                ..Default::default()
            },
            Birth::Estimated { min, max, on } => BirthRepr {
                age_estimate: Some(AgeEstimate { min, max }),
                estimated_on: on.map(format_date),
                ..Default::default()
            },
            Birth::Unknown => BirthRepr::default(),
        }
    }
}

/// Whole years between two days (the age on `today` of someone born on `born`).
pub fn full_years(born: Date, today: Date) -> i32 {
    let mut years = today.year() - born.year();
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    years
}

fn last_day_of_month(year: i32, month: Month) -> Date {
    let days = month.length(year);
    Date::from_calendar_date(year, month, days).unwrap_or(Date::MAX)
}

impl Birth {
    /// The youngest and oldest the person can be on `today`, given what is known.
    /// Unknown birth spans every age, so it can never rule out childhood.
    pub fn age_bounds(&self, today: Date) -> (i32, i32) {
        let bounds_between =
            |earliest: Date, latest: Date| (full_years(latest, today), full_years(earliest, today));
        match *self {
            Birth::Exact(d) => (full_years(d, today), full_years(d, today)),
            Birth::Year(y) => match (
                Date::from_calendar_date(y, Month::January, 1),
                Date::from_calendar_date(y, Month::December, 31),
            ) {
                (Ok(a), Ok(b)) => bounds_between(a, b),
                _ => (0, 120),
            },
            Birth::YearMonth(y, m) => match Date::from_calendar_date(y, m, 1) {
                Ok(a) => bounds_between(a, last_day_of_month(y, m)),
                Err(_) => (0, 120),
            },
            Birth::Estimated { min, max, on } => {
                let elapsed = on.map(|on| full_years(on, today).max(0)).unwrap_or(0);
                (i32::from(min) + elapsed, i32::from(max) + elapsed)
            }
            Birth::Unknown => (0, 120),
        }
    }

    /// A birth given as a date or year must not lie in the future.
    pub(crate) fn check_not_future(&self, today: Date) -> Result<(), String> {
        let earliest = match *self {
            Birth::Exact(d) => Some(d),
            Birth::Year(y) => Date::from_calendar_date(y, Month::January, 1).ok(),
            Birth::YearMonth(y, m) => Date::from_calendar_date(y, m, 1).ok(),
            Birth::Estimated { on: Some(on), .. } if on > today => {
                return Err(format!(
                    "the age estimate is dated {}, which is in the future",
                    format_date(on)
                ))
            }
            _ => None,
        };
        match earliest {
            Some(d) if d > today => Err(format!(
                "a date of birth of {} is in the future",
                format_date(d)
            )),
            _ => Ok(()),
        }
    }

    /// Pin an undated age estimate to the day it was made.
    pub fn dated(self, on: Date) -> Birth {
        match self {
            Birth::Estimated { min, max, on: None } => Birth::Estimated {
                min,
                max,
                on: Some(on),
            },
            other => other,
        }
    }
}

/// A person as recorded at referral. Construct through [`Person::validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub names: Vec<PersonName>,
    #[serde(default = "unknown_sex")]
    pub sex: Sex,
    #[serde(default)]
    pub birth: Birth,
    /// ISO 3166-1 alpha-2 codes.
    #[serde(default)]
    pub nationalities: Vec<String>,
    #[serde(default)]
    pub stateless: bool,
    /// ISO 639 codes of languages the person understands.
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
    #[serde(default)]
    pub unaccompanied: bool,
    #[serde(default)]
    pub separated: bool,
}

fn unknown_sex() -> Sex {
    Sex::Unknown
}

pub(crate) fn check_text(errors: &mut Vec<FieldError>, pointer: String, value: &Option<String>) {
    if let Some(v) = value {
        if v.trim().is_empty() {
            errors.push(FieldError::new(
                pointer,
                "must not be blank; leave it out if unknown",
            ));
        } else if v.chars().count() > MAX_NAME_LEN {
            errors.push(FieldError::new(
                pointer,
                format!("is longer than {MAX_NAME_LEN} characters"),
            ));
        } else if v.chars().any(char::is_control) {
            errors.push(FieldError::new(pointer, "contains control characters"));
        }
    }
}

impl Person {
    /// Check everything about a person that a type alone cannot, given today's date.
    /// `base` is the JSON pointer of the person in the request body.
    pub fn validate(mut self, today: Date, base: &str) -> Result<Person, DomainError> {
        let mut errors = Vec::new();
        if self.names.is_empty() {
            errors.push(FieldError::new(
                format!("{base}/names"),
                "give at least one name as written (any script)",
            ));
        }
        for (i, n) in self.names.iter().enumerate() {
            let p = format!("{base}/names/{i}");
            if n.given.is_none() && n.family.is_none() {
                errors.push(FieldError::new(
                    p.clone(),
                    "a name needs a given name or a family name",
                ));
            }
            check_text(&mut errors, format!("{p}/given"), &n.given);
            check_text(&mut errors, format!("{p}/family"), &n.family);
            check_text(&mut errors, format!("{p}/patronymic"), &n.patronymic);
            if let Some(s) = &n.script {
                if s.len() != 4 || !s.chars().all(|c| c.is_ascii_alphabetic()) {
                    errors.push(FieldError::new(
                        format!("{p}/script"),
                        "use a four-letter ISO 15924 code such as Cyrl or Latn",
                    ));
                }
            }
            for (j, t) in n.transliterations.iter().enumerate() {
                check_text(
                    &mut errors,
                    format!("{p}/transliterations/{j}/given"),
                    &t.given,
                );
                check_text(
                    &mut errors,
                    format!("{p}/transliterations/{j}/family"),
                    &t.family,
                );
            }
        }
        if let Err(e) = self.birth.check_not_future(today) {
            errors.push(FieldError::new(format!("{base}/birth"), e));
        }
        for (i, c) in self.nationalities.iter_mut().enumerate() {
            let upper = c.to_ascii_uppercase();
            if upper.len() != 2 || !upper.chars().all(|ch| ch.is_ascii_alphabetic()) {
                errors.push(FieldError::new(
                    format!("{base}/nationalities/{i}"),
                    format!("`{c}` is not an ISO 3166-1 alpha-2 country code"),
                ));
            }
            *c = upper;
        }
        if self.stateless && !self.nationalities.is_empty() {
            errors.push(FieldError::new(
                format!("{base}/stateless"),
                "a stateless person has no nationality; remove one or the other",
            ));
        }
        for (i, l) in self.languages.iter_mut().enumerate() {
            let lower = l.to_ascii_lowercase();
            if !(2..=3).contains(&lower.len()) || !lower.chars().all(|ch| ch.is_ascii_alphabetic())
            {
                errors.push(FieldError::new(
                    format!("{base}/languages/{i}"),
                    format!("`{l}` is not an ISO 639 language code"),
                ));
            }
            *l = lower;
        }
        self.vulnerabilities.sort_by_key(|v| v.as_str());
        self.vulnerabilities.dedup();
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        self.birth = self.birth.dated(today);
        Ok(self)
    }

    /// The name to show first: the first one recorded, in the script it was written in.
    pub fn display_name(&self) -> String {
        self.names
            .first()
            .map(|n| {
                [n.given.as_deref(), n.family.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }
}
