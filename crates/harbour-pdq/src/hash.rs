//! The 256-bit PDQ hash value: bit layout, hex form and Hamming distance.

use std::fmt;
use std::str::FromStr;

/// A 256-bit PDQ hash.
///
/// Bit `k` (0..256) is DCT coefficient `(k / 16, k % 16)`; it lives in limb
/// `k / 64` at bit `k % 64`. This matches the reference's sixteen 16-bit
/// words (word `w` = bits `16w..16w+16`), so the hex form is identical.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Hash256(pub [u64; 4]);

/// Why a string is not a PDQ hash.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashParseError {
    #[error("a PDQ hash is 64 hex digits, got {0} characters")]
    Length(usize),
    #[error("not a hex digit: {0:?}")]
    Digit(char),
}

impl Hash256 {
    pub const ZERO: Hash256 = Hash256([0; 4]);

    /// Sets bit `k` (0..256).
    #[inline]
    pub fn set_bit(&mut self, k: usize) {
        self.0[k >> 6] |= 1u64 << (k & 63);
    }

    /// Bit `k` (0..256).
    #[inline]
    pub fn bit(&self, k: usize) -> bool {
        (self.0[k >> 6] >> (k & 63)) & 1 == 1
    }

    /// 16-bit word `w` (0..16) as in the reference's `Hash256::w`.
    #[inline]
    pub fn word(&self, w: usize) -> u16 {
        (self.0[w >> 2] >> ((w & 3) * 16)) as u16
    }

    /// Number of differing bits.
    #[inline]
    pub fn distance(&self, other: &Hash256) -> u32 {
        (self.0[0] ^ other.0[0]).count_ones()
            + (self.0[1] ^ other.0[1]).count_ones()
            + (self.0[2] ^ other.0[2]).count_ones()
            + (self.0[3] ^ other.0[3]).count_ones()
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> u32 {
        self.0.iter().map(|l| l.count_ones()).sum()
    }

    /// Hex as the reference prints it: word 15 first, four digits per word.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for w in (0..16).rev() {
            s.push_str(&format!("{:04x}", self.word(w)));
        }
        s
    }

    /// Parses the reference hex form (case-insensitive).
    pub fn from_hex(s: &str) -> Result<Hash256, HashParseError> {
        let s = s.trim();
        if s.len() != 64 {
            return Err(HashParseError::Length(s.chars().count()));
        }
        let mut h = Hash256::ZERO;
        for (i, c) in s.chars().enumerate() {
            let v = c.to_digit(16).ok_or(HashParseError::Digit(c))? as u64;
            // Digit i belongs to word 15 - i/4, nibble 3 - i%4 of that word.
            let w = 15 - i / 4;
            let shift = (w & 3) * 16 + (3 - i % 4) * 4;
            h.0[w >> 2] |= v << shift;
        }
        Ok(h)
    }

    /// 32 bytes, little-endian limbs (the bank file's encoding).
    pub fn to_le_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, l) in self.0.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&l.to_le_bytes());
        }
        out
    }

    pub fn from_le_bytes(b: &[u8; 32]) -> Hash256 {
        let mut h = Hash256::ZERO;
        for (i, l) in h.0.iter_mut().enumerate() {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[i * 8..i * 8 + 8]);
            *l = u64::from_le_bytes(a);
        }
        h
    }
}

impl fmt::Display for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash256({})", self.to_hex())
    }
}

impl FromStr for Hash256 {
    type Err = HashParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hash256::from_hex(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_word_order() {
        let s = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
        let h = Hash256::from_hex(s).unwrap();
        assert_eq!(h.to_hex(), s);
        assert_eq!(h.word(15), 0xd8f8);
        assert_eq!(h.word(0), 0x9b22);
        assert_eq!(Hash256::from_le_bytes(&h.to_le_bytes()), h);
    }

    #[test]
    fn bit_k_is_word_k_div_16() {
        let mut h = Hash256::ZERO;
        h.set_bit(17);
        assert_eq!(h.word(1), 2);
        assert!(h.bit(17));
        assert_eq!(h.count_ones(), 1);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(Hash256::from_hex("ab"), Err(HashParseError::Length(2)));
        let bad = "g".repeat(64);
        assert_eq!(Hash256::from_hex(&bad), Err(HashParseError::Digit('g')));
    }
}
