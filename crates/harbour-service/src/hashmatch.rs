//! Image takedown: hash banks of PDQ hashes and the platform match API. A platform sends the
//! hashes of an upload (computed on its side) with its key; Harbour answers which bank entries
//! are within the distance, by id and distance only. No label, no case, no survivor data leaves.

use crate::{Harbour, ServiceError, ServiceResult};
use harbour_pdq::index::{Index, Scratch, SearchStrategy};
use harbour_pdq::Hash256;
use harbour_store::PlatformKey;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Meta's PDQ match threshold.
pub const DEFAULT_DISTANCE: u32 = 31;
/// The largest distance the API answers for: beyond it, random hashes start to match.
pub const MAX_DISTANCE: u32 = 63;
/// Images of lower PDQ quality are too flat to match reliably.
pub const MIN_QUALITY: u8 = 50;
/// Most hashes per request: a hash and its seven dihedral variants, for a few images.
pub const MAX_HASHES: usize = 64;

/// Per-bank search indexes, rebuilt when the bank's version in the database changes, so several
/// app servers stay correct without talking to each other.
#[derive(Default)]
pub struct BankCache(Mutex<HashMap<String, (i64, Arc<BankIndex>)>>);

/// A bank's live entry ids and the exact index over their hashes (same positions).
pub type BankIndex = (Vec<i64>, Index);

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashMatchInput {
    /// Hex PDQ hashes of one upload (typically the hash and its dihedral variants).
    pub hashes: Vec<String>,
    /// The PDQ quality the platform computed; below 50 the request is refused.
    #[serde(default)]
    pub quality: Option<u8>,
    #[serde(default)]
    pub distance: Option<u32>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HashMatch {
    pub bank: String,
    /// The bank entry's id, for the platform's takedown record.
    pub id: i64,
    pub distance: u32,
    /// Which of the request's hashes was closest.
    pub query: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct HashMatchResult {
    pub matches: Vec<HashMatch>,
    pub distance: u32,
}

fn key_hash(key: &str) -> Vec<u8> {
    harbour_crypto::sha256(key.as_bytes()).to_vec()
}

fn bank_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Harbour {
    /// Create a bank (CLI and administrators).
    pub async fn create_bank(&self, name: &str) -> ServiceResult<()> {
        if !bank_name_ok(name) {
            return Err(ServiceError::invalid(
                "/name",
                "a bank name has 1 to 64 letters, digits, - or _",
            ));
        }
        Ok(self.store.create_bank(name, self.now()).await?)
    }

    /// Add a hash (hex) to a bank with an internal label; returns its id.
    pub async fn add_to_bank(
        &self,
        bank: &str,
        hash_hex: &str,
        label: &str,
        quality: u8,
    ) -> ServiceResult<i64> {
        let hash = Hash256::from_hex(hash_hex.trim())
            .map_err(|e| ServiceError::invalid("/hash", format!("not a PDQ hash: {e}")))?;
        if quality < MIN_QUALITY {
            return Err(ServiceError::invalid(
                "/quality",
                format!("quality {quality} is below {MIN_QUALITY}: too flat to match reliably"),
            ));
        }
        Ok(self
            .store
            .add_bank_hash(bank, &hash.to_le_bytes(), label, quality, self.now())
            .await?)
    }

    pub async fn remove_from_bank(&self, bank: &str, id: i64) -> ServiceResult<()> {
        Ok(self.store.remove_bank_hash(bank, id, self.now()).await?)
    }

    /// A new platform key scoped to banks; the key is returned once and stored only hashed.
    pub async fn create_platform_key(
        &self,
        name: &str,
        banks: &[String],
        per_minute: u32,
    ) -> ServiceResult<String> {
        if name.trim().is_empty() {
            return Err(ServiceError::invalid(
                "/name",
                "a platform key needs the platform's name",
            ));
        }
        if banks.is_empty() {
            return Err(ServiceError::invalid(
                "/banks",
                "a platform key is scoped to at least one bank",
            ));
        }
        let known = self.store.list_banks().await?;
        if let Some(b) = banks.iter().find(|b| !known.contains(b)) {
            return Err(ServiceError::invalid(
                "/banks",
                format!("there is no bank named {b}"),
            ));
        }
        if per_minute == 0 {
            return Err(ServiceError::invalid(
                "/per_minute",
                "the rate limit must allow at least one request a minute",
            ));
        }
        let key = format!("hbp_{}", harbour_crypto::random_token());
        self.store
            .insert_platform_key(&PlatformKey {
                key_hash: key_hash(&key),
                name: name.trim().into(),
                banks: banks.to_vec(),
                per_minute,
                created_at: self.now(),
            })
            .await?;
        Ok(key)
    }

    async fn bank_index(&self, bank: &str) -> ServiceResult<Option<Arc<BankIndex>>> {
        let Some(version) = self.store.bank_version(bank).await? else {
            return Ok(None);
        };
        if let Ok(cache) = self.bank_cache.0.lock() {
            if let Some((v, idx)) = cache.get(bank) {
                if *v == version {
                    return Ok(Some(idx.clone()));
                }
            }
        }
        let rows = self.store.bank_hashes(bank).await?;
        let hashes: Vec<Hash256> = rows
            .iter()
            .map(|r| Hash256::from_le_bytes(&r.hash))
            .collect();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let built = Arc::new((ids, Index::new(&hashes, SearchStrategy::Auto)));
        if let Ok(mut cache) = self.bank_cache.0.lock() {
            cache.insert(bank.to_string(), (version, built.clone()));
        }
        Ok(Some(built))
    }

    /// Match an upload's hashes against the banks the key may search. Every hash within the
    /// distance is returned (exact search, no misses).
    pub async fn hash_match(
        &self,
        key: &str,
        input: &HashMatchInput,
    ) -> ServiceResult<HashMatchResult> {
        let platform = self
            .store
            .platform_key(&key_hash(key))
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let minute = self.now().unix_timestamp().div_euclid(60);
        let used = self
            .store
            .count_platform_request(&platform.key_hash, minute)
            .await?;
        if used > u64::from(platform.per_minute) {
            let retry_after = 60 - self.now().unix_timestamp().rem_euclid(60);
            return Err(ServiceError::RateLimited {
                retry_after: retry_after as u64,
            });
        }
        if input.hashes.is_empty() || input.hashes.len() > MAX_HASHES {
            return Err(ServiceError::invalid(
                "/hashes",
                format!("send 1 to {MAX_HASHES} hashes"),
            ));
        }
        if let Some(q) = input.quality {
            if q < MIN_QUALITY {
                return Err(ServiceError::invalid(
                    "/quality",
                    format!("quality {q} is below {MIN_QUALITY}: too flat to match reliably"),
                ));
            }
        }
        let distance = input.distance.unwrap_or(DEFAULT_DISTANCE);
        if distance > MAX_DISTANCE {
            return Err(ServiceError::invalid(
                "/distance",
                format!("the distance is at most {MAX_DISTANCE}"),
            ));
        }
        let queries = input
            .hashes
            .iter()
            .enumerate()
            .map(|(i, h)| {
                Hash256::from_hex(h.trim()).map_err(|e| {
                    ServiceError::invalid(&format!("/hashes/{i}"), format!("not a PDQ hash: {e}"))
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let mut matches = Vec::new();
        let mut scratch = Scratch::new();
        for bank in &platform.banks {
            let Some(index) = self.bank_index(bank).await? else {
                continue;
            };
            let (ids, idx) = index.as_ref();
            for hit in idx.search(&queries, distance, &mut scratch) {
                if let Some(id) = ids.get(hit.id as usize) {
                    matches.push(HashMatch {
                        bank: bank.clone(),
                        id: *id,
                        distance: hit.distance,
                        query: usize::from(hit.query),
                    });
                }
            }
        }
        matches.sort_by(|a, b| {
            a.distance
                .cmp(&b.distance)
                .then(a.bank.cmp(&b.bank))
                .then(a.id.cmp(&b.id))
        });
        Ok(HashMatchResult { matches, distance })
    }
}
