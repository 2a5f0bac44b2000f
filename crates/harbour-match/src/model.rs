//! Fellegi–Sunter model: comparison levels per field, m by EM, u by random
//! sampling, term-frequency adjustment and per-field explanations.

use std::collections::{BTreeMap, HashMap};

use crate::sim::{jaro_winkler, jaro_winkler_ascii, jaro_winkler_bound, osa_capped};
use serde::{Deserialize, Serialize};

use crate::lexicon::{lexicon, Relation};
use crate::record::{Field, NameFeat, Prepared};

/// The comparisons the model can make. Which are active depends on the
/// columns present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Comp {
    GivenName,
    Surname,
    DateOfBirth,
    Sex,
    BirthPlace,
    Parents,
    SocSecId,
    StreetNumber,
    Postcode,
    Address1,
    Suburb,
    State,
}

/// Level value for "one side missing": contributes weight 0.
pub const NULL: u8 = 255;
pub const MAXC: usize = 12;
pub type Gamma = [u8; MAXC];

impl Comp {
    pub fn label(self) -> &'static str {
        match self {
            Comp::GivenName => "given name",
            Comp::Surname => "surname",
            Comp::DateOfBirth => "birth",
            Comp::Sex => "sex",
            Comp::BirthPlace => "birth place",
            Comp::Parents => "parent names",
            Comp::SocSecId => "soc_sec_id",
            Comp::StreetNumber => "street number",
            Comp::Postcode => "postcode",
            Comp::Address1 => "address",
            Comp::Suburb => "suburb",
            Comp::State => "state",
        }
    }

    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Comp::GivenName => &[
                "same",
                "same name in the lexicon",
                "JW>=0.92",
                "JW>=0.88",
                "JW>=0.70",
                "different",
            ],
            Comp::Surname => &[
                "same",
                "same up to the sex form",
                "JW>=0.92",
                "JW>=0.88",
                "JW>=0.70",
                "different",
            ],
            Comp::DateOfBirth => &[
                "exact",
                "one digit off or day/month swapped",
                "year and month match, day unknown",
                "year matches, month unknown",
                "within a year or within the age estimate",
                "different",
            ],
            Comp::Sex => &["same", "different"],
            Comp::BirthPlace | Comp::Parents => &["same", "similar", "different"],
            Comp::SocSecId | Comp::Postcode => &["exact", "one edit", "two edits", "different"],
            Comp::StreetNumber | Comp::State => &["exact", "different"],
            Comp::Address1 | Comp::Suburb => &["exact", "JW>=0.90", "different"],
        }
    }

    /// The fields a comparison needs; it is active when any is mapped.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Comp::GivenName => &[Field::GivenName],
            Comp::Surname => &[Field::Surname],
            Comp::DateOfBirth => &[Field::DateOfBirth, Field::Age],
            Comp::Sex => &[Field::Sex],
            Comp::BirthPlace => &[Field::BirthPlace],
            Comp::Parents => &[Field::MotherName, Field::FatherName, Field::Patronymic],
            Comp::SocSecId => &[Field::SocSecId],
            Comp::StreetNumber => &[Field::StreetNumber],
            Comp::Postcode => &[Field::Postcode],
            Comp::Address1 => &[Field::Address1],
            Comp::Suburb => &[Field::Suburb],
            Comp::State => &[Field::State],
        }
    }

    pub const ALL: [Comp; MAXC] = [
        Comp::GivenName,
        Comp::Surname,
        Comp::DateOfBirth,
        Comp::Sex,
        Comp::BirthPlace,
        Comp::Parents,
        Comp::SocSecId,
        Comp::StreetNumber,
        Comp::Postcode,
        Comp::Address1,
        Comp::Suburb,
        Comp::State,
    ];

    /// Comparisons whose fields are mapped.
    pub fn active(fields: &[Field]) -> Vec<Comp> {
        Comp::ALL
            .iter()
            .copied()
            .filter(|c| c.fields().iter().any(|f| fields.contains(f)))
            .collect()
    }

    /// Comparisons whose exact level gets a term-frequency adjustment.
    pub fn has_tf(self) -> bool {
        matches!(
            self,
            Comp::GivenName | Comp::Surname | Comp::StreetNumber | Comp::Postcode
        )
    }
}

fn shared_group(a: &NameFeat, b: &NameFeat) -> Option<(u32, Relation, Relation)> {
    let mut best: Option<(u32, Relation, Relation)> = None;
    for &(ga, ra) in &a.groups {
        for &(gb, rb) in &b.groups {
            if ga == gb && best.is_none_or(|(_, x, y)| ra.max(rb) < x.max(y)) {
                best = Some((ga, ra, rb));
            }
        }
    }
    best
}

fn jw_level(s: f64, base: u8) -> u8 {
    if s >= 0.92 {
        base
    } else if s >= 0.88 {
        base + 1
    } else if s >= 0.70 {
        base + 2
    } else {
        base + 3
    }
}

fn given_level(a: &NameFeat, b: &NameFeat) -> u8 {
    if a.skel == b.skel {
        0
    } else if shared_group(a, b).is_some() {
        1
    } else {
        jw_level(jw_skel(&a.skel, &b.skel, 0.70), 2)
    }
}

/// Jaro–Winkler, or 0 when the lengths alone rule out reaching `t` (only
/// the level matters below the lowest threshold; this runs on every pair).
fn jw_above(a: &str, b: &str, t: f64) -> f64 {
    if jaro_winkler_bound(a, b) < t {
        0.0
    } else {
        jaro_winkler(a, b)
    }
}

/// `jw_above` for skeletons, which are ASCII by construction.
fn jw_skel(a: &str, b: &str, t: f64) -> f64 {
    if jaro_winkler_bound(a, b) < t {
        0.0
    } else {
        jaro_winkler_ascii(a.as_bytes(), b.as_bytes())
    }
}

fn surname_level(a: &NameFeat, b: &NameFeat) -> u8 {
    if a.skel == b.skel {
        0
    } else if a.stem == b.stem {
        1
    } else {
        jw_level(jw_skel(&a.skel, &b.skel, 0.70), 2)
    }
}

fn opt_level<T>(a: &Option<T>, b: &Option<T>, f: impl Fn(&T, &T) -> u8) -> u8 {
    match (a, b) {
        (Some(x), Some(y)) => f(x, y),
        _ => NULL,
    }
}

fn dob_level(a: &Prepared, b: &Prepared) -> u8 {
    if let (Some(x), Some(y)) = (a.dob, b.dob) {
        let (dx, dy) = (&a.dob_digits, &b.dob_digits);
        let full = dx.len() == 8 && dy.len() == 8;
        if full && dx == dy {
            return 0;
        }
        if full {
            let swapped = x.year == y.year && x.month == y.day && x.day == y.month;
            if swapped || osa_capped(dx, dy, 1) <= 1 {
                return 1;
            }
        }
        if x.year == y.year {
            if x.month.is_some() && x.month == y.month {
                return 2;
            }
            if x.month.is_none() || y.month.is_none() {
                return 3;
            }
            return 4;
        }
        return if (x.year - y.year).abs() <= 1 { 4 } else { 5 };
    }
    match (a.years, b.years) {
        (Some((alo, ahi)), Some((blo, bhi))) => {
            if alo <= bhi + 1 && blo <= ahi + 1 {
                4
            } else {
                5
            }
        }
        _ => NULL,
    }
}

fn generic_level(c: Comp, a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        return NULL;
    }
    match c {
        Comp::SocSecId | Comp::Postcode => {
            if a == b {
                0
            } else {
                // Optimal string alignment: Damerau-Levenshtein where no
                // substring is edited twice, which is all a typo needs.
                match osa_capped(a, b, 2) {
                    1 => 1,
                    2 => 2,
                    _ => 3,
                }
            }
        }
        Comp::StreetNumber | Comp::State => u8::from(a != b),
        _ => {
            if a == b {
                0
            } else if jw_above(a, b, 0.9) >= 0.9 {
                1
            } else {
                2
            }
        }
    }
}

fn generic_index(c: Comp) -> usize {
    match c {
        Comp::StreetNumber => 0,
        Comp::Address1 => 1,
        Comp::Suburb => 2,
        Comp::Postcode => 3,
        Comp::State => 4,
        _ => 5,
    }
}

fn parents_level(a: &Prepared, b: &Prepared) -> u8 {
    if a.parents.is_empty() || b.parents.is_empty() {
        return NULL;
    }
    let mut best = 2;
    for x in &a.parents {
        for y in &b.parents {
            let l = given_level(x, y);
            let l = if l <= 1 {
                0
            } else if l <= 3 {
                1
            } else {
                2
            };
            best = best.min(l);
        }
    }
    best
}

/// The comparison vector of a pair, and whether given name and surname were
/// compared crosswise because they look swapped.
pub fn compare(comps: &[Comp], a: &Prepared, b: &Prepared) -> (Gamma, bool) {
    let mut g = [NULL; MAXC];
    let (mut swapped, mut gl, mut sl) = (false, NULL, NULL);
    let has_g = comps.contains(&Comp::GivenName);
    let has_s = comps.contains(&Comp::Surname);
    if has_g {
        gl = opt_level(&a.given, &b.given, |x, y| given_level(x, y));
    }
    if has_s {
        sl = opt_level(&a.surname, &b.surname, |x, y| surname_level(x, y));
    }
    // Crosswise comparison only when one crosswise name agrees outright: a
    // swap supported by fuzzy similarity alone is no evidence, and this runs
    // on every pair.
    if has_g && has_s && gl >= 2 && sl >= 2 {
        if let Some(((ga, gb), (sa, sb))) = crosswise(a, b) {
            let agrees = ga.skel == gb.skel
                || sa.skel == sb.skel
                || sa.stem == sb.stem
                || shared_group(ga, gb).is_some();
            if agrees {
                let (gx, sx) = (given_level(ga, gb), surname_level(sa, sb));
                if gx + sx + 2 <= gl.min(6) + sl.min(6) {
                    swapped = true;
                    gl = gx;
                    sl = sx;
                }
            }
        }
    }
    for (i, c) in comps.iter().enumerate() {
        g[i] = match c {
            Comp::GivenName => gl,
            Comp::Surname => sl,
            Comp::DateOfBirth => dob_level(a, b),
            Comp::Sex => opt_level(&a.sex, &b.sex, |x, y| u8::from(x != y)),
            Comp::BirthPlace => opt_level(&a.place, &b.place, |x, y| {
                if x.0 == y.0 || (x.1.is_some() && x.1 == y.1) {
                    0
                } else if jaro_winkler(&x.0, &y.0) >= 0.88 {
                    1
                } else {
                    2
                }
            }),
            Comp::Parents => parents_level(a, b),
            c => {
                let k = generic_index(*c);
                generic_level(*c, &a.generic[k], &b.generic[k])
            }
        };
    }
    (g, swapped)
}

/// Term frequencies of values, for the exact-match adjustment. Kept
/// incrementally as records are added. Looked up by `&str` without
/// allocating: this runs for every candidate of every query.
#[derive(Debug, Default, Clone)]
pub struct TermFreq {
    /// Counts per value of the comparisons in `TF_COMPS`.
    values: [HashMap<Box<str>, u32>; 4],
    totals: [u64; 4],
    /// Counts of lexicon groups (given names) and sex-neutral surname stems.
    groups: HashMap<u32, u32>,
    stems: HashMap<Box<str>, u32>,
}

const TF_COMPS: [Comp; 4] = [
    Comp::GivenName,
    Comp::Surname,
    Comp::StreetNumber,
    Comp::Postcode,
];

fn tf_slot(c: Comp) -> Option<usize> {
    TF_COMPS.iter().position(|x| *x == c)
}

fn bump<K: std::hash::Hash + Eq + ?Sized>(map: &mut HashMap<Box<K>, u32>, k: &K)
where
    Box<K>: for<'a> From<&'a K> + std::borrow::Borrow<K>,
{
    match map.get_mut(k) {
        Some(n) => *n += 1,
        None => {
            map.insert(Box::from(k), 1);
        }
    }
}

impl TermFreq {
    pub fn value(c: Comp, p: &Prepared) -> Option<&str> {
        let v = match c {
            Comp::GivenName => p.given.as_ref().map(|n| n.skel.as_str()),
            Comp::Surname => p.surname.as_ref().map(|n| n.skel.as_str()),
            Comp::StreetNumber | Comp::Postcode => Some(&p.generic[generic_index(c)]),
            _ => None,
        };
        v.filter(|s| !s.is_empty())
    }

    pub fn add(&mut self, p: &Prepared) {
        for (i, c) in TF_COMPS.iter().enumerate() {
            if let Some(v) = Self::value(*c, p) {
                bump(&mut self.values[i], v);
                self.totals[i] += 1;
            }
        }
        // Frequencies of lexicon groups and sex-neutral surname stems, for
        // the "same name in the lexicon" and "same up to the sex form" levels.
        if let Some(g) = &p.given {
            for (id, _) in &g.groups {
                *self.groups.entry(*id).or_insert(0) += 1;
            }
        }
        if let Some(sn) = &p.surname {
            bump(&mut self.stems, sn.stem.as_str());
        }
    }

    /// Approximate heap bytes held (table slots and key strings).
    pub fn heap_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(Box<str>, u32)>() + 1;
        let strings = |m: &HashMap<Box<str>, u32>| {
            m.capacity() * slot + m.keys().map(|k| k.len()).sum::<usize>()
        };
        self.values.iter().map(strings).sum::<usize>()
            + strings(&self.stems)
            + self.groups.capacity() * 9
    }

    fn relative(&self, c: Comp, n: Option<u32>) -> Option<f64> {
        let total = self.totals[tf_slot(c)?];
        if total == 0 {
            return None;
        }
        Some(n.unwrap_or(0).max(1) as f64 / (total as f64).max(1.0))
    }

    /// Relative frequency of a value (at least one occurrence). `#g<id>`
    /// asks for a lexicon group's given names, `#s<stem>` for a surname stem.
    pub fn freq(&self, c: Comp, v: &str) -> Option<f64> {
        if c == Comp::GivenName {
            if let Some(id) = v.strip_prefix("#g").and_then(|x| x.parse().ok()) {
                return self.group_freq(id);
            }
        }
        if c == Comp::Surname {
            if let Some(stem) = v.strip_prefix("#s") {
                return self.stem_freq(stem);
            }
        }
        let n = self.values[tf_slot(c)?].get(v).copied();
        self.relative(c, n)
    }

    /// Relative frequency of a lexicon group among given names.
    pub fn group_freq(&self, id: u32) -> Option<f64> {
        self.relative(Comp::GivenName, self.groups.get(&id).copied())
    }

    /// Relative frequency of a sex-neutral surname stem among surnames.
    pub fn stem_freq(&self, stem: &str) -> Option<f64> {
        self.relative(Comp::Surname, self.stems.get(stem).copied())
    }
}

/// A trained Fellegi–Sunter model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub comps: Vec<Comp>,
    /// m[c][level]: P(level | match), estimated by EM.
    pub m: Vec<Vec<f64>>,
    /// u[c][level]: P(level | non-match), from random pairs.
    pub u: Vec<Vec<f64>>,
    /// Prior probability that two random records match.
    pub lambda: f64,
    pub em_iterations: usize,
    pub u_pairs: usize,
    pub em_pairs: usize,
}

const CLAMP: f64 = 1e-6;
const M_FLOOR: f64 = 1e-3;

/// Starting m values: most matches agree; EM moves them.
fn initial_m(c: Comp) -> Vec<f64> {
    let n = c.levels().len();
    let mut v: Vec<f64> = (0..n).map(|i| 0.7 * 0.3f64.powi(i as i32)).collect();
    let s: f64 = v.iter().sum();
    v.iter_mut().for_each(|x| *x /= s);
    v
}

fn normalise(counts: &[f64]) -> Vec<f64> {
    let s: f64 = counts.iter().sum();
    counts
        .iter()
        .map(|x| ((x + 1e-3) / (s + 1e-3 * counts.len() as f64)).max(CLAMP))
        .collect()
}

impl Model {
    /// u from the comparison vectors of random pairs (Laplace-smoothed so an
    /// unseen level does not become an infinite weight).
    pub fn estimate_u(comps: &[Comp], random: &[Gamma]) -> Vec<Vec<f64>> {
        comps
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut counts = vec![0.0; c.levels().len()];
                for g in random {
                    if let Some(x) = counts.get_mut(g[i] as usize) {
                        *x += 1.0;
                    }
                }
                let s: f64 = counts.iter().sum();
                counts
                    .iter()
                    .map(|x| ((x + 0.5) / (s + 0.5 * counts.len() as f64)).max(CLAMP))
                    .collect()
            })
            .collect()
    }

    /// Train: u from `random` pairs; m by EM in sessions, as Splink does.
    /// Each session holds pairs that agree exactly on some fields (the full
    /// date of birth; given name and surname together; postcode;
    /// soc_sec_id), drawn from the whole data and not from the prediction
    /// blocking, and runs EM on the other fields with u fixed, so the fields
    /// that selected the pairs cannot pass for evidence. A field's m is the
    /// mean over the sessions it was free in. (Sessions on one name alone,
    /// or one EM over all blocked candidates, let coincidences such as
    /// namesakes outnumber the true matches and become the latent class.)
    /// The prior comes from the share of matches among the prediction
    /// candidates, at most `max_matches`, scaled to `total_pairs`.
    pub fn train(
        comps: &[Comp],
        random: &[Gamma],
        sessions: &[(Vec<Comp>, Vec<Gamma>)],
        candidates: &[Gamma],
        total_pairs: f64,
        max_matches: f64,
        iterations: usize,
    ) -> Model {
        let u = Self::estimate_u(comps, random);
        let mut sums: Vec<Vec<f64>> = comps.iter().map(|c| vec![0.0; c.levels().len()]).collect();
        let mut runs = vec![0usize; comps.len()];
        let mut iters = 0;
        let mut em_pairs = 0;
        for (fixed, gammas) in sessions {
            let skip: Vec<bool> = comps.iter().map(|c| fixed.contains(c)).collect();
            let mut patterns: BTreeMap<Gamma, f64> = BTreeMap::new();
            for g in gammas {
                *patterns.entry(*g).or_insert(0.0) += 1.0;
            }
            if gammas.len() < 30 {
                continue;
            }
            em_pairs += gammas.len();
            let (m, it) = em_session(comps, &u, &patterns, &skip, iterations);
            iters += it;
            for (i, mi) in m.iter().enumerate() {
                if !skip[i] {
                    sums[i].iter_mut().zip(mi).for_each(|(s, x)| *s += x);
                    runs[i] += 1;
                }
            }
        }
        let m: Vec<Vec<f64>> = comps
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if runs[i] == 0 {
                    initial_m(*c)
                } else {
                    // No level is impossible for a true match (clerks err in
                    // ways a training set may not show), so m is floored.
                    let v: Vec<f64> = sums[i]
                        .iter()
                        .map(|x| (x / runs[i] as f64).max(M_FLOOR))
                        .collect();
                    let t: f64 = v.iter().sum();
                    v.iter().map(|x| x / t).collect()
                }
            })
            .collect();
        // Share of matches among all candidates, with m and u now fixed.
        let mut lam = 0.1f64;
        for _ in 0..50 {
            let mut sp = 0.0;
            for g in candidates {
                let (mut lm, mut lu) = (lam.ln(), (1.0 - lam).ln());
                for (i, &l) in g.iter().enumerate().take(comps.len()) {
                    if l != NULL {
                        lm += m[i][l as usize].ln();
                        lu += u[i][l as usize].ln();
                    }
                }
                sp += 1.0 / (1.0 + (lu - lm).exp());
            }
            let next = (sp / candidates.len().max(1) as f64).clamp(1e-9, 1.0 - 1e-9);
            let done = (next - lam).abs() < 1e-7;
            lam = next;
            if done {
                break;
            }
        }
        // Each record of the smaller list matches at most once in a link.
        let matches = (lam * candidates.len() as f64).min(max_matches.max(1.0));
        let lambda = (matches / total_pairs.max(1.0)).clamp(1e-12, 0.5);
        Model {
            comps: comps.to_vec(),
            m,
            u,
            lambda,
            em_iterations: iters,
            u_pairs: random.len(),
            em_pairs,
        }
    }

    pub fn level_weight(&self, i: usize, level: u8) -> f64 {
        if level == NULL {
            return 0.0;
        }
        let l = level as usize;
        match (
            self.m.get(i).and_then(|v| v.get(l)),
            self.u.get(i).and_then(|v| v.get(l)),
        ) {
            (Some(m), Some(u)) => (m / u).log2(),
            _ => 0.0,
        }
    }

    /// Term-frequency adjustment: rarer values are stronger evidence. For an
    /// exact agreement it is log2(u_exact / tf(value)) as in Splink; for
    /// "same name in the lexicon" and "same surname up to the sex form" the
    /// frequency of the name group or stem replaces the value's, against the
    /// u of agreeing at either level. Clamped to ±5 bits so one rare
    /// spelling cannot outweigh every other field.
    pub fn tf_adjust(&self, i: usize, level: u8, a: &Prepared, b: &Prepared, tf: &TermFreq) -> f64 {
        let Some(&c) = self.comps.get(i) else {
            return 0.0;
        };
        if !c.has_tf() {
            return 0.0;
        }
        let u = |k: usize| self.u.get(i).and_then(|x| x.get(k)).copied().unwrap_or(0.0);
        let adj = |u: f64, f: Option<f64>| match f {
            Some(f) if u > 0.0 => (u / f).log2().clamp(-5.0, 5.0),
            _ => 0.0,
        };
        match (level, c) {
            (0, _) => match TermFreq::value(c, a) {
                Some(v) => adj(u(0), tf.freq(c, v)),
                None => 0.0,
            },
            (1, Comp::GivenName) => match (&a.given, &b.given) {
                (Some(x), Some(y)) => match shared_group(x, y) {
                    Some((id, _, _)) => adj(u(0) + u(1), tf.group_freq(id)),
                    None => 0.0,
                },
                _ => 0.0,
            },
            (1, Comp::Surname) => match &a.surname {
                Some(x) => adj(u(0) + u(1), tf.stem_freq(&x.stem)),
                None => 0.0,
            },
            _ => 0.0,
        }
    }

    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// Total match weight of a pair (prior included).
    pub fn weight(&self, g: &Gamma, a: &Prepared, b: &Prepared, tf: Option<&TermFreq>) -> f64 {
        let mut w = self.prior_weight();
        for (i, &level) in g.iter().enumerate().take(self.comps.len()) {
            w += self.level_weight(i, level);
            if let Some(tf) = tf {
                w += self.tf_adjust(i, level, a, b, tf);
            }
        }
        w
    }

    /// Per-field reasons with their weights.
    pub fn explain(&self, a: &Prepared, b: &Prepared, tf: Option<&TermFreq>) -> Explanation {
        let (g, swapped) = compare(&self.comps, a, b);
        let mut fields = Vec::new();
        for (i, c) in self.comps.iter().enumerate() {
            if g[i] == NULL {
                continue;
            }
            let w = self.level_weight(i, g[i])
                + tf.map(|t| self.tf_adjust(i, g[i], a, b, t)).unwrap_or(0.0);
            fields.push(FieldReason {
                field: c.label(),
                level: c.levels().get(g[i] as usize).copied().unwrap_or("?"),
                detail: describe(*c, g[i], a, b, swapped),
                weight: w,
            });
        }
        let weight = self.prior_weight() + fields.iter().map(|f| f.weight).sum::<f64>();
        Explanation {
            weight,
            probability: probability(weight),
            swapped,
            fields,
        }
    }
}

/// One EM session: u fixed, the `skip` comparisons left out of the likelihood.
fn em_session(
    comps: &[Comp],
    u: &[Vec<f64>],
    patterns: &BTreeMap<Gamma, f64>,
    skip: &[bool],
    iterations: usize,
) -> (Vec<Vec<f64>>, usize) {
    let mut m: Vec<Vec<f64>> = comps.iter().map(|c| initial_m(*c)).collect();
    let mut lam = 0.1f64;
    let mut iters = 0;
    for _ in 0..iterations {
        iters += 1;
        let mut mc: Vec<Vec<f64>> = comps.iter().map(|c| vec![0.0; c.levels().len()]).collect();
        let (mut sp, mut n) = (0.0, 0.0);
        for (g, &cnt) in patterns {
            let (mut lm, mut lu) = (lam.ln(), (1.0 - lam).ln());
            for (i, &l) in g.iter().enumerate().take(comps.len()) {
                if !skip[i] && l != NULL {
                    lm += m[i][l as usize].ln();
                    lu += u[i][l as usize].ln();
                }
            }
            let p = 1.0 / (1.0 + (lu - lm).exp());
            sp += p * cnt;
            n += cnt;
            for (i, &l) in g.iter().enumerate().take(comps.len()) {
                if l != NULL {
                    mc[i][l as usize] += p * cnt;
                }
            }
        }
        let new_m: Vec<Vec<f64>> = mc.iter().map(|c| normalise(c)).collect();
        let delta: f64 = new_m
            .iter()
            .zip(&m)
            .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
            .fold(0.0, f64::max);
        m = new_m;
        lam = (sp / n.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        if delta < 1e-5 {
            break;
        }
    }
    (m, iters)
}

pub fn probability(weight: f64) -> f64 {
    let b = weight.exp2();
    if b.is_infinite() {
        1.0
    } else {
        b / (1.0 + b)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldReason {
    pub field: &'static str,
    pub level: &'static str,
    pub detail: String,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub weight: f64,
    pub probability: f64,
    pub swapped: bool,
    pub fields: Vec<FieldReason>,
}

impl Explanation {
    /// "given name: Sashko is a diminutive of Oleksandr, +4.1; ..."
    pub fn text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.swapped {
            parts.push("given name and surname swapped".to_string());
        }
        for f in &self.fields {
            parts.push(format!("{}: {}, {:+.1}", f.field, f.detail, f.weight));
        }
        parts.join("; ")
    }
}

/// The crosswise name pairs ((given, given), (surname, surname)) when one
/// record has its given name and surname swapped. Which record is swapped is
/// decided by the lexicon: a given-name field holding no known given name
/// while the surname field holds one.
type NamePairs<'a> = ((&'a NameFeat, &'a NameFeat), (&'a NameFeat, &'a NameFeat));

fn crosswise<'a>(a: &'a Prepared, b: &'a Prepared) -> Option<NamePairs<'a>> {
    let (ag, asn, bg, bs) = (
        a.given.as_ref()?,
        a.surname.as_ref()?,
        b.given.as_ref()?,
        b.surname.as_ref()?,
    );
    let a_swapped = ag.groups.is_empty() && !asn.groups.is_empty();
    if a_swapped {
        Some(((asn, bg), (ag, bs)))
    } else {
        Some(((ag, bs), (asn, bg)))
    }
}

fn name_pair<'a>(
    a: &'a Prepared,
    b: &'a Prepared,
    c: Comp,
    swapped: bool,
) -> Option<(&'a NameFeat, &'a NameFeat)> {
    if swapped {
        let (g, s) = crosswise(a, b)?;
        return Some(if c == Comp::GivenName { g } else { s });
    }
    let (x, y) = match c {
        Comp::GivenName => (&a.given, &b.given),
        _ => (&a.surname, &b.surname),
    };
    Some((x.as_ref()?, y.as_ref()?))
}

fn describe(c: Comp, level: u8, a: &Prepared, b: &Prepared, swapped: bool) -> String {
    match c {
        Comp::GivenName | Comp::Surname => {
            let Some((x, y)) = name_pair(a, b, c, swapped) else {
                return String::new();
            };
            // Which record had the fields swapped is a guess (from the
            // lexicon), so the text shows the names compared, in a's order.
            let cross = if swapped { "crosswise, " } else { "" };
            let text = match level {
                0 if x.display == y.display => format!("same ({})", x.display),
                0 => format!(
                    "same name in another spelling ({} / {})",
                    x.display, y.display
                ),
                1 if c == Comp::GivenName => match shared_group(x, y) {
                    Some((id, ra, rb)) => lexicon().explain(id, ra, rb, &x.display, &y.display),
                    None => format!("{} / {}", x.display, y.display),
                },
                1 => format!(
                    "same surname in another sex form ({} / {})",
                    x.display, y.display
                ),
                2..=4 => format!(
                    "similar spelling ({} / {}, JW {:.2})",
                    x.display,
                    y.display,
                    jaro_winkler(&x.skel, &y.skel)
                ),
                _ => format!("different ({} / {})", x.display, y.display),
            };
            format!("{cross}{text}")
        }
        Comp::DateOfBirth => {
            let show = |p: &Prepared| match (p.dob, p.years) {
                (Some(d), _) => d.digits(),
                (None, Some((lo, hi))) => format!("born {lo}-{hi} by age estimate"),
                _ => String::new(),
            };
            format!(
                "{} ({} / {})",
                c.levels().get(level as usize).unwrap_or(&""),
                show(a),
                show(b)
            )
        }
        Comp::Parents => {
            let names = |p: &Prepared| {
                p.parents
                    .iter()
                    .map(|n| n.display.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "{} ({} / {})",
                c.levels().get(level as usize).unwrap_or(&""),
                names(a),
                names(b)
            )
        }
        _ => c.levels().get(level as usize).unwrap_or(&"").to_string(),
    }
}
