//! harbour-indicators: trafficking indicator lists and the reception-centre quick screen as
//! versioned data, and the ILO/EC indicator rule engine.
//!
//! Pure: no async, no clock; the only I/O is reading data files in [`Catalogue::load_dir`],
//! [`IndicatorList::load_file`] and [`QuickScreen::load_file`]. The shipped data is embedded, so
//! [`Catalogue::builtin`] and [`QuickScreen::builtin`] need no files on disk.
//!
//! ```
//! use harbour_indicators::{Catalogue, PersonMinority};
//! let catalogue = Catalogue::builtin().unwrap();
//! let result = catalogue
//!     .screen("adult_labour", &["rec_deceit_job_employer_location"], PersonMinority::Adult)
//!     .unwrap();
//! assert!(!result.indicated); // one strong indicator alone is not enough
//! ```
//!
//! A screening result is an indication for referral, never a decision: see [`INDICATION_NOTICE`].

mod error;
mod labels;
mod load;
mod model;
mod quick;
mod rule;
mod screen;

pub use error::{LoadError, LoadErrorKind, QuickScreenError, ScreeningError};
pub use labels::{Labels, Lang, StaticLabels};
pub use load::{Catalogue, InterviewPart};
pub use model::{
    Dimension, DimensionId, Indicator, IndicatorList, PersonMinority, Population, Strength,
};
pub use quick::{QuickScreen, QuickScreenItem, QuickScreenResult, Recommendation};
pub use rule::{dimension_positive, PositiveDimensions, StrengthCounts};
pub use screen::{
    evaluate, screen, DimensionResult, Evaluation, IndicationNotice, ScreeningResult,
    INDICATION_NOTICE,
};
