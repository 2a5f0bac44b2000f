//! Break-glass: emergency read access to a case the user's organisation is not related to.
//! Needs a reason, lasts a policy-set time, is flagged in the access log (`break_glass`,
//! then `break_glass_read` for each read), and is listed for auditors to review. Reads only:
//! break-glass never lets anyone change a case.

use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_crypto::{DataKey, WrappedKey};
use harbour_domain::access::{break_glass_reason, may_break_glass};
use harbour_domain::{CaseId, DomainError, OrgId, Role, UserId};
use harbour_store::{AccessRecord, BreakGlassGrant};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// The answer to a break-glass request.
#[derive(Clone, Debug, Serialize)]
pub struct BreakGlassView {
    pub id: Uuid,
    pub case: CaseId,
    #[serde(with = "time::serde::rfc3339")]
    pub granted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// One grant in the auditors' review list.
#[derive(Clone, Debug, Serialize)]
pub struct BreakGlassLine {
    pub id: Uuid,
    pub case: CaseId,
    pub user_id: UserId,
    pub user: String,
    pub organisation_id: OrgId,
    pub organisation: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub granted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

pub(crate) fn grant_context(id: Uuid) -> Vec<u8> {
    format!("break-glass:{id}").into_bytes()
}

fn reason_aad(id: Uuid, case: CaseId) -> Vec<u8> {
    format!("break-glass-reason:{id}:{case}").into_bytes()
}

impl Harbour {
    /// Open a case one's organisation is not related to, in an emergency. The reason is
    /// checked before the case is looked up, so a missing reason reveals nothing.
    pub async fn break_glass(
        &self,
        actor: &Actor,
        case: CaseId,
        reason: &str,
    ) -> ServiceResult<BreakGlassView> {
        if !may_break_glass(actor.user.role) {
            return Err(ServiceError::Forbidden(format!(
                "a {} does not read case files, in an emergency or otherwise",
                actor.user.role
            )));
        }
        let reason = break_glass_reason(reason)?;
        let header = self
            .store
            .case_header(case)
            .await?
            .ok_or(ServiceError::NotFound("case"))?;
        if crate::cases::may_see(actor, &header) {
            return Err(ServiceError::Domain(DomainError::IllegalTransition(
                "you can already read this case; emergency access is not needed".into(),
            )));
        }
        let now = self.now();
        let id = Uuid::new_v4();
        let key = DataKey::generate();
        let grant = BreakGlassGrant {
            id,
            user_id: actor.user.id,
            org_id: actor.org.id,
            case_id: case,
            wrapped_key: self.master.wrap(&key, &grant_context(id))?.to_bytes(),
            sealed_reason: key.seal(reason.as_bytes(), &reason_aad(id, case)),
            granted_at: now,
            expires_at: now + self.access_policy.break_glass,
        };
        let access = AccessRecord {
            at: now,
            user_id: actor.user.id,
            org_id: actor.org.id,
            case_id: Some(case),
            action: "break_glass".into(),
            purpose: Some(format!("emergency access {id}")),
        };
        self.store.insert_break_glass(&grant, &access).await?;
        Ok(BreakGlassView {
            id,
            case,
            granted_at: grant.granted_at,
            expires_at: grant.expires_at,
        })
    }

    /// Whether the actor holds a running break-glass grant for a case.
    pub(crate) async fn has_break_glass(&self, actor: &Actor, case: CaseId) -> ServiceResult<bool> {
        if !may_break_glass(actor.user.role) {
            return Ok(false);
        }
        Ok(self
            .store
            .live_break_glass(actor.user.id, case, self.now())
            .await?
            .is_some())
    }

    /// Break-glass grants of the last `days` days, newest first, with their reasons (auditors).
    pub async fn break_glass_review(
        &self,
        actor: &Actor,
        days: i64,
    ) -> ServiceResult<Vec<BreakGlassLine>> {
        if actor.user.role != Role::Auditor {
            return Err(ServiceError::Forbidden(
                "only auditors review emergency access".into(),
            ));
        }
        let since = self.now() - time::Duration::days(days.clamp(1, 366));
        let grants = self.store.break_glass_since(since, 500).await?;
        let users: std::collections::HashMap<UserId, String> = self
            .store
            .list_users()
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect();
        let orgs: std::collections::HashMap<OrgId, String> = self
            .store
            .list_orgs()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        grants
            .into_iter()
            .map(|g| {
                let wrapped = WrappedKey::from_bytes(&g.wrapped_key)?;
                let key = self.master.unwrap_key(&wrapped, &grant_context(g.id))?;
                let reason = key.open(&g.sealed_reason, &reason_aad(g.id, g.case_id))?;
                Ok(BreakGlassLine {
                    id: g.id,
                    case: g.case_id,
                    user_id: g.user_id,
                    user: users.get(&g.user_id).cloned().unwrap_or_default(),
                    organisation_id: g.org_id,
                    organisation: orgs.get(&g.org_id).cloned().unwrap_or_default(),
                    reason: String::from_utf8_lossy(&reason).into_owned(),
                    granted_at: g.granted_at,
                    expires_at: g.expires_at,
                })
            })
            .collect()
    }
}
