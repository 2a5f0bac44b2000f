//! UA-trace: a seeded synthetic benchmark of separated children and the
//! tracing requests their families file, with ground truth. Every name is
//! drawn from the embedded lexicon; no real person's data is involved.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::lexicon::{lexicon, NameGroup};
use crate::record::{Field, Record};
use crate::translit::{
    german, polish, ru_icao, ru_mvd, uk_national, uk_old_passport, uk_to_ru_spelling,
};

/// Children, requests, and for request i the index of its child.
pub struct UaTrace {
    pub children: Vec<Record>,
    pub requests: Vec<Record>,
    pub truth: Vec<usize>,
}

/// The columns the generator fills, in CSV order.
pub const COLUMNS: [Field; 10] = [
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
];

/// One generated child, kept until the requests are written: indexes into
/// the lexicon and the surname pool rather than strings, so ten million
/// fit in a few hundred megabytes.
struct Person {
    sex: char,
    given: u32,
    surname: u32,
    year: i32,
    month: u8,
    day: u8,
    place: u32,
    mother: u32,
    father: u32,
}

/// Zipf-like pick: earlier entries in the curated lists are more common.
fn zipf(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let x: f64 = rng.gen();
    // Inverse of a 1/r^0.9 cumulative, approximately.
    let r = ((n as f64 + 1.0).powf(0.1 * x) - 1.0) / ((n as f64 + 1.0).powf(0.1) - 1.0) * n as f64;
    (r as usize).min(n.saturating_sub(1))
}

/// Surnames for the generator: the curated common ones first, then stems
/// of those combined with common Ukrainian suffixes, so a large population
/// has a long tail of rarer surnames as real ones do (160 surnames alone
/// would give a million children hundreds of namesakes each).
pub fn surname_pool() -> Vec<String> {
    let base = &lexicon().surnames;
    let mut out: Vec<String> = base.clone();
    let mut stems: Vec<String> = Vec::new();
    for s in base {
        for suf in [
            "енко",
            "ченко",
            "чук",
            "юк",
            "ук",
            "ський",
            "цький",
            "ов",
            "ьов",
            "ін",
            "ин",
            "ко",
            "ь",
        ] {
            if let Some(stem) = s.strip_suffix(suf) {
                if stem.chars().count() >= 3 {
                    stems.push(stem.to_string());
                }
                break;
            }
        }
    }
    stems.sort();
    stems.dedup();
    for suf in [
        "енко",
        "чук",
        "ук",
        "ський",
        "ович",
        "ишин",
        "ець",
        "ак",
        "ик",
        "ан",
    ] {
        for st in &stems {
            let s = format!("{st}{suf}");
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Feminine form of a masculine Ukrainian surname.
pub fn feminine(s: &str) -> String {
    for (m, f) in [
        ("ський", "ська"),
        ("цький", "цька"),
        ("зький", "зька"),
        ("ий", "а"),
        ("ьов", "ьова"),
        ("ов", "ова"),
        ("ев", "ева"),
        ("єв", "єва"),
        ("ін", "іна"),
        ("їн", "їна"),
        ("ин", "ина"),
    ] {
        if let Some(stem) = s.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    s.to_string()
}

#[derive(Clone, Copy)]
enum Scheme {
    UkCyr,
    RuCyr,
    Kmu,
    OldUk,
    RuIcao,
    RuMvd,
    Polish,
    German,
}

fn pick_scheme(rng: &mut ChaCha8Rng, table: &[(Scheme, u32)]) -> Scheme {
    let total: u32 = table.iter().map(|x| x.1).sum();
    let mut x = rng.gen_range(0..total.max(1));
    for (s, w) in table {
        if x < *w {
            return *s;
        }
        x -= w;
    }
    Scheme::UkCyr
}

/// Render a Ukrainian Cyrillic name (and its Russian form) in a scheme.
fn render(uk: &str, ru: &str, scheme: Scheme) -> String {
    match scheme {
        Scheme::UkCyr => uk.to_string(),
        Scheme::RuCyr => ru.to_string(),
        Scheme::Kmu => uk_national(uk),
        Scheme::OldUk => uk_old_passport(uk),
        Scheme::RuIcao => ru_icao(ru),
        Scheme::RuMvd => ru_mvd(ru),
        Scheme::Polish => polish(uk),
        Scheme::German => german(uk),
    }
}

fn typo(rng: &mut ChaCha8Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 4 {
        return s.to_string();
    }
    let i = rng.gen_range(1..c.len() - 1);
    match rng.gen_range(0..3) {
        0 => {
            c.remove(i);
        }
        1 => c.swap(i, i + 1),
        _ => {
            let cyr = c[i].is_alphabetic() && !c[i].is_ascii();
            let pool: Vec<char> = if cyr {
                "аеиоуклмнрстві".chars().collect()
            } else {
                "aeioulmnrstkv".chars().collect()
            };
            if let Some(x) = pool.choose(rng) {
                c[i] = *x;
            }
        }
    }
    c.into_iter().collect()
}

fn given_form(
    rng: &mut ChaCha8Rng,
    g: &NameGroup,
    p_dim: f64,
    p_ru: f64,
    scheme: Scheme,
) -> (String, String) {
    let ru = g.ru.first().cloned().unwrap_or_else(|| g.uk.clone());
    let x: f64 = rng.gen();
    if x < p_dim && !g.diminutives.is_empty() {
        let d = g
            .diminutives
            .choose(rng)
            .cloned()
            .unwrap_or_else(|| g.uk.clone());
        (d.clone(), d)
    } else if x < p_dim + p_ru || matches!(scheme, Scheme::RuCyr | Scheme::RuIcao | Scheme::RuMvd) {
        (ru.clone(), ru)
    } else {
        (g.uk.clone(), ru)
    }
}

fn date_text(
    rng: &mut ChaCha8Rng,
    p: &Person,
    full: f64,
    year_only: f64,
    month_year: f64,
) -> String {
    let x: f64 = rng.gen();
    if x < full {
        let (mut month, mut day) = (p.month, p.day);
        // Clerical errors: day and month swapped, or one digit of the day wrong.
        if rng.gen_bool(0.04) {
            if day <= 12 && day != month {
                std::mem::swap(&mut month, &mut day);
            } else {
                day = if day % 10 == 9 { day - 1 } else { day + 1 };
            }
        }
        match rng.gen_range(0..3) {
            0 => format!("{:04}-{:02}-{:02}", p.year, month, day),
            1 => format!("{:02}.{:02}.{:04}", day, month, p.year),
            _ => format!("{:04}{:02}{:02}", p.year, month, day),
        }
    } else if x < full + year_only {
        format!("{}", p.year)
    } else if x < full + year_only + month_year {
        format!("{:02}.{:04}", p.month, p.year)
    } else {
        String::new()
    }
}

fn age_text(rng: &mut ChaCha8Rng, p: &Person, recorded: i32) -> String {
    let age = (recorded - p.year - i32::from(rng.gen_bool(0.5)) + rng.gen_range(-1..=1)).max(0);
    if rng.gen_bool(0.5) {
        format!("about {age}")
    } else {
        format!("{age}")
    }
}

/// One child as registered, or one request as filed (`request` = true).
fn write(
    rng: &mut ChaCha8Rng,
    p: &Person,
    surnames: &[String],
    id: String,
    request: bool,
) -> Record {
    let lex = lexicon();
    let scheme = if request {
        pick_scheme(
            rng,
            &[(Scheme::UkCyr, 70), (Scheme::RuCyr, 15), (Scheme::Kmu, 15)],
        )
    } else {
        pick_scheme(
            rng,
            &[
                (Scheme::UkCyr, 30),
                (Scheme::RuCyr, 8),
                (Scheme::Kmu, 25),
                (Scheme::OldUk, 10),
                (Scheme::RuIcao, 6),
                (Scheme::RuMvd, 6),
                (Scheme::Polish, 8),
                (Scheme::German, 7),
            ],
        )
    };
    let g = &lex.groups[p.given as usize];
    let (p_dim, p_ru) = if request { (0.35, 0.10) } else { (0.05, 0.05) };
    let (gu, gr) = given_form(rng, g, p_dim, p_ru, scheme);
    let mut given = render(&gu, &gr, scheme);
    let surname = &surnames[p.surname as usize];
    let mut sur_uk = if p.sex == 'f' {
        feminine(surname)
    } else {
        surname.clone()
    };
    // The other sex form: a parent writes their own form, an official guesses.
    if rng.gen_bool(if request { 0.15 } else { 0.05 }) {
        sur_uk = if p.sex == 'f' {
            surname.clone()
        } else {
            feminine(surname)
        };
    }
    let mut surname = render(&sur_uk, &uk_to_ru_spelling(&sur_uk), scheme);
    if rng.gen_bool(0.10) {
        surname = typo(rng, &surname);
    }
    if rng.gen_bool(0.05) {
        given = typo(rng, &given);
    }
    if rng.gen_bool(0.05) {
        std::mem::swap(&mut given, &mut surname);
    }
    if !request && rng.gen_bool(0.1) {
        given = given.to_uppercase();
        surname = surname.to_uppercase();
    }
    let recorded = 2022 + rng.gen_range(0..3);
    let mut r = Record::new(id)
        .with(Field::GivenName, given)
        .with(Field::Surname, surname)
        .with(Field::RecordedOn, format!("{recorded}-06-01"));
    let (dob, age_only) = if request {
        let d = date_text(rng, p, 0.5, 0.2, 0.0);
        (d.clone(), d.is_empty())
    } else {
        let d = date_text(rng, p, 0.6, 0.15, 0.10);
        (d.clone(), d.is_empty())
    };
    r.set(Field::DateOfBirth, dob);
    if age_only {
        r.set(Field::Age, age_text(rng, p, recorded));
    }
    if rng.gen_bool(if request { 0.95 } else { 0.9 }) {
        r.set(Field::Sex, if p.sex == 'm' { "M" } else { "F" });
    }
    if rng.gen_bool(if request { 0.6 } else { 0.5 }) {
        let names = &lex.places[p.place as usize];
        let v = if names.len() > 1 && rng.gen_bool(0.5) {
            names.choose(rng).cloned().unwrap_or_default()
        } else {
            render(&names[0], &names[0], scheme)
        };
        r.set(Field::BirthPlace, v);
    }
    let mother = &lex.groups[p.mother as usize];
    let father = &lex.groups[p.father as usize];
    if rng.gen_bool(if request { 0.8 } else { 0.3 }) {
        let (mu, mr) = given_form(rng, mother, 0.1, 0.05, scheme);
        r.set(Field::MotherName, render(&mu, &mr, scheme));
    }
    if rng.gen_bool(if request { 0.3 } else { 0.1 }) {
        r.set(
            Field::FatherName,
            render(&father.uk, father.ru.first().unwrap_or(&father.uk), scheme),
        );
    }
    if rng.gen_bool(0.2) {
        let suffix = if p.sex == 'm' { "ович" } else { "івна" };
        let base = father.uk.trim_end_matches('о');
        r.set(Field::Patronymic, format!("{base}{suffix}"));
    }
    r
}

/// Generate `n_children` registered children and `n_requests` tracing
/// requests, each for a distinct child. Deterministic for a seed.
pub fn generate(n_children: usize, n_requests: usize, seed: u64) -> UaTrace {
    let mut children = Vec::with_capacity(n_children);
    let (requests, truth) = generate_each(n_children, n_requests, seed, |r| children.push(r));
    UaTrace {
        children,
        requests,
        truth,
    }
}

/// The id of the i-th generated child.
pub fn child_id(i: usize) -> String {
    format!("C{i:07}")
}

/// `generate` without holding the children: each is handed to `child` as
/// it is written (child i is the i-th call), so ten million can be indexed
/// or written out without ten million `Record`s in memory. Returns the
/// requests and, for request i, the index of its child. The same seed gives
/// the same data as `generate`.
pub fn generate_each(
    n_children: usize,
    n_requests: usize,
    seed: u64,
    mut child: impl FnMut(Record),
) -> (Vec<Record>, Vec<usize>) {
    let lex = lexicon();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let boys: Vec<u32> = lex
        .groups
        .iter()
        .filter(|g| g.sex == 'm')
        .map(|g| g.id)
        .collect();
    let girls: Vec<u32> = lex
        .groups
        .iter()
        .filter(|g| g.sex == 'f')
        .map(|g| g.id)
        .collect();
    let surnames = surname_pool();
    let mut people = Vec::with_capacity(n_children);
    for i in 0..n_children {
        let sex = if rng.gen_bool(0.5) { 'm' } else { 'f' };
        let pool = if sex == 'm' { &boys } else { &girls };
        let p = Person {
            sex,
            given: pool[zipf(&mut rng, pool.len())],
            surname: zipf(&mut rng, surnames.len()) as u32,
            year: rng.gen_range(2006..=2022),
            month: rng.gen_range(1..=12),
            day: rng.gen_range(1..=28),
            place: zipf(&mut rng, lex.places.len()) as u32,
            mother: girls[zipf(&mut rng, girls.len())],
            father: boys[zipf(&mut rng, boys.len())],
        };
        child(write(&mut rng, &p, &surnames, child_id(i), false));
        people.push(p);
    }
    let mut order: Vec<usize> = (0..n_children).collect();
    order.shuffle(&mut rng);
    order.truncate(n_requests);
    let mut requests = Vec::with_capacity(order.len());
    for (k, &c) in order.iter().enumerate() {
        requests.push(write(
            &mut rng,
            &people[c],
            &surnames,
            format!("R{k:07}"),
            true,
        ));
    }
    (requests, order)
}

/// Write records as CSV with an `id` column and the generator's columns.
pub fn to_csv(records: &[Record], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut cw = CsvOut::new(w)?;
    for r in records {
        cw.write(r)?;
    }
    cw.flush()
}

/// CSV writer for records one at a time (for streamed generation).
pub struct CsvOut<'a> {
    w: csv::Writer<&'a mut dyn std::io::Write>,
}

impl<'a> CsvOut<'a> {
    /// Writes the header: `id` and the generator's columns.
    pub fn new(w: &'a mut dyn std::io::Write) -> std::io::Result<Self> {
        let mut w = csv::Writer::from_writer(w);
        let mut header = vec!["id"];
        header.extend(COLUMNS.iter().map(|f| f.name()));
        w.write_record(&header)?;
        Ok(CsvOut { w })
    }

    pub fn write(&mut self, r: &Record) -> std::io::Result<()> {
        let row = std::iter::once(r.id.as_str()).chain(COLUMNS.iter().map(|f| r.get(*f)));
        self.w.write_record(row)?;
        Ok(())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_varied() {
        let a = generate(300, 50, 7);
        let b = generate(300, 50, 7);
        assert_eq!(a.children, b.children);
        assert_eq!(a.truth, b.truth);
        let latin = a
            .children
            .iter()
            .filter(|r| r.get(Field::Surname).is_ascii())
            .count();
        assert!(latin > 50 && latin < 250, "{latin}");
        assert!(a.requests.iter().any(|r| !r.get(Field::Age).is_empty()));
    }

    #[test]
    fn surname_pool_has_a_long_tail() {
        let pool = surname_pool();
        eprintln!("surname pool: {}", pool.len());
        assert!(pool.len() > 1000, "{}", pool.len());
        assert_eq!(pool[0], lexicon().surnames[0]);
    }

    #[test]
    fn feminine_forms() {
        assert_eq!(feminine("Ковальський"), "Ковальська");
        assert_eq!(feminine("Петров"), "Петрова");
        assert_eq!(feminine("Коваленко"), "Коваленко");
        assert_eq!(feminine("Осадчий"), "Осадча");
    }
}
