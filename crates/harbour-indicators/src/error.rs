//! Typed errors: loading data files, screening, and the quick screen.

use std::fmt;
use std::path::PathBuf;

use crate::labels::Lang;
use crate::model::{DimensionId, PersonMinority, Population};

/// A data file was rejected. Displays as `file:line: reason` (or `file: reason` when the problem
/// concerns the whole file), so an administrator can go straight to the offending entry.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    /// The file (or directory) as given to the loader; `builtin/<name>` for embedded data.
    pub file: PathBuf,
    /// 1-based line of the offending entry, when there is one.
    pub line: Option<usize>,
    #[source]
    pub kind: LoadErrorKind,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.kind),
            None => write!(f, "{}: {}", self.file.display(), self.kind),
        }
    }
}

/// Why a data file was rejected. `what` names the entry (`indicator \`x\``, `dimension #2`...).
#[derive(Debug, thiserror::Error)]
pub enum LoadErrorKind {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not valid TOML for this file: {0}")]
    Syntax(String),
    #[error("{what}: missing `{field}`")]
    MissingField { what: String, field: &'static str },
    #[error("{what}: missing or blank `{}` label", lang.code())]
    MissingTranslation { what: String, lang: Lang },
    #[error(
        "{what}: unknown dimension `{value}`; expected one of {}",
        dimension_names()
    )]
    UnknownDimension { what: String, value: String },
    #[error("{what}: strength `{value}` is not one of strong, medium, weak")]
    InvalidStrength { what: String, value: String },
    #[error("population `{value}` is not one of adult, child")]
    InvalidPopulation { value: String },
    #[error(
        "{what}: recommendation `{value}` is not one of full_screening, child_protection_referral"
    )]
    InvalidRecommendation { what: String, value: String },
    #[error("{what}: id `{id}` is not snake_case (lower-case letters, digits and single underscores, starting with a letter)")]
    InvalidId { what: String, id: String },
    #[error("version `{version}` is not MAJOR.MINOR.PATCH (for example 1.0.0)")]
    InvalidVersion { version: String },
    #[error("{what} `{id}` appears twice (first on line {first_line})")]
    DuplicateId {
        what: &'static str,
        id: String,
        first_line: usize,
    },
    #[error("dimension `{dimension}` is not declared; every list declares all six dimensions with labels")]
    MissingDimension { dimension: DimensionId },
    #[error("the list has no {what}")]
    Empty { what: &'static str },
    #[error("this list can never indicate trafficking: {reason}")]
    CannotIndicate { reason: String },
    #[error("{what}: a child-related item must recommend child_protection_referral (child protection never waits), and only a child-related item may")]
    ChildItemRecommendation { what: String },
    #[error("list `{id}` is also defined in {other}")]
    DuplicateList { id: String, other: PathBuf },
    #[error("list `{id}` differs from the shipped list but keeps its version {version}; bump the version so screenings record which content they used")]
    VersionNotChanged { id: String, version: String },
    #[error("lists `{a}` and `{b}` are both for population {population} and exploitation `{exploitation}`, so a list cannot be chosen automatically; to replace a list, reuse its id")]
    AmbiguousList {
        a: String,
        b: String,
        population: Population,
        exploitation: String,
    },
}

fn dimension_names() -> String {
    DimensionId::ALL
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A screening request that cannot be evaluated. Nothing should be stored when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScreeningError {
    #[error("unknown indicator list `{list}`")]
    UnknownList { list: String },
    #[error("indicator `{indicator}` is not in list `{list}`")]
    UnknownIndicator { list: String, indicator: String },
    #[error("indicator `{indicator}` is given more than once")]
    DuplicateIndicator { list: String, indicator: String },
    #[error("list `{list}` is for {population}s but the person is {minority}{}", use_instead.as_ref().map(|l| format!("; use `{l}`")).unwrap_or_default())]
    ListDoesNotFitMinority {
        list: String,
        population: Population,
        minority: PersonMinority,
        /// The list of the same exploitation kind that fits, when the catalogue has one.
        use_instead: Option<String>,
    },
    #[error("no indicator list for population {population} and exploitation `{exploitation}`")]
    NoListFor {
        population: Population,
        exploitation: String,
    },
    #[error("exploitation `{exploitation}` is screened twice in one interview")]
    DuplicateExploitation { exploitation: String },
}

impl ScreeningError {
    /// Stable machine code, e.g. for the `type` of an HTTP problem document.
    pub fn code(&self) -> &'static str {
        match self {
            ScreeningError::UnknownList { .. } => "unknown_list",
            ScreeningError::UnknownIndicator { .. } => "unknown_indicator",
            ScreeningError::DuplicateIndicator { .. } => "duplicate_indicator",
            ScreeningError::ListDoesNotFitMinority { .. } => "list_does_not_fit_minority",
            ScreeningError::NoListFor { .. } => "no_list_for",
            ScreeningError::DuplicateExploitation { .. } => "duplicate_exploitation",
        }
    }
}

/// A quick-screen request that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuickScreenError {
    #[error("quick-screen item `{item}` does not exist")]
    UnknownItem { item: String },
    #[error("quick-screen item `{item}` is given more than once")]
    DuplicateItem { item: String },
}

impl QuickScreenError {
    pub fn code(&self) -> &'static str {
        match self {
            QuickScreenError::UnknownItem { .. } => "unknown_quick_screen_item",
            QuickScreenError::DuplicateItem { .. } => "duplicate_quick_screen_item",
        }
    }
}
