//! Support, rights and justice use cases: the service directory, needs and service referrals
//! (with the provider's narrow view), the rights tracker, child safeguards, justice and redress,
//! durable solutions, follow-ups and handovers.
//!
//! Authorisation: case work goes through `may_see` like every case use case. A service
//! provider is never a party to the case: it reaches a case only through a `service_referrals`
//! row naming its organisation, and then sees that referral and what the service needs, nothing
//! else. A transfer's recipient reaches the case only to answer the transfer.

use crate::cases::{may_see, OpenCase};
use crate::views::CaseView;
use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_domain::support::{
    self, Accepts, BestInterests, DurableSolution, HandoverKind, HandoverState, Justice,
    NeedsAssessment, OpenReferralsOnClose, ReferralStatus, RightLine, RightStatus, ServiceConsent,
    ServiceKind, ServiceProfile, ServiceReferralState,
};
use harbour_domain::{CaseId, CaseState, Command, Event, Minority, OrgId, Role, Sex, UserId};
use harbour_store::{
    CaseParty, PartyRelation, ServiceReferralRow, ServiceRow, SupportWrites, TransferRow,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The support part of a case view.
#[derive(Clone, Debug, Serialize)]
pub struct SupportView {
    pub rights: Vec<RightLine>,
    /// Codes of rights that are due and not met: the rights alerts.
    pub rights_overdue: Vec<String>,
    pub needs: Option<NeedsAssessment>,
    pub service_referrals: Vec<ServiceReferralState>,
    pub named_guardian: Option<NamedGuardian>,
    pub best_interests: Vec<BestInterests>,
    pub family_tracing_requested: bool,
    /// A child at referral who turns 18 during the case needs a plan into adulthood.
    pub transition_plan_needed: bool,
    pub transition_plan: Option<String>,
    pub justice: Option<Justice>,
    pub durable_solution: Option<DurableSolution>,
    pub follow_ups: Vec<FollowUp>,
    pub handovers: Vec<HandoverState>,
    pub assigned_to: Option<UserId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NamedGuardian {
    pub name: String,
    pub organisation: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FollowUp {
    pub on: String,
    pub notes: String,
}

/// A service as the directory shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceView {
    pub id: Uuid,
    pub org_id: OrgId,
    pub kind: ServiceKind,
    pub name: String,
    pub capacity: u32,
    pub free: u32,
    pub languages: Vec<String>,
    pub accepts: Vec<Accepts>,
    pub regions: Vec<String>,
    pub child_specialised: bool,
}

impl From<&ServiceRow> for ServiceView {
    fn from(s: &ServiceRow) -> Self {
        ServiceView {
            id: s.id,
            org_id: s.org_id,
            kind: s.kind,
            name: s.name.clone(),
            capacity: s.capacity,
            free: s.capacity.saturating_sub(s.taken),
            languages: s.languages.clone(),
            accepts: s.accepts.clone(),
            regions: s.regions.clone(),
            child_specialised: s.child_specialised,
        }
    }
}

fn profile(s: &ServiceRow) -> ServiceProfile {
    ServiceProfile {
        id: s.id,
        org_id: s.org_id,
        kind: s.kind,
        capacity: s.capacity,
        taken: s.taken,
        languages: s.languages.clone(),
        accepts: s.accepts.clone(),
        regions: s.regions.clone(),
        child_specialised: s.child_specialised,
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub kind: ServiceKind,
    pub name: String,
    pub capacity: u32,
    #[serde(default)]
    pub languages: Vec<String>,
    pub accepts: Vec<Accepts>,
    #[serde(default = "any_region")]
    pub regions: Vec<String>,
    #[serde(default)]
    pub child_specialised: bool,
}

fn any_region() -> Vec<String> {
    vec!["any".into()]
}

#[derive(Clone, Debug, Default)]
pub struct ServiceQuery {
    pub kind: Option<ServiceKind>,
    pub language: Option<String>,
    pub accepts: Option<Accepts>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceReferralInput {
    pub service_id: Uuid,
    pub need: ServiceKind,
    #[serde(default = "adult_consent")]
    pub consent: ServiceConsent,
}

/// Absent consent means none was recorded: refused for anyone (an adult needs
/// `informed_consent`, a child the guardian's consent and views).
fn adult_consent() -> ServiceConsent {
    ServiceConsent {
        informed_consent: false,
        guardian_consent: None,
        child_views: None,
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceReferralCreated {
    pub id: Uuid,
    pub status: ReferralStatus,
    pub service_id: Uuid,
    pub provider_org: OrgId,
}

/// What a provider sees of a case: its referral and what that service needs. No name, no
/// story, no decisions, no other referral.
#[derive(Clone, Debug, Serialize)]
pub struct ProviderReferralView {
    pub id: Uuid,
    pub case_id: CaseId,
    pub status: ReferralStatus,
    pub service_id: Uuid,
    pub service_kind: ServiceKind,
    pub need: ServiceKind,
    /// The person's own words about this need, and its priority for them.
    pub need_notes: Option<String>,
    pub need_priority: Option<u8>,
    pub minority: Minority,
    pub sex: Sex,
    pub languages: Vec<String>,
    pub consent: ServiceConsent,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    pub decline_reason: Option<String>,
}

/// A line of a provider's inbox (no personal data).
#[derive(Clone, Debug, Serialize)]
pub struct InboxLine {
    pub id: Uuid,
    pub case_id: CaseId,
    pub service_id: Uuid,
    pub status: ReferralStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightInput {
    pub status: RightStatus,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A transfer waiting in the receiving organisation's inbox.
#[derive(Clone, Debug, Serialize)]
pub struct TransferLine {
    pub id: Uuid,
    pub case_id: CaseId,
    pub from_org: OrgId,
    pub from_org_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub offered_at: OffsetDateTime,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    pub kind: HandoverKind,
    #[serde(default)]
    pub to_org: Option<OrgId>,
    #[serde(default)]
    pub to_user: Option<UserId>,
    pub purpose: String,
    #[serde(default)]
    pub person_consents: bool,
    #[serde(default)]
    pub child_views: Option<String>,
}

/// Roles that do case work on support: needs, referrals, justice, durable solutions, handovers.
fn supports(role: Role) -> bool {
    matches!(role, Role::CaseWorker | Role::ChildProtectionOfficer)
}

fn forbid(role: Role, what: &str) -> ServiceError {
    ServiceError::Forbidden(format!("a {role} may not {what}"))
}

fn check_code_list(pointer: &str, items: &mut [String], what: &str) -> ServiceResult<()> {
    for (i, item) in items.iter_mut().enumerate() {
        *item = item.trim().to_lowercase();
        if item.is_empty() || item.chars().count() > 100 || item.contains(',') {
            return Err(ServiceError::invalid(
                &format!("{pointer}/{i}"),
                format!("a {what} has 1 to 100 characters and no comma"),
            ));
        }
    }
    Ok(())
}

impl Harbour {
    pub(crate) fn support_view(&self, state: &CaseState, now: OffsetDateTime) -> SupportView {
        let rights = support::rights_tracker(state, &self.rights, now);
        SupportView {
            rights_overdue: rights
                .iter()
                .filter(|r| r.overdue)
                .map(|r| r.right.clone())
                .collect(),
            rights,
            needs: state.needs.clone(),
            service_referrals: state.service_referrals.clone(),
            named_guardian: state.named_guardian.as_ref().map(|(name, organisation)| {
                NamedGuardian {
                    name: name.clone(),
                    organisation: organisation.clone(),
                }
            }),
            best_interests: state.best_interests.clone(),
            family_tracing_requested: state.family_tracing_requested,
            transition_plan_needed: state.transition_plan_applies(now.date())
                && state.transition_plan.is_none(),
            transition_plan: state.transition_plan.clone(),
            justice: state.justice.clone(),
            durable_solution: state.durable_solution.clone(),
            follow_ups: state
                .follow_ups
                .iter()
                .map(|(on, notes)| FollowUp {
                    on: harbour_domain::person::format_date(*on),
                    notes: notes.clone(),
                })
                .collect(),
            handovers: state.handovers.clone(),
            assigned_to: state.assigned_to,
        }
    }

    // ----- the service directory -----

    /// Offer a service of the actor's own organisation.
    pub async fn create_service(
        &self,
        actor: &Actor,
        mut input: ServiceInput,
    ) -> ServiceResult<ServiceView> {
        if !matches!(
            actor.user.role,
            Role::ServiceProvider | Role::CaseWorker | Role::ChildProtectionOfficer
        ) {
            return Err(forbid(actor.user.role, "offer services"));
        }
        let name = input.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ServiceError::invalid(
                "/name",
                "a service name has 1 to 200 characters",
            ));
        }
        if input.capacity > 100_000 {
            return Err(ServiceError::invalid(
                "/capacity",
                "capacity is the number of places, at most 100000",
            ));
        }
        if input.accepts.is_empty() {
            return Err(ServiceError::invalid(
                "/accepts",
                "say whom the service accepts: adults, children, women, men",
            ));
        }
        for (i, l) in input.languages.iter_mut().enumerate() {
            *l = l.trim().to_lowercase();
            if !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase()) {
                return Err(ServiceError::invalid(
                    &format!("/languages/{i}"),
                    format!("`{l}` is not an ISO 639 language code"),
                ));
            }
        }
        if input.regions.is_empty() {
            input.regions = any_region();
        }
        check_code_list("/regions", &mut input.regions, "region")?;
        input.accepts.sort_by_key(|a| a.as_str());
        input.accepts.dedup();
        let row = ServiceRow {
            id: Uuid::new_v4(),
            org_id: actor.org.id,
            kind: input.kind,
            name,
            capacity: input.capacity,
            taken: 0,
            languages: input.languages,
            accepts: input.accepts,
            regions: input.regions,
            child_specialised: input.child_specialised,
            created_at: self.now(),
        };
        self.store.insert_service(&row).await?;
        Ok(ServiceView::from(&row))
    }

    /// The directory, filtered. Nothing in it is personal; any signed-in user may browse it.
    pub async fn list_services(
        &self,
        _actor: &Actor,
        q: &ServiceQuery,
    ) -> ServiceResult<Vec<ServiceView>> {
        let language = q.language.as_ref().map(|l| l.trim().to_lowercase());
        Ok(self
            .store
            .list_services(q.kind)
            .await?
            .iter()
            .filter(|s| language.as_ref().is_none_or(|l| s.languages.contains(l)))
            .filter(|s| q.accepts.is_none_or(|a| s.accepts.contains(&a)))
            .map(ServiceView::from)
            .collect())
    }

    /// Services that fit this person's need and have a free place, best first; without a need,
    /// for every need of the assessment in the person's order of priority.
    pub async fn services_for_need(
        &self,
        actor: &Actor,
        id: CaseId,
        need: Option<ServiceKind>,
    ) -> ServiceResult<Vec<ServiceView>> {
        let case = self.open_case(actor, id).await?;
        self.store
            .record_access(&self.access(actor, Some(id), "read_service_match", None))
            .await?;
        let needs: Vec<ServiceKind> = match need {
            Some(n) => vec![n],
            None => {
                let mut assessed = case
                    .state
                    .needs
                    .clone()
                    .map(|n| n.needs)
                    .unwrap_or_default();
                assessed.sort_by_key(|n| n.priority.unwrap_or(u8::MAX));
                assessed.into_iter().map(|n| n.kind).collect()
            }
        };
        let fit = case.state.person_fit(self.now().date());
        let mut out: Vec<ServiceView> = Vec::new();
        for need in needs {
            let rows = self.store.list_services(Some(need)).await?;
            let profiles: Vec<ServiceProfile> = rows.iter().map(profile).collect();
            for p in support::rank_services(&profiles, need, &fit) {
                if let Some(r) = rows.iter().find(|r| r.id == p.id) {
                    out.push(ServiceView::from(r));
                }
            }
        }
        Ok(out)
    }

    // ----- rights -----

    /// The rights tracker of a case; recorded like a read.
    pub async fn case_rights(
        &self,
        actor: &Actor,
        id: CaseId,
        purpose: Option<&str>,
    ) -> ServiceResult<Vec<RightLine>> {
        let case = self.open_case(actor, id).await?;
        self.store
            .record_access(&self.access(actor, Some(id), "read_rights", purpose))
            .await?;
        Ok(support::rights_tracker(
            &case.state,
            &self.rights,
            self.now(),
        ))
    }

    /// Record a right's status. Anyone entitled to the case records what they did: a first
    /// responder informs, a caseworker requests, an authority grants or refuses.
    pub async fn record_right(
        &self,
        actor: &Actor,
        id: CaseId,
        right: &str,
        input: RightInput,
    ) -> ServiceResult<Vec<RightLine>> {
        let today = self.now().date();
        let catalogue = self.rights.clone();
        let right = right.to_string();
        let view = self
            .change(actor, id, "record_right", |state| {
                support::check_right_status(
                    &catalogue,
                    state.minority(today),
                    &right,
                    input.status,
                    &input.reason,
                )?;
                let def = catalogue
                    .get(&right)
                    .cloned()
                    .ok_or(ServiceError::NotFound("right"))?;
                Ok(Command::RecordRight {
                    right: def,
                    status: input.status,
                    reason: input.reason,
                })
            })
            .await?;
        Ok(view.support.rights)
    }

    // ----- needs and service referrals -----

    pub async fn assess_needs(
        &self,
        actor: &Actor,
        id: CaseId,
        assessment: NeedsAssessment,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "assess_needs", |_| {
            if !supports(role) {
                return Err(forbid(role, "record a needs assessment"));
            }
            Ok(Command::AssessNeeds { assessment })
        })
        .await
    }

    /// Refer the person to a service. The directory's places are checked here and, when the
    /// provider accepts, again by the store against the capacity.
    pub async fn refer_to_service(
        &self,
        actor: &Actor,
        id: CaseId,
        input: ServiceReferralInput,
    ) -> ServiceResult<ServiceReferralCreated> {
        let role = actor.user.role;
        let service = self.store.get_service(input.service_id).await?;
        let referral = Uuid::new_v4();
        let view = self
            .change(actor, id, "refer_to_service", |_| {
                if !supports(role) {
                    return Err(forbid(role, "refer to services"));
                }
                let service = service.ok_or_else(|| {
                    ServiceError::invalid("/service_id", "no service in the directory has this id")
                })?;
                Ok(Command::ReferToService {
                    referral,
                    service: profile(&service),
                    need: input.need,
                    consent: input.consent,
                })
            })
            .await?;
        let r = view
            .support
            .service_referrals
            .iter()
            .find(|r| r.id == referral)
            .ok_or_else(|| ServiceError::Internal("referral not recorded".into()))?;
        Ok(ServiceReferralCreated {
            id: r.id,
            status: r.status,
            service_id: r.service_id,
            provider_org: r.provider_org,
        })
    }

    /// The provider's inbox: its organisation's referrals, newest first.
    pub async fn provider_inbox(&self, actor: &Actor) -> ServiceResult<Vec<InboxLine>> {
        if !matches!(actor.user.role, Role::ServiceProvider | Role::CaseWorker) {
            return Err(forbid(actor.user.role, "read service referrals"));
        }
        Ok(self
            .store
            .service_referrals_for_org(actor.org.id)
            .await?
            .into_iter()
            .map(|r| InboxLine {
                id: r.id,
                case_id: r.case_id,
                service_id: r.service_id,
                status: r.status,
                referred_at: r.referred_at,
                accepted_at: r.accepted_at,
            })
            .collect())
    }

    /// Open a case through a service referral of the actor's organisation; "not found" for
    /// anything else, exactly like a case one may not see.
    async fn open_for_provider(
        &self,
        actor: &Actor,
        id: CaseId,
        referral: Uuid,
    ) -> ServiceResult<(OpenCase, ServiceReferralRow)> {
        let row = self
            .store
            .service_referral(referral)
            .await?
            .filter(|r| r.case_id == id && r.provider_org == actor.org.id)
            .ok_or(ServiceError::NotFound("service referral"))?;
        if !matches!(actor.user.role, Role::ServiceProvider | Role::CaseWorker) {
            return Err(ServiceError::NotFound("service referral"));
        }
        let case = self.open_case_if(id, |_| true).await?;
        Ok((case, row))
    }

    fn provider_view(
        &self,
        state: &CaseState,
        referral: Uuid,
        now: OffsetDateTime,
    ) -> ServiceResult<ProviderReferralView> {
        let r = state
            .service_referral(referral)
            .ok_or(ServiceError::NotFound("service referral"))?;
        let need = state
            .needs
            .as_ref()
            .and_then(|n| n.needs.iter().find(|x| x.kind == r.need));
        let fit = state.person_fit(now.date());
        Ok(ProviderReferralView {
            id: r.id,
            case_id: state.id,
            status: r.status,
            service_id: r.service_id,
            service_kind: r.service_kind,
            need: r.need,
            need_notes: need.and_then(|n| n.notes.clone()),
            need_priority: need.and_then(|n| n.priority),
            minority: fit.minority,
            sex: fit.sex,
            languages: fit.languages,
            consent: r.consent.clone(),
            referred_at: r.referred_at,
            accepted_at: r.accepted_at,
            decline_reason: r.decline_reason.clone(),
        })
    }

    /// A provider reads its referral: the need and the facts the service needs, nothing else.
    pub async fn provider_referral(
        &self,
        actor: &Actor,
        id: CaseId,
        referral: Uuid,
        purpose: Option<&str>,
    ) -> ServiceResult<ProviderReferralView> {
        let (case, _) = self.open_for_provider(actor, id, referral).await?;
        self.store
            .record_access(&self.access(actor, Some(id), "read_service_referral", purpose))
            .await?;
        self.provider_view(&case.state, referral, self.now())
    }

    /// The provider accepts, declines (with a reason), starts or completes its referral.
    pub async fn provider_step(
        &self,
        actor: &Actor,
        id: CaseId,
        referral: Uuid,
        to: ReferralStatus,
        reason: Option<String>,
    ) -> ServiceResult<ProviderReferralView> {
        if matches!(to, ReferralStatus::Referred | ReferralStatus::Withdrawn) {
            return Err(ServiceError::invalid(
                "/status",
                "a provider accepts, declines, starts or completes a referral",
            ));
        }
        let (case, row) = self.open_for_provider(actor, id, referral).await?;
        if to == ReferralStatus::Accepted {
            // Say plainly that the service is full; the store checks again when it takes the place.
            let full = self
                .store
                .get_service(row.service_id)
                .await?
                .is_none_or(|s| s.taken >= s.capacity);
            if full {
                return Err(ServiceError::Domain(
                    harbour_domain::DomainError::ServiceUnsuitable(
                        "the service has no free place to accept this referral; complete or decline another first".into(),
                    ),
                ));
            }
        }
        let (state, now) = self
            .commit(actor, case, "service_referral", |_| {
                Ok((
                    Command::UpdateServiceReferral {
                        referral,
                        to,
                        reason,
                    },
                    vec![],
                    vec![],
                ))
            })
            .await?;
        self.provider_view(&state, referral, now)
    }

    // ----- children -----

    /// Name a guardian as a person and organisation (the contract's shape); clears the alert.
    pub async fn name_guardian(
        &self,
        actor: &Actor,
        id: CaseId,
        name: String,
        organisation: String,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "appoint_guardian", |_| {
            if !matches!(role, Role::ChildProtectionOfficer | Role::DecisionMaker) {
                return Err(forbid(role, "appoint a guardian"));
            }
            Ok(Command::NameGuardian { name, organisation })
        })
        .await
    }

    pub async fn record_best_interests(
        &self,
        actor: &Actor,
        id: CaseId,
        best_interests: BestInterests,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "best_interests", |_| {
            if !matches!(
                role,
                Role::ChildProtectionOfficer | Role::CaseWorker | Role::DecisionMaker
            ) {
                return Err(forbid(
                    role,
                    "record a best-interests assessment or determination",
                ));
            }
            Ok(Command::RecordBestInterests { best_interests })
        })
        .await
    }

    pub async fn request_family_tracing(
        &self,
        actor: &Actor,
        id: CaseId,
        requested: bool,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "family_tracing", |_| {
            if !supports(role) {
                return Err(forbid(role, "request family tracing"));
            }
            Ok(Command::RequestFamilyTracing { requested })
        })
        .await
    }

    pub async fn record_transition_plan(
        &self,
        actor: &Actor,
        id: CaseId,
        plan: String,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "transition_plan", |_| {
            if !supports(role) {
                return Err(forbid(role, "record a transition plan"));
            }
            Ok(Command::RecordTransitionPlan { plan })
        })
        .await
    }

    // ----- justice, durable solutions, follow-ups -----

    /// Record justice and redress. The cooperation choice is never read by any support rule.
    pub async fn record_justice(
        &self,
        actor: &Actor,
        id: CaseId,
        justice: Justice,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "justice", |_| {
            if !matches!(
                role,
                Role::CaseWorker | Role::ChildProtectionOfficer | Role::LawEnforcement
            ) {
                return Err(forbid(role, "record justice and redress"));
            }
            Ok(Command::RecordJustice { justice })
        })
        .await
    }

    pub async fn choose_durable_solution(
        &self,
        actor: &Actor,
        id: CaseId,
        solution: DurableSolution,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "durable_solution", |_| {
            if !matches!(
                role,
                Role::CaseWorker | Role::ChildProtectionOfficer | Role::DecisionMaker
            ) {
                return Err(forbid(role, "decide a durable solution"));
            }
            Ok(Command::ChooseDurableSolution { solution })
        })
        .await
    }

    pub async fn record_follow_up(
        &self,
        actor: &Actor,
        id: CaseId,
        notes: String,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "follow_up", |_| {
            if !supports(role) {
                return Err(forbid(role, "record follow-up contacts"));
            }
            Ok(Command::RecordFollowUp { notes })
        })
        .await
    }

    /// Close through the contract's route, saying what happens to open accepted referrals.
    pub async fn close(
        &self,
        actor: &Actor,
        id: CaseId,
        reason: harbour_domain::ClosureReason,
        notes: Option<String>,
        open_referrals: Option<OpenReferralsOnClose>,
    ) -> ServiceResult<CaseView> {
        self.close_case_settling(actor, id, reason, notes, open_referrals)
            .await
    }

    // ----- handovers -----

    /// Assign (within the owner organisation), transfer (offered; the recipient accepts) or
    /// refer (shared access for a purpose). Only the owner organisation hands a case over.
    pub async fn hand_over(
        &self,
        actor: &Actor,
        id: CaseId,
        input: HandoverInput,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        // Visibility, then role, then the input: a stranger learns nothing from the errors.
        if !self.may_see_case(actor, id).await? {
            return Err(ServiceError::NotFound("case"));
        }
        if !supports(role) {
            return Err(forbid(role, "hand a case over"));
        }
        let to_org = match input.kind {
            HandoverKind::Assign => actor.org.id,
            _ => {
                let org = input.to_org.ok_or_else(|| {
                    ServiceError::invalid("/to_org", "say which organisation receives the case")
                })?;
                self.store
                    .get_org(org)
                    .await?
                    .ok_or_else(|| ServiceError::invalid("/to_org", "no organisation has this id"))?
                    .id
            }
        };
        if input.kind == HandoverKind::Assign {
            let user = match input.to_user {
                Some(u) => self.store.get_user(u).await?,
                None => None,
            };
            let fits = user
                .is_some_and(|u| u.active && u.org_id == actor.org.id && u.role.may_read_cases());
            if !fits {
                return Err(ServiceError::invalid(
                    "/to_user",
                    "assign to an active user of your organisation who works on cases",
                ));
            }
        }
        let actor_org = actor.org.id;
        self.change(actor, id, "handover", |state| {
            let owner = state_owner(state);
            if owner.is_some_and(|o| o != actor_org) {
                return Err(ServiceError::Forbidden(
                    "only the organisation that owns the case hands it over".into(),
                ));
            }
            Ok(Command::Handover {
                handover: Uuid::new_v4(),
                kind: input.kind,
                from_org: actor_org,
                to_org,
                to_user: input.to_user,
                purpose: input.purpose,
                person_consents: input.person_consents,
                child_views: input.child_views,
            })
        })
        .await
    }

    /// The receiving organisation accepts or declines a transfer offered to it. Until it
    /// accepts it sees nothing of the case; on acceptance it becomes the owner.
    pub async fn answer_transfer(
        &self,
        actor: &Actor,
        id: CaseId,
        handover: Uuid,
        accepted: bool,
    ) -> ServiceResult<Option<CaseView>> {
        if !supports(actor.user.role) {
            return Err(ServiceError::NotFound("transfer"));
        }
        let case = self.open_case_if(id, |_| true).await?;
        let offered = case.state.handovers.iter().any(|h| {
            h.id == handover
                && h.kind == HandoverKind::Transfer
                && h.status == "offered"
                && h.to_org == actor.org.id
        });
        if !offered {
            return Err(ServiceError::NotFound("transfer"));
        }
        let by_org = actor.org.id;
        let (state, now) = self
            .commit(actor, case, "transfer_answer", |_| {
                Ok((
                    Command::AnswerTransfer {
                        handover,
                        accepted,
                        by_org,
                    },
                    vec![],
                    vec![],
                ))
            })
            .await?;
        if accepted {
            Ok(Some(self.view(&state, now)?))
        } else {
            Ok(None)
        }
    }

    /// Transfers offered to the actor's organisation and not yet answered, oldest first: ids,
    /// the offering organisation and the date, never the case's content (it sees that once it
    /// accepts).
    pub async fn transfer_inbox(&self, actor: &Actor) -> ServiceResult<Vec<TransferLine>> {
        if !supports(actor.user.role) {
            return Err(forbid(actor.user.role, "answer case transfers"));
        }
        let rows = self.store.transfers_offered_to(actor.org.id).await?;
        let mut lines = Vec::with_capacity(rows.len());
        for r in rows {
            let from_org_name = self
                .store
                .get_org(r.from_org)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            lines.push(TransferLine {
                id: r.id,
                case_id: r.case_id,
                from_org: r.from_org,
                from_org_name,
                offered_at: r.offered_at,
            });
        }
        Ok(lines)
    }

    /// Whether the actor may see the case (for pages choosing what to show).
    pub async fn may_see_case(&self, actor: &Actor, id: CaseId) -> ServiceResult<bool> {
        Ok(self
            .store
            .case_header(id)
            .await?
            .is_some_and(|h| may_see(actor, &h)))
    }
}

/// The owner organisation as the journal says: the referrer, then each accepted transfer.
fn state_owner(state: &CaseState) -> Option<OrgId> {
    let mut owner = state.referring_org;
    for h in &state.handovers {
        if h.kind == HandoverKind::Transfer && h.status == "accepted" {
            owner = Some(h.to_org);
        }
    }
    owner
}

/// The rows, places and parties that new events imply, so they commit with the events.
pub(crate) fn writes_for(
    before: &CaseState,
    after: &CaseState,
    events: &[Event],
    owner: OrgId,
    now: OffsetDateTime,
) -> (SupportWrites, OrgId, Vec<CaseParty>) {
    let mut w = SupportWrites::default();
    let mut owner = owner;
    let mut parties = Vec::new();
    for e in events {
        match e {
            Event::ServiceReferred { referral, .. }
            | Event::ServiceReferralUpdated { referral, .. } => {
                let Some(r) = after.service_referral(*referral) else {
                    continue;
                };
                if let Event::ServiceReferralUpdated { status, .. } = e {
                    let held = before
                        .service_referral(*referral)
                        .is_some_and(|b| b.holds_place());
                    if *status == ReferralStatus::Accepted {
                        w.places.push((r.service_id, 1));
                    } else if held && !matches!(status, ReferralStatus::Started) {
                        w.places.push((r.service_id, -1));
                    }
                }
                w.referrals.retain(|x| x.id != r.id);
                w.referrals.push(ServiceReferralRow {
                    id: r.id,
                    case_id: after.id,
                    service_id: r.service_id,
                    provider_org: r.provider_org,
                    status: r.status,
                    referred_at: r.referred_at,
                    accepted_at: r.accepted_at,
                    updated_at: now,
                });
            }
            Event::HandoverRecorded {
                kind: HandoverKind::Refer,
                to_org,
                ..
            } => parties.push(CaseParty {
                org_id: *to_org,
                relation: PartyRelation::Shared,
            }),
            Event::HandoverRecorded {
                handover,
                kind: HandoverKind::Transfer,
                from_org,
                to_org,
                ..
            } => w.transfers.push(TransferRow {
                id: *handover,
                case_id: after.id,
                from_org: *from_org,
                to_org: *to_org,
                status: "offered".into(),
                offered_at: now,
                answered_at: None,
            }),
            Event::TransferAnswered {
                handover,
                accepted,
                from_org,
                to_org,
            } => {
                // The row exists since the offer; only its status and answer time change.
                w.transfers.push(TransferRow {
                    id: *handover,
                    case_id: after.id,
                    from_org: *from_org,
                    to_org: *to_org,
                    status: if *accepted { "accepted" } else { "declined" }.into(),
                    offered_at: now,
                    answered_at: Some(now),
                });
                if !*accepted {
                    continue;
                }
                owner = *to_org;
                parties.push(CaseParty {
                    org_id: *to_org,
                    relation: PartyRelation::Owner,
                });
                w.drop_parties.push(CaseParty {
                    org_id: *from_org,
                    relation: PartyRelation::Owner,
                });
            }
            _ => {}
        }
    }
    (w, owner, parties)
}
