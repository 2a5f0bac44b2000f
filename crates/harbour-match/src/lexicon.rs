//! Curated name and place lexicons, embedded at compile time from data/names/.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::normalize::skeleton;
use crate::translit::{ru_icao, ru_mvd, uk_national, uk_old_passport};

const GIVEN_M: &str = include_str!("../../../data/names/given_m.tsv");
const GIVEN_F: &str = include_str!("../../../data/names/given_f.tsv");
const SURNAMES: &str = include_str!("../../../data/names/surnames.tsv");
const PLACES: &str = include_str!("../../../data/names/places.tsv");

/// How a written form relates to the canonical Ukrainian name of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    Ukrainian,
    Russian,
    Variant,
    Diminutive,
}

#[derive(Debug, Clone)]
pub struct NameGroup {
    pub id: u32,
    /// 'm' or 'f'.
    pub sex: char,
    /// Canonical Ukrainian Cyrillic form.
    pub uk: String,
    /// Its national romanisation, used in explanations.
    pub uk_latin: String,
    pub ru: Vec<String>,
    pub variants: Vec<String>,
    pub diminutives: Vec<String>,
}

pub struct Lexicon {
    pub groups: Vec<NameGroup>,
    by_skel: HashMap<String, Vec<(u32, Relation)>>,
    pub surnames: Vec<String>,
    pub places: Vec<Vec<String>>,
    place_by_skel: HashMap<String, u32>,
}

fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every skeleton a written form may take: the form itself plus, for Cyrillic,
/// its renderings under each scheme (they mostly agree after skeletonising).
fn skeletons_of(form: &str) -> Vec<String> {
    let mut v = vec![
        skeleton(form),
        skeleton(&ru_icao(form)),
        skeleton(&ru_mvd(form)),
        skeleton(&uk_old_passport(form)),
        skeleton(&uk_national(form)),
    ];
    v.sort();
    v.dedup();
    v.retain(|s| !s.is_empty());
    v
}

impl Lexicon {
    fn load() -> Self {
        let mut lex = Lexicon {
            groups: Vec::new(),
            by_skel: HashMap::new(),
            surnames: Vec::new(),
            places: Vec::new(),
            place_by_skel: HashMap::new(),
        };
        for (sex, text) in [('m', GIVEN_M), ('f', GIVEN_F)] {
            for line in text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            {
                let cols: Vec<&str> = line.split('\t').collect();
                let Some(uk) = cols.first().map(|s| s.trim().to_string()) else {
                    continue;
                };
                let id = lex.groups.len() as u32;
                let g = NameGroup {
                    id,
                    sex,
                    uk_latin: uk_national(&uk),
                    uk,
                    ru: split_list(cols.get(1).unwrap_or(&"")),
                    variants: split_list(cols.get(2).unwrap_or(&"")),
                    diminutives: split_list(cols.get(3).unwrap_or(&"")),
                };
                let mut forms: Vec<(String, Relation)> = vec![(g.uk.clone(), Relation::Ukrainian)];
                forms.extend(g.ru.iter().map(|f| (f.clone(), Relation::Russian)));
                forms.extend(g.variants.iter().map(|f| (f.clone(), Relation::Variant)));
                forms.extend(
                    g.diminutives
                        .iter()
                        .map(|f| (f.clone(), Relation::Diminutive)),
                );
                for (form, rel) in forms {
                    for sk in skeletons_of(&form) {
                        let e = lex.by_skel.entry(sk).or_default();
                        match e.iter_mut().find(|(gid, _)| *gid == id) {
                            // Keep the strongest relation when two forms coincide.
                            Some(slot) => slot.1 = slot.1.min(rel),
                            None => e.push((id, rel)),
                        }
                    }
                }
                lex.groups.push(g);
            }
        }
        lex.surnames = SURNAMES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect();
        for line in PLACES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut names: Vec<String> = Vec::new();
            let mut cols = line.split('\t');
            if let Some(uk) = cols.next() {
                names.push(uk.trim().to_string());
            }
            if let Some(rest) = cols.next() {
                names.extend(split_list(rest));
            }
            let id = lex.places.len() as u32;
            for n in &names {
                for sk in skeletons_of(n) {
                    lex.place_by_skel.entry(sk).or_insert(id);
                }
            }
            lex.places.push(names);
        }
        lex
    }

    /// Name groups a skeleton belongs to (a diminutive such as Sasha can
    /// belong to several).
    pub fn given_groups(&self, skel: &str) -> &[(u32, Relation)] {
        self.by_skel.get(skel).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn group(&self, id: u32) -> Option<&NameGroup> {
        self.groups.get(id as usize)
    }

    pub fn place_id(&self, skel: &str) -> Option<u32> {
        self.place_by_skel.get(skel).copied()
    }

    /// Human-readable reason two forms share group `id`.
    pub fn explain(&self, id: u32, ra: Relation, rb: Relation, a: &str, b: &str) -> String {
        let canon = self.group(id).map(|g| g.uk_latin.as_str()).unwrap_or("?");
        use Relation::*;
        match (ra, rb) {
            (Diminutive, Diminutive) => format!("{a} and {b} are both diminutives of {canon}"),
            (Diminutive, _) => format!("{a} is a diminutive of {canon}"),
            (_, Diminutive) => format!("{b} is a diminutive of {canon}"),
            (Russian, Russian) => format!("Russian forms of {canon}"),
            (Russian, _) | (_, Russian) => format!("Russian and Ukrainian forms of {canon}"),
            _ => format!("variants of {canon}"),
        }
    }
}

/// The embedded lexicon, parsed once.
pub fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(Lexicon::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_150_names_of_each_sex() {
        let l = lexicon();
        let m = l.groups.iter().filter(|g| g.sex == 'm').count();
        let f = l.groups.iter().filter(|g| g.sex == 'f').count();
        assert!(m >= 150 && f >= 150, "m={m} f={f}");
        // Every embedded data line parsed into a group with a Ukrainian form.
        assert!(l
            .groups
            .iter()
            .all(|g| !g.uk.is_empty() && !g.ru.is_empty()));
        assert!(l.places.len() >= 40 && l.surnames.len() >= 150);
    }

    #[test]
    fn oleksandr_family() {
        let l = lexicon();
        let id_of =
            |s: &str| -> Vec<u32> { l.given_groups(&skeleton(s)).iter().map(|x| x.0).collect() };
        let olek = id_of("Oleksandr");
        assert_eq!(olek.len(), 1);
        for v in [
            "Сашко",
            "Sashko",
            "Aleksandr",
            "Александр",
            "Alexander",
            "Саша",
        ] {
            assert!(id_of(v).contains(&olek[0]), "{v}");
        }
        assert!(id_of("Zhenia").len() >= 2, "Zhenia is Yevhen and Yevheniia");
        assert!(id_of("Hanna").iter().any(|g| id_of("Анна").contains(g)));
        assert!(id_of("Serhii").iter().any(|g| id_of("Sergey").contains(g)));
        assert!(id_of("Hryhorii")
            .iter()
            .any(|g| id_of("Grigoriy").contains(g)));
        assert!(id_of("Yevheniia")
            .iter()
            .any(|g| id_of("Evgeniya").contains(g)));
    }

    #[test]
    fn places_with_variants() {
        let l = lexicon();
        let k = l.place_id(&skeleton("Kharkiv"));
        assert!(k.is_some());
        for v in ["Харьков", "Kharkov", "Charków", "Charkiw", "Харків"] {
            assert_eq!(l.place_id(&skeleton(v)), k, "{v}");
        }
    }
}
