//! `harbour audit verify`: walk every case journal and check its hash chain. Needs no keys, so
//! it also verifies cases whose content has been erased.

use harbour_domain::CaseId;
use harbour_store::{verify_chain, ChainBreak, Store, StoreError};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub cases: u64,
    pub events: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("case {case}: {brk}")]
    Broken { case: CaseId, brk: ChainBreak },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Check every journal; stop at the first broken one and name the case and event.
pub async fn verify_journals(store: &dyn Store) -> Result<VerifyReport, VerifyError> {
    let mut report = VerifyReport::default();
    let mut after = None;
    loop {
        let ids = store.case_ids(after, 500).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        for id in ids {
            let record = store
                .load_case(id)
                .await?
                .ok_or_else(|| StoreError::Missing(format!("case {id}")))?;
            verify_chain(&record.events).map_err(|brk| VerifyError::Broken { case: id, brk })?;
            // The chain alone cannot see its last events cut off; the projection remembers how
            // many there were.
            let expected = record.header.projection.seq;
            if record.events.len() as u64 != expected {
                let seq = record.events.len() as u64 + 1;
                let reason = format!("the case records {expected} events but its journal holds {} (events were deleted)", record.events.len());
                return Err(VerifyError::Broken {
                    case: id,
                    brk: ChainBreak { seq, reason },
                });
            }
            report.cases += 1;
            report.events += record.events.len() as u64;
        }
        after = Some(last);
    }
    Ok(report)
}

/// What the access-log check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AccessLogReport {
    pub records: u64,
    /// The hash of the last record (the genesis value for an empty log).
    pub head: [u8; 32],
}

/// The access log's head written down outside the database (`harbour audit anchor`): record
/// `seq` had hash `hash`. Someone who can write the database can rewrite the whole chain
/// consistently; they cannot change the copies of this line kept elsewhere.
///
/// Two line formats: the first one (`access-log SEQ HASH`, `journals` is `None`), which lines
/// operators already keep still use and which still verify the access log; and version 2
/// (`anchor-v2 access-log SEQ HASH journals UNTIL CASES DIGEST`), which also commits to every
/// case journal as it stood at `UNTIL` (see [`JournalsAnchor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub seq: u64,
    pub hash: [u8; 32],
    pub journals: Option<JournalsAnchor>,
}

/// Every case journal as it stood at `until` (microseconds since the epoch): `cases` journals had
/// an event at or before then, and `digest` is SHA-256 over each one's (case id, seq and hash of
/// its last event at or before `until`), in case creation order. Events appended later are not
/// covered, so the journals may grow after anchoring; editing, re-chaining or deleting an event
/// at or before `until`, or deleting a case, changes the digest. It needs no keys: erased cases
/// keep their sealed journal and still count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalsAnchor {
    pub until: i64,
    pub cases: u64,
    pub digest: [u8; 32],
}

/// Why an anchor line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an anchor (expected `anchor-v2 access-log SEQ HASH journals UNTIL CASES DIGEST` or the older `access-log SEQ HASH`, hashes as 64 hex digits, as `harbour audit anchor` prints): {0}")]
pub struct AnchorParseError(&'static str);

fn write_hex(f: &mut std::fmt::Formatter<'_>, bytes: &[u8; 32]) -> std::fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

fn parse_hash(hex: Option<&str>, what: &'static str) -> Result<[u8; 32], AnchorParseError> {
    let hex = hex.ok_or(AnchorParseError(what))?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AnchorParseError("a hash is not 64 hex digits"));
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
            .map_err(|_| AnchorParseError("a hash is not 64 hex digits"))?;
    }
    Ok(hash)
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.journals.is_some() {
            write!(f, "anchor-v2 ")?;
        }
        write!(f, "access-log {} ", self.seq)?;
        write_hex(f, &self.hash)?;
        if let Some(j) = &self.journals {
            write!(f, " journals {} {} ", j.until, j.cases)?;
            write_hex(f, &j.digest)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Anchor {
    type Err = AnchorParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_whitespace().peekable();
        let v2 = parts.peek() == Some(&"anchor-v2");
        if v2 {
            parts.next();
        }
        if parts.next() != Some("access-log") {
            return Err(AnchorParseError(
                "it does not start with `anchor-v2 access-log` or `access-log`",
            ));
        }
        let seq = parts
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or(AnchorParseError(
                "the record number is missing or not a number",
            ))?;
        let hash = parse_hash(parts.next(), "the hash is missing")?;
        let journals = if v2 {
            if parts.next() != Some("journals") {
                return Err(AnchorParseError(
                    "the `journals` part is missing after the access log's hash",
                ));
            }
            let until =
                parts
                    .next()
                    .and_then(|n| n.parse::<i64>().ok())
                    .ok_or(AnchorParseError(
                        "the journals' time is missing or not a number",
                    ))?;
            let cases =
                parts
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                    .ok_or(AnchorParseError(
                        "the number of journals is missing or not a number",
                    ))?;
            let digest = parse_hash(parts.next(), "the journals' digest is missing")?;
            Some(JournalsAnchor {
                until,
                cases,
                digest,
            })
        } else {
            None
        };
        if parts.next().is_some() {
            return Err(AnchorParseError("there is text after the last hash"));
        }
        Ok(Anchor {
            seq,
            hash,
            journals,
        })
    }
}

/// Why the journals do not match an anchor.
#[derive(Debug, thiserror::Error)]
pub enum JournalsAnchorError {
    #[error("case journals do not match the anchor of {until}: {reason}")]
    Mismatch { until: i64, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The journals' commitment as of `until`. One case is loaded at a time and case ids come a
/// page at a time, so memory stays flat however many journals there are; the cost is one read
/// of every journal, as `audit verify` already does.
pub async fn journals_anchor(
    store: &dyn Store,
    until: OffsetDateTime,
) -> Result<JournalsAnchor, StoreError> {
    let until_micros = harbour_store::to_micros(until);
    let mut h = Sha256::new();
    h.update(b"harbour-journals-anchor-v1\0");
    h.update(until_micros.to_be_bytes());
    let mut cases = 0u64;
    let mut after = None;
    loop {
        let ids = store.case_ids(after, 500).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        for id in ids {
            let record = store
                .load_case(id)
                .await?
                .ok_or_else(|| StoreError::Missing(format!("case {id}")))?;
            // Events are in seq order and appended with the clock moving on, so the last one at
            // or before `until` is the journal's head as anchored.
            let head = record
                .events
                .iter()
                .take_while(|e| harbour_store::to_micros(e.at) <= until_micros)
                .last();
            if let Some(e) = head {
                h.update(id.0.as_bytes());
                h.update(e.seq.to_be_bytes());
                h.update(e.hash);
                cases += 1;
            }
        }
        after = Some(last);
    }
    Ok(JournalsAnchor {
        until: until_micros,
        cases,
        digest: h.finalize().into(),
    })
}

/// Recompute the journals' commitment at the anchor's time and compare.
pub async fn verify_journals_anchored(
    store: &dyn Store,
    anchor: &JournalsAnchor,
) -> Result<(), JournalsAnchorError> {
    let until = OffsetDateTime::from_unix_timestamp_nanos(i128::from(anchor.until) * 1000)
        .map_err(|_| JournalsAnchorError::Mismatch {
            until: anchor.until,
            reason: "the anchor's time is out of range".into(),
        })?;
    let now = journals_anchor(store, until).await?;
    if now.cases != anchor.cases {
        return Err(JournalsAnchorError::Mismatch {
            until: anchor.until,
            reason: format!(
                "{} journals were anchored but {} have events from then (a case or its events were deleted, or a case was added with an earlier date)",
                anchor.cases, now.cases
            ),
        });
    }
    if now.digest != anchor.digest {
        return Err(JournalsAnchorError::Mismatch {
            until: anchor.until,
            reason: "an event at or before the anchor was edited, re-chained or deleted".into(),
        });
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum AccessLogError {
    #[error(transparent)]
    Broken(#[from] harbour_store::AccessChainBreak),
    #[error("access log does not match the anchor for record {seq}: {reason}")]
    AnchorMismatch { seq: u64, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Walk the global access-log chain from its first record; stop at the first break. The head
/// row remembers the last number handed out, so cutting records off the end is caught too.
pub async fn verify_access_log(store: &dyn Store) -> Result<AccessLogReport, AccessLogError> {
    verify_access_log_anchored(store, &[]).await
}

/// [`verify_access_log`], and each anchor's record must still have the anchored hash: a chain
/// rewritten consistently from an edited record onwards passes the walk but not its anchors.
pub async fn verify_access_log_anchored(
    store: &dyn Store,
    anchors: &[Anchor],
) -> Result<AccessLogReport, AccessLogError> {
    let mut pending: std::collections::BTreeMap<u64, [u8; 32]> =
        anchors.iter().map(|a| (a.seq, a.hash)).collect();
    // Two different hashes for one record cannot both hold.
    for a in anchors {
        if pending.get(&a.seq) != Some(&a.hash) {
            return Err(AccessLogError::AnchorMismatch {
                seq: a.seq,
                reason: "two anchors give this record different hashes".into(),
            });
        }
    }
    let check = |pending: &mut std::collections::BTreeMap<u64, [u8; 32]>,
                 seq: u64,
                 hash: &[u8; 32]|
     -> Result<(), AccessLogError> {
        match pending.remove(&seq) {
            Some(expected) if &expected != hash => Err(AccessLogError::AnchorMismatch {
                seq,
                reason: "its hash is not the anchored one (the log was rewritten from this record or earlier)".into(),
            }),
            _ => Ok(()),
        }
    };
    let (head_seq, head_hash) = store.access_chain_head().await?;
    let (mut seq, mut hash) = (0u64, harbour_store::GENESIS);
    check(&mut pending, seq, &hash)?;
    loop {
        let page = store.access_chain(seq, 1000).await?;
        if page.is_empty() {
            break;
        }
        (seq, hash) = harbour_store::verify_access_chain(seq, hash, &page)?;
        for r in &page {
            check(&mut pending, r.seq, &r.hash)?;
        }
    }
    if let Some((&missing, _)) = pending.iter().next() {
        return Err(AccessLogError::AnchorMismatch {
            seq: missing,
            reason: format!("the log ends at record {seq} (records were deleted)"),
        });
    }
    if seq != head_seq {
        return Err(harbour_store::AccessChainBreak {
            seq: seq + 1,
            reason: format!(
                "the log ends at record {seq} but {head_seq} were written (records were deleted from the end)"
            ),
        }
        .into());
    }
    let outside = store.unchained_access_records().await?;
    if outside > 0 {
        return Err(harbour_store::AccessChainBreak {
            seq: 0,
            reason: format!(
                "{outside} access records are outside the chain (they were added behind Harbour's back)"
            ),
        }
        .into());
    }
    if hash != head_hash {
        return Err(harbour_store::AccessChainBreak {
            seq,
            reason: "the last record is not the one that was written (it was replaced)".into(),
        }
        .into());
    }
    Ok(AccessLogReport {
        records: seq,
        head: hash,
    })
}
