//! harbour-pdq: bit-exact PDQ perceptual hashing (Meta's algorithm), hash
//! banks with exact Hamming-distance search, and the `harbour pdq` CLI.
//!
//! * [`core`]: pixels to hash; no decoder, no platform-dependent float.
//! * [`decode`]: PNG/JPEG/WebP/GIF/BMP to pixels (optionally libjpeg-turbo).
//! * [`index`]: exact search (packed linear scan, multi-index hashing).
//! * [`bank`]: named, persisted banks with labels and tombstones.
//! * [`cli`]: the command-line interface as a library function.

pub mod bank;
#[cfg(feature = "cli")]
pub mod cli;
pub mod core;
mod dct_table;
#[cfg(feature = "decode")]
pub mod decode;
pub mod hash;
pub mod index;

pub use crate::core::{hash, hash_dihedral, Dihedral, Hasher, Layout, PdqHash, Pixels, PixelsRef};
pub use crate::hash::Hash256;

/// Images below this quality are refused for matching (Meta's guidance).
pub const MIN_MATCH_QUALITY: u8 = 50;
/// Default match threshold: a match is Hamming distance <= 31.
pub const DEFAULT_DISTANCE: u32 = 31;

/// Decode a file and hash it (reference pipeline).
#[cfg(feature = "decode")]
pub fn hash_file(path: &std::path::Path, opts: decode::DecodeOptions) -> Result<PdqHash, Error> {
    let px = decode::decode_file(path, opts)?;
    Ok(core::hash(px.as_ref())?)
}

/// Decode a file and compute its eight dihedral hashes.
#[cfg(feature = "decode")]
pub fn hash_file_dihedral(
    path: &std::path::Path,
    opts: decode::DecodeOptions,
) -> Result<Dihedral, Error> {
    let px = decode::decode_file(path, opts)?;
    Ok(core::hash_dihedral(px.as_ref())?)
}

/// Any error from decoding plus hashing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[cfg(feature = "decode")]
    #[error(transparent)]
    Decode(#[from] decode::DecodeError),
    #[error(transparent)]
    Core(#[from] core::CoreError),
}
