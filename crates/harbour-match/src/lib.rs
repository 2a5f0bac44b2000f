//! harbour-match: cross-script family tracing and duplicate detection.
//!
//! Pure library code (the `cli` module is the only part that touches files
//! and the terminal). See docs/match.md for the design and the benchmarks.

pub mod cli;
pub mod lexicon;
pub mod normalize;
pub mod translit;
