//! The validated data model: indicator lists, their dimensions and indicators.
//!
//! An [`IndicatorList`] can only be obtained through the loader (`crate::load`), so every list
//! in hand has passed validation and carries an id index the rule engine relies on.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::labels::{Labels, StaticLabels};

/// The six dimensions of the ILO/EC operational indicators, one per element of the Palermo
/// Protocol definition. The set is fixed because the decision rule is written in terms of it;
/// lists (including national ones) choose indicators, not dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DimensionId {
    DeceptiveRecruitment,
    CoerciveRecruitment,
    RecruitmentAbuseOfVulnerability,
    Exploitation,
    CoercionAtDestination,
    AbuseOfVulnerabilityAtDestination,
}

impl DimensionId {
    /// In the reference's order (dimensions 1 to 6).
    pub const ALL: [DimensionId; 6] = [
        DimensionId::DeceptiveRecruitment,
        DimensionId::CoerciveRecruitment,
        DimensionId::RecruitmentAbuseOfVulnerability,
        DimensionId::Exploitation,
        DimensionId::CoercionAtDestination,
        DimensionId::AbuseOfVulnerabilityAtDestination,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DimensionId::DeceptiveRecruitment => "deceptive_recruitment",
            DimensionId::CoerciveRecruitment => "coercive_recruitment",
            DimensionId::RecruitmentAbuseOfVulnerability => "recruitment_abuse_of_vulnerability",
            DimensionId::Exploitation => "exploitation",
            DimensionId::CoercionAtDestination => "coercion_at_destination",
            DimensionId::AbuseOfVulnerabilityAtDestination => {
                "abuse_of_vulnerability_at_destination"
            }
        }
    }

    pub fn parse(s: &str) -> Option<DimensionId> {
        DimensionId::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Position in [`DimensionId::ALL`]; used to index per-dimension arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The recruitment ("act") dimensions: any one of them positive satisfies the first element.
    pub fn is_recruitment(self) -> bool {
        matches!(
            self,
            DimensionId::DeceptiveRecruitment
                | DimensionId::CoerciveRecruitment
                | DimensionId::RecruitmentAbuseOfVulnerability
        )
    }

    /// The "means at destination" dimensions, required for adults only.
    pub fn is_destination_means(self) -> bool {
        matches!(
            self,
            DimensionId::CoercionAtDestination | DimensionId::AbuseOfVulnerabilityAtDestination
        )
    }
}

impl fmt::Display for DimensionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How strongly an indicator points to trafficking within its dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    Strong,
    Medium,
    Weak,
}

impl Strength {
    pub const ALL: [Strength; 3] = [Strength::Strong, Strength::Medium, Strength::Weak];

    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Medium => "medium",
            Strength::Weak => "weak",
        }
    }

    pub fn parse(s: &str) -> Option<Strength> {
        Strength::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> StaticLabels {
        match self {
            Strength::Strong => StaticLabels {
                en: "strong",
                uk: "сильний",
                ru: "сильный",
            },
            Strength::Medium => StaticLabels {
                en: "medium",
                uk: "середній",
                ru: "средний",
            },
            Strength::Weak => StaticLabels {
                en: "weak",
                uk: "слабкий",
                ru: "слабый",
            },
        }
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whom a list is written for. Adults and children have different lists and different rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    Adult,
    Child,
}

impl Population {
    pub fn as_str(self) -> &'static str {
        match self {
            Population::Adult => "adult",
            Population::Child => "child",
        }
    }

    pub fn parse(s: &str) -> Option<Population> {
        match s {
            "adult" => Some(Population::Adult),
            "child" => Some(Population::Child),
            _ => None,
        }
    }
}

impl fmt::Display for Population {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The person's minority as the caller knows it. A presumed child (age uncertain, reasons to
/// believe a child) is screened exactly as a child: Convention Art. 10(3), Directive Art. 13(2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonMinority {
    Adult,
    Child,
    PresumedChild,
}

impl PersonMinority {
    /// The population whose lists and rule apply.
    pub fn population(self) -> Population {
        match self {
            PersonMinority::Adult => Population::Adult,
            PersonMinority::Child | PersonMinority::PresumedChild => Population::Child,
        }
    }

    pub fn is_child_or_presumed(self) -> bool {
        self.population() == Population::Child
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PersonMinority::Adult => "adult",
            PersonMinority::Child => "child",
            PersonMinority::PresumedChild => "presumed_child",
        }
    }
}

impl fmt::Display for PersonMinority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word-at-a-time multiplicative hash (the FxHash construction) for the id index. SipHash's
/// DoS resistance buys nothing here: the map is built once from administrator data, and request
/// input only looks keys up, which cannot lengthen the probe chains.
#[derive(Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The table picks buckets by the low bits and tags by the top 7: fold high into low.
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(SEED) ^ (h >> 32)
    }
}

pub(crate) type IdIndex = HashMap<String, usize, BuildHasherDefault<IdHasher>>;

/// A dimension as a list presents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dimension {
    pub id: DimensionId,
    pub label: Labels,
}

/// One indicator of one list. Its id is unique within the list, so (list, id) names a
/// (list, dimension, indicator) entry: the same text in two dimensions has two ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub id: String,
    pub dimension: DimensionId,
    pub strength: Strength,
    pub label: Labels,
    /// The reference does not state this entry's strength (or wording); check it against the
    /// published list and correct the data file.
    pub to_verify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A validated, versioned indicator list. Serialises to the JSON of `GET /api/v1/indicator-lists`
/// and to the TOML the loader reads.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorList {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) population: Population,
    pub(crate) exploitation: String,
    pub(crate) title: Labels,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<String>,
    /// Always the six dimensions, in [`DimensionId::ALL`] order.
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) indicators: Vec<Indicator>,
    /// Indicator id → position in `indicators`.
    #[serde(skip)]
    pub(crate) index: IdIndex,
}

/// Equality is on the data only; the index is derived from it.
impl PartialEq for IndicatorList {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.version == other.version
            && self.population == other.population
            && self.exploitation == other.exploitation
            && self.title == other.title
            && self.source == other.source
            && self.dimensions == other.dimensions
            && self.indicators == other.indicators
    }
}

impl Eq for IndicatorList {}

impl IndicatorList {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `MAJOR.MINOR.PATCH`; recorded with every screening.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn population(&self) -> Population {
        self.population
    }

    /// Form of exploitation the list screens for (`labour`, `sexual`, or a national addition such
    /// as `forced_criminality`).
    pub fn exploitation(&self) -> &str {
        &self.exploitation
    }

    pub fn title(&self) -> &Labels {
        &self.title
    }

    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    pub fn dimension(&self, id: DimensionId) -> &Dimension {
        // Validation guarantees all six, stored in canonical order.
        &self.dimensions[id.index()]
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.index.get(id).map(|&i| &self.indicators[i])
    }

    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}
