//! Case use cases: refer, read, list, decide, appoint a guardian, reconsider, close; and
//! anonymous notifications for adults who do not consent.

use crate::views::{CaseList, CaseSummary, CaseView, DuplicateCandidate, EventView};
use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_crypto::{DataKey, WrappedKey};
use harbour_domain::deadlines::guardian_due;
use harbour_domain::{
    alerts_and_deadlines, apply, decide, AgeAssessmentResult, CaseId, CaseState, ClosureReason,
    Command, DecisionOutcome, DisqualificationGround, Event, ExploitationForm, Minority, OrgKind,
    RecordedEvent, Referral, Role, Sex, Status, UserId,
};
use harbour_store::{
    chain_hash, AccessRecord, AnonymousNotification, CaseChange, CaseFilter, CaseHeader, CaseParty,
    CaseProjection, NewCase, PartyRelation, StoredEvent, GENESIS,
};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A decision as the API receives it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub kind: DecisionKind,
    pub outcome: String,
    #[serde(default)]
    pub reasons: String,
    /// How age was assessed (age assessments only).
    #[serde(default)]
    pub method: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    ReasonableGrounds,
    ConclusiveGrounds,
    AgeAssessment,
    Disqualification,
}

/// What a first responder may say about an adult who does not consent: nothing that identifies.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnonymousNotificationInput {
    #[serde(default = "unknown_sex")]
    pub sex: Sex,
    pub age_group: String,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub exploitation_forms: Vec<ExploitationForm>,
    #[serde(default)]
    pub region: Option<String>,
}

fn unknown_sex() -> Sex {
    Sex::Unknown
}

/// How a referral relates to cases that may already exist for the same person.
#[derive(Clone, Debug, Default)]
pub struct ReferralOptions {
    /// Screenings done with the referral, recorded in the case.
    pub screenings: Vec<crate::screening::ScreeningInput>,
    /// Add this referral to an existing case (one the user may see) instead of opening one.
    pub attach_to: Option<CaseId>,
    /// The user looked at the possible duplicates and this is someone else.
    pub confirm_new_person: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Oldest referral first (decision queues); newest first otherwise.
    pub oldest_first: bool,
    pub status: Option<Status>,
    pub overdue: bool,
    /// Only cases with at least one right overdue.
    pub rights_overdue: bool,
    pub minority: Option<Minority>,
    pub limit: Option<u32>,
    pub after: Option<String>,
}

pub(crate) fn case_context(id: CaseId) -> Vec<u8> {
    format!("case:{id}").into_bytes()
}

pub(crate) fn event_aad(id: CaseId, seq: u64, kind: &str) -> Vec<u8> {
    format!("event:{id}:{seq}:{kind}").into_bytes()
}

/// The need-to-know rule for one case. The SQL of `list_cases` in each backend says the same;
/// the shared storage story checks they agree.
pub fn may_see(actor: &Actor, header: &CaseHeader) -> bool {
    if !actor.user.role.may_read_cases() {
        return false;
    }
    let p = &header.projection;
    header
        .parties
        .iter()
        .any(|party| party.org_id == actor.org.id)
        || actor.org.kind == OrgKind::CompetentAuthority
        || (actor.org.kind == OrgKind::ChildProtection && p.minority != Minority::Adult)
        || p.guardian == Some(actor.user.id)
}

/// Unwrap a case's key and open its journal.
fn decrypt_events(
    master: &harbour_crypto::MasterKey,
    record: &harbour_store::CaseRecord,
) -> ServiceResult<(DataKey, Vec<RecordedEvent>)> {
    let id = record.header.projection.id;
    let wrapped = WrappedKey::from_bytes(&record.wrapped_key)?;
    let key = master.unwrap_key(&wrapped, &case_context(id))?;
    let mut events = Vec::with_capacity(record.events.len());
    for e in &record.events {
        let clear = key.open(&e.payload, &event_aad(id, e.seq, &e.kind))?;
        let event: Event = serde_json::from_slice(&clear)
            .map_err(|err| ServiceError::Internal(format!("event {}: {err}", e.seq)))?;
        events.push(RecordedEvent {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            actor_org: e.actor_org,
            event,
        });
    }
    Ok((key, events))
}

/// A case's state and journal, decrypted, for a caller that has already checked visibility
/// (the family-tracing index).
pub(crate) fn decrypt_case(
    master: &harbour_crypto::MasterKey,
    record: &harbour_store::CaseRecord,
) -> ServiceResult<(CaseState, Vec<RecordedEvent>)> {
    let (_, events) = decrypt_events(master, record)?;
    let state = CaseState::from_events(record.header.projection.id, events.iter());
    Ok((state, events))
}

/// A case loaded and opened for one use case.
pub(crate) struct OpenCase {
    pub(crate) header: CaseHeader,
    pub(crate) key: DataKey,
    pub(crate) events: Vec<RecordedEvent>,
    pub(crate) last_hash: [u8; 32],
    pub(crate) state: CaseState,
}

impl Harbour {
    pub(crate) fn access(
        &self,
        actor: &Actor,
        case: Option<CaseId>,
        action: &str,
        purpose: Option<&str>,
    ) -> AccessRecord {
        AccessRecord {
            at: self.now(),
            user_id: actor.user.id,
            org_id: actor.org.id,
            case_id: case,
            action: action.into(),
            purpose: purpose.map(str::to_owned),
        }
    }

    /// Load a case the actor may see, decrypting its journal. A case they may not see is
    /// "not found", exactly as one that does not exist.
    pub(crate) async fn open_case(&self, actor: &Actor, id: CaseId) -> ServiceResult<OpenCase> {
        self.open_case_as(actor, id, false)
            .await
            .map(|(case, _)| case)
    }

    /// Load a case to read it: also a case opened by a running break-glass grant, which the
    /// returned flag reports (reads under break-glass are logged as such).
    pub(crate) async fn open_case_for_read(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> ServiceResult<(OpenCase, bool)> {
        self.open_case_as(actor, id, true).await
    }

    async fn open_case_as(
        &self,
        actor: &Actor,
        id: CaseId,
        allow_break_glass: bool,
    ) -> ServiceResult<(OpenCase, bool)> {
        let record = self
            .store
            .load_case(id)
            .await?
            .ok_or(ServiceError::NotFound("case"))?;
        let mut break_glass = false;
        if !may_see(actor, &record.header) {
            if !(allow_break_glass && self.has_break_glass(actor, id).await?) {
                return Err(ServiceError::NotFound("case"));
            }
            break_glass = true;
        }
        Ok((self.decrypt_case(record).await?, break_glass))
    }

    /// Load and open a case if `visible` says so from its header; "not found" otherwise. Only
    /// for narrower relations than `may_see` (a provider's referral, a transfer's recipient),
    /// whose callers show the actor nothing beyond what that relation entitles them to.
    pub(crate) async fn open_case_if(
        &self,
        id: CaseId,
        visible: impl FnOnce(&CaseHeader) -> bool,
    ) -> ServiceResult<OpenCase> {
        let record = self
            .store
            .load_case(id)
            .await?
            .ok_or(ServiceError::NotFound("case"))?;
        if !visible(&record.header) {
            return Err(ServiceError::NotFound("case"));
        }
        self.decrypt_case(record).await
    }

    /// Unwrap a loaded case's key and open its journal. An erased case (no key) is `Gone`.
    pub(crate) async fn decrypt_case(
        &self,
        record: harbour_store::CaseRecord,
    ) -> ServiceResult<OpenCase> {
        let id = record.header.projection.id;
        if record.wrapped_key.is_empty() {
            return Err(self.gone(id).await);
        }
        let (key, events) = decrypt_events(&self.master, &record)?;
        let state = CaseState::from_events(id, events.iter());
        let last_hash = record.events.last().map(|e| e.hash).unwrap_or(GENESIS);
        Ok(OpenCase {
            header: record.header,
            key,
            events,
            last_hash,
            state,
        })
    }

    /// Seal and chain new events after `prev`.
    fn seal_events(
        &self,
        actor: &Actor,
        key: &DataKey,
        state: &CaseState,
        mut prev: [u8; 32],
        events: &[Event],
        now: OffsetDateTime,
    ) -> ServiceResult<(Vec<StoredEvent>, CaseState)> {
        let mut stored = Vec::with_capacity(events.len());
        let mut state = state.clone();
        for event in events {
            let seq = state.seq + 1;
            let kind = event.kind();
            let clear =
                serde_json::to_vec(event).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let mut s = StoredEvent {
                case_id: state.id,
                seq,
                at: now,
                actor: actor.user.id,
                actor_org: actor.org.id,
                kind: kind.into(),
                payload: key.seal(&clear, &event_aad(state.id, seq, kind)),
                prev_hash: prev,
                hash: [0; 32],
            };
            s.hash = chain_hash(&prev, &s);
            prev = s.hash;
            state = apply(
                state,
                &RecordedEvent {
                    seq,
                    at: now,
                    actor: actor.user.id,
                    actor_org: actor.org.id,
                    event: event.clone(),
                },
            );
            stored.push(s);
        }
        Ok((stored, state))
    }

    /// The queryable columns of a case, as of `now`.
    fn projection(
        &self,
        state: &CaseState,
        owner: harbour_domain::OrgId,
        now: OffsetDateTime,
    ) -> ServiceResult<CaseProjection> {
        let today = now.date();
        let referred_at = state
            .referred_at
            .ok_or_else(|| ServiceError::Internal("case without referral".into()))?;
        let referring_org = state
            .referring_org
            .ok_or_else(|| ServiceError::Internal("case without referrer".into()))?;
        let minority = state.minority(today);
        let open = !matches!(state.phase, Status::Closed | Status::Disqualified);
        Ok(CaseProjection {
            id: state.id,
            phase: state.phase,
            minority,
            referred_at,
            referring_org,
            owner_org: owner,
            guardian: state.guardian,
            rg_due: (state.phase == Status::AwaitingReasonableGrounds)
                .then(|| self.policy.reasonable_grounds_due(referred_at.date())),
            awaiting_cg_from: state.awaiting_conclusive_from(),
            guardian_due: (open && minority.is_child_or_presumed() && !state.has_guardian())
                .then(|| guardian_due(&self.policy, referred_at)),
            rights_due: rights_due(state, &self.rights, now),
            updated_at: now,
            seq: state.seq,
        })
    }

    pub(crate) fn view(&self, state: &CaseState, now: OffsetDateTime) -> ServiceResult<CaseView> {
        let referral = state
            .referral
            .as_ref()
            .ok_or_else(|| ServiceError::Internal("case without referral".into()))?;
        let (alerts, deadlines) = alerts_and_deadlines(state, now, &self.policy);
        Ok(CaseView {
            id: state.id,
            status: state.status(now.date()),
            minority: state.minority(now.date()),
            person: referral.person.clone(),
            exploitation_forms: referral.exploitation_forms.clone(),
            consent: referral.consent.clone(),
            child_views: referral.child_views.clone(),
            summary: referral.summary.clone(),
            online: referral.online,
            online_recruitment: referral.online_recruitment,
            online_exploitation: referral.online_exploitation,
            referred_at: state.referred_at.unwrap_or(now),
            referring_org: state
                .referring_org
                .unwrap_or(harbour_domain::OrgId(Uuid::nil())),
            guardian: state.guardian,
            alerts,
            deadlines,
            recovery_period: state.recovery_period.map(Into::into),
            age_assessed: state
                .assessed_child
                .map(|c| if c { "child".into() } else { "adult".into() }),
            screenings: state.screenings.clone(),
            platform_types: referral.platform_types.clone(),
            labour_sectors: referral.labour_sectors.clone(),
            country_of_origin: referral.country_of_origin.clone(),
            countries_of_transit: referral.countries_of_transit.clone(),
            countries_of_exploitation: referral.countries_of_exploitation.clone(),
            attached_referrals_from: state.attached_orgs.clone(),
            support: self.support_view(state, now),
            version: state.seq,
        })
    }

    /// Refer a person into the NRM. A child needs no consent; an adult does. Screenings done at
    /// intake are evaluated and recorded in the new case. If a case the user may see already
    /// holds the same person (same normalised name, compatible birth), the referral is refused
    /// with the candidates unless `options` attaches it to one or confirms a new case.
    pub async fn refer(
        &self,
        actor: &Actor,
        mut referral: Referral,
        options: ReferralOptions,
    ) -> ServiceResult<CaseView> {
        if !actor.user.role.may_refer() {
            return Err(ServiceError::Forbidden(format!(
                "a {} cannot refer a person into the NRM",
                actor.user.role
            )));
        }
        let now = self.now();
        // Validate first, so the minority used to pick indicator lists is the real one.
        referral = referral.validate(now.date())?;
        let minority = harbour_domain::minority_at(&referral.person.birth, None, now.date());
        referral.screenings = options
            .screenings
            .iter()
            .enumerate()
            .map(|(i, input)| {
                let r = self.evaluate_screening(input, minority, &format!("/screenings/{i}"))?;
                Ok(crate::screening::to_domain(&r, input.notes.clone()))
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let keys = self.person_keys(&referral.person);
        if let Some(target) = options.attach_to {
            let role_org = actor.org.id;
            return self
                .change_full(actor, target, "attach_referral", |_| {
                    Ok((
                        Command::AttachReferral {
                            referral: Box::new(referral),
                            referring_org: role_org,
                        },
                        vec![CaseParty {
                            org_id: role_org,
                            relation: PartyRelation::Referrer,
                        }],
                        keys,
                    ))
                })
                .await;
        }
        if !options.confirm_new_person {
            let candidates = self.duplicate_candidates(actor, &referral, &keys).await?;
            if !candidates.is_empty() {
                return Err(ServiceError::PossibleDuplicate(candidates));
            }
        }
        let id = CaseId(Uuid::new_v4());
        let empty = CaseState::empty(id);
        let events = decide(
            &empty,
            Command::Refer {
                referral: Box::new(referral),
                referring_org: actor.org.id,
            },
            now,
            &self.policy,
        )?;
        let key = DataKey::generate();
        let (stored, state) = self.seal_events(actor, &key, &empty, GENESIS, &events, now)?;
        let projection = self.projection(&state, actor.org.id, now)?;
        let recorded = recorded_events(actor, &stored, events, now);
        let statistics = harbour_statistics::CaseStatistics::from_journal_with_rights(
            id,
            &recorded,
            actor.org.kind,
            &self.policy,
            &self.rights,
        );
        self.store
            .create_case(&NewCase {
                projection,
                person_keys: keys,
                wrapped_key: self.master.wrap(&key, &case_context(id))?.to_bytes(),
                parties: vec![
                    CaseParty {
                        org_id: actor.org.id,
                        relation: PartyRelation::Referrer,
                    },
                    CaseParty {
                        org_id: actor.org.id,
                        relation: PartyRelation::Owner,
                    },
                ],
                events: stored,
                access: self.access(actor, Some(id), "refer", None),
                statistics,
            })
            .await?;
        let all: Vec<&Event> = recorded.iter().map(|e| &e.event).collect();
        self.tracing_case_changed(id, &state, &all).await;
        self.view(&state, now)
    }

    /// Keyed hashes of every (given, family) pair the person is recorded under, in each script
    /// and transliteration given. Names never leave this function in clear.
    fn person_keys(&self, person: &harbour_domain::Person) -> Vec<Vec<u8>> {
        let norm = |s: &Option<String>| {
            s.as_deref()
                .map(harbour_crypto::normalise_index_value)
                .unwrap_or_default()
        };
        let mut pairs = Vec::new();
        for n in &person.names {
            pairs.push((norm(&n.given), norm(&n.family)));
            for t in &n.transliterations {
                pairs.push((norm(&t.given), norm(&t.family)));
            }
        }
        let mut keys: Vec<Vec<u8>> = pairs
            .iter()
            .filter(|(g, f)| !g.is_empty() || !f.is_empty())
            .flat_map(|(g, f)| {
                // Both orders: given name and surname are often swapped on foreign forms.
                [format!("{g}\u{1f}{f}"), format!("{f}\u{1f}{g}")]
            })
            .map(|v| self.index_key.hash("person-name-v1", &v).to_vec())
            .chain(
                tracing_keys(&pairs)
                    .iter()
                    .map(|v| self.index_key.hash("person-tracing-v1", v).to_vec()),
            )
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Visible cases with the same person key whose recorded birth is compatible with this one.
    async fn duplicate_candidates(
        &self,
        actor: &Actor,
        referral: &Referral,
        keys: &[Vec<u8>],
    ) -> ServiceResult<Vec<DuplicateCandidate>> {
        let today = self.now().date();
        let (lo, hi) = referral.person.birth.age_bounds(today);
        let mut out = Vec::new();
        for header in self.store.cases_with_person_keys(keys).await? {
            if !may_see(actor, &header) {
                continue;
            }
            let case = self.open_case(actor, header.projection.id).await?;
            let Some(existing) = case.state.referral.as_ref() else {
                continue;
            };
            let (elo, ehi) = existing.person.birth.age_bounds(today);
            // One year of slack either way: partial dates and estimates are rarely exact.
            if elo > hi + 1 || lo > ehi + 1 {
                continue;
            }
            self.store
                .record_access(&self.access(
                    actor,
                    Some(header.projection.id),
                    "duplicate_check",
                    None,
                ))
                .await?;
            out.push(DuplicateCandidate {
                id: header.projection.id,
                status: case.state.status(today),
                minority: case.state.minority(today),
                referred_at: header.projection.referred_at,
                name: existing.person.display_name(),
                score: self.duplicate_score(&referral.person, &existing.person),
            });
        }
        // Most likely first: the keyed blocking found them, the matcher ranks them.
        out.sort_by(|a, b| {
            let p = |c: &DuplicateCandidate| c.score.as_ref().map_or(0.0, |s| s.weight);
            p(b).total_cmp(&p(a))
        });
        Ok(out)
    }

    /// Read a case; the read is recorded with its purpose.
    pub async fn get_case(
        &self,
        actor: &Actor,
        id: CaseId,
        purpose: Option<&str>,
    ) -> ServiceResult<CaseView> {
        let (case, break_glass) = self.open_case_for_read(actor, id).await?;
        self.store
            .record_access(&self.access(
                actor,
                Some(id),
                if break_glass {
                    "break_glass_read"
                } else {
                    "read"
                },
                purpose,
            ))
            .await?;
        self.view(&case.state, self.now())
    }

    /// A case and its timeline together (the case page): one load, one decryption, one access
    /// record, where `get_case` then `case_events` would do each twice.
    pub async fn case_with_events(
        &self,
        actor: &Actor,
        id: CaseId,
        purpose: Option<&str>,
    ) -> ServiceResult<(CaseView, Vec<EventView>)> {
        let (case, break_glass) = self.open_case_for_read(actor, id).await?;
        self.store
            .record_access(&self.access(
                actor,
                Some(id),
                if break_glass {
                    "break_glass_read"
                } else {
                    "read"
                },
                purpose,
            ))
            .await?;
        let view = self.view(&case.state, self.now())?;
        Ok((view, timeline(case.events)))
    }

    /// The journal of a case as a timeline; recorded like a read.
    pub async fn case_events(
        &self,
        actor: &Actor,
        id: CaseId,
        purpose: Option<&str>,
    ) -> ServiceResult<Vec<EventView>> {
        let (case, break_glass) = self.open_case_for_read(actor, id).await?;
        self.store
            .record_access(&self.access(
                actor,
                Some(id),
                if break_glass {
                    "break_glass_read_events"
                } else {
                    "read_events"
                },
                purpose,
            ))
            .await?;
        Ok(timeline(case.events))
    }

    /// Cases the actor may see, newest first. Lists carry no personal data.
    pub async fn list_cases(&self, actor: &Actor, q: &ListQuery) -> ServiceResult<CaseList> {
        if !actor.user.role.may_read_cases() {
            return Err(ServiceError::Forbidden(format!(
                "a {} does not read case files",
                actor.user.role
            )));
        }
        let limit = q.limit.unwrap_or(50).clamp(1, 200);
        let after = match &q.after {
            None => None,
            Some(cursor) => Some(parse_cursor(cursor)?),
        };
        let now = self.now();
        let headers = self
            .store
            .list_cases(&CaseFilter {
                viewer: actor.viewer(),
                status: q.status,
                overdue: q.overdue,
                minority: q.minority,
                now,
                limit,
                after,
                oldest_first: q.oldest_first,
                rights_overdue: q.rights_overdue,
            })
            .await?;
        let today = now.date();
        let cases: Vec<CaseSummary> = headers
            .iter()
            .map(|h| summary(&h.projection, now, today))
            .collect();
        let next = (headers.len() as u32 == limit)
            .then(|| {
                headers.last().map(|h| {
                    format!(
                        "{}_{}",
                        harbour_store::to_micros(h.projection.referred_at),
                        h.projection.id
                    )
                })
            })
            .flatten();
        Ok(CaseList { cases, next })
    }

    /// Run a command against a case the actor may see, and persist what it decides.
    pub(crate) async fn change(
        &self,
        actor: &Actor,
        id: CaseId,
        action: &str,
        make: impl FnOnce(&CaseState) -> ServiceResult<Command>,
    ) -> ServiceResult<CaseView> {
        self.change_full(actor, id, action, |state| {
            Ok((make(state)?, vec![], vec![]))
        })
        .await
    }

    /// As [`Harbour::change`], also adding parties and person keys in the same transaction.
    async fn change_full(
        &self,
        actor: &Actor,
        id: CaseId,
        action: &str,
        make: impl FnOnce(&CaseState) -> ServiceResult<(Command, Vec<CaseParty>, Vec<Vec<u8>>)>,
    ) -> ServiceResult<CaseView> {
        let case = self.open_case(actor, id).await?;
        let (state, now) = self.commit(actor, case, action, make).await?;
        self.view(&state, now)
    }

    /// Decide a command on an opened case and persist it: events, projection, parties, person
    /// keys, access record, and the support rows the events imply (service referral status,
    /// places held, a transferred owner), all in one transaction.
    pub(crate) async fn commit(
        &self,
        actor: &Actor,
        case: OpenCase,
        action: &str,
        make: impl FnOnce(&CaseState) -> ServiceResult<(Command, Vec<CaseParty>, Vec<Vec<u8>>)>,
    ) -> ServiceResult<(CaseState, OffsetDateTime)> {
        let id = case.state.id;
        let (command, mut new_parties, new_person_keys) = make(&case.state)?;
        let now = self.now();
        let events = decide(&case.state, command, now, &self.policy)?;
        let (stored, state) =
            self.seal_events(actor, &case.key, &case.state, case.last_hash, &events, now)?;
        let (writes, owner, parties) = crate::support::writes_for(
            &case.state,
            &state,
            &events,
            case.header.projection.owner_org,
            now,
        );
        new_parties.extend(parties);
        let projection = self.projection(&state, owner, now)?;
        // The whole journal after this change, built once for statistics and the tracing index.
        let mut journal = case.events;
        journal.extend(recorded_events(actor, &stored, events, now));
        let statistics = self.statistics_row(id, &journal, &state).await?;
        self.store
            .append_support(
                &CaseChange {
                    projection,
                    expected_seq: case.state.seq,
                    events: stored,
                    new_parties,
                    new_person_keys,
                    access: self.access(actor, Some(id), action, None),
                    statistics,
                },
                &writes,
            )
            .await?;
        let all: Vec<&Event> = journal.iter().map(|e| &e.event).collect();
        self.tracing_case_changed(id, &state, &all).await;
        Ok((state, now))
    }

    /// Record a decision. Grounds decisions and disqualification are the competent authority's
    /// decision makers'; an age assessment may also be recorded by a child-protection officer.
    pub async fn decide(
        &self,
        actor: &Actor,
        id: CaseId,
        input: DecisionInput,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        let may = match input.kind {
            DecisionKind::AgeAssessment => {
                matches!(role, Role::DecisionMaker | Role::ChildProtectionOfficer)
            }
            _ => role == Role::DecisionMaker && actor.org.kind == OrgKind::CompetentAuthority,
        };
        let command = decision_command(&input)?;
        self.change(actor, id, "decide", |_| {
            if !may {
                return Err(ServiceError::Forbidden(format!(
                    "a {role} may not record this decision; decisions belong to the competent authority's decision makers"
                )));
            }
            Ok(command)
        })
        .await
    }

    /// Appoint a guardian (a user with the guardian role) for a child or presumed child.
    pub async fn appoint_guardian(
        &self,
        actor: &Actor,
        id: CaseId,
        guardian: UserId,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        let guardian_user = self.store.get_user(guardian).await?;
        self.change(actor, id, "appoint_guardian", |_| {
            if !matches!(role, Role::ChildProtectionOfficer | Role::DecisionMaker) {
                return Err(ServiceError::Forbidden(format!(
                    "a {role} may not appoint a guardian"
                )));
            }
            let g = guardian_user
                .filter(|u| u.role == Role::Guardian && u.active)
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "/guardian",
                        "no active user with the guardian role has this id",
                    )
                })?;
            Ok(Command::AppointGuardian {
                guardian: g.id,
                organisation: g.org_id,
            })
        })
        .await
    }

    /// Ask for a negative decision to be reconsidered (responder, support provider or authority).
    pub async fn request_reconsideration(
        &self,
        actor: &Actor,
        id: CaseId,
        reasons: String,
    ) -> ServiceResult<CaseView> {
        self.change(actor, id, "reconsideration", |_| {
            Ok(Command::RequestReconsideration { reasons })
        })
        .await
    }

    /// The person asks for the conclusive decision before the recovery period ends.
    pub async fn request_early_conclusive(
        &self,
        actor: &Actor,
        id: CaseId,
        reasons: String,
    ) -> ServiceResult<CaseView> {
        self.change(actor, id, "early_conclusive", |_| {
            Ok(Command::RequestEarlyConclusiveDecision { reasons })
        })
        .await
    }

    pub async fn close_case(
        &self,
        actor: &Actor,
        id: CaseId,
        reason: ClosureReason,
        notes: Option<String>,
    ) -> ServiceResult<CaseView> {
        self.close_case_settling(actor, id, reason, notes, None)
            .await
    }

    /// Close a case, saying what happens to accepted service referrals still open (refused
    /// without that word when there are any).
    pub async fn close_case_settling(
        &self,
        actor: &Actor,
        id: CaseId,
        reason: ClosureReason,
        notes: Option<String>,
        open_referrals: Option<harbour_domain::support::OpenReferralsOnClose>,
    ) -> ServiceResult<CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "close", |_| {
            if !matches!(
                role,
                Role::CaseWorker | Role::DecisionMaker | Role::ChildProtectionOfficer
            ) {
                return Err(ServiceError::Forbidden(format!(
                    "a {role} may not close a case"
                )));
            }
            Ok(Command::Close {
                reason,
                notes,
                open_referrals,
            })
        })
        .await
    }

    /// Count an adult who does not consent, with nothing that identifies them.
    pub async fn anonymous_notification(
        &self,
        actor: &Actor,
        input: AnonymousNotificationInput,
    ) -> ServiceResult<Uuid> {
        if !actor.user.role.may_refer() {
            return Err(ServiceError::Forbidden(format!(
                "a {} cannot file notifications",
                actor.user.role
            )));
        }
        let age_group = match input.age_group.as_str() {
            "adult" | "unknown" => input.age_group.clone(),
            "child" => {
                return Err(ServiceError::invalid(
                    "/age_group",
                    "a child is referred without consent: use a referral, so that the child gets protection",
                ))
            }
            other => return Err(ServiceError::invalid("/age_group", format!("`{other}` is not an age group; use adult or unknown"))),
        };
        let nationality = match input.nationality {
            Some(n) if n.len() == 2 && n.chars().all(|c| c.is_ascii_alphabetic()) => {
                Some(n.to_ascii_uppercase())
            }
            Some(n) => {
                return Err(ServiceError::invalid(
                    "/nationality",
                    format!("`{n}` is not an ISO 3166-1 alpha-2 country code"),
                ))
            }
            None => None,
        };
        let region = match input.region {
            Some(r) if r.trim().is_empty() || r.chars().count() > 100 => {
                return Err(ServiceError::invalid(
                    "/region",
                    "a region name has 1 to 100 characters",
                ))
            }
            r => r,
        };
        let mut forms: Vec<String> = input
            .exploitation_forms
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect();
        forms.sort();
        forms.dedup();
        let n = AnonymousNotification {
            id: Uuid::new_v4(),
            at: self.now(),
            org_id: actor.org.id,
            sex: input.sex.as_str().into(),
            age_group,
            nationality,
            exploitation_forms: forms,
            region,
        };
        self.store.insert_anonymous_notification(&n).await?;
        Ok(n.id)
    }

    /// The access log of a case, for auditors.
    pub async fn access_log(&self, actor: &Actor, id: CaseId) -> ServiceResult<Vec<AccessRecord>> {
        if actor.user.role != Role::Auditor {
            return Err(ServiceError::Forbidden(
                "only auditors read access logs".into(),
            ));
        }
        self.store
            .case_header(id)
            .await?
            .ok_or(ServiceError::NotFound("case"))?;
        Ok(self.store.access_log(id).await?)
    }
}

/// Keys that survive script, transliteration, diminutives and surname sex forms, from the
/// family-tracing matcher's normalisation: every lexicon group of the given name (Sashko, Sasha,
/// Aleksandr and Олександр share one) or else its Slavic skeleton, with the surname's skeleton
/// stem (Kovalenko, Kowalenko, Коваленко; Kovalska and Kovalskyi), in both orders. Hashed with
/// the blind-index key before they reach the store.
fn tracing_keys(pairs: &[(String, String)]) -> Vec<String> {
    use harbour_match::normalize::{skeleton, surname_stem};
    let lexicon = harbour_match::lexicon::lexicon();
    let mut out = Vec::new();
    for (g, f) in pairs {
        for (given, family) in [(g, f), (f, g)] {
            let (gs, fs) = (skeleton(given), surname_stem(&skeleton(family)));
            if gs.is_empty() || fs.is_empty() {
                continue;
            }
            let groups = lexicon.given_groups(&gs);
            if groups.is_empty() {
                out.push(format!("s:{gs}\u{1f}{fs}"));
            }
            out.extend(groups.iter().map(|(id, _)| format!("g:{id}\u{1f}{fs}")));
        }
    }
    out
}

/// New events as the journal records them, for deriving the statistical row in the same write.
fn recorded_events(
    actor: &Actor,
    stored: &[StoredEvent],
    events: Vec<Event>,
    now: OffsetDateTime,
) -> Vec<RecordedEvent> {
    stored
        .iter()
        .zip(events)
        .map(|(s, event)| RecordedEvent {
            seq: s.seq,
            at: now,
            actor: actor.user.id,
            actor_org: actor.org.id,
            event,
        })
        .collect()
}

fn timeline(events: Vec<RecordedEvent>) -> Vec<EventView> {
    events
        .into_iter()
        .map(|e| EventView {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            actor_org: e.actor_org,
            event: e.event,
        })
        .collect()
}

fn parse_cursor(cursor: &str) -> ServiceResult<(OffsetDateTime, CaseId)> {
    let bad = || ServiceError::invalid("/after", "not a cursor returned by this list");
    let (micros, id) = cursor.split_once('_').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let id: CaseId = id.parse().map_err(|_| bad())?;
    Ok((harbour_store::from_micros(micros), id))
}

/// Due dates of the rights not yet met, earliest first: what lists count as late rights.
fn rights_due(
    state: &CaseState,
    catalogue: &harbour_domain::support::RightsCatalogue,
    now: OffsetDateTime,
) -> Vec<time::Date> {
    if !state.is_open(now.date()) {
        return vec![];
    }
    let mut due: Vec<time::Date> = harbour_domain::support::rights_tracker(state, catalogue, now)
        .iter()
        .filter(|r| !r.met)
        .filter_map(|r| r.due)
        .collect();
    due.sort();
    due
}

fn summary(p: &CaseProjection, now: OffsetDateTime, today: time::Date) -> CaseSummary {
    let status = match (p.phase, p.awaiting_cg_from) {
        (Status::RecoveryPeriod, Some(d)) if today >= d => Status::AwaitingConclusiveGrounds,
        (phase, _) => phase,
    };
    let mut alerts = Vec::new();
    let mut overdue = false;
    if let Some(due) = p.rg_due {
        if today > due {
            alerts.push("reasonable_grounds_overdue".to_string());
            overdue = true;
        }
    }
    if let Some(due) = p.guardian_due {
        alerts.push("guardian_missing".to_string());
        overdue |= now > due;
    }
    if p.minority == Minority::PresumedChild
        && !matches!(p.phase, Status::Closed | Status::Disqualified)
    {
        alerts.push("age_assessment_pending".to_string());
    }
    if let (Status::AwaitingConclusiveGrounds, Some(from)) = (status, p.awaiting_cg_from) {
        alerts.push("conclusive_grounds_due".to_string());
        overdue |= today > from;
    }
    let rights_overdue = p.rights_due.iter().filter(|d| today > **d).count();
    if rights_overdue > 0 {
        alerts.push("rights_overdue".to_string());
    }
    CaseSummary {
        rights_overdue,
        id: p.id,
        status,
        minority: p.minority,
        referred_at: p.referred_at,
        referring_org: p.referring_org,
        overdue,
        alerts,
    }
}

fn decision_command(input: &DecisionInput) -> ServiceResult<Command> {
    let grounds = |o: &str| match o {
        "positive" => Ok(DecisionOutcome::Positive),
        "negative" => Ok(DecisionOutcome::Negative),
        other => Err(ServiceError::invalid(
            "/outcome",
            format!("`{other}` is not an outcome of this decision; use positive or negative"),
        )),
    };
    let reasons = input.reasons.clone();
    Ok(match input.kind {
        DecisionKind::ReasonableGrounds => Command::DecideReasonableGrounds {
            outcome: grounds(&input.outcome)?,
            reasons,
        },
        DecisionKind::ConclusiveGrounds => Command::DecideConclusiveGrounds {
            outcome: grounds(&input.outcome)?,
            reasons,
        },
        DecisionKind::AgeAssessment => {
            let result = match input.outcome.as_str() {
                "child" => AgeAssessmentResult::Child,
                "adult" => AgeAssessmentResult::Adult,
                other => {
                    return Err(ServiceError::invalid(
                        "/outcome",
                        format!("`{other}` is not an age-assessment result; use child or adult"),
                    ))
                }
            };
            let method = input
                .method
                .clone()
                .ok_or_else(|| ServiceError::invalid("/method", "say how age was assessed"))?;
            Command::AssessAge {
                result,
                method,
                reasons,
            }
        }
        DecisionKind::Disqualification => {
            let ground: DisqualificationGround = input.outcome.parse().map_err(|_| {
                ServiceError::invalid(
                    "/outcome",
                    format!(
                        "`{}` is not a ground; use public_order or bad_faith",
                        input.outcome
                    ),
                )
            })?;
            Command::Disqualify { ground, reasons }
        }
    })
}
