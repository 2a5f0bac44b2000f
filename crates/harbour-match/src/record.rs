//! Input records and the normalised features the matcher compares.

use serde::{Deserialize, Serialize};

use crate::lexicon::{lexicon, Relation};
use crate::normalize::{patronymic_to_father, phonetic, skeleton, surname_stem, NameForms};

/// Fields the matcher understands. FEBRL column names map to them directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    GivenName,
    Surname,
    Patronymic,
    Sex,
    DateOfBirth,
    /// Estimated age in years ("9", "about 9", "8-10").
    Age,
    /// Date the record was made; anchors the age estimate.
    RecordedOn,
    BirthPlace,
    MotherName,
    FatherName,
    StreetNumber,
    Address1,
    Address2,
    Suburb,
    Postcode,
    State,
    SocSecId,
}

pub const NFIELDS: usize = 17;

impl Field {
    pub const ALL: [Field; NFIELDS] = [
        Field::GivenName,
        Field::Surname,
        Field::Patronymic,
        Field::Sex,
        Field::DateOfBirth,
        Field::Age,
        Field::RecordedOn,
        Field::BirthPlace,
        Field::MotherName,
        Field::FatherName,
        Field::StreetNumber,
        Field::Address1,
        Field::Address2,
        Field::Suburb,
        Field::Postcode,
        Field::State,
        Field::SocSecId,
    ];

    /// The field's name, which is also the column it is read from by default.
    pub fn name(self) -> &'static str {
        match self {
            Field::GivenName => "given_name",
            Field::Surname => "surname",
            Field::Patronymic => "patronymic",
            Field::Sex => "sex",
            Field::DateOfBirth => "date_of_birth",
            Field::Age => "age",
            Field::RecordedOn => "recorded_on",
            Field::BirthPlace => "birth_place",
            Field::MotherName => "mother_name",
            Field::FatherName => "father_name",
            Field::StreetNumber => "street_number",
            Field::Address1 => "address_1",
            Field::Address2 => "address_2",
            Field::Suburb => "suburb",
            Field::Postcode => "postcode",
            Field::State => "state",
            Field::SocSecId => "soc_sec_id",
        }
    }

    pub fn from_name(s: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == s)
    }
}

/// One input record: an id and raw field values ("" when missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub values: Vec<String>,
}

impl Record {
    pub fn new(id: impl Into<String>) -> Self {
        Record {
            id: id.into(),
            values: vec![String::new(); NFIELDS],
        }
    }

    pub fn with(mut self, f: Field, v: impl Into<String>) -> Self {
        self.set(f, v);
        self
    }

    pub fn set(&mut self, f: Field, v: impl Into<String>) {
        if self.values.len() < NFIELDS {
            self.values.resize(NFIELDS, String::new());
        }
        self.values[f as usize] = v.into();
    }

    pub fn get(&self, f: Field) -> &str {
        self.values.get(f as usize).map(|s| s.trim()).unwrap_or("")
    }
}

/// A date of birth that may be partial. Parts are kept as written (a typo
/// such as month 13 is still evidence), only the shape must parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    /// Ok(None) for an empty value; Err with the reason when the shape is not
    /// a date.
    pub fn parse(s: &str) -> Result<Option<PartialDate>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let num = |t: &str| -> Result<u32, String> {
            if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("'{s}' is not a date (expected YYYY-MM-DD, DD.MM.YYYY, YYYYMMDD, YYYY-MM or YYYY)"));
            }
            t.parse::<u32>().map_err(|e| e.to_string())
        };
        let mk = |y: u32, m: Option<u32>, d: Option<u32>| -> Result<Option<PartialDate>, String> {
            if !(1000..=2999).contains(&y) || m.is_some_and(|m| m > 99) || d.is_some_and(|d| d > 99)
            {
                return Err(format!("'{s}' is not a date (year out of range)"));
            }
            Ok(Some(PartialDate {
                year: y as i32,
                month: m.map(|m| m as u8),
                day: d.map(|d| d as u8),
            }))
        };
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.len() {
                8 => mk(num(&s[..4])?, Some(num(&s[4..6])?), Some(num(&s[6..])?)),
                6 => mk(num(&s[..4])?, Some(num(&s[4..])?), None),
                4 => mk(num(s)?, None, None),
                _ => Err(format!("'{s}' is not a date")),
            };
        }
        let parts: Vec<&str> = s.split(['-', '.', '/']).collect();
        match parts.as_slice() {
            [y, m, d] if y.len() == 4 => mk(num(y)?, Some(num(m)?), Some(num(d)?)),
            [d, m, y] if y.len() == 4 => mk(num(y)?, Some(num(m)?), Some(num(d)?)),
            [y, m] if y.len() == 4 => mk(num(y)?, Some(num(m)?), None),
            [m, y] if y.len() == 4 => mk(num(y)?, Some(num(m)?), None),
            _ => Err(format!(
                "'{s}' is not a date (expected YYYY-MM-DD, DD.MM.YYYY, YYYYMMDD, YYYY-MM or YYYY)"
            )),
        }
    }

    pub fn digits(&self) -> String {
        let mut s = format!("{:04}", self.year);
        if let Some(m) = self.month {
            s.push_str(&format!("{m:02}"));
            if let Some(d) = self.day {
                s.push_str(&format!("{d:02}"));
            }
        }
        s
    }
}

/// Parse an age estimate into (low, high) years.
pub fn parse_age(s: &str) -> Result<Option<(u32, u32)>, String> {
    let nums: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.parse().ok())
        .collect();
    match nums.as_slice() {
        [] if s.trim().is_empty() => Ok(None),
        [] => Err(format!("'{s}' is not an age")),
        [a] if *a <= 120 => Ok(Some((*a, *a))),
        [a, b] if *a <= *b && *b <= 120 => Ok(Some((*a, *b))),
        _ => Err(format!("'{s}' is not an age")),
    }
}

/// Normalised features of one name.
#[derive(Debug, Clone, Serialize)]
pub struct NameFeat {
    pub display: String,
    pub skel: String,
    pub stem: String,
    pub phon: String,
    #[serde(skip)]
    pub groups: Vec<(u32, Relation)>,
}

impl NameFeat {
    pub fn new(raw: &str) -> Option<NameFeat> {
        let f = NameForms::new(raw);
        if f.skeleton.is_empty() {
            return None;
        }
        let lex = lexicon();
        let mut groups = lex.given_groups(&f.skeleton).to_vec();
        if groups.is_empty() {
            // Double names such as "Анна-Марія": use the groups of each part.
            for t in f.skeleton.split(' ') {
                groups.extend_from_slice(lex.given_groups(t));
            }
        }
        let stem = surname_stem(&f.skeleton);
        let phon = phonetic(&stem, 5);
        Some(NameFeat {
            display: f.uk_national,
            skel: f.skeleton,
            stem,
            phon,
            groups,
        })
    }
}

/// The normalised features of one record, computed once on insertion.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub given: Option<NameFeat>,
    pub surname: Option<NameFeat>,
    pub sex: Option<char>,
    pub dob: Option<PartialDate>,
    /// `dob` as digits (YYYY, YYYYMM or YYYYMMDD), computed once.
    pub dob_digits: String,
    /// Years the person may have been born in (from the date or the age).
    pub years: Option<(i32, i32)>,
    pub place: Option<(String, Option<u32>)>,
    pub parents: Vec<NameFeat>,
    /// street_number, address_1, suburb, postcode, state, soc_sec_id.
    pub generic: [String; 6],
}

pub const GENERIC_FIELDS: [Field; 6] = [
    Field::StreetNumber,
    Field::Address1,
    Field::Suburb,
    Field::Postcode,
    Field::State,
    Field::SocSecId,
];

fn parse_sex(s: &str) -> Option<char> {
    let l = s.trim().to_lowercase();
    match l.as_str() {
        "m" | "male" | "man" | "boy" | "ч" | "чол" | "м" | "муж" | "хлопчик" | "мальчик" => {
            Some('m')
        }
        "f" | "female" | "woman" | "girl" | "ж" | "жін" | "жен" | "дівчинка" | "девочка" => {
            Some('f')
        }
        _ => None,
    }
}

/// Errors from `prepare`: the field whose value could not be read.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// Normalise a record. `default_year` anchors an age estimate when the
/// record has no `recorded_on` date.
pub fn prepare(r: &Record, default_year: i32) -> Result<Prepared, FieldError> {
    let err = |field: Field, message: String| FieldError { field, message };
    let dob =
        PartialDate::parse(r.get(Field::DateOfBirth)).map_err(|m| err(Field::DateOfBirth, m))?;
    let recorded =
        PartialDate::parse(r.get(Field::RecordedOn)).map_err(|m| err(Field::RecordedOn, m))?;
    let age = parse_age(r.get(Field::Age)).map_err(|m| err(Field::Age, m))?;
    let ref_year = recorded.map(|d| d.year).unwrap_or(default_year);
    let years = match (dob, age) {
        (Some(d), _) => Some((d.year, d.year)),
        // "About N": born N or N+1 years before, and estimates are off by a
        // year or so either way.
        (None, Some((lo, hi))) => Some((ref_year - hi as i32 - 2, ref_year - lo as i32 + 1)),
        _ => None,
    };
    let mut parents: Vec<NameFeat> = [Field::MotherName, Field::FatherName]
        .iter()
        .filter_map(|f| {
            // A parent may be written with a surname; the given name is the
            // evidence, so keep the first word.
            let v = r.get(*f);
            v.split_whitespace().next().and_then(NameFeat::new)
        })
        .collect();
    if let Some(p) = NameFeat::new(r.get(Field::Patronymic)) {
        if let Some(father) = patronymic_to_father(&p.skel) {
            // The stem comes back lower-case; capitalise it for explanations.
            let mut chars = father.chars();
            let father: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            if let Some(f) = NameFeat::new(&father) {
                parents.push(f);
            }
        }
    }
    let place = {
        let s = skeleton(r.get(Field::BirthPlace));
        if s.is_empty() {
            None
        } else {
            let id = lexicon().place_id(&s);
            Some((s, id))
        }
    };
    let generic = GENERIC_FIELDS.map(|f| r.get(f).to_lowercase());
    Ok(Prepared {
        given: NameFeat::new(r.get(Field::GivenName)),
        surname: NameFeat::new(r.get(Field::Surname)),
        sex: parse_sex(r.get(Field::Sex)),
        dob_digits: dob.map(|d| d.digits()).unwrap_or_default(),
        dob,
        years,
        place,
        parents,
        generic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = |s| PartialDate::parse(s).unwrap();
        assert_eq!(d("20150304").unwrap().digits(), "20150304");
        assert_eq!(d("2015-03-04").unwrap().digits(), "20150304");
        assert_eq!(d("04.03.2015").unwrap().digits(), "20150304");
        assert_eq!(d("03.2015").unwrap().digits(), "201503");
        assert_eq!(d("2015").unwrap().digits(), "2015");
        assert_eq!(d(""), None);
        assert!(PartialDate::parse("about 2015").is_err());
        assert!(PartialDate::parse("12/ab/2001").is_err());
    }

    #[test]
    fn ages() {
        assert_eq!(parse_age("about 9").unwrap(), Some((9, 9)));
        assert_eq!(parse_age("8-10").unwrap(), Some((8, 10)));
        assert_eq!(parse_age("").unwrap(), None);
        assert!(parse_age("unknown").is_err());
    }

    #[test]
    fn age_becomes_year_range() {
        let r = Record::new("x")
            .with(Field::Age, "about 9")
            .with(Field::RecordedOn, "2024-05-01");
        let p = prepare(&r, 2000).unwrap();
        assert_eq!(p.years, Some((2013, 2016)));
    }
}
