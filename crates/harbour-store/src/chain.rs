//! The journal's hash chain: each event's hash covers its content (sealed) and the previous
//! event's hash, so editing or deleting any event breaks every hash after it. Hashing the sealed
//! payload means the chain still verifies after a case key is destroyed at erasure.

use crate::types::{to_micros, StoredEvent};
use sha2::{Digest, Sha256};

pub const GENESIS: [u8; 32] = [0; 32];

/// The hash of one event given the previous event's hash.
pub fn chain_hash(prev: &[u8; 32], e: &StoredEvent) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"harbour-journal-v1\0");
    h.update(prev);
    h.update(e.case_id.0.as_bytes());
    h.update(e.seq.to_be_bytes());
    h.update(to_micros(e.at).to_be_bytes());
    h.update(e.actor.0.as_bytes());
    h.update(e.actor_org.0.as_bytes());
    h.update((e.kind.len() as u64).to_be_bytes());
    h.update(e.kind.as_bytes());
    h.update((e.payload.len() as u64).to_be_bytes());
    h.update(&e.payload);
    h.finalize().into()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal broken at event {seq}: {reason}")]
pub struct ChainBreak {
    pub seq: u64,
    pub reason: String,
}

/// Check a case's journal: sequence numbers run 1, 2, 3... with no gap, each event names the
/// previous hash, and each hash is what its content says it must be.
pub fn verify_chain(events: &[StoredEvent]) -> Result<(), ChainBreak> {
    let mut prev = GENESIS;
    if events.is_empty() {
        return Err(ChainBreak {
            seq: 0,
            reason: "the case has no events at all".into(),
        });
    }
    for (i, e) in events.iter().enumerate() {
        let expected_seq = i as u64 + 1;
        if e.seq != expected_seq {
            return Err(ChainBreak {
                seq: expected_seq,
                reason: format!("event {expected_seq} is missing (found {} next)", e.seq),
            });
        }
        if e.prev_hash != prev {
            return Err(ChainBreak {
                seq: e.seq,
                reason: "it does not follow the previous event (an event was removed or replaced)"
                    .into(),
            });
        }
        if chain_hash(&prev, e) != e.hash {
            return Err(ChainBreak {
                seq: e.seq,
                reason: "its content does not match its hash (it was edited)".into(),
            });
        }
        prev = e.hash;
    }
    Ok(())
}
