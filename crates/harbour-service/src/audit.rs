//! `harbour audit verify`: walk every case journal and check its hash chain. Needs no keys, so
//! it also verifies cases whose content has been erased.

use harbour_domain::CaseId;
use harbour_store::{verify_chain, ChainBreak, Store, StoreError};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub seq: u64,
    pub hash: [u8; 32],
}

/// Why an anchor line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an anchor (expected `access-log SEQ HASH` with 64 hex digits, as `harbour audit anchor` prints): {0}")]
pub struct AnchorParseError(&'static str);

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "access-log {} ", self.seq)?;
        self.hash.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl std::str::FromStr for Anchor {
    type Err = AnchorParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_whitespace();
        if parts.next() != Some("access-log") {
            return Err(AnchorParseError("it does not start with `access-log`"));
        }
        let seq = parts
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or(AnchorParseError(
                "the record number is missing or not a number",
            ))?;
        let hex = parts
            .next()
            .ok_or(AnchorParseError("the hash is missing"))?;
        if parts.next().is_some() {
            return Err(AnchorParseError("there is text after the hash"));
        }
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AnchorParseError("the hash is not 64 hex digits"));
        }
        let mut hash = [0u8; 32];
        for (i, byte) in hash.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| AnchorParseError("the hash is not 64 hex digits"))?;
        }
        Ok(Anchor { seq, hash })
    }
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
