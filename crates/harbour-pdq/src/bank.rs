//! Named banks of PDQ hashes with labels and tombstones, and their file format.
//!
//! File format, version 1 (all integers little-endian):
//!
//! ```text
//! magic    8 bytes  "HPDQBANK"
//! version  u16      1
//! reserved u16      0
//! count    u32      number of records
//! record × count:
//!   hash     32 bytes  limbs 0..3 as u64 LE (see Hash256::to_le_bytes)
//!   quality  u8        0..=100, or 255 when added as a bare hash
//!   flags    u8        bit 0: tombstone (removed); other bits zero
//!   label    u16 length + UTF-8 bytes
//! crc32    u32      CRC-32 (IEEE) of every byte before it
//! ```
//!
//! Removal only sets the tombstone, so record ids (positions) are stable and a
//! removal is auditable; tombstoned hashes never match.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::hash::Hash256;
use crate::index::{Index, Scratch, SearchStrategy};

const MAGIC: &[u8; 8] = b"HPDQBANK";
const VERSION: u16 = 1;
const FLAG_TOMBSTONE: u8 = 1;
/// File extension of bank files in a bank directory.
pub const EXTENSION: &str = "pdqbank";
/// Quality recorded for hashes added without an image.
pub const QUALITY_UNKNOWN: u8 = 255;
pub const MAX_LABEL_BYTES: usize = u16::MAX as usize;

#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("bank {0:?} does not exist")]
    NotFound(String),
    #[error("invalid bank name {0:?}: use 1-64 characters from A-Z a-z 0-9 _ -")]
    InvalidName(String),
    #[error("label is {0} bytes, the limit is {MAX_LABEL_BYTES}")]
    LabelTooLong(usize),
    #[error("{path}: not a valid bank file: {reason}")]
    Format { path: String, reason: String },
    #[error("bank holds {0} records, the limit is 2^32 - 1")]
    TooMany(usize),
}

/// One stored hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub hash: Hash256,
    pub label: String,
    pub quality: u8,
    pub removed: bool,
}

/// A match from [`Bank::search`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankMatch {
    pub id: u32,
    pub hash: Hash256,
    pub label: String,
    pub distance: u32,
    /// Position in the query list (for dihedral queries: the variant).
    pub query: u8,
}

/// A named bank. Ids are record positions and never change.
#[derive(Debug)]
pub struct Bank {
    name: String,
    entries: Vec<Entry>,
    /// Index over live entries plus the map from index position to record id;
    /// rebuilt lazily after any change.
    index: OnceLock<(Index, Vec<u32>)>,
}

pub fn validate_name(name: &str) -> Result<(), BankError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(BankError::InvalidName(name.to_string()))
    }
}

impl Bank {
    pub fn new(name: &str) -> Result<Bank, BankError> {
        validate_name(name)?;
        Ok(Bank {
            name: name.to_string(),
            entries: Vec::new(),
            index: OnceLock::new(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// All records, tombstoned ones included, in id order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn live_count(&self) -> usize {
        self.entries.iter().filter(|e| !e.removed).count()
    }

    /// Adds a hash; returns its id.
    pub fn add(&mut self, hash: Hash256, label: &str, quality: u8) -> Result<u32, BankError> {
        if label.len() > MAX_LABEL_BYTES {
            return Err(BankError::LabelTooLong(label.len()));
        }
        if self.entries.len() >= u32::MAX as usize {
            return Err(BankError::TooMany(self.entries.len()));
        }
        self.entries.push(Entry {
            hash,
            label: label.to_string(),
            quality,
            removed: false,
        });
        self.index = OnceLock::new();
        Ok((self.entries.len() - 1) as u32)
    }

    fn tombstone(&mut self, pred: impl Fn(u32, &Entry) -> bool) -> Vec<u32> {
        let mut ids = Vec::new();
        for (id, e) in self.entries.iter_mut().enumerate() {
            if !e.removed && pred(id as u32, e) {
                e.removed = true;
                ids.push(id as u32);
            }
        }
        if !ids.is_empty() {
            self.index = OnceLock::new();
        }
        ids
    }

    /// Tombstones every live record with this hash; returns their ids.
    pub fn remove_hash(&mut self, hash: &Hash256) -> Vec<u32> {
        self.tombstone(|_, e| e.hash == *hash)
    }

    /// Tombstones every live record with this label; returns their ids.
    pub fn remove_label(&mut self, label: &str) -> Vec<u32> {
        self.tombstone(|_, e| e.label == label)
    }

    /// Tombstones one record by id; returns whether it was live.
    pub fn remove_id(&mut self, id: u32) -> bool {
        !self.tombstone(|i, _| i == id).is_empty()
    }

    fn index(&self) -> &(Index, Vec<u32>) {
        self.index.get_or_init(|| {
            let (ids, hashes): (Vec<u32>, Vec<Hash256>) = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.removed)
                .map(|(i, e)| (i as u32, e.hash))
                .unzip();
            (Index::new(&hashes, SearchStrategy::Auto), ids)
        })
    }

    /// Every live record within `max` bits of any query hash, closest first.
    pub fn search(&self, queries: &[Hash256], max: u32) -> Vec<BankMatch> {
        let (index, ids) = self.index();
        let mut scratch = Scratch::new();
        index
            .search(queries, max, &mut scratch)
            .into_iter()
            .filter_map(|hit| {
                let id = *ids.get(hit.id as usize)?;
                let e = self.entries.get(id as usize)?;
                Some(BankMatch {
                    id,
                    hash: e.hash,
                    label: e.label.clone(),
                    distance: hit.distance,
                    query: hit.query,
                })
            })
            .collect()
    }

    /// Serialises to the version-1 file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.entries.len() * 40);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        for e in &self.entries {
            out.extend_from_slice(&e.hash.to_le_bytes());
            out.push(e.quality);
            out.push(if e.removed { FLAG_TOMBSTONE } else { 0 });
            // Length checked in `add`, and `from_bytes` can only read <= u16::MAX.
            out.extend_from_slice(&(e.label.len() as u16).to_le_bytes());
            out.extend_from_slice(e.label.as_bytes());
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses the file format; `path` is only used in error messages.
    pub fn from_bytes(name: &str, bytes: &[u8], path: &str) -> Result<Bank, BankError> {
        let bad = |reason: &str| BankError::Format {
            path: path.to_string(),
            reason: reason.to_string(),
        };
        if bytes.len() < 20 {
            return Err(bad("too short"));
        }
        if &bytes[..8] != MAGIC {
            return Err(bad("wrong magic number"));
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        let stored = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
        if crc32fast::hash(body) != stored {
            return Err(bad("checksum mismatch (file corrupted or truncated)"));
        }
        let version = u16::from_le_bytes([body[8], body[9]]);
        if version != VERSION {
            return Err(bad(&format!("unsupported version {version}")));
        }
        let count = u32::from_le_bytes([body[12], body[13], body[14], body[15]]) as usize;
        let mut bank = Bank::new(name)?;
        let mut p = 16usize;
        let mut take = |n: usize| -> Result<&[u8], BankError> {
            let s = body.get(p..p + n).ok_or_else(|| bad("truncated record"))?;
            p += n;
            Ok(s)
        };
        // Don't trust `count` for preallocation: each record is >= 36 bytes.
        bank.entries.reserve(count.min(body.len() / 36));
        for _ in 0..count {
            let mut hb = [0u8; 32];
            hb.copy_from_slice(take(32)?);
            let meta = take(4)?;
            let (quality, flags) = (meta[0], meta[1]);
            if flags & !FLAG_TOMBSTONE != 0 {
                return Err(bad("unknown record flags"));
            }
            let len = u16::from_le_bytes([meta[2], meta[3]]) as usize;
            let label = std::str::from_utf8(take(len)?)
                .map_err(|_| bad("label is not UTF-8"))?
                .to_string();
            bank.entries.push(Entry {
                hash: Hash256::from_le_bytes(&hb),
                label,
                quality,
                removed: flags & FLAG_TOMBSTONE != 0,
            });
        }
        if p != body.len() {
            return Err(bad("trailing bytes after the last record"));
        }
        Ok(bank)
    }
}

/// A directory of bank files (`NAME.pdqbank`).
#[derive(Debug, Clone)]
pub struct BankDir {
    dir: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BankError + '_ {
    move |source| BankError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl BankDir {
    pub fn new(dir: impl Into<PathBuf>) -> BankDir {
        BankDir { dir: dir.into() }
    }

    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.{EXTENSION}"))
    }

    /// Names of the banks present, sorted.
    pub fn list(&self) -> Result<Vec<String>, BankError> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&self.dir)(e)),
        };
        let mut names = Vec::new();
        for ent in rd {
            let p = ent.map_err(io_err(&self.dir))?.path();
            if p.extension().and_then(|e| e.to_str()) == Some(EXTENSION) {
                if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                    if validate_name(stem).is_ok() {
                        names.push(stem.to_string());
                    }
                }
            }
        }
        names.sort();
        Ok(names)
    }

    pub fn load(&self, name: &str) -> Result<Bank, BankError> {
        validate_name(name)?;
        let path = self.path_of(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BankError::NotFound(name.to_string()))
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        Bank::from_bytes(name, &bytes, &path.display().to_string())
    }

    /// Loads the bank, or an empty one if it doesn't exist yet.
    pub fn load_or_new(&self, name: &str) -> Result<Bank, BankError> {
        match self.load(name) {
            Err(BankError::NotFound(_)) => Bank::new(name),
            other => other,
        }
    }

    /// Writes atomically (temporary file, then rename over the old one).
    pub fn save(&self, bank: &Bank) -> Result<(), BankError> {
        std::fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let path = self.path_of(bank.name());
        let tmp = self.dir.join(format!(".{}.{EXTENSION}.tmp", bank.name()));
        std::fs::write(&tmp, bank.to_bytes()).map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io_err(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x: u64) -> Hash256 {
        Hash256([x, !x, x.rotate_left(7), x ^ 0x5555])
    }

    #[test]
    fn add_remove_search_and_round_trip() {
        let mut b = Bank::new("test-bank").unwrap();
        let a = b.add(h(1), "first", 100).unwrap();
        let c = b.add(h(2), "second", QUALITY_UNKNOWN).unwrap();
        b.add(h(1), "dup", 90).unwrap();
        assert_eq!(b.search(&[h(1)], 0).len(), 2);
        assert_eq!(b.remove_label("dup"), vec![2]);
        let m = b.search(&[h(1)], 0);
        assert_eq!((m.len(), m[0].id, m[0].label.as_str()), (1, a, "first"));
        assert!(b.remove_id(c));
        assert!(!b.remove_id(c), "already removed");
        assert!(b.search(&[h(2)], 0).is_empty(), "tombstones never match");

        let bytes = b.to_bytes();
        let back = Bank::from_bytes("test-bank", &bytes, "mem").unwrap();
        assert_eq!(back.entries(), b.entries());
        assert_eq!(back.live_count(), 1);
    }

    #[test]
    fn corrupt_files_are_rejected() {
        let mut b = Bank::new("x").unwrap();
        b.add(h(9), "label", 80).unwrap();
        let bytes = b.to_bytes();
        for cut in 0..bytes.len() {
            assert!(
                Bank::from_bytes("x", &bytes[..cut], "mem").is_err(),
                "cut {cut}"
            );
        }
        for i in 0..bytes.len() {
            let mut c = bytes.clone();
            c[i] ^= 0x10;
            assert!(Bank::from_bytes("x", &c, "mem").is_err(), "flip at {i}");
        }
    }

    #[test]
    fn names_are_validated() {
        assert!(Bank::new("../etc").is_err());
        assert!(Bank::new("").is_err());
        assert!(Bank::new("ok_name-1").is_ok());
    }

    #[test]
    fn bank_dir_save_load_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = BankDir::new(dir.path().join("banks"));
        assert!(store.list().unwrap().is_empty());
        assert!(matches!(store.load("a"), Err(BankError::NotFound(_))));
        let mut b = store.load_or_new("a").unwrap();
        b.add(h(3), "", 100).unwrap();
        store.save(&b).unwrap();
        assert_eq!(store.list().unwrap(), vec!["a".to_string()]);
        assert_eq!(store.load("a").unwrap().entries(), b.entries());
    }
}
