//! Presumption of minority (Convention Art. 10(3); Directive Art. 13(2)): when age is uncertain
//! and the person may be under 18, they are treated as a child until an age assessment decides.

use crate::person::Birth;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Minority {
    Child,
    Adult,
    PresumedChild,
}

impl Minority {
    /// Every child safeguard applies to a child and to a presumed child alike.
    pub fn is_child_or_presumed(&self) -> bool {
        !matches!(self, Minority::Adult)
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Minority::Child => "child",
            Minority::Adult => "adult",
            Minority::PresumedChild => "presumed_child",
        }
    }
}

impl std::str::FromStr for Minority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "child" => Ok(Minority::Child),
            "adult" => Ok(Minority::Adult),
            "presumed_child" => Ok(Minority::PresumedChild),
            o => Err(format!(
                "unknown minority `{o}`; expected child, adult or presumed_child"
            )),
        }
    }
}

/// The age of majority. The Convention and the CRC fix it at 18.
pub const ADULTHOOD: i32 = 18;

/// Minority on `today`, from what is known of the birth and the latest age-assessment result
/// (`Some(true)` = assessed as a child, `Some(false)` = assessed as an adult).
pub fn minority_at(birth: &Birth, assessed_child: Option<bool>, today: Date) -> Minority {
    let (youngest, oldest) = birth.age_bounds(today);
    if youngest >= ADULTHOOD {
        return Minority::Adult;
    }
    match assessed_child {
        Some(false) => Minority::Adult,
        Some(true) => Minority::Child,
        None if oldest < ADULTHOOD => Minority::Child,
        None => Minority::PresumedChild,
    }
}
