//! harbour-match: cross-script family tracing and duplicate detection.
//!
//! Pure library code (the `cli` module is the only part that touches files
//! and the terminal). See docs/match.md for the design and the benchmarks.

pub mod baseline;
pub mod cli;
pub mod eval;
pub mod index;
pub mod io;
pub mod lexicon;
pub mod model;
pub mod normalize;
pub mod record;
pub mod sim;
pub mod synth;
pub mod translit;
