//! k-anonymity of case-level records on chosen quasi-identifiers: every combination of their
//! values must be shared by at least k records, or nothing is released.

use std::collections::BTreeMap;

/// Why a release was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub k: u64,
    pub quasi_identifiers: Vec<String>,
    /// How many records sit in groups smaller than k, and in how many such groups.
    pub records_at_risk: u64,
    pub small_groups: u64,
    /// The smallest group's size.
    pub smallest: u64,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not k-anonymous: {} records fall in {} combinations of ({}) shared by fewer than k = {} records (the smallest by {}); choose fewer or coarser quasi-identifiers",
            self.records_at_risk,
            self.small_groups,
            self.quasi_identifiers.join(", "),
            self.k,
            self.smallest
        )
    }
}

/// Check records (each a map from field to value) for k-anonymity on `quasi`.
pub fn check(
    records: &[BTreeMap<String, String>],
    quasi: &[String],
    k: u64,
) -> Result<(), Refusal> {
    let mut groups: BTreeMap<Vec<&str>, u64> = BTreeMap::new();
    for r in records {
        let key = quasi
            .iter()
            .map(|q| r.get(q).map_or("", String::as_str))
            .collect();
        *groups.entry(key).or_default() += 1;
    }
    let small: Vec<u64> = groups.values().copied().filter(|n| *n < k).collect();
    if small.is_empty() {
        return Ok(());
    }
    Err(Refusal {
        k,
        quasi_identifiers: quasi.to_vec(),
        records_at_risk: small.iter().sum(),
        small_groups: small.len() as u64,
        smallest: small.iter().copied().min().unwrap_or(0),
    })
}
