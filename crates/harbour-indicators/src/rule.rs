//! The ILO/EC decision rule, independent of any list: strengths in, verdicts out.

use serde::{Deserialize, Serialize};

use crate::model::{DimensionId, Population, Strength};

/// How many observed indicators of each strength fall in one dimension.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StrengthCounts {
    pub strong: u32,
    pub medium: u32,
    pub weak: u32,
}

impl StrengthCounts {
    pub fn add(&mut self, strength: Strength) {
        match strength {
            Strength::Strong => self.strong += 1,
            Strength::Medium => self.medium += 1,
            Strength::Weak => self.weak += 1,
        }
    }

    pub fn from_strengths(strengths: impl IntoIterator<Item = Strength>) -> StrengthCounts {
        let mut c = StrengthCounts::default();
        for s in strengths {
            c.add(s);
        }
        c
    }

    /// A dimension is positive when its observations include two strong; or one strong and at
    /// least one medium or weak; or three medium; or two medium and one weak.
    pub fn is_positive(&self) -> bool {
        let StrengthCounts {
            strong: s,
            medium: m,
            weak: w,
        } = *self;
        s >= 2 || (s >= 1 && m + w >= 1) || m >= 3 || (m >= 2 && w >= 1)
    }
}

/// Whether each of the six dimensions is positive, indexed by [`DimensionId::index`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PositiveDimensions(pub [bool; 6]);

impl PositiveDimensions {
    pub fn is_positive(&self, d: DimensionId) -> bool {
        self.0[d.index()]
    }

    pub fn set(&mut self, d: DimensionId, positive: bool) {
        self.0[d.index()] = positive;
    }

    fn any(&self, pred: fn(DimensionId) -> bool) -> bool {
        DimensionId::ALL
            .into_iter()
            .any(|d| pred(d) && self.is_positive(d))
    }

    /// Adult: a recruitment dimension AND exploitation AND a means-at-destination dimension.
    /// Child: a recruitment dimension AND exploitation; the means element is not required for a
    /// child (Palermo Protocol Art. 3(c)), so coercion only adds weight.
    pub fn indicated(&self, population: Population) -> bool {
        let act = self.any(DimensionId::is_recruitment);
        let purpose = self.is_positive(DimensionId::Exploitation);
        match population {
            Population::Adult => act && purpose && self.any(DimensionId::is_destination_means),
            Population::Child => act && purpose,
        }
    }
}

/// Whether a dimension with these observed strengths is positive.
pub fn dimension_positive(strengths: impl IntoIterator<Item = Strength>) -> bool {
    StrengthCounts::from_strengths(strengths).is_positive()
}
