//! Family tracing: tracing requests as sealed records, the in-memory matcher index over the
//! cases and requests whose consent or legal basis allows tracing, and ranked, explained
//! candidate lists for child-protection officers and the competent authority.
//!
//! Safety of the index (see ARCHITECTURE.md): it lives in this process only, is built from the
//! store at start (decrypting with the keys in memory), updated on every referral, case change,
//! request and withdrawal without a rebuild, holds only records whose consent or legal basis
//! allows tracing, and is never written to disk or logs. Only counts are logged.

use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_crypto::{DataKey, WrappedKey};
use harbour_domain::person::{format_date, Birth};
use harbour_domain::tracing::{case_tracing_basis, request_searchable, CaseTracingBasis};
use harbour_domain::{
    CaseId, CaseState, Event, LegalBasis, Minority, OrgId, OrgKind, Person, PersonName,
    RecordedEvent, Role, Sex, Status, TracingRequest, TracingStatus,
};
use harbour_match::index::Index;
use harbour_match::model::{Explanation, Model};
use harbour_match::record::{prepare, Field, Prepared, Record};
use harbour_store::{TracingAccess, TracingRequestHeader, TracingRequestRecord};
use serde::Serialize;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// The shipped Fellegi–Sunter model (m/u tables and a prior only; no names), trained without
/// labels on synthetic data by `examples/train_tracing_model.rs`.
const MODEL_JSON: &str = include_str!("../../../data/match/tracing-model.json");

/// At most this many candidates are shown: a list of 200 is useless to a caseworker.
const TOP_K: usize = 10;
/// Candidates below this probability are not shown (a missed family is worse than an extra
/// candidate, so the bar is low; the explanation says why each one is there).
const MIN_PROBABILITY: f64 = 0.05;

/// One field's contribution to a match, as the matcher explains it.
#[derive(Clone, Debug, Serialize)]
pub struct MatchReason {
    /// `given_name`, `surname`, `birth`, `sex`, `birth_place`, `parent_names`.
    pub field: String,
    /// The comparison level reached, e.g. `same name in the lexicon`.
    pub level: String,
    /// The names or dates compared and how they relate (quotes personal data).
    pub detail: String,
    /// log2 Bayes factor this field adds to the match weight.
    pub weight: f64,
}

/// How strongly two records agree, and why.
#[derive(Clone, Debug, Serialize)]
pub struct MatchScore {
    pub probability: f64,
    pub weight: f64,
    /// Given name and surname were swapped on one of the two records.
    pub swapped: bool,
    pub reasons: Vec<MatchReason>,
}

impl From<Explanation> for MatchScore {
    fn from(e: Explanation) -> Self {
        MatchScore {
            probability: e.probability,
            weight: e.weight,
            swapped: e.swapped,
            reasons: e
                .fields
                .into_iter()
                .map(|f| MatchReason {
                    field: f.field.replace(' ', "_"),
                    level: f.level.to_string(),
                    detail: f.detail,
                    weight: f.weight,
                })
                .collect(),
        }
    }
}

/// A tracing request as its reader is entitled to see it. The requester is shown only to the
/// filing organisation.
#[derive(Clone, Debug, Serialize)]
pub struct TracingRequestView {
    pub id: Uuid,
    pub org_id: OrgId,
    pub legal_basis: LegalBasis,
    pub status: TracingStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub filed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub sought: harbour_domain::tracing::SoughtPerson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<harbour_domain::tracing::Requester>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Whether the request is in the search index now.
    pub searchable: bool,
}

/// One line of the own organisation's request list: nothing personal.
#[derive(Clone, Debug, Serialize)]
pub struct TracingRequestSummary {
    pub id: Uuid,
    pub legal_basis: LegalBasis,
    pub status: TracingStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub filed_at: OffsetDateTime,
}

/// A case that may be the person a request is about (only cases the reader may see).
#[derive(Clone, Debug, Serialize)]
pub struct CaseCandidate {
    pub case_id: CaseId,
    pub status: Status,
    pub minority: Minority,
    /// The name as first recorded on the case.
    pub name: String,
    pub basis: CaseTracingBasis,
    #[serde(flatten)]
    pub score: MatchScore,
}

/// A tracing request that may be about the person of a case. It says that the request exists,
/// who filed it and why it matches; never who asked or how to reach them.
#[derive(Clone, Debug, Serialize)]
pub struct RequestCandidate {
    pub request_id: Uuid,
    pub filing_org: OrgId,
    pub filing_org_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub filed_at: OffsetDateTime,
    pub legal_basis: LegalBasis,
    #[serde(flatten)]
    pub score: MatchScore,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseTracingCandidates {
    /// Why the case is searched, or none when it is not (an adult without consent).
    pub basis: Option<CaseTracingBasis>,
    pub candidates: Vec<RequestCandidate>,
}

/// The in-memory search index. `None` until built.
struct Indexes {
    cases: Index,
    requests: Index,
    /// Each record's entries, with a fingerprint of what they were made from: a write that does
    /// not change names, birth or basis (most case writes) leaves the index alone, so removed
    /// entries (kept by `Index::remove` until the next start) accumulate only on real changes.
    case_pos: HashMap<CaseId, (u64, Vec<u32>)>,
    request_pos: HashMap<Uuid, (u64, Vec<u32>)>,
    /// The last entry of the store's change feed this index has applied.
    seen: i64,
}

impl Indexes {
    fn new() -> Self {
        Indexes {
            cases: Index::new(50_000),
            requests: Index::new(50_000),
            case_pos: HashMap::new(),
            request_pos: HashMap::new(),
            seen: 0,
        }
    }

    fn set_case(&mut self, id: CaseId, records: Vec<Record>, year: i32) {
        set_entries(&mut self.cases, &mut self.case_pos, id, records, year);
    }

    fn set_request(&mut self, id: Uuid, records: Vec<Record>, year: i32) {
        set_entries(&mut self.requests, &mut self.request_pos, id, records, year);
    }
}

fn fingerprint(records: &[Record]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for r in records {
        r.values.hash(&mut h);
    }
    h.finish()
}

/// Replace a record's entries by `records` (none: out of the index), unless they are unchanged.
fn set_entries<K: std::hash::Hash + Eq + std::fmt::Display>(
    index: &mut Index,
    pos: &mut HashMap<K, (u64, Vec<u32>)>,
    id: K,
    records: Vec<Record>,
    year: i32,
) {
    let print = fingerprint(&records);
    match pos.get(&id) {
        Some((p, _)) if *p == print && !records.is_empty() => return,
        None if records.is_empty() => return,
        _ => {}
    }
    if let Some((_, old)) = pos.remove(&id) {
        for ix in old {
            index.remove(ix);
        }
    }
    let prepared = prepared(records, year);
    if !prepared.is_empty() {
        let entries = prepared
            .into_iter()
            .map(|p| index.add(id.to_string(), p))
            .collect();
        pos.insert(id, (print, entries));
    }
}

impl Indexes {}

/// The model and the index, shared by every request of this process.
pub struct TracingIndex {
    model: Model,
    inner: tokio::sync::Mutex<Option<Indexes>>,
}

impl TracingIndex {
    pub(crate) fn new() -> ServiceResult<TracingIndex> {
        let model: Model = serde_json::from_str(MODEL_JSON)
            .map_err(|e| ServiceError::Internal(format!("tracing model: {e}")))?;
        Ok(TracingIndex {
            model,
            inner: tokio::sync::Mutex::new(None),
        })
    }
}

fn birth_fields(r: &mut Record, birth: &Birth) {
    match *birth {
        Birth::Exact(d) => r.set(Field::DateOfBirth, format_date(d)),
        Birth::Year(y) => r.set(Field::DateOfBirth, format!("{y:04}")),
        Birth::YearMonth(y, m) => r.set(Field::DateOfBirth, format!("{y:04}-{:02}", m as u8)),
        Birth::Estimated { min, max, on } => {
            r.set(Field::Age, format!("{min}-{max}"));
            if let Some(on) = on {
                r.set(Field::RecordedOn, format_date(on));
            }
        }
        Birth::Unknown => {}
    }
}

fn sex_field(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "f",
        Sex::Male => "m",
        _ => "",
    }
}

/// Every (given, family) rendering of a name list, each as one matcher record.
fn name_records(
    names: &[PersonName],
    sex: Sex,
    birth: &Birth,
    extra: impl Fn(&mut Record),
) -> Vec<Record> {
    let mut out = Vec::new();
    let mut push =
        |given: &Option<String>, family: &Option<String>, patronymic: &Option<String>| {
            if given.is_none() && family.is_none() {
                return;
            }
            let mut r = Record::new("");
            r.set(Field::GivenName, given.clone().unwrap_or_default());
            r.set(Field::Surname, family.clone().unwrap_or_default());
            r.set(Field::Patronymic, patronymic.clone().unwrap_or_default());
            r.set(Field::Sex, sex_field(sex));
            birth_fields(&mut r, birth);
            extra(&mut r);
            out.push(r);
        };
    for n in names {
        push(&n.given, &n.family, &n.patronymic);
        for t in &n.transliterations {
            push(&t.given, &t.family, &None);
        }
    }
    out
}

fn prepared(records: Vec<Record>, year: i32) -> Vec<Prepared> {
    // A value the matcher cannot read (validated input rarely has one) leaves that rendering out.
    records
        .iter()
        .filter_map(|r| prepare(r, year).ok())
        .collect()
}

/// Every name the case holds: the referral's and those of attached referrals.
fn case_person_records(state: &CaseState, events: &[&Event]) -> Vec<Record> {
    let Some(referral) = state.referral.as_ref() else {
        return Vec::new();
    };
    let p = &referral.person;
    let mut names = p.names.clone();
    for e in events {
        if let Event::ReferralAttached { referral, .. } = e {
            names.extend(referral.person.names.iter().cloned());
        }
    }
    name_records(&names, p.sex, &p.birth, |_| {})
}

fn person_records(p: &Person, year: i32) -> Vec<Prepared> {
    prepared(name_records(&p.names, p.sex, &p.birth, |_| {}), year)
}

fn request_records(r: &TracingRequest) -> Vec<Record> {
    let s = &r.sought;
    name_records(&s.names, s.sex, &s.birth, |rec| {
        if let Some(place) = &s.place {
            rec.set(Field::BirthPlace, place.clone());
        }
        if let Some(m) = &s.mother_name {
            rec.set(Field::MotherName, m.clone());
        }
        if let Some(f) = &s.father_name {
            rec.set(Field::FatherName, f.clone());
        }
    })
}

/// The searchable basis of a case now, if it has one.
fn case_basis(state: &CaseState, now: OffsetDateTime) -> Option<CaseTracingBasis> {
    state.referral.as_ref()?;
    case_tracing_basis(
        state.minority(now.date()),
        state.consents_to_family_tracing(),
    )
}

/// Ranked hits of `queries` against `index`, best score per id, best first.
fn rank(model: &Model, index: &Index, queries: &[Prepared]) -> Vec<(String, MatchScore)> {
    let mut best: HashMap<String, MatchScore> = HashMap::new();
    for q in queries {
        let (hits, _) = index.query(model, q, TOP_K * 2);
        for hit in hits {
            let Some(r) = index.records.get(hit.index as usize) else {
                continue;
            };
            // Without the term-frequency adjustment: in an index of a few hundred records
            // frequencies say little, and a common surname would sink a true match.
            let score = MatchScore::from(model.explain(q, r, None));
            match best.get(&hit.id) {
                Some(b) if b.weight >= score.weight => {}
                _ => {
                    best.insert(hit.id, score);
                }
            }
        }
    }
    let mut out: Vec<(String, MatchScore)> = best
        .into_iter()
        .filter(|(_, s)| s.probability >= MIN_PROBABILITY)
        .collect();
    out.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight).then(a.0.cmp(&b.0)));
    out
}

pub(crate) fn request_context(id: Uuid) -> Vec<u8> {
    format!("tracing-request:{id}").into_bytes()
}

fn request_aad(id: Uuid) -> Vec<u8> {
    format!("tracing-request-payload:{id}").into_bytes()
}

/// Roles that may file tracing requests for their organisation.
fn may_file(role: Role) -> bool {
    matches!(
        role,
        Role::CaseWorker | Role::ChildProtectionOfficer | Role::DecisionMaker
    )
}

/// Who sees candidate lists: child-protection officers and the competent authority's decision
/// makers. Everyone else is refused.
fn may_see_candidates(actor: &Actor) -> bool {
    actor.user.role == Role::ChildProtectionOfficer
        || (actor.user.role == Role::DecisionMaker && actor.org.kind == OrgKind::CompetentAuthority)
}

impl Harbour {
    fn tracing_access(&self, actor: &Actor, id: Uuid, action: &str) -> TracingAccess {
        TracingAccess {
            request_id: id,
            at: self.now(),
            user_id: actor.user.id,
            org_id: actor.org.id,
            action: action.into(),
        }
    }

    fn open_request(&self, record: &TracingRequestRecord) -> ServiceResult<TracingRequest> {
        let id = record.header.id;
        let wrapped = WrappedKey::from_bytes(&record.wrapped_key)?;
        let key = self.master.unwrap_key(&wrapped, &request_context(id))?;
        let clear = key.open(&record.payload, &request_aad(id))?;
        serde_json::from_slice(&clear)
            .map_err(|e| ServiceError::Internal(format!("tracing request {id}: {e}")))
    }

    /// Load a request the actor may see: the filing organisation's filing roles; child-protection
    /// officers of a child-protection organisation when a child (or presumed child) is sought;
    /// the competent authority. Anything
    /// else is "not found", like a request that does not exist.
    async fn visible_request(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<(TracingRequestHeader, TracingRequest)> {
        let record = self
            .store
            .tracing_request(id)
            .await?
            .ok_or(ServiceError::NotFound("tracing request"))?;
        let role = actor.user.role;
        let own = record.header.org_id == actor.org.id && may_file(role);
        let authority = actor.org.kind == OrgKind::CompetentAuthority && role.may_read_cases();
        // As for cases: child protection sees what concerns children, as an organisation.
        let child_protection =
            actor.org.kind == OrgKind::ChildProtection && role == Role::ChildProtectionOfficer;
        if !own && !authority && !child_protection {
            return Err(ServiceError::NotFound("tracing request"));
        }
        let request = self.open_request(&record)?;
        if !own && !authority {
            let minority =
                harbour_domain::minority_at(&request.sought.birth, None, self.now().date());
            if minority == Minority::Adult {
                return Err(ServiceError::NotFound("tracing request"));
            }
        }
        Ok((record.header, request))
    }

    fn request_view(
        &self,
        actor: &Actor,
        header: TracingRequestHeader,
        request: TracingRequest,
    ) -> TracingRequestView {
        let own = header.org_id == actor.org.id;
        TracingRequestView {
            id: header.id,
            org_id: header.org_id,
            legal_basis: header.legal_basis,
            status: header.status,
            filed_at: header.filed_at,
            updated_at: header.updated_at,
            searchable: request_searchable(header.status),
            sought: request.sought,
            requester: own.then_some(request.requester),
            notes: own.then_some(request.notes).flatten(),
        }
    }

    /// File a tracing request for the actor's organisation. It is sealed with its own key and
    /// enters the search index at once if its status allows.
    pub async fn file_tracing_request(
        &self,
        actor: &Actor,
        request: TracingRequest,
    ) -> ServiceResult<TracingRequestView> {
        if !may_file(actor.user.role) {
            return Err(ServiceError::Forbidden(format!(
                "a {} does not file tracing requests",
                actor.user.role
            )));
        }
        let now = self.now();
        let request = request.validate(now.date())?;
        let id = Uuid::new_v4();
        let key = DataKey::generate();
        let clear =
            serde_json::to_vec(&request).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let header = TracingRequestHeader {
            id,
            org_id: actor.org.id,
            legal_basis: request.legal_basis,
            status: TracingStatus::Open,
            filed_at: now,
            updated_at: now,
        };
        self.store
            .insert_tracing_request(
                &TracingRequestRecord {
                    header: header.clone(),
                    wrapped_key: self.master.wrap(&key, &request_context(id))?.to_bytes(),
                    payload: key.seal(&clear, &request_aad(id)),
                },
                &self.tracing_access(actor, id, "file"),
            )
            .await?;
        self.tracing_request_changed(id, Some(&request)).await?;
        Ok(self.request_view(actor, header, request))
    }

    /// The actor organisation's requests, newest first (no personal data).
    pub async fn list_tracing_requests(
        &self,
        actor: &Actor,
    ) -> ServiceResult<Vec<TracingRequestSummary>> {
        if !may_file(actor.user.role) {
            return Err(ServiceError::Forbidden(format!(
                "a {} does not work with tracing requests",
                actor.user.role
            )));
        }
        Ok(self
            .store
            .list_tracing_requests(Some(actor.org.id))
            .await?
            .into_iter()
            .map(|h| TracingRequestSummary {
                id: h.id,
                legal_basis: h.legal_basis,
                status: h.status,
                filed_at: h.filed_at,
            })
            .collect())
    }

    /// Read one request; the read is recorded.
    pub async fn get_tracing_request(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<TracingRequestView> {
        let (header, request) = self.visible_request(actor, id).await?;
        self.store
            .record_tracing_access(&self.tracing_access(actor, id, "read"))
            .await?;
        Ok(self.request_view(actor, header, request))
    }

    /// Withdraw a request (the requester withdrew it, or their consent): it leaves the index at
    /// once. Only the filing organisation may.
    pub async fn withdraw_tracing_request(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<TracingRequestView> {
        let (mut header, request) = self.visible_request(actor, id).await?;
        if header.org_id != actor.org.id || !may_file(actor.user.role) {
            return Err(ServiceError::Forbidden(
                "only the organisation that filed a tracing request may withdraw it".into(),
            ));
        }
        if !header.status.may_withdraw() {
            return Err(ServiceError::Domain(
                harbour_domain::DomainError::IllegalTransition(format!(
                    "the request is {}; it can no longer be withdrawn",
                    header.status
                )),
            ));
        }
        let now = self.now();
        self.store
            .set_tracing_request_status(
                id,
                TracingStatus::Withdrawn,
                now,
                &self.tracing_access(actor, id, "withdraw"),
            )
            .await?;
        header.status = TracingStatus::Withdrawn;
        header.updated_at = now;
        self.tracing_request_changed(id, None).await?;
        Ok(self.request_view(actor, header, request))
    }

    /// Cases that may be the person a request seeks, ranked and explained. Only cases the actor
    /// may see are listed; each listed case gets an access record.
    pub async fn tracing_request_candidates(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<Vec<CaseCandidate>> {
        let (header, request) = self.visible_request(actor, id).await?;
        if !may_see_candidates(actor) {
            return Err(ServiceError::Forbidden(
                "candidate lists are for child-protection officers and the competent authority"
                    .into(),
            ));
        }
        self.store
            .record_tracing_access(&self.tracing_access(actor, id, "candidates"))
            .await?;
        if !request_searchable(header.status) {
            return Ok(Vec::new());
        }
        let now = self.now();
        let queries = prepared(request_records(&request), now.year());
        let ranked = {
            let guard = self.tracing_ready().await?;
            let ix = guard
                .as_ref()
                .ok_or_else(|| ServiceError::Internal("tracing index not built".into()))?;
            rank(&self.tracing.model, &ix.cases, &queries)
        };
        let mut out = Vec::new();
        for (case, score) in ranked {
            let Ok(case_id) = case.parse::<CaseId>() else {
                continue;
            };
            let Some(h) = self.store.case_header(case_id).await? else {
                continue;
            };
            if !crate::cases::may_see(actor, &h) {
                continue;
            }
            let Some((state, _)) = self.open_case_for_tracing(case_id).await? else {
                continue;
            };
            let Some(basis) = case_basis(&state, now) else {
                continue;
            };
            self.store
                .record_access(&self.access(actor, Some(case_id), "tracing_candidate", None))
                .await?;
            out.push(CaseCandidate {
                case_id,
                status: state.status(now.date()),
                minority: state.minority(now.date()),
                name: state
                    .referral
                    .as_ref()
                    .map(|r| r.person.display_name())
                    .unwrap_or_default(),
                basis,
                score,
            });
            if out.len() == TOP_K {
                break;
            }
        }
        Ok(out)
    }

    /// Open tracing requests that may be about the person of a case (for a child's case page).
    /// Says that a request exists, who filed it, the score and why; never who asked.
    pub async fn case_tracing_candidates(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> ServiceResult<CaseTracingCandidates> {
        let header = self
            .store
            .case_header(case)
            .await?
            .ok_or(ServiceError::NotFound("case"))?;
        if !crate::cases::may_see(actor, &header) {
            return Err(ServiceError::NotFound("case"));
        }
        if !may_see_candidates(actor) {
            return Err(ServiceError::Forbidden(
                "candidate lists are for child-protection officers and the competent authority"
                    .into(),
            ));
        }
        let Some((state, events)) = self.open_case_for_tracing(case).await? else {
            return Err(self.gone(case).await);
        };
        self.store
            .record_access(&self.access(actor, Some(case), "tracing_candidates", None))
            .await?;
        let now = self.now();
        let Some(basis) = case_basis(&state, now) else {
            return Ok(CaseTracingCandidates {
                basis: None,
                candidates: Vec::new(),
            });
        };
        let events: Vec<&Event> = events.iter().map(|e| &e.event).collect();
        let queries = prepared(case_person_records(&state, &events), now.year());
        let ranked = {
            let guard = self.tracing_ready().await?;
            let ix = guard
                .as_ref()
                .ok_or_else(|| ServiceError::Internal("tracing index not built".into()))?;
            rank(&self.tracing.model, &ix.requests, &queries)
        };
        let mut orgs: HashMap<OrgId, String> = HashMap::new();
        let mut candidates = Vec::new();
        for (id, score) in ranked.into_iter().take(TOP_K) {
            let Ok(id) = id.parse::<Uuid>() else {
                continue;
            };
            let Some(record) = self.store.tracing_request(id).await? else {
                continue;
            };
            let h = record.header;
            if !request_searchable(h.status) {
                continue;
            }
            let org_name = match orgs.get(&h.org_id) {
                Some(n) => n.clone(),
                None => {
                    let n = self
                        .store
                        .get_org(h.org_id)
                        .await?
                        .map(|o| o.name)
                        .unwrap_or_default();
                    orgs.insert(h.org_id, n.clone());
                    n
                }
            };
            self.store
                .record_tracing_access(&self.tracing_access(actor, id, "candidate_of_case"))
                .await?;
            candidates.push(RequestCandidate {
                request_id: id,
                filing_org: h.org_id,
                filing_org_name: org_name,
                filed_at: h.filed_at,
                legal_basis: h.legal_basis,
                score,
            });
        }
        Ok(CaseTracingCandidates {
            basis: Some(basis),
            candidates,
        })
    }

    /// Record that the person of a case gave or withdrew consent to family tracing. Withdrawal
    /// takes an adult's case out of the index at once; a child's stays (child-protection mandate).
    pub async fn record_family_tracing_consent(
        &self,
        actor: &Actor,
        id: CaseId,
        given: bool,
    ) -> ServiceResult<crate::views::CaseView> {
        let role = actor.user.role;
        self.change(actor, id, "family_tracing_consent", |_| {
            if !matches!(
                role,
                Role::CaseWorker
                    | Role::ChildProtectionOfficer
                    | Role::DecisionMaker
                    | Role::FirstResponder
            ) {
                return Err(ServiceError::Forbidden(format!(
                    "a {role} may not record consent"
                )));
            }
            Ok(harbour_domain::Command::RecordFamilyTracingConsent { given })
        })
        .await
    }

    /// How strongly a new referral's person and an existing one agree, by the tracing model:
    /// the best score over their name renderings. None when a side has no usable name.
    pub(crate) fn duplicate_score(&self, new: &Person, existing: &Person) -> Option<MatchScore> {
        let year = self.now().year();
        let (a, b) = (person_records(new, year), person_records(existing, year));
        let model = &self.tracing.model;
        a.iter()
            .flat_map(|x| b.iter().map(move |y| model.explain(x, y, None)))
            .max_by(|x, y| x.weight.total_cmp(&y.weight))
            .map(MatchScore::from)
    }

    /// Load and decrypt a case without an actor (visibility is checked by the caller).
    /// `None` for an erased case (its key is destroyed: nothing left to search).
    async fn open_case_for_tracing(
        &self,
        id: CaseId,
    ) -> ServiceResult<Option<(CaseState, Vec<RecordedEvent>)>> {
        let record = self
            .store
            .load_case(id)
            .await?
            .ok_or(ServiceError::NotFound("case"))?;
        if record.wrapped_key.is_empty() {
            return Ok(None);
        }
        crate::cases::decrypt_case(&self.master, &record).map(Some)
    }

    /// The index, built first if this process has not built it yet, and brought up to date
    /// with what other app servers changed (the store's change feed).
    async fn tracing_ready(&self) -> ServiceResult<tokio::sync::MutexGuard<'_, Option<Indexes>>> {
        let mut guard = self.tracing.inner.lock().await;
        match guard.as_mut() {
            None => *guard = Some(self.build_tracing_index().await?),
            Some(ix) => self.replay_tracing_changes(ix).await?,
        }
        Ok(guard)
    }

    /// Apply the change feed after `ix.seen`: reload each changed record and put it in or take
    /// it out. Replaying a change this server made itself is harmless (same result).
    async fn replay_tracing_changes(&self, ix: &mut Indexes) -> ServiceResult<()> {
        let now = self.now();
        loop {
            let changes = self.store.tracing_changes_after(ix.seen, 500).await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                return Ok(());
            };
            for c in changes {
                match c.kind.as_str() {
                    "case" => {
                        let id = CaseId(c.id);
                        let records = match self.store.load_case(id).await? {
                            // Erased: its key is destroyed, nothing is left to search.
                            Some(record) if !record.wrapped_key.is_empty() => {
                                let (state, events) =
                                    crate::cases::decrypt_case(&self.master, &record)?;
                                if case_basis(&state, now).is_some() {
                                    let events: Vec<&Event> =
                                        events.iter().map(|e| &e.event).collect();
                                    case_person_records(&state, &events)
                                } else {
                                    Vec::new()
                                }
                            }
                            _ => Vec::new(),
                        };
                        ix.set_case(id, records, now.year());
                    }
                    _ => {
                        let records = match self.store.tracing_request(c.id).await? {
                            Some(record) if request_searchable(record.header.status) => {
                                request_records(&self.open_request(&record)?)
                            }
                            _ => Vec::new(),
                        };
                        ix.set_request(c.id, records, now.year());
                    }
                }
            }
            ix.seen = last;
        }
    }

    /// A second app server on the same store and keys, with its own (unbuilt) tracing index:
    /// what a deployment with several servers runs. For tests and benchmarks.
    pub fn another_app_server(&self) -> ServiceResult<Harbour> {
        let mut other = self.clone();
        other.tracing = std::sync::Arc::new(TracingIndex::new()?);
        Ok(other)
    }

    /// Build the index from the store now (at start-up). Later changes update it in place.
    pub async fn rebuild_tracing_index(&self) -> ServiceResult<(usize, usize)> {
        let mut guard = self.tracing.inner.lock().await;
        let ix = self.build_tracing_index().await?;
        let counts = (ix.case_pos.len(), ix.request_pos.len());
        *guard = Some(ix);
        Ok(counts)
    }

    async fn build_tracing_index(&self) -> ServiceResult<Indexes> {
        let now = self.now();
        let mut ix = Indexes::new();
        // Where the feed stands before reading: anything changed while the build reads is
        // replayed at the next use.
        loop {
            let changes = self.store.tracing_changes_after(ix.seen, 1000).await?;
            match changes.last() {
                Some(c) => ix.seen = c.seq,
                None => break,
            }
        }
        let mut after = None;
        loop {
            let ids = self.store.case_ids(after, 500).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            for id in ids {
                let Some((state, events)) = self.open_case_for_tracing(id).await? else {
                    continue;
                };
                if case_basis(&state, now).is_some() {
                    let events: Vec<&Event> = events.iter().map(|e| &e.event).collect();
                    ix.set_case(id, case_person_records(&state, &events), now.year());
                }
            }
            after = Some(last);
        }
        for h in self.store.list_tracing_requests(None).await? {
            if !request_searchable(h.status) {
                continue;
            }
            if let Some(record) = self.store.tracing_request(h.id).await? {
                let request = self.open_request(&record)?;
                ix.set_request(h.id, request_records(&request), now.year());
            }
        }
        // Counts only: the index itself is personal data and never leaves memory.
        tracing::info!(
            cases = ix.case_pos.len(),
            requests = ix.request_pos.len(),
            "family-tracing index built"
        );
        Ok(ix)
    }

    /// Take an erased case out of the index (its key is gone; so must its names be).
    pub(crate) async fn tracing_case_erased(&self, id: CaseId) {
        // Other app servers drop it when they replay the feed (an erased case has no key).
        if let Err(e) = self
            .store
            .note_tracing_change("case", id.0, self.now())
            .await
        {
            tracing::warn!(error = %e, "could not note a case erasure for family tracing");
        }
        let mut guard = self.tracing.inner.lock().await;
        if let Some(ix) = guard.as_mut() {
            ix.set_case(id, Vec::new(), self.now().year());
        }
    }

    /// Keep the index in step with a case after a write: in if its basis allows, out if not.
    /// Not built yet: nothing to do, the build reads the store.
    pub(crate) async fn tracing_case_changed(
        &self,
        id: CaseId,
        state: &CaseState,
        events: &[&Event],
    ) {
        // Other app servers learn of the change from the feed. The case is already written, so
        // a failure here is logged (without personal data) rather than reported as a failed write.
        if let Err(e) = self
            .store
            .note_tracing_change("case", id.0, self.now())
            .await
        {
            tracing::warn!(error = %e, "could not note a case change for family tracing");
        }
        let mut guard = self.tracing.inner.lock().await;
        if let Some(ix) = guard.as_mut() {
            let now = self.now();
            let records = if case_basis(state, now).is_some() {
                case_person_records(state, events)
            } else {
                Vec::new()
            };
            ix.set_case(id, records, now.year());
        }
    }

    async fn tracing_request_changed(
        &self,
        id: Uuid,
        request: Option<&TracingRequest>,
    ) -> ServiceResult<()> {
        let mut guard = self.tracing.inner.lock().await;
        if let Some(ix) = guard.as_mut() {
            let records = request.map(request_records).unwrap_or_default();
            ix.set_request(id, records, self.now().year());
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn boy() -> Vec<Record> {
        let name = PersonName {
            given: Some("Oleksandr".into()),
            family: Some("Kovalenko".into()),
            patronymic: None,
            script: None,
            transliterations: vec![],
        };
        name_records(&[name], Sex::Male, &Birth::Year(2015), |_| {})
    }

    #[test]
    fn unchanged_records_leave_the_index_alone_and_removal_hides_them() {
        let model = TracingIndex::new().unwrap().model;
        let mut ix = Indexes::new();
        let id = CaseId(Uuid::nil());
        ix.set_case(id, boy(), 2026);
        ix.set_case(id, boy(), 2026);
        assert_eq!(
            ix.cases.len(),
            1,
            "a write that changes no name adds nothing"
        );
        let q = prepared(boy(), 2026);
        assert_eq!(ix.cases.query(&model, &q[0], 5).0.len(), 1);
        // Consent withdrawn: out of every query at once, without a rebuild.
        ix.set_case(id, Vec::new(), 2026);
        assert!(ix.case_pos.is_empty());
        assert!(ix.cases.query(&model, &q[0], 5).0.is_empty());
        // Given again: back in.
        ix.set_case(id, boy(), 2026);
        assert_eq!(ix.cases.query(&model, &q[0], 5).0.len(), 1);
    }
}
