//! Input records and the normalised features the matcher compares.

use std::collections::HashMap;
use std::sync::Arc;

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

/// Normalised features of one name. Shared (`Name`): a million UA-trace
/// children carry about 98,000 distinct spellings (typos included), so each
/// is held once.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct NameFeat {
    pub display: String,
    pub skel: String,
    pub stem: String,
    pub phon: String,
    #[serde(skip)]
    pub groups: Vec<(u32, Relation)>,
}

/// A shared, immutable name: records pointing at the same spelling share one.
pub type Name = Arc<NameFeat>;

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

/// A date of birth as digits (YYYY, YYYYMM or YYYYMMDD) held inline: no
/// allocation per record. Reads as a `&str`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DateDigits {
    len: u8,
    buf: [u8; 8],
}

impl DateDigits {
    pub fn new(s: &str) -> DateDigits {
        let mut d = DateDigits::default();
        // Only ASCII digits are kept, so the bytes always form a valid str.
        for (slot, b) in d
            .buf
            .iter_mut()
            .zip(s.bytes().filter(|b| b.is_ascii_digit()))
        {
            *slot = b;
            d.len += 1;
        }
        d
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
}

impl std::ops::Deref for DateDigits {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for DateDigits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// The FEBRL-style fields (street number, address 1, suburb, postcode,
/// state, soc_sec_id), lower-cased. Absent altogether on tracing records,
/// which then cost one pointer instead of six strings. Index it like an
/// array: `generic[3]` is the postcode ("" when missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generic(Option<Box<[Box<str>; 6]>>);

impl Generic {
    pub fn new(values: [String; 6]) -> Generic {
        if values.iter().all(String::is_empty) {
            Generic(None)
        } else {
            Generic(Some(Box::new(values.map(String::into_boxed_str))))
        }
    }

    /// Heap bytes held (none for a record without these fields).
    pub fn heap_bytes(&self) -> usize {
        self.0.as_ref().map_or(0, |v| {
            std::mem::size_of::<[Box<str>; 6]>() + v.iter().map(|s| s.len()).sum::<usize>()
        })
    }
}

impl std::ops::Index<usize> for Generic {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        self.0
            .as_ref()
            .and_then(|v| v.get(i))
            .map(|s| &**s)
            .unwrap_or("")
    }
}

/// The normalised features of one record, computed once on insertion.
/// Kept small (about 100 bytes plus shared names) so ten million fit in
/// memory: names and birth places are shared, the date is inline.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub given: Option<Name>,
    pub surname: Option<Name>,
    pub sex: Option<char>,
    pub dob: Option<PartialDate>,
    /// `dob` as digits (YYYY, YYYYMM or YYYYMMDD), computed once.
    pub dob_digits: DateDigits,
    /// Years the person may have been born in (from the date or the age).
    pub years: Option<(i32, i32)>,
    /// Birth place skeleton and lexicon place id.
    pub place: Option<(Arc<str>, Option<u32>)>,
    pub parents: Box<[Name]>,
    /// street_number, address_1, suburb, postcode, state, soc_sec_id.
    pub generic: Generic,
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

type Place = Option<(Arc<str>, Option<u32>)>;

fn place_of(raw: &str) -> Place {
    let s = skeleton(raw);
    if s.is_empty() {
        None
    } else {
        let id = lexicon().place_id(&s);
        Some((Arc::from(s), id))
    }
}

/// Normalise a record. `default_year` anchors an age estimate when the
/// record has no `recorded_on` date.
pub fn prepare(r: &Record, default_year: i32) -> Result<Prepared, FieldError> {
    prepare_with(
        r,
        default_year,
        &mut |raw| NameFeat::new(raw).map(Arc::new),
        &mut place_of,
    )
}

fn prepare_with(
    r: &Record,
    default_year: i32,
    name: &mut dyn FnMut(&str) -> Option<Name>,
    place: &mut dyn FnMut(&str) -> Place,
) -> Result<Prepared, FieldError> {
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
    let mut parents: Vec<Name> = [Field::MotherName, Field::FatherName]
        .iter()
        .filter_map(|f| {
            // A parent may be written with a surname; the given name is the
            // evidence, so keep the first word.
            let v = r.get(*f);
            v.split_whitespace().next().and_then(&mut *name)
        })
        .collect();
    if let Some(p) = name(r.get(Field::Patronymic)) {
        if let Some(father) = patronymic_to_father(&p.skel) {
            // The stem comes back lower-case; capitalise it for explanations.
            let mut chars = father.chars();
            let father: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            if let Some(f) = name(&father) {
                parents.push(f);
            }
        }
    }
    let generic = Generic::new(GENERIC_FIELDS.map(|f| r.get(f).to_lowercase()));
    Ok(Prepared {
        given: name(r.get(Field::GivenName)),
        surname: name(r.get(Field::Surname)),
        sex: parse_sex(r.get(Field::Sex)),
        dob_digits: dob
            .map(|d| DateDigits::new(&d.digits()))
            .unwrap_or_default(),
        dob,
        years,
        place: place(r.get(Field::BirthPlace)),
        parents: parents.into_boxed_slice(),
        generic,
    })
}

/// Normalises many records, remembering each distinct name and place as it
/// was written, so a repeated spelling is normalised once and shared by
/// every record that has it. Gives the same `Prepared` as `prepare`.
#[derive(Default)]
pub struct Preparer {
    names: HashMap<Box<str>, Option<Name>>,
    places: HashMap<Box<str>, Place>,
}

/// A Preparer forgets what it has seen beyond this many spellings, so a
/// stream of unique names cannot grow it without bound.
const PREPARER_CAP: usize = 1 << 20;

impl Preparer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn prepare(&mut self, r: &Record, default_year: i32) -> Result<Prepared, FieldError> {
        let Preparer { names, places } = self;
        prepare_with(
            r,
            default_year,
            &mut |raw| {
                if let Some(n) = names.get(raw) {
                    return n.clone();
                }
                if names.len() >= PREPARER_CAP {
                    names.clear();
                }
                let n = NameFeat::new(raw).map(Arc::new);
                names.insert(raw.into(), n.clone());
                n
            },
            &mut |raw| {
                if let Some(p) = places.get(raw) {
                    return p.clone();
                }
                if places.len() >= PREPARER_CAP {
                    places.clear();
                }
                let p = place_of(raw);
                places.insert(raw.into(), p.clone());
                p
            },
        )
    }
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

    #[test]
    fn preparer_gives_what_prepare_gives_and_shares_names() {
        let data = crate::synth::generate(500, 0, 11);
        let mut preparer = Preparer::new();
        let mut shared = 0;
        let mut last: Option<Prepared> = None;
        for r in &data.children {
            let a = prepare(r, 2024).unwrap();
            let b = preparer.prepare(r, 2024).unwrap();
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            if let (Some(prev), Some(g)) = (&last, &b.given) {
                if prev.given.as_ref().is_some_and(|x| Arc::ptr_eq(x, g)) {
                    shared += 1;
                }
            }
            last = Some(b);
        }
        // Zipf-distributed given names repeat often enough that consecutive
        // records share a spelling now and then; those must share memory.
        assert!(shared > 0);
    }

    #[test]
    fn compact_fields_read_as_before() {
        let r = Record::new("x")
            .with(Field::DateOfBirth, "04.03.2015")
            .with(Field::Postcode, "2615")
            .with(Field::State, "NSW");
        let p = prepare(&r, 2024).unwrap();
        assert_eq!(p.dob_digits.as_str(), "20150304");
        assert_eq!(&p.generic[3], "2615");
        assert_eq!(&p.generic[4], "nsw");
        assert_eq!(&p.generic[5], "");
        let bare = prepare(&Record::new("y").with(Field::GivenName, "Fake"), 2024).unwrap();
        assert_eq!(bare.generic, Generic::default());
        assert_eq!(bare.generic.heap_bytes(), 0);
        assert_eq!(&bare.generic[0], "");
        assert!(std::mem::size_of::<Prepared>() <= 112);
    }
}
