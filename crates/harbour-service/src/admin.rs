//! Administration use cases (organisations and users) for the pages and the API, and the
//! access log with readable names for auditors. Administrators manage accounts and never read
//! cases; auditors read who opened a case, never the case itself.

use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_domain::{CaseId, OrgId, OrgKind, Role, UserId};
use harbour_store::Organisation;
use serde::Serialize;
use time::OffsetDateTime;

/// A user account as an administrator sees it: never the password hash.
#[derive(Clone, Debug, Serialize)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub org_id: OrgId,
    pub role: Role,
    pub locale: String,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One access record with the reader's e-mail and organisation name.
#[derive(Clone, Debug, Serialize)]
pub struct AccessLine {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub user: String,
    pub organisation: String,
    pub action: String,
    pub purpose: Option<String>,
}

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.user.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only administrators manage organisations and users".into(),
        ))
    }
}

impl Harbour {
    /// Every organisation, for an administrator.
    pub async fn admin_organisations(&self, actor: &Actor) -> ServiceResult<Vec<Organisation>> {
        require_admin(actor)?;
        let mut orgs = self.store.list_orgs().await?;
        orgs.sort_by_key(|o| o.name.to_lowercase());
        Ok(orgs)
    }

    /// Every user account, for an administrator.
    pub async fn admin_users(&self, actor: &Actor) -> ServiceResult<Vec<UserSummary>> {
        require_admin(actor)?;
        let mut users: Vec<UserSummary> = self
            .store
            .list_users()
            .await?
            .into_iter()
            .map(|u| UserSummary {
                id: u.id,
                email: u.email,
                org_id: u.org_id,
                role: u.role,
                locale: u.locale,
                active: u.active,
                created_at: u.created_at,
            })
            .collect();
        users.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(users)
    }

    /// An administrator resets a user's lost second factor: the authenticator, the recovery
    /// codes and every session of the user end, and the user sets up a new authenticator at the
    /// next login. Recorded in the access log (who reset whom). The administrator learns no
    /// secret and still reads no case. Not for one's own account (that would let a stolen
    /// administrator session drop its own second factor).
    pub async fn admin_reset_second_factor(
        &self,
        actor: &Actor,
        user: UserId,
    ) -> ServiceResult<()> {
        require_admin(actor)?;
        if user == actor.user.id {
            return Err(ServiceError::Forbidden(
                "another administrator resets your second factor; you can renew your recovery codes yourself".into(),
            ));
        }
        self.store
            .get_user(user)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        self.store
            .reset_second_factor(
                user,
                &harbour_store::AccessRecord {
                    at: self.now(),
                    user_id: actor.user.id,
                    org_id: actor.org.id,
                    case_id: None,
                    action: "second_factor_reset".into(),
                    purpose: Some(format!("user {user}")),
                },
                &harbour_store::SecurityNotice {
                    id: uuid::Uuid::new_v4(),
                    user_id: user,
                    kind: harbour_store::SecurityNoticeKind::SecondFactorReset,
                    count: 1,
                    at: self.now(),
                    acknowledged_at: None,
                },
            )
            .await?;
        Ok(())
    }

    /// An administrator adds an organisation.
    pub async fn admin_create_org(
        &self,
        actor: &Actor,
        name: &str,
        kind: OrgKind,
    ) -> ServiceResult<Organisation> {
        require_admin(actor)?;
        self.create_org(name, kind).await
    }

    /// An administrator adds a user account.
    pub async fn admin_create_user(
        &self,
        actor: &Actor,
        email: &str,
        org: OrgId,
        role: Role,
        password: &str,
    ) -> ServiceResult<UserSummary> {
        require_admin(actor)?;
        let u = self.create_user(email, org, role, password).await?;
        Ok(UserSummary {
            id: u.id,
            email: u.email,
            org_id: u.org_id,
            role: u.role,
            locale: u.locale,
            active: u.active,
            created_at: u.created_at,
        })
    }

    /// The access log of a case with readable names (auditors only, as [`Harbour::access_log`]).
    pub async fn access_log_named(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> ServiceResult<Vec<AccessLine>> {
        let records = self.access_log(actor, id).await?;
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
        Ok(records
            .into_iter()
            .map(|r| AccessLine {
                at: r.at,
                user: users.get(&r.user_id).cloned().unwrap_or_default(),
                organisation: orgs.get(&r.org_id).cloned().unwrap_or_default(),
                action: r.action,
                purpose: r.purpose,
            })
            .collect())
    }
}

impl Harbour {
    /// Active guardians one may appoint to a child's case (child-protection officers and
    /// decision makers, who may appoint; see [`Harbour::appoint_guardian`]).
    pub async fn guardian_candidates(&self, actor: &Actor) -> ServiceResult<Vec<UserSummary>> {
        if !matches!(
            actor.user.role,
            Role::ChildProtectionOfficer | Role::DecisionMaker
        ) {
            return Err(ServiceError::Forbidden(format!(
                "a {} may not appoint a guardian",
                actor.user.role
            )));
        }
        let mut users: Vec<UserSummary> = self
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Guardian && u.active)
            .map(|u| UserSummary {
                id: u.id,
                email: u.email,
                org_id: u.org_id,
                role: u.role,
                locale: u.locale,
                active: u.active,
                created_at: u.created_at,
            })
            .collect();
        users.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(users)
    }
}
