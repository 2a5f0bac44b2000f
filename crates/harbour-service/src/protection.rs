//! Data protection (issue 6): erasure by key destruction, on the person's request or when the
//! retention period of a closed case runs out; master key rotation; and the blind-index key,
//! kept wrapped in the database so that rotation does not change it.
//!
//! Erasure appends a sealed `case_erased` event (so the journal says when, who and why), then
//! deletes the case's wrapped key and person keys in the same transaction. The journal keeps
//! verifying (hashes cover sealed bytes), the projection keeps counting in statistics, and the
//! content can never be opened again: reading the case answers [`ServiceError::Gone`].

use crate::cases::{case_context, event_aad, OpenCase};
use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_crypto::{rewrap, CryptoError, MasterKey, WrappedKey};
use harbour_domain::retention::{erasure_due, ErasureBasis, ErasureRecord, ERASURE_EVENT_KIND};
use harbour_domain::{CaseId, OrgId, OrgKind, Role, UserId};
use harbour_store::SealedKeyTable;
use harbour_store::{
    chain_hash, AccessRecord, CaseChange, CaseProjection, Store, StoreError, StoredEvent,
};
use serde::Serialize;
use std::sync::Arc;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Name of the blind-index key in `deployment_keys`.
pub const INDEX_KEY_NAME: &str = "index";
/// Associated data the index key is wrapped under.
pub const INDEX_KEY_CONTEXT: &[u8] = b"deployment:index-key";
/// Who the journal and access log name for what Harbour does by itself (retention erasures).
pub const SYSTEM_USER: UserId = UserId(Uuid::nil());
pub const SYSTEM_ORG: OrgId = OrgId(Uuid::nil());

/// What an erasure left behind.
#[derive(Clone, Debug, Serialize)]
pub struct ErasureView {
    pub id: CaseId,
    #[serde(with = "time::serde::rfc3339")]
    pub erased_at: OffsetDateTime,
    pub basis: ErasureBasis,
    /// Events in the journal, the erasure included: all still verify.
    pub journal_events: u64,
}

/// What a retention run found and did.
#[derive(Clone, Debug, Default)]
pub struct RetentionReport {
    /// Closed or disqualified cases looked at.
    pub examined: u64,
    /// Cases whose retention period has run out, with the day it did.
    pub due: Vec<(CaseId, Date)>,
    pub erased: u64,
    /// Cases that changed during the run (left for the next run).
    pub skipped: u64,
}

/// What a master key rotation did.
#[derive(Clone, Debug, Default)]
pub struct RotationReport {
    pub rewrapped: u64,
    pub batches: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the blind-index key in the database is wrapped under master key {stored}, but the key file holds {current}: finish the rotation (`harbour keys rotate`), use the right key file, or add the old key with --retired-key")]
    WrongMasterKey { stored: String, current: String },
    #[error("case {case}: its key is wrapped under master key {found}, which is neither the old key ({old}, or a retired key given with it) nor the new one; nothing more was changed")]
    UnknownWrapping {
        case: CaseId,
        found: String,
        old: String,
    },
    #[error("cannot unwrap with the old master key: {0}")]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn raw_key_id(master: &MasterKey) -> Vec<u8> {
    let id = master.id();
    (0..id.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(id.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Harbour {
    /// Use the blind-index key stored (wrapped) in the database; on the first start, store the
    /// one derived from this master key. Call once at start, before serving.
    pub async fn with_stored_index_key(mut self) -> Result<Harbour, KeyError> {
        loop {
            match self.store.deployment_key(INDEX_KEY_NAME).await? {
                Some(bytes) => {
                    let wrapped = WrappedKey::from_bytes(&bytes)?;
                    // A retired key is enough: during a rolling rotation the index key may
                    // still be wrapped under the old master key.
                    if !self.master.knows(&wrapped.master_key_id()) {
                        return Err(KeyError::WrongMasterKey {
                            stored: wrapped.master_key_id(),
                            current: self.master.id().to_owned(),
                        });
                    }
                    let key = self.master.unwrap_index_key(&wrapped, INDEX_KEY_CONTEXT)?;
                    self.index_key = Arc::new(key);
                    return Ok(self);
                }
                None => {
                    let wrapped = self
                        .master
                        .wrap_index_key(&self.index_key, INDEX_KEY_CONTEXT)?;
                    match self
                        .store
                        .put_deployment_key(INDEX_KEY_NAME, None, wrapped.as_bytes())
                        .await
                    {
                        Ok(()) => return Ok(self),
                        // Another server stored it first: use theirs.
                        Err(StoreError::Conflict) => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
    }

    /// The answer for a case with no key: when and why it was erased.
    pub(crate) async fn gone(&self, id: CaseId) -> ServiceError {
        match self.store.case_erasure(id).await {
            Ok(Some(e)) => ServiceError::Gone {
                on: e.at.date(),
                basis: e.basis,
            },
            Ok(None) => ServiceError::Internal(format!("case {id} has no key and no erasure")),
            Err(e) => e.into(),
        }
    }

    /// Erase a case at the person's request. The competent authority decides such requests (it
    /// checks the legal grounds, e.g. GDPR Art. 17, and any duty to keep the file); the request
    /// is recorded in the journal before the key is destroyed.
    pub async fn request_erasure(
        &self,
        actor: &Actor,
        id: CaseId,
        reasons: &str,
    ) -> ServiceResult<ErasureView> {
        let case = self.open_case(actor, id).await?;
        if !(actor.user.role == Role::DecisionMaker
            && actor.org.kind == OrgKind::CompetentAuthority)
        {
            return Err(ServiceError::Forbidden(format!(
                "a {} may not erase a case; erasure requests are decided by the competent authority's decision makers",
                actor.user.role
            )));
        }
        let record = ErasureRecord::new(ErasureBasis::PersonRequest, reasons)?;
        self.erase(actor.user.id, actor.org.id, case, record).await
    }

    /// Append the erasure event and destroy the key, in one transaction.
    async fn erase(
        &self,
        user: UserId,
        org: OrgId,
        case: OpenCase,
        record: ErasureRecord,
    ) -> ServiceResult<ErasureView> {
        let now = self.now();
        let id = case.header.projection.id;
        let seq = case.state.seq + 1;
        let clear =
            serde_json::to_vec(&record).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut event = StoredEvent {
            case_id: id,
            seq,
            at: now,
            actor: user,
            actor_org: org,
            kind: ERASURE_EVENT_KIND.into(),
            payload: case
                .key
                .seal(&clear, &event_aad(id, seq, ERASURE_EVENT_KIND)),
            prev_hash: case.last_hash,
            hash: [0; 32],
        };
        event.hash = chain_hash(&case.last_hash, &event);
        // Status and minority stay for statistics; nothing is due on an erased case any more.
        let projection = CaseProjection {
            rg_due: None,
            awaiting_cg_from: None,
            guardian_due: None,
            rights_due: vec![],
            updated_at: now,
            seq,
            ..case.header.projection.clone()
        };
        self.store
            .erase_case(
                &CaseChange {
                    projection,
                    expected_seq: case.state.seq,
                    events: vec![event],
                    new_parties: vec![],
                    new_person_keys: vec![],
                    access: AccessRecord {
                        at: now,
                        user_id: user,
                        org_id: org,
                        case_id: Some(id),
                        action: "erase".into(),
                        purpose: Some(record.basis.as_str().into()),
                    },
                    statistics: None,
                },
                record.basis.as_str(),
            )
            .await?;
        self.tracing_case_erased(id).await;
        Ok(ErasureView {
            id,
            erased_at: now,
            basis: record.basis,
            journal_events: seq,
        })
    }

    /// Find closed and disqualified cases whose retention period (national policy) has run out,
    /// and erase them unless `dry_run`. Cases changed meanwhile are skipped for the next run.
    pub async fn retention_run(&self, dry_run: bool) -> ServiceResult<RetentionReport> {
        let today = self.now().date();
        let mut report = RetentionReport::default();
        let mut after = None;
        loop {
            let ids = self.store.ended_cases(after, 200).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            for id in ids {
                report.examined += 1;
                let Some(record) = self.store.load_case(id).await? else {
                    continue;
                };
                let case = match self.decrypt_case(record).await {
                    Ok(c) => c,
                    Err(ServiceError::Gone { .. }) => continue,
                    Err(e) => return Err(e),
                };
                let Some(due) = erasure_due(id, &case.events, &self.policy.retention) else {
                    continue;
                };
                if today < due {
                    continue;
                }
                report.due.push((id, due));
                if dry_run {
                    continue;
                }
                let record = ErasureRecord::new(
                    ErasureBasis::RetentionExpired,
                    &format!("the retention period ended on {due}"),
                )?;
                match self.erase(SYSTEM_USER, SYSTEM_ORG, case, record).await {
                    Ok(_) => report.erased += 1,
                    Err(ServiceError::Conflict) => report.skipped += 1,
                    Err(e) => return Err(e),
                }
            }
            after = Some(last);
        }
        Ok(report)
    }
}

/// Rewrap the blind-index key and every case key from `old` (its current key or any retired
/// key it carries) to `new`, `batch` keys per transaction. Safe to run again after an
/// interruption: it picks up the keys not yet wrapped under `new`.
///
/// Safe while servers keep serving, provided they run with `new` as their current key and the
/// old one retired (a rolling rotation): each rewrap replaces a wrapped key only while it is
/// still the exact bytes read (compare-and-set), so a record a server rewrote or erased
/// meanwhile is left as the server wrote it; servers wrap only under `new`, so nothing they
/// write needs rewrapping; and the loop ends only when a pass finds no key outside `new`, so a
/// record wrapped under the old key by a server not yet restarted is picked up as well. The
/// blind-index key itself never changes (it is rewrapped, not re-derived), so every stored
/// keyed hash keeps matching and searches work throughout.
pub async fn rotate_master_key(
    store: &dyn Store,
    old: &MasterKey,
    new: &MasterKey,
    batch: u32,
) -> Result<RotationReport, KeyError> {
    let mut report = RotationReport::default();
    match store.deployment_key(INDEX_KEY_NAME).await? {
        Some(bytes) => {
            let wrapped = WrappedKey::from_bytes(&bytes)?;
            if wrapped.master_key_id() != new.id() && old.knows(&wrapped.master_key_id()) {
                let again = rewrap(old, new, &wrapped, INDEX_KEY_CONTEXT)?;
                store
                    .put_deployment_key(INDEX_KEY_NAME, Some(&bytes), again.as_bytes())
                    .await?;
            } else if wrapped.master_key_id() != new.id() {
                return Err(KeyError::WrongMasterKey {
                    stored: wrapped.master_key_id(),
                    current: old.id().to_owned(),
                });
            }
        }
        // Never stored (a database from before index keys were kept): keep the old derivation.
        None => {
            let wrapped = new.wrap_index_key(&old.index_key(), INDEX_KEY_CONTEXT)?;
            store
                .put_deployment_key(INDEX_KEY_NAME, None, wrapped.as_bytes())
                .await?;
        }
    }
    let new_id = raw_key_id(new);
    // Case keys, family-tracing requests, second factors and break-glass reasons: each record
    // sealed with its own key under the master key.
    for table in SealedKeyTable::ALL {
        loop {
            let todo = store
                .record_keys_not_wrapped_by(table, &new_id, batch.max(1))
                .await?;
            if todo.is_empty() {
                break;
            }
            let mut rewraps = Vec::with_capacity(todo.len());
            for (record, bytes) in todo {
                let wrapped = WrappedKey::from_bytes(&bytes)?;
                if !old.knows(&wrapped.master_key_id()) {
                    return Err(KeyError::UnknownWrapping {
                        case: CaseId(record),
                        found: wrapped.master_key_id(),
                        old: old.id().to_owned(),
                    });
                }
                let context = match table {
                    SealedKeyTable::CaseKeys => case_context(CaseId(record)),
                    SealedKeyTable::TracingRequests => {
                        crate::family_tracing::request_context(record)
                    }
                    SealedKeyTable::TotpFactors => crate::mfa::totp_context(UserId(record)),
                    SealedKeyTable::BreakGlass => crate::breakglass::grant_context(record),
                };
                let again = rewrap(old, new, &wrapped, &context)?;
                rewraps.push((record, bytes, again.to_bytes()));
            }
            report.rewrapped += store.rewrap_record_keys(table, &rewraps).await?;
            report.batches += 1;
        }
    }
    Ok(report)
}
