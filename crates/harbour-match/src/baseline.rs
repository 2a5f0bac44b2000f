//! A Primero-like baseline for the UA-trace benchmark: a Solr-style query
//! with field boosts (name x15 weighted by idf, sex x10, age x10) and Double
//! Metaphone codes on Latin-script name tokens only, as tracing.md describes.
//! It exists to be measured against, not to be used.

use std::collections::HashMap;

use rphonetic::DoubleMetaphone;

use crate::record::{Field, Prepared, Record};

struct Doc {
    sex: Option<char>,
    years: Option<(i32, i32)>,
}

pub struct Primero {
    docs: Vec<Doc>,
    postings: HashMap<String, Vec<u32>>,
    dm: DoubleMetaphone,
}

fn tokens(dm: &DoubleMetaphone, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    for f in [Field::GivenName, Field::Surname] {
        for t in r
            .get(f)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
        {
            let l = t.to_lowercase();
            if l.is_ascii() {
                let res = dm.double_metaphone(&l);
                out.push(format!("dm:{}", res.primary()));
                out.push(format!("dm:{}", res.alternate()));
            }
            out.push(l);
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Primero {
    pub fn new(records: &[Record], prepared: &[Prepared]) -> Self {
        let dm = DoubleMetaphone::default();
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        let mut docs = Vec::with_capacity(records.len());
        for (i, (r, p)) in records.iter().zip(prepared).enumerate() {
            for t in tokens(&dm, r) {
                postings.entry(t).or_default().push(i as u32);
            }
            docs.push(Doc {
                sex: p.sex,
                years: p.years,
            });
        }
        Primero { docs, postings, dm }
    }

    /// Top-k document indexes and the number of documents with a name hit.
    pub fn query(&self, r: &Record, p: &Prepared, k: usize) -> (Vec<u32>, usize) {
        let n = self.docs.len().max(1) as f64;
        let mut score: HashMap<u32, f64> = HashMap::new();
        for t in tokens(&self.dm, r) {
            if let Some(post) = self.postings.get(&t) {
                let idf = (n / post.len() as f64).ln() + 1.0;
                for &d in post {
                    *score.entry(d).or_insert(0.0) += 15.0 * idf;
                }
            }
        }
        let hits = score.len();
        let mut ranked: Vec<(f64, u32)> = score
            .into_iter()
            .map(|(d, s)| {
                let doc = &self.docs[d as usize];
                let mut s = s;
                if p.sex.is_some() && doc.sex == p.sex {
                    s += 10.0;
                }
                if let (Some((a, b)), Some((c, e))) = (p.years, doc.years) {
                    if a <= e + 1 && c <= b + 1 {
                        s += 10.0;
                    }
                }
                (s, d)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(k);
        (ranked.into_iter().map(|x| x.1).collect(), hits)
    }
}
