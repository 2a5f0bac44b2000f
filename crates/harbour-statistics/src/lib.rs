//! Statistics a national coordinator can publish (statistics.md).
//!
//! Pure parts, no I/O, no clock:
//! - [`record`]: the non-identifying statistical record of one case, derived from its journal
//!   (what the stores keep in `case_statistics`, so figures survive erasure of the case key);
//! - [`disclosure`]: threshold k, rounding down to the resolution, primary and secondary
//!   suppression over every row, column and period total of a table; structural zeros published
//!   as not applicable; tables published together controlled together against an attacker who
//!   combines them (interval propagation);
//! - [`support`]: rights access, compensation, cooperation and service facts of one case;
//! - [`ctdc_aggregates`]: CTDC reportable aggregates (counts of short attribute combinations,
//!   rounded to the resolution, none below k);
//! - [`timeliness`]: median, 90th percentile and share within target from a histogram of days.

pub mod ctdc_aggregates;
pub mod disclosure;
pub mod kanon;
pub mod record;
pub mod support;
pub mod timeliness;

pub use disclosure::{control, Control, Dimension, PublishedCell, PublishedTable, TOTAL};
pub use record::{age_group_at, ctdc_age_band, quarter_of, AgeGroup, CaseStatistics};
pub use timeliness::{summarise, summarise_on_time, TimelinessSummary};
