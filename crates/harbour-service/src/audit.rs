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
}

#[derive(Debug, thiserror::Error)]
pub enum AccessLogError {
    #[error(transparent)]
    Broken(#[from] harbour_store::AccessChainBreak),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Walk the global access-log chain from its first record; stop at the first break. The head
/// row remembers the last number handed out, so cutting records off the end is caught too.
pub async fn verify_access_log(store: &dyn Store) -> Result<AccessLogReport, AccessLogError> {
    let (head_seq, head_hash) = store.access_chain_head().await?;
    let (mut seq, mut hash) = (0u64, harbour_store::GENESIS);
    loop {
        let page = store.access_chain(seq, 1000).await?;
        if page.is_empty() {
            break;
        }
        (seq, hash) = harbour_store::verify_access_chain(seq, hash, &page)?;
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
    Ok(AccessLogReport { records: seq })
}
