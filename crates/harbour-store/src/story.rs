//! The storage story every backend must pass. Backends call [`run`] from their own tests with a
//! fresh, migrated store; it exercises the whole contract of [`Store`] and panics on the first
//! broken promise. (Compiled only with the `story` feature, for tests.)
#![cfg(feature = "story")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::*;
use harbour_domain::{Minority, OrgKind, Role, Status};
use time::macros::datetime;
use time::Duration;
use uuid::Uuid;

fn org(kind: OrgKind, name: &str) -> Organisation {
    Organisation {
        id: OrgId(Uuid::new_v4()),
        name: name.into(),
        kind,
        created_at: datetime!(2026-01-01 0:00 UTC),
    }
}

fn user(org: &Organisation, role: Role, email: &str) -> User {
    User {
        id: UserId(Uuid::new_v4()),
        email: email.into(),
        org_id: org.id,
        role,
        password_hash: "$argon2id$fake".into(),
        locale: "en".into(),
        active: true,
        created_at: datetime!(2026-01-01 0:00 UTC),
    }
}

fn event(
    case: CaseId,
    seq: u64,
    prev: [u8; 32],
    at: OffsetDateTime,
    actor: &User,
    kind: &str,
    payload: &[u8],
) -> StoredEvent {
    let mut e = StoredEvent {
        case_id: case,
        seq,
        at,
        actor: actor.id,
        actor_org: actor.org_id,
        kind: kind.into(),
        payload: payload.to_vec(),
        prev_hash: prev,
        hash: [0; 32],
    };
    e.hash = chain_hash(&prev, &e);
    e
}

fn projection(
    id: CaseId,
    referred_at: OffsetDateTime,
    referrer: &Organisation,
    minority: Minority,
) -> CaseProjection {
    CaseProjection {
        id,
        phase: Status::AwaitingReasonableGrounds,
        minority,
        referred_at,
        referring_org: referrer.id,
        owner_org: referrer.id,
        guardian: None,
        rg_due: Some(referred_at.date() + Duration::days(7)),
        awaiting_cg_from: None,
        guardian_due: (minority != Minority::Adult).then(|| referred_at + Duration::hours(24)),
        rights_due: vec![],
        updated_at: referred_at,
        seq: 1,
    }
}

fn access(u: &User, case: CaseId, action: &str, at: OffsetDateTime) -> AccessRecord {
    AccessRecord {
        at,
        user_id: u.id,
        org_id: u.org_id,
        case_id: Some(case),
        action: action.into(),
        purpose: None,
    }
}

fn viewer(u: &User, o: &Organisation) -> Viewer {
    Viewer {
        user_id: u.id,
        org_id: o.id,
        org_kind: o.kind,
    }
}

fn filter(v: Viewer, now: OffsetDateTime) -> CaseFilter {
    CaseFilter {
        viewer: v,
        status: None,
        overdue: false,
        minority: None,
        now,
        limit: 50,
        after: None,
        oldest_first: false,
        rights_overdue: false,
    }
}

/// Run the whole story against a fresh, migrated store.
pub async fn run(store: &dyn Store) {
    // Migrations are idempotent.
    store.migrate().await.expect("second migrate is a no-op");

    // Organisations and users.
    let police = org(OrgKind::Police, "Fake City Police");
    let ngo = org(OrgKind::Ngo, "Example Shelter NGO");
    let authority = org(OrgKind::CompetentAuthority, "Fictional Competent Authority");
    let childprot = org(OrgKind::ChildProtection, "Imaginary Child Protection");
    for o in [&police, &ngo, &authority, &childprot] {
        store.insert_org(o).await.unwrap();
    }
    assert_eq!(store.get_org(police.id).await.unwrap().unwrap(), police);
    assert_eq!(store.list_orgs().await.unwrap().len(), 4);
    assert!(store
        .get_org(OrgId(Uuid::new_v4()))
        .await
        .unwrap()
        .is_none());

    let officer = user(&police, Role::FirstResponder, "officer@police.example");
    let worker = user(&ngo, Role::CaseWorker, "worker@ngo.example");
    let decider = user(&authority, Role::DecisionMaker, "decider@ca.example");
    let cpo = user(&childprot, Role::ChildProtectionOfficer, "cpo@cp.example");
    for u in [&officer, &worker, &decider, &cpo] {
        store.insert_user(u).await.unwrap();
    }
    let dup = User {
        id: UserId(Uuid::new_v4()),
        ..officer.clone()
    };
    assert!(
        matches!(store.insert_user(&dup).await, Err(StoreError::Duplicate(_))),
        "e-mail addresses are unique"
    );
    assert_eq!(
        store
            .user_by_email("officer@police.example")
            .await
            .unwrap()
            .unwrap(),
        officer
    );
    assert!(store
        .user_by_email("nobody@example")
        .await
        .unwrap()
        .is_none());
    store.set_user_locale(officer.id, "uk").await.unwrap();
    assert_eq!(
        store.get_user(officer.id).await.unwrap().unwrap().locale,
        "uk"
    );
    assert_eq!(store.list_users().await.unwrap().len(), 4);

    // Sessions: found while live, gone when expired or deleted.
    let t0 = datetime!(2026-11-23 10:00 UTC);
    let s = SessionRecord {
        token_hash: vec![7; 32],
        id: Uuid::new_v4(),
        user_id: officer.id,
        kind: "api".into(),
        created_at: t0,
        expires_at: t0 + Duration::hours(8),
        last_seen_at: t0,
    };
    store.insert_session(&s).await.unwrap();
    assert_eq!(
        store
            .session(&[7; 32], t0 + Duration::hours(1), t0 - Duration::hours(1))
            .await
            .unwrap()
            .unwrap()
            .user_id,
        officer.id
    );
    assert!(
        store
            .session(&[7; 32], t0 + Duration::hours(9), t0 - Duration::hours(1))
            .await
            .unwrap()
            .is_none(),
        "expired session"
    );
    assert!(store
        .session(&[8; 32], t0, t0 - Duration::hours(1))
        .await
        .unwrap()
        .is_none());
    store.delete_session(&[7; 32]).await.unwrap();
    assert!(
        store
            .session(&[7; 32], t0 + Duration::hours(1), t0 - Duration::hours(1))
            .await
            .unwrap()
            .is_none(),
        "deleted session"
    );

    // An adult case referred by the police.
    let adult = CaseId(Uuid::new_v4());
    let e1 = event(
        adult,
        1,
        GENESIS,
        t0,
        &officer,
        "referral_received",
        b"sealed-1",
    );
    store
        .create_case(&NewCase {
            projection: projection(adult, t0, &police, Minority::Adult),
            person_keys: vec![vec![0xAA; 32], vec![0xAB; 32]],
            wrapped_key: vec![1, 2, 3],
            parties: vec![
                CaseParty {
                    org_id: police.id,
                    relation: PartyRelation::Referrer,
                },
                CaseParty {
                    org_id: police.id,
                    relation: PartyRelation::Owner,
                },
            ],
            events: vec![e1.clone()],
            access: access(&officer, adult, "refer", t0),
            statistics: Some(stat_row(adult, t0, "2026-Q1", None)),
        })
        .await
        .unwrap();

    // A presumed child referred by the NGO, a minute later.
    let child = CaseId(Uuid::new_v4());
    let t1 = t0 + Duration::minutes(1);
    let c1 = event(
        child,
        1,
        GENESIS,
        t1,
        &worker,
        "referral_received",
        b"sealed-c1",
    );
    store
        .create_case(&NewCase {
            projection: projection(child, t1, &ngo, Minority::PresumedChild),
            person_keys: vec![vec![0xAB; 32]],
            wrapped_key: vec![4, 5, 6],
            parties: vec![CaseParty {
                org_id: ngo.id,
                relation: PartyRelation::Referrer,
            }],
            events: vec![c1.clone()],
            access: access(&worker, child, "refer", t1),
            statistics: None,
        })
        .await
        .unwrap();

    // Load round-trips exactly.
    let rec = store.load_case(adult).await.unwrap().unwrap();
    assert_eq!(rec.wrapped_key, vec![1, 2, 3]);
    assert_eq!(rec.events, vec![e1.clone()]);
    assert_eq!(
        rec.header.projection,
        projection(adult, t0, &police, Minority::Adult)
    );
    assert_eq!(rec.header.parties.len(), 2);
    assert!(store
        .load_case(CaseId(Uuid::new_v4()))
        .await
        .unwrap()
        .is_none());
    assert!(store.case_header(adult).await.unwrap().is_some());

    // Append a decision; a stale writer conflicts and changes nothing.
    let t2 = t0 + Duration::days(2);
    let e2 = event(
        adult,
        2,
        e1.hash,
        t2,
        &decider,
        "reasonable_grounds_decided",
        b"sealed-2",
    );
    let mut p2 = projection(adult, t0, &police, Minority::Adult);
    p2.phase = Status::RecoveryPeriod;
    p2.rg_due = None;
    p2.awaiting_cg_from = Some(t2.date() + Duration::days(30));
    p2.seq = 2;
    p2.updated_at = t2;
    store
        .append(&CaseChange {
            projection: p2.clone(),
            expected_seq: 1,
            events: vec![e2.clone()],
            new_parties: vec![CaseParty {
                org_id: ngo.id,
                relation: PartyRelation::Owner,
            }],
            new_person_keys: vec![vec![0xAC; 32]],
            access: access(&decider, adult, "decide", t2),
            statistics: None,
        })
        .await
        .unwrap();
    let stale = event(adult, 2, e1.hash, t2, &officer, "case_closed", b"sealed-x");
    let r = store
        .append(&CaseChange {
            projection: projection(adult, t0, &police, Minority::Adult),
            expected_seq: 1,
            events: vec![stale],
            new_parties: vec![],
            new_person_keys: vec![vec![0xEE; 32]],
            access: access(&officer, adult, "close", t2),
            statistics: Some(stat_row(adult, t0, "2026-Q1", Some(3))),
        })
        .await;
    assert!(
        matches!(r, Err(StoreError::Conflict)),
        "stale append must conflict, got {r:?}"
    );
    let rec = store.load_case(adult).await.unwrap().unwrap();
    assert_eq!(rec.events, vec![e1.clone(), e2.clone()]);
    assert_eq!(rec.header.projection, p2);
    verify_chain(&rec.events).unwrap();

    // Person keys find cases by keyed hash; a failed append added none.
    let ids_for = |keys: Vec<Vec<u8>>| async move {
        let mut ids: Vec<CaseId> = store
            .cases_with_person_keys(&keys)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.projection.id)
            .collect();
        ids.sort();
        ids
    };
    let mut both = vec![adult, child];
    both.sort();
    assert_eq!(ids_for(vec![vec![0xAA; 32]]).await, vec![adult]);
    assert_eq!(
        ids_for(vec![vec![0xAB; 32], vec![0xAA; 32]]).await,
        both,
        "each case once"
    );
    assert_eq!(
        ids_for(vec![vec![0xAC; 32]]).await,
        vec![adult],
        "keys added by an append"
    );
    assert!(
        ids_for(vec![vec![0xEE; 32]]).await.is_empty(),
        "the conflicting append left no key"
    );
    assert!(ids_for(vec![]).await.is_empty());

    // Visibility in lists: each organisation sees only what it is entitled to.
    let seen = |v: Viewer| {
        let cf = filter(v, t2);
        async move {
            store
                .list_cases(&cf)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.projection.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        seen(viewer(&officer, &police)).await,
        vec![adult],
        "police referred the adult only"
    );
    assert_eq!(
        seen(viewer(&worker, &ngo)).await,
        vec![child, adult],
        "NGO referred the child and now owns the adult"
    );
    assert_eq!(
        seen(viewer(&decider, &authority)).await,
        vec![child, adult],
        "the competent authority sees every case"
    );
    assert_eq!(
        seen(viewer(&cpo, &childprot)).await,
        vec![child],
        "child protection sees children only"
    );
    let stranger_org = org(OrgKind::Police, "Other Fake Police");
    store.insert_org(&stranger_org).await.unwrap();
    let stranger = user(&stranger_org, Role::FirstResponder, "other@police.example");
    store.insert_user(&stranger).await.unwrap();
    assert!(
        seen(viewer(&stranger, &stranger_org)).await.is_empty(),
        "an unrelated organisation sees nothing"
    );

    // Filters: status (effective on the day), minority, overdue.
    let v = viewer(&decider, &authority);
    let only =
        |status: Option<Status>, minority: Option<Minority>, overdue: bool, now: OffsetDateTime| {
            let mut cf = filter(v, now);
            cf.status = status;
            cf.minority = minority;
            cf.overdue = overdue;
            async move {
                store
                    .list_cases(&cf)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|h| h.projection.id)
                    .collect::<Vec<_>>()
            }
        };
    assert_eq!(
        only(Some(Status::RecoveryPeriod), None, false, t2).await,
        vec![adult]
    );
    assert_eq!(
        only(Some(Status::AwaitingReasonableGrounds), None, false, t2).await,
        vec![child]
    );
    let after_rp = t2 + Duration::days(31);
    assert_eq!(
        only(
            Some(Status::AwaitingConclusiveGrounds),
            None,
            false,
            after_rp
        )
        .await,
        vec![adult],
        "recovery period over"
    );
    assert!(only(Some(Status::RecoveryPeriod), None, false, after_rp)
        .await
        .is_empty());
    assert_eq!(
        only(None, Some(Minority::PresumedChild), false, t2).await,
        vec![child]
    );
    assert_eq!(
        only(None, None, true, t1).await,
        Vec::<CaseId>::new(),
        "nothing overdue a minute in"
    );
    assert_eq!(
        only(None, None, true, t1 + Duration::hours(25)).await,
        vec![child],
        "guardian overdue after 24 hours"
    );
    assert_eq!(
        only(None, None, true, t2 + Duration::days(32)).await,
        vec![child, adult],
        "conclusive decision overdue too"
    );

    // Keyset paging returns every case exactly once.
    let mut cf = filter(v, t2);
    cf.limit = 1;
    let page1 = store.list_cases(&cf).await.unwrap();
    assert_eq!(page1.len(), 1);
    let last = &page1[0].projection;
    cf.after = Some((last.referred_at, last.id));
    let page2 = store.list_cases(&cf).await.unwrap();
    assert_eq!(page2.len(), 1);
    assert_ne!(page2[0].projection.id, last.id);
    cf.after = Some((page2[0].projection.referred_at, page2[0].projection.id));
    assert!(store.list_cases(&cf).await.unwrap().is_empty());

    // Oldest first, for decision queues, pages the other way.
    let mut cf = filter(v, t2);
    cf.oldest_first = true;
    cf.limit = 1;
    let first = store.list_cases(&cf).await.unwrap();
    assert_eq!(
        first[0].projection.id, adult,
        "the adult was referred first"
    );
    cf.after = Some((first[0].projection.referred_at, first[0].projection.id));
    let second = store.list_cases(&cf).await.unwrap();
    assert_eq!(second[0].projection.id, child);

    // Guardian visibility: the appointed guardian user sees the case whatever their organisation.
    let guardianship = org(
        OrgKind::GuardianshipAuthority,
        "Pretend Guardianship Office",
    );
    store.insert_org(&guardianship).await.unwrap();
    let guardian = user(&guardianship, Role::Guardian, "guardian@gu.example");
    store.insert_user(&guardian).await.unwrap();
    assert!(seen(viewer(&guardian, &guardianship)).await.is_empty());
    let rec = store.load_case(child).await.unwrap().unwrap();
    let mut pc = rec.header.projection.clone();
    pc.guardian = Some(guardian.id);
    pc.guardian_due = None;
    pc.seq = 2;
    let c2 = event(
        child,
        2,
        c1.hash,
        t2,
        &cpo,
        "guardian_appointed",
        b"sealed-c2",
    );
    store
        .append(&CaseChange {
            projection: pc,
            expected_seq: 1,
            events: vec![c2],
            new_parties: vec![],
            new_person_keys: vec![],
            access: access(&cpo, child, "guardian", t2),
            statistics: None,
        })
        .await
        .unwrap();
    assert_eq!(seen(viewer(&guardian, &guardianship)).await, vec![child]);

    // Access log: every write above was recorded, in order.
    store
        .record_access(&access(&decider, adult, "read", t2 + Duration::minutes(5)))
        .await
        .unwrap();
    let log = store.access_log(adult).await.unwrap();
    let actions: Vec<_> = log.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["refer", "decide", "read"],
        "the failed stale append left no access record"
    );

    // Case ids page for audit.
    let ids = store.case_ids(None, 10).await.unwrap();
    assert_eq!(ids.len(), 2);
    let rest = store.case_ids(Some(ids[0]), 10).await.unwrap();
    assert_eq!(rest, vec![ids[1]]);

    // Anonymous notifications are counted.
    let n0 = store.count_anonymous_notifications().await.unwrap();
    store
        .insert_anonymous_notification(&AnonymousNotification {
            id: Uuid::new_v4(),
            at: t0,
            org_id: police.id,
            sex: "female".into(),
            age_group: "adult".into(),
            nationality: Some("UA".into()),
            exploitation_forms: vec!["forced_labour".into()],
            region: None,
        })
        .await
        .unwrap();
    assert_eq!(store.count_anonymous_notifications().await.unwrap(), n0 + 1);

    // Hash banks: add, tombstone, version for caches; platform keys and their per-minute counts.
    store.create_bank("fake-bank", t0).await.unwrap();
    assert!(matches!(
        store.create_bank("fake-bank", t0).await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(matches!(
        store.add_bank_hash("no-bank", &[1; 32], "x", 90, t0).await,
        Err(StoreError::Missing(_))
    ));
    let v0 = store.bank_version("fake-bank").await.unwrap().unwrap();
    let h1 = store
        .add_bank_hash("fake-bank", &[1; 32], "internal label 1", 90, t0)
        .await
        .unwrap();
    let h2 = store
        .add_bank_hash("fake-bank", &[2; 32], "internal label 2", 80, t0)
        .await
        .unwrap();
    assert!(store.bank_version("fake-bank").await.unwrap().unwrap() > v0);
    store.remove_bank_hash("fake-bank", h1, t1).await.unwrap();
    assert!(
        matches!(
            store.remove_bank_hash("fake-bank", h1, t1).await,
            Err(StoreError::Missing(_))
        ),
        "already removed"
    );
    assert_eq!(
        store.bank_hashes("fake-bank").await.unwrap(),
        vec![BankHash {
            id: h2,
            hash: [2; 32]
        }]
    );
    assert_eq!(
        store.list_banks().await.unwrap(),
        vec!["fake-bank".to_string()]
    );
    assert!(store.bank_version("other").await.unwrap().is_none());
    let key = PlatformKey {
        key_hash: vec![9; 32],
        name: "Fake Platform".into(),
        banks: vec!["fake-bank".into(), "second".into()],
        per_minute: 60,
        created_at: t0,
    };
    store.insert_platform_key(&key).await.unwrap();
    assert_eq!(store.platform_key(&[9; 32]).await.unwrap(), Some(key));
    assert!(store.platform_key(&[8; 32]).await.unwrap().is_none());
    assert_eq!(
        store.count_platform_request(&[9; 32], 100).await.unwrap(),
        1
    );
    assert_eq!(
        store.count_platform_request(&[9; 32], 100).await.unwrap(),
        2
    );
    assert_eq!(
        store.count_platform_request(&[9; 32], 101).await.unwrap(),
        1,
        "a new minute counts afresh"
    );

    data_protection(store).await;
    // Family tracing requests: sealed payload round-trips; headers list per organisation, newest
    // first; a status change and every access are recorded in order.
    {
        use harbour_domain::{LegalBasis, TracingStatus};
        let filed = datetime!(2026-03-01 9:00 UTC);
        let rec = |org_id: OrgId, minutes: i64, basis: LegalBasis| TracingRequestRecord {
            header: TracingRequestHeader {
                id: Uuid::new_v4(),
                org_id,
                legal_basis: basis,
                status: TracingStatus::Open,
                filed_at: filed + Duration::minutes(minutes),
                updated_at: filed + Duration::minutes(minutes),
            },
            wrapped_key: vec![7; 40],
            payload: b"sealed request".to_vec(),
        };
        let access =
            |r: &TracingRequestRecord, u: &User, action: &str, at: OffsetDateTime| TracingAccess {
                request_id: r.header.id,
                at,
                user_id: u.id,
                org_id: u.org_id,
                action: action.into(),
            };
        let first = rec(ngo.id, 0, LegalBasis::ConsentOfRequester);
        let second = rec(ngo.id, 5, LegalBasis::ChildProtectionMandate);
        let other = rec(childprot.id, 1, LegalBasis::CourtOrder);
        for r in [&first, &second, &other] {
            store
                .insert_tracing_request(r, &access(r, &worker, "file", r.header.filed_at))
                .await
                .unwrap();
        }
        assert_eq!(
            store
                .tracing_request(first.header.id)
                .await
                .unwrap()
                .unwrap(),
            first
        );
        assert!(store
            .tracing_request(Uuid::new_v4())
            .await
            .unwrap()
            .is_none());
        let mine: Vec<Uuid> = store
            .list_tracing_requests(Some(ngo.id))
            .await
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(mine, [second.header.id, first.header.id]);
        assert_eq!(store.list_tracing_requests(None).await.unwrap().len(), 3);
        let later = filed + Duration::hours(1);
        store
            .set_tracing_request_status(
                first.header.id,
                TracingStatus::Withdrawn,
                later,
                &access(&first, &worker, "withdraw", later),
            )
            .await
            .unwrap();
        let h = store
            .tracing_request(first.header.id)
            .await
            .unwrap()
            .unwrap()
            .header;
        assert_eq!(
            (h.status, h.updated_at, h.filed_at),
            (TracingStatus::Withdrawn, later, first.header.filed_at)
        );
        assert!(matches!(
            store
                .set_tracing_request_status(
                    Uuid::new_v4(),
                    TracingStatus::Closed,
                    later,
                    &access(&first, &worker, "withdraw", later)
                )
                .await,
            Err(StoreError::Missing(_))
        ));
        store
            .record_tracing_access(&access(&first, &worker, "read", later))
            .await
            .unwrap();
        let log: Vec<String> = store
            .tracing_access_log(first.header.id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(log, ["file", "withdraw", "read"]);

        // The change feed: filing and withdrawing noted themselves, in order; notes page.
        let case_id = Uuid::new_v4();
        let seq = store
            .note_tracing_change("case", case_id, later)
            .await
            .unwrap();
        let all = store.tracing_changes_after(0, 100).await.unwrap();
        let ids: Vec<(String, Uuid)> = all.iter().map(|c| (c.kind.clone(), c.id)).collect();
        assert_eq!(
            ids,
            [
                ("request".to_string(), first.header.id),
                ("request".to_string(), second.header.id),
                ("request".to_string(), other.header.id),
                ("request".to_string(), first.header.id),
                ("case".to_string(), case_id),
            ]
        );
        assert_eq!(all.last().unwrap().seq, seq);
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
        let tail = store.tracing_changes_after(all[2].seq, 1).await.unwrap();
        assert_eq!(tail, [all[3].clone()]);
        assert!(store
            .tracing_changes_after(seq, 10)
            .await
            .unwrap()
            .is_empty());
    }
    statistics(store, adult, child, t0).await;
    for seed in [1, 7, 2026] {
        statistics_counts_follow_the_rows(store, &police, &officer, seed).await;
    }

    // The benchmark baseline works.
    let id = store.probe_insert(b"probe").await.unwrap();
    assert_eq!(
        store.probe_select(id).await.unwrap().as_deref(),
        Some(&b"probe"[..])
    );

    support_story(store).await;
    late_rights_and_transfers(store).await;
    security_story(store, &decider, adult, t0).await;
    own_sessions_and_notices(store, &officer, &worker, t0).await;
    security_keys_story(store, &officer, &worker, t0).await;
}

/// Support (issue 5): the service directory, service referral rows written with the case change
/// that makes them, places held against capacity, and a party relation that ends on transfer.
async fn support_story(store: &dyn Store) {
    use harbour_domain::support::{Accepts, ReferralStatus, ServiceKind};
    let owner = org(OrgKind::Ngo, "Fake Support NGO");
    let shelter = org(OrgKind::Shelter, "Example Safe House");
    for o in [&owner, &shelter] {
        store.insert_org(o).await.unwrap();
    }
    let worker = user(&owner, Role::CaseWorker, "support-worker@test.invalid");
    store.insert_user(&worker).await.unwrap();
    let t0 = datetime!(2026-06-01 9:00 UTC);
    let house = ServiceRow {
        id: Uuid::new_v4(),
        org_id: shelter.id,
        kind: ServiceKind::Accommodation,
        name: "Example Safe House beds".into(),
        capacity: 1,
        taken: 0,
        languages: vec!["ro".into(), "en".into()],
        accepts: vec![Accepts::Adults, Accepts::Women],
        regions: vec!["any".into()],
        child_specialised: false,
        created_at: t0,
    };
    let counselling = ServiceRow {
        id: Uuid::new_v4(),
        name: "A fake counselling line".into(),
        kind: ServiceKind::Psychological,
        capacity: 5,
        ..house.clone()
    };
    store.insert_service(&house).await.unwrap();
    store.insert_service(&counselling).await.unwrap();
    assert_eq!(
        store.get_service(house.id).await.unwrap(),
        Some(house.clone())
    );
    assert!(store.get_service(Uuid::new_v4()).await.unwrap().is_none());
    let all: Vec<String> = store
        .list_services(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.org_id == shelter.id)
        .map(|s| s.name)
        .collect();
    assert_eq!(
        all,
        vec!["A fake counselling line", "Example Safe House beds"]
    );
    let beds = store
        .list_services(Some(ServiceKind::Accommodation))
        .await
        .unwrap();
    assert!(beds.iter().all(|s| s.kind == ServiceKind::Accommodation));

    // A case owned by the NGO.
    let case = CaseId(Uuid::new_v4());
    let e1 = event(
        case,
        1,
        GENESIS,
        t0,
        &worker,
        "referral_received",
        b"sealed",
    );
    store
        .create_case(&NewCase {
            projection: projection(case, t0, &owner, Minority::Adult),
            person_keys: vec![],
            wrapped_key: vec![1; 40],
            parties: vec![CaseParty {
                org_id: owner.id,
                relation: PartyRelation::Owner,
            }],
            events: vec![e1.clone()],
            access: access(&worker, case, "refer", t0),
            statistics: None,
        })
        .await
        .unwrap();
    let change = |seq: u64, prev: [u8; 32], kind: &str, at: OffsetDateTime| {
        let e = event(case, seq + 1, prev, at, &worker, kind, b"sealed");
        let mut p = projection(case, t0, &owner, Minority::Adult);
        p.seq = seq + 1;
        (
            e.hash,
            CaseChange {
                projection: p,
                expected_seq: seq,
                events: vec![e],
                new_parties: vec![],
                new_person_keys: vec![],
                access: access(&worker, case, kind, at),
                statistics: None,
            },
        )
    };
    let mut row = ServiceReferralRow {
        id: Uuid::new_v4(),
        case_id: case,
        service_id: house.id,
        provider_org: shelter.id,
        status: ReferralStatus::Referred,
        referred_at: t0,
        accepted_at: None,
        updated_at: t0,
    };
    let (h2, c2) = change(1, e1.hash, "service_referred", t0);
    store
        .append_support(
            &c2,
            &SupportWrites {
                referrals: vec![row.clone()],
                ..SupportWrites::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.service_referral(row.id).await.unwrap(),
        Some(row.clone())
    );
    // The provider sees the referral; the provider is not a party to the case.
    assert_eq!(
        store.service_referrals_for_org(shelter.id).await.unwrap(),
        vec![row.clone()]
    );
    let header = store.case_header(case).await.unwrap().unwrap();
    assert!(header.parties.iter().all(|p| p.org_id != shelter.id));

    // Acceptance takes the one place, in the same transaction.
    let t1 = t0 + Duration::hours(5);
    row.status = ReferralStatus::Accepted;
    row.accepted_at = Some(t1);
    row.updated_at = t1;
    let (h3, c3) = change(2, h2, "service_referral_updated", t1);
    let accept = SupportWrites {
        referrals: vec![row.clone()],
        places: vec![(house.id, 1)],
        drop_parties: vec![],
        transfers: vec![],
    };
    store.append_support(&c3, &accept).await.unwrap();
    assert_eq!(store.get_service(house.id).await.unwrap().unwrap().taken, 1);
    assert_eq!(
        store
            .service_referral(row.id)
            .await
            .unwrap()
            .unwrap()
            .accepted_at,
        Some(t1)
    );
    // A second place beyond capacity conflicts and writes nothing, not even the event.
    let (_, c4) = change(3, h3, "service_referral_updated", t1);
    let r = store
        .append_support(
            &c4,
            &SupportWrites {
                places: vec![(house.id, 1)],
                ..SupportWrites::default()
            },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Conflict)), "got {r:?}");
    assert_eq!(
        store
            .case_header(case)
            .await
            .unwrap()
            .unwrap()
            .projection
            .seq,
        3
    );
    assert_eq!(store.get_service(house.id).await.unwrap().unwrap().taken, 1);

    // Completion frees it; a transfer ends the old owner's party relation.
    row.status = ReferralStatus::Completed;
    let (_, c4) = change(3, h3, "service_referral_updated", t1);
    let mut c4 = c4;
    c4.new_parties = vec![CaseParty {
        org_id: shelter.id,
        relation: PartyRelation::Owner,
    }];
    store
        .append_support(
            &c4,
            &SupportWrites {
                referrals: vec![row.clone()],
                places: vec![(house.id, -1)],
                drop_parties: vec![CaseParty {
                    org_id: owner.id,
                    relation: PartyRelation::Owner,
                }],
                transfers: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(store.get_service(house.id).await.unwrap().unwrap().taken, 0);
    let parties = store.case_header(case).await.unwrap().unwrap().parties;
    assert_eq!(
        parties,
        vec![CaseParty {
            org_id: shelter.id,
            relation: PartyRelation::Owner,
        }]
    );
    let v = Viewer {
        user_id: worker.id,
        org_id: owner.id,
        org_kind: owner.kind,
    };
    let listed = store.list_cases(&filter(v, t1)).await.unwrap();
    assert!(
        listed.iter().all(|h| h.projection.id != case),
        "old owner no longer lists it"
    );
}

/// Issue 5, on the pages: late rights counted in lists from the projection's due dates (never
/// the journal), against the clock at query time; and the transfer rows of a receiving
/// organisation's inbox, written with the case change.
async fn late_rights_and_transfers(store: &dyn Store) {
    let owner = org(OrgKind::Ngo, "Fake Late Rights NGO");
    let receiver = org(OrgKind::Ngo, "Fake Receiving NGO");
    for o in [&owner, &receiver] {
        store.insert_org(o).await.unwrap();
    }
    let worker = user(&owner, Role::CaseWorker, "late-rights@test.invalid");
    store.insert_user(&worker).await.unwrap();
    let t0 = datetime!(2026-07-01 9:00 UTC);
    let case = CaseId(Uuid::new_v4());
    let e1 = event(
        case,
        1,
        GENESIS,
        t0,
        &worker,
        "referral_received",
        b"sealed",
    );
    let mut p = projection(case, t0, &owner, Minority::Adult);
    // Information due on the day of referral, the recovery period two days later.
    p.rights_due = vec![t0.date(), t0.date() + Duration::days(2)];
    store
        .create_case(&NewCase {
            projection: p.clone(),
            person_keys: vec![],
            wrapped_key: vec![1; 40],
            parties: vec![CaseParty {
                org_id: owner.id,
                relation: PartyRelation::Owner,
            }],
            events: vec![e1.clone()],
            access: access(&worker, case, "refer", t0),
            statistics: None,
        })
        .await
        .unwrap();
    assert_eq!(
        store
            .case_header(case)
            .await
            .unwrap()
            .unwrap()
            .projection
            .rights_due,
        p.rights_due,
        "due dates round-trip, earliest first"
    );
    let v = Viewer {
        user_id: worker.id,
        org_id: owner.id,
        org_kind: owner.kind,
    };
    let late = |now: OffsetDateTime| {
        let mut f = filter(v, now);
        f.rights_overdue = true;
        f
    };
    let ids = |hs: Vec<CaseHeader>| hs.into_iter().map(|h| h.projection.id).collect::<Vec<_>>();
    // On the due day nothing is late yet; the day after, the case is listed.
    assert!(ids(store.list_cases(&late(t0)).await.unwrap()).is_empty());
    let next_day = t0 + Duration::days(1);
    assert_eq!(
        ids(store.list_cases(&late(next_day)).await.unwrap()),
        vec![case]
    );
    assert_eq!(
        store.list_cases(&filter(v, next_day)).await.unwrap()[0]
            .projection
            .rights_due,
        p.rights_due
    );

    // The rights are met and a transfer is offered in the same change: the case leaves the
    // late list, and the transfer waits in the receiver's inbox.
    let e2 = event(
        case,
        2,
        e1.hash,
        next_day,
        &worker,
        "handover_recorded",
        b"sealed",
    );
    let mut p2 = p.clone();
    p2.rights_due = vec![];
    p2.seq = 2;
    let mut transfer = TransferRow {
        id: Uuid::new_v4(),
        case_id: case,
        from_org: owner.id,
        to_org: receiver.id,
        status: "offered".into(),
        offered_at: next_day,
        answered_at: None,
    };
    store
        .append_support(
            &CaseChange {
                projection: p2.clone(),
                expected_seq: 1,
                events: vec![e2.clone()],
                new_parties: vec![],
                new_person_keys: vec![],
                access: access(&worker, case, "handover", next_day),
                statistics: None,
            },
            &SupportWrites {
                transfers: vec![transfer.clone()],
                ..SupportWrites::default()
            },
        )
        .await
        .unwrap();
    assert!(ids(store
        .list_cases(&late(next_day + Duration::days(30)))
        .await
        .unwrap())
    .is_empty());
    assert_eq!(
        store.transfers_offered_to(receiver.id).await.unwrap(),
        vec![transfer.clone()]
    );
    assert!(store
        .transfers_offered_to(owner.id)
        .await
        .unwrap()
        .is_empty());

    // Answered: no longer waiting (the row keeps its offer time).
    let answered = next_day + Duration::hours(3);
    let e3 = event(
        case,
        3,
        e2.hash,
        answered,
        &worker,
        "transfer_answered",
        b"sealed",
    );
    let mut p3 = p2.clone();
    p3.seq = 3;
    transfer.status = "declined".into();
    transfer.answered_at = Some(answered);
    store
        .append_support(
            &CaseChange {
                projection: p3,
                expected_seq: 2,
                events: vec![e3],
                new_parties: vec![],
                new_person_keys: vec![],
                access: access(&worker, case, "transfer_answer", answered),
                statistics: None,
            },
            &SupportWrites {
                transfers: vec![TransferRow {
                    offered_at: answered,
                    ..transfer.clone()
                }],
                ..SupportWrites::default()
            },
        )
        .await
        .unwrap();
    assert!(store
        .transfers_offered_to(receiver.id)
        .await
        .unwrap()
        .is_empty());
}

/// Issue 6: erasure by key destruction, and what master key rotation needs from storage.
async fn data_protection(store: &dyn Store) {
    let ngo = org(OrgKind::Ngo, "Fake Erasure NGO");
    store.insert_org(&ngo).await.unwrap();
    let worker = user(&ngo, Role::CaseWorker, "eraser@ngo.example");
    store.insert_user(&worker).await.unwrap();
    let t0 = datetime!(2026-05-01 9:00 UTC);
    let wrapped = |id_byte: u8, n: u8| {
        let mut w = vec![1u8];
        w.extend_from_slice(&[id_byte; 8]);
        w.extend_from_slice(&[n; 72]);
        w
    };
    let mut cases = Vec::new();
    for n in 0..3u8 {
        let id = CaseId(Uuid::new_v4());
        let e1 = event(id, 1, GENESIS, t0, &worker, "referral_received", b"sealed");
        let mut p = projection(id, t0, &ngo, Minority::Adult);
        p.phase = Status::Closed;
        store
            .create_case(&NewCase {
                projection: p.clone(),
                person_keys: vec![vec![n; 32], vec![0xEE; 32]],
                wrapped_key: wrapped(0xAA, n),
                parties: vec![CaseParty {
                    org_id: ngo.id,
                    relation: PartyRelation::Owner,
                }],
                events: vec![e1.clone()],
                access: access(&worker, id, "refer", t0),
                statistics: None,
            })
            .await
            .unwrap();
        cases.push((id, p, e1));
    }
    let ended = store.ended_cases(None, 1000).await.unwrap();
    for (id, _, _) in &cases {
        assert!(
            ended.contains(id),
            "closed cases are candidates for retention"
        );
    }
    let after_first = store.ended_cases(Some(cases[0].0), 1000).await.unwrap();
    assert!(!after_first.contains(&cases[0].0) && after_first.contains(&cases[1].0));

    // Erase the first: event appended, key and person keys gone, erasure recorded, journal kept.
    let (id, p, e1) = &cases[0];
    let t1 = t0 + Duration::days(400);
    let e2 = event(
        *id,
        2,
        e1.hash,
        t1,
        &worker,
        "case_erased",
        b"sealed erasure",
    );
    let change = CaseChange {
        projection: CaseProjection {
            rights_due: vec![],
            updated_at: t1,
            seq: 2,
            ..p.clone()
        },
        expected_seq: 1,
        events: vec![e2.clone()],
        new_parties: vec![],
        new_person_keys: vec![],
        access: access(&worker, *id, "erase", t1),
        statistics: None,
    };
    let stale = CaseChange {
        expected_seq: 0,
        ..change.clone()
    };
    assert!(matches!(
        store.erase_case(&stale, "retention_expired").await,
        Err(StoreError::Conflict)
    ));
    assert!(
        store.case_erasure(*id).await.unwrap().is_none(),
        "a conflict erases nothing"
    );
    store
        .erase_case(&change, "retention_expired")
        .await
        .unwrap();
    let erasure = store.case_erasure(*id).await.unwrap().unwrap();
    assert_eq!(
        (erasure.at, erasure.basis.as_str()),
        (t1, "retention_expired")
    );
    let record = store.load_case(*id).await.unwrap().unwrap();
    assert!(record.wrapped_key.is_empty(), "the key is destroyed");
    assert_eq!(record.events, vec![e1.clone(), e2]);
    assert_eq!(
        record.header.projection.phase,
        Status::Closed,
        "statistics keep counting it"
    );
    assert!(verify_chain(&record.events).is_ok());
    let holders = store
        .cases_with_person_keys(&[vec![0; 32], vec![0xEE; 32]])
        .await
        .unwrap();
    assert!(
        holders.iter().all(|h| h.projection.id != *id),
        "person keys are gone"
    );
    assert_eq!(holders.len(), 2, "other cases keep theirs");
    assert!(!store.ended_cases(None, 1000).await.unwrap().contains(id));
    assert!(store.case_erasure(cases[1].0).await.unwrap().is_none());

    // Rotation: find keys not under the new id, replace them only while unchanged.
    let new_id = [0xBB; 8];
    let case_keys = SealedKeyTable::CaseKeys;
    let todo = store
        .record_keys_not_wrapped_by(case_keys, &new_id, 1000)
        .await
        .unwrap();
    for (c, _, _) in &cases[1..] {
        assert!(todo
            .iter()
            .any(|(id, w)| *id == c.0 && w[1..9] == [0xAA; 8]));
    }
    assert!(
        todo.iter().all(|(c, _)| *c != id.0),
        "an erased case has no key to rewrap"
    );
    let (c1, c2) = (cases[1].0, cases[2].0);
    let batch = vec![
        (c1.0, wrapped(0xAA, 1), wrapped(0xBB, 1)),
        (c2.0, wrapped(0xAA, 99), wrapped(0xBB, 2)),
    ];
    assert_eq!(
        store.rewrap_record_keys(case_keys, &batch).await.unwrap(),
        1,
        "stale old key skipped"
    );
    assert_eq!(
        store.load_case(c1).await.unwrap().unwrap().wrapped_key,
        wrapped(0xBB, 1)
    );
    assert_eq!(
        store.load_case(c2).await.unwrap().unwrap().wrapped_key,
        wrapped(0xAA, 2)
    );
    let left = store
        .record_keys_not_wrapped_by(case_keys, &new_id, 1000)
        .await
        .unwrap();
    assert!(left.iter().any(|(c, _)| *c == c2.0) && !left.iter().any(|(c, _)| *c == c1.0));
    assert_eq!(
        store
            .record_keys_not_wrapped_by(case_keys, &new_id, 1)
            .await
            .unwrap()
            .len(),
        1,
        "limit"
    );

    // Deployment keys: insert once, replace only what was read.
    assert!(store.deployment_key("index").await.unwrap().is_none());
    store
        .put_deployment_key("index", None, b"wrapped-a")
        .await
        .unwrap();
    assert!(matches!(
        store.put_deployment_key("index", None, b"wrapped-x").await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store
            .put_deployment_key("index", Some(b"stale"), b"wrapped-x")
            .await,
        Err(StoreError::Conflict)
    ));
    store
        .put_deployment_key("index", Some(b"wrapped-a"), b"wrapped-b")
        .await
        .unwrap();
    assert_eq!(
        store.deployment_key("index").await.unwrap().as_deref(),
        Some(&b"wrapped-b"[..])
    );
}

/// The access half of issue 6: the chained access log, idle sessions, break-glass grants, the
/// second factor and login throttling.
async fn security_story(store: &dyn Store, user: &User, case: CaseId, t0: OffsetDateTime) {
    // Every access record written above is in one chain that verifies, and the head agrees.
    let (head_seq, head_hash) = store.access_chain_head().await.unwrap();
    let chain = store.access_chain(0, 10_000).await.unwrap();
    assert_eq!(chain.len() as u64, head_seq);
    assert_eq!(store.unchained_access_records().await.unwrap(), 0);
    assert!(head_seq >= 3);
    assert_eq!(
        crate::verify_access_chain(0, crate::GENESIS, &chain).unwrap(),
        (head_seq, head_hash)
    );
    // Paging: the chain continues across pages.
    let first = store.access_chain(0, 2).await.unwrap();
    let (s, h) = crate::verify_access_chain(0, crate::GENESIS, &first).unwrap();
    let rest = store.access_chain(s, 10_000).await.unwrap();
    assert_eq!(
        crate::verify_access_chain(s, h, &rest).unwrap(),
        (head_seq, head_hash)
    );
    // A record with other content does not verify.
    let mut forged = chain.clone();
    forged[0].record.action = "nothing".into();
    assert_eq!(
        crate::verify_access_chain(0, crate::GENESIS, &forged)
            .unwrap_err()
            .seq,
        1
    );

    // A session unused since before the idle cutoff is over.
    store
        .insert_session(&SessionRecord {
            token_hash: vec![6; 32],
            id: Uuid::new_v4(),
            user_id: user.id,
            kind: "web".into(),
            created_at: t0,
            expires_at: t0 + Duration::hours(8),
            last_seen_at: t0,
        })
        .await
        .unwrap();
    let t = t0 + Duration::minutes(40);
    assert!(store
        .session(&[6; 32], t, t - Duration::minutes(30))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .session(&[6; 32], t, t - Duration::minutes(50))
        .await
        .unwrap()
        .is_some());

    // Break-glass: live until it expires, listed for review, its grant in the access log.
    let grant = BreakGlassGrant {
        id: Uuid::new_v4(),
        user_id: user.id,
        org_id: user.org_id,
        case_id: case,
        wrapped_key: vec![1; 81],
        sealed_reason: vec![2; 40],
        granted_at: t0,
        expires_at: t0 + Duration::hours(4),
    };
    store
        .insert_break_glass(
            &grant,
            &AccessRecord {
                at: t0,
                user_id: user.id,
                org_id: user.org_id,
                case_id: Some(case),
                action: "break_glass".into(),
                purpose: None,
            },
        )
        .await
        .unwrap();
    let live = |at| store.live_break_glass(user.id, case, at);
    assert_eq!(
        live(t0 + Duration::hours(1)).await.unwrap(),
        Some(grant.clone())
    );
    assert_eq!(
        live(t0 + Duration::hours(4)).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(
        live(t0 - Duration::hours(1)).await.unwrap(),
        None,
        "not yet"
    );
    assert_eq!(
        store
            .break_glass_since(t0 - Duration::days(1), 10)
            .await
            .unwrap(),
        vec![grant]
    );
    assert!(store
        .break_glass_since(t0 + Duration::seconds(1), 10)
        .await
        .unwrap()
        .is_empty());
    let log = store.access_log(case).await.unwrap();
    assert_eq!(log.last().unwrap().action, "break_glass");
    assert_eq!(store.access_chain_head().await.unwrap().0, head_seq + 1);

    // The second factor: unconfirmed until confirmed, then never replaced; steps only go up.
    assert_eq!(store.totp(user.id).await.unwrap(), None);
    let mut factor = TotpRecord {
        user_id: user.id,
        wrapped_key: vec![3; 81],
        sealed_secret: vec![4; 45],
        confirmed_at: None,
        last_step: 0,
        created_at: t0,
    };
    store.put_unconfirmed_totp(&factor).await.unwrap();
    factor.sealed_secret = vec![5; 45];
    store.put_unconfirmed_totp(&factor).await.unwrap();
    assert_eq!(store.totp(user.id).await.unwrap(), Some(factor.clone()));
    assert!(
        !store.use_totp_step(user.id, 7).await.unwrap(),
        "not confirmed yet"
    );
    let codes: Vec<Vec<u8>> = (0u8..10).map(|i| vec![i; 32]).collect();
    store.confirm_totp(user.id, t0, 5, &codes).await.unwrap();
    assert!(matches!(
        store.confirm_totp(user.id, t0, 6, &codes).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store.put_unconfirmed_totp(&factor).await,
        Err(StoreError::Duplicate(_))
    ));
    let stored = store.totp(user.id).await.unwrap().unwrap();
    assert_eq!((stored.confirmed_at, stored.last_step), (Some(t0), 5));
    assert!(!store.use_totp_step(user.id, 5).await.unwrap(), "replay");
    assert!(
        !store.use_totp_step(user.id, 4).await.unwrap(),
        "older step"
    );
    assert!(store.use_totp_step(user.id, 6).await.unwrap());
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 10);
    assert!(store
        .use_recovery_code(user.id, &[3; 32], t0)
        .await
        .unwrap());
    assert!(
        !store
            .use_recovery_code(user.id, &[3; 32], t0)
            .await
            .unwrap(),
        "used once"
    );
    assert!(
        !store
            .use_recovery_code(user.id, &[42; 32], t0)
            .await
            .unwrap(),
        "unknown"
    );
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 9);

    // New recovery codes replace all earlier ones (used or not), recorded in the access chain.
    let renewal = AccessRecord {
        at: t0,
        user_id: user.id,
        org_id: user.org_id,
        case_id: None,
        action: "recovery_codes_renewed".into(),
        purpose: None,
    };
    let head = store.access_chain_head().await.unwrap().0;
    let fresh: Vec<Vec<u8>> = (20u8..30).map(|i| vec![i; 32]).collect();
    let notice = |kind| SecurityNotice {
        id: Uuid::new_v4(),
        user_id: user.id,
        kind,
        count: 1,
        at: t0,
        acknowledged_at: None,
    };
    let session_at = |hash: u8| SessionRecord {
        token_hash: vec![hash; 32],
        id: Uuid::new_v4(),
        user_id: user.id,
        kind: "web".into(),
        created_at: t0,
        expires_at: t0 + Duration::hours(8),
        last_seen_at: t0,
    };
    // The renewing session (61) and another of the user's (62) end; the renewal's successor
    // (63) opens in the same transaction (ASVS 7.4.3).
    for hash in [61, 62] {
        store.insert_session(&session_at(hash)).await.unwrap();
    }
    let successor = session_at(63);
    store
        .replace_recovery_codes(
            user.id,
            &fresh,
            &renewal,
            &notice(SecurityNoticeKind::RecoveryCodesRenewed),
            &successor,
        )
        .await
        .unwrap();
    for hash in [61, 62] {
        assert_eq!(store.session(&[hash; 32], t0, t0).await.unwrap(), None);
    }
    assert_eq!(
        store
            .session(&[63; 32], t0, t0 - Duration::minutes(1))
            .await
            .unwrap(),
        Some(successor)
    );
    let notices = store.security_notices(user.id, 10).await.unwrap();
    assert_eq!(
        notices.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![SecurityNoticeKind::RecoveryCodesRenewed]
    );
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 10);
    assert!(!store
        .use_recovery_code(user.id, &[4; 32], t0)
        .await
        .unwrap());
    assert!(store
        .use_recovery_code(user.id, &[24; 32], t0)
        .await
        .unwrap());
    assert_eq!(store.access_chain_head().await.unwrap().0, head + 1);

    // An administrator's reset: factor, codes and every session of the user go, recorded.
    let session = SessionRecord {
        token_hash: vec![77; 32],
        id: Uuid::new_v4(),
        user_id: user.id,
        kind: "api".into(),
        created_at: t0,
        expires_at: t0 + Duration::hours(8),
        last_seen_at: t0,
    };
    store.insert_session(&session).await.unwrap();
    let reset = AccessRecord {
        action: "second_factor_reset".into(),
        purpose: Some(format!("user {}", user.id)),
        ..renewal.clone()
    };
    store
        .reset_second_factor(
            user.id,
            &reset,
            &notice(SecurityNoticeKind::SecondFactorReset),
        )
        .await
        .unwrap();
    assert_eq!(store.totp(user.id).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 0);
    assert_eq!(store.session(&[77; 32], t0, t0).await.unwrap(), None);
    assert_eq!(store.session(&[63; 32], t0, t0).await.unwrap(), None);
    assert_eq!(store.access_chain_head().await.unwrap().0, head + 2);
    assert_eq!(store.security_notices(user.id, 10).await.unwrap().len(), 2);
    // Without a confirmed factor nothing changes: no codes, no session, no notice.
    assert!(matches!(
        store
            .replace_recovery_codes(
                user.id,
                &fresh,
                &renewal,
                &notice(SecurityNoticeKind::RecoveryCodesRenewed),
                &session_at(64),
            )
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.session(&[64; 32], t0, t0).await.unwrap(), None);
    assert_eq!(store.security_notices(user.id, 10).await.unwrap().len(), 2);
    // The user can enrol again.
    store.put_unconfirmed_totp(&factor).await.unwrap();
    store.confirm_totp(user.id, t0, 9, &codes).await.unwrap();

    // Login failures, per account and per address, within a window; cleared per account.
    for i in 0..3 {
        store
            .record_login_failure(&[1; 32], &[2; 32], t0 + Duration::minutes(i))
            .await
            .unwrap();
    }
    store
        .record_login_failure(&[9; 32], &[2; 32], t0 + Duration::minutes(3))
        .await
        .unwrap();
    let f = store
        .login_failures_since(&[1; 32], &[2; 32], t0 + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(
        f.account,
        vec![t0 + Duration::minutes(1), t0 + Duration::minutes(2)]
    );
    assert_eq!(f.address.len(), 3);
    let before = store.security_notices(user.id, 10).await.unwrap().len();
    let t1 = t0 + Duration::minutes(5);
    assert_eq!(
        store
            .clear_login_failures(&[1; 32], user.id, Uuid::new_v4(), t1)
            .await
            .unwrap(),
        3
    );
    // The user is told how many attempts failed since their last sign-in (ASVS 6.3.5).
    let notices = store.security_notices(user.id, 10).await.unwrap();
    assert_eq!(notices.len(), before + 1);
    assert_eq!(
        (notices[0].kind, notices[0].count, notices[0].at),
        (SecurityNoticeKind::FailedSignIns, 3, t1)
    );
    // Nothing failed since: no new notice.
    assert_eq!(
        store
            .clear_login_failures(&[1; 32], user.id, Uuid::new_v4(), t1)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.security_notices(user.id, 10).await.unwrap().len(),
        before + 1
    );
    let f = store
        .login_failures_since(&[1; 32], &[2; 32], t0)
        .await
        .unwrap();
    assert!(f.account.is_empty());
    assert_eq!(
        f.address.len(),
        1,
        "the address keeps the other account's failure"
    );
}

/// ASVS 7.5.2, 6.3.7: a user lists and ends their own sessions, never another user's; notices
/// are theirs alone and acknowledged once.
/// WebAuthn (migration 0017): challenges are spent once, bound to user, ceremony and lifetime;
/// credential ids are unique across users; the counter moves only from the value read; removal
/// keeps the minimum asked for and leaves a notice; a second-factor reset removes the keys.
async fn security_keys_story(store: &dyn Store, me: &User, other: &User, t0: OffsetDateTime) {
    let t0 = t0 + Duration::days(31);
    let challenge = |bytes: u8, user: &User, ceremony: &str| WebauthnChallenge {
        challenge: vec![bytes; 32],
        user_id: user.id,
        ceremony: ceremony.into(),
        expires_at: t0 + Duration::minutes(5),
    };
    for c in [
        challenge(1, me, "registration"),
        challenge(2, me, "authentication"),
        challenge(3, me, "authentication"),
        challenge(4, me, "authentication"),
    ] {
        store.put_webauthn_challenge(&c, t0).await.unwrap();
    }
    let now = t0 + Duration::minutes(1);
    assert!(store
        .take_webauthn_challenge(&[1; 32], me.id, "registration", now)
        .await
        .unwrap());
    assert!(
        !store
            .take_webauthn_challenge(&[1; 32], me.id, "registration", now)
            .await
            .unwrap(),
        "a challenge is good once"
    );
    // Presented by someone else, or for the other ceremony, it is refused and spent all the same.
    assert!(!store
        .take_webauthn_challenge(&[2; 32], other.id, "authentication", now)
        .await
        .unwrap());
    assert!(!store
        .take_webauthn_challenge(&[2; 32], me.id, "authentication", now)
        .await
        .unwrap());
    assert!(!store
        .take_webauthn_challenge(&[3; 32], me.id, "registration", now)
        .await
        .unwrap());
    assert!(
        !store
            .take_webauthn_challenge(&[4; 32], me.id, "authentication", t0 + Duration::minutes(5))
            .await
            .unwrap(),
        "expired"
    );
    // A step-up challenge (migration 0018) answers a step-up only, and a sign-in challenge
    // never answers a step-up.
    for c in [
        challenge(7, me, "step-up"),
        challenge(8, me, "step-up"),
        challenge(9, me, "authentication"),
    ] {
        store.put_webauthn_challenge(&c, t0).await.unwrap();
    }
    assert!(!store
        .take_webauthn_challenge(&[7; 32], me.id, "authentication", now)
        .await
        .unwrap());
    assert!(!store
        .take_webauthn_challenge(&[9; 32], me.id, "step-up", now)
        .await
        .unwrap());
    assert!(store
        .take_webauthn_challenge(&[8; 32], me.id, "step-up", now)
        .await
        .unwrap());
    // Issuing a new one drops the expired ones of anybody.
    store
        .put_webauthn_challenge(&challenge(5, other, "registration"), t0)
        .await
        .unwrap();
    let later = WebauthnChallenge {
        expires_at: t0 + Duration::minutes(11),
        ..challenge(6, me, "authentication")
    };
    store
        .put_webauthn_challenge(&later, t0 + Duration::minutes(6))
        .await
        .unwrap();
    assert!(
        !store
            .take_webauthn_challenge(&[5; 32], other.id, "registration", t0)
            .await
            .unwrap(),
        "dropped when expired at the later issue"
    );

    let access = |user: &User, action: &str| AccessRecord {
        at: t0,
        user_id: user.id,
        org_id: user.org_id,
        case_id: None,
        action: action.into(),
        purpose: None,
    };
    let notice = |user: &User, kind| SecurityNotice {
        id: Uuid::new_v4(),
        user_id: user.id,
        kind,
        count: 1,
        at: t0,
        acknowledged_at: None,
    };
    let key = |user: &User, cred: u8, minutes: i64| SecurityKey {
        id: Uuid::new_v4(),
        user_id: user.id,
        credential_id: vec![cred; 16],
        public_key: vec![0xa5, cred],
        name: format!("key {cred}"),
        sign_count: 0,
        created_at: t0 + Duration::minutes(minutes),
        last_used_at: None,
    };
    let (k1, k2) = (key(me, 11, 0), key(me, 12, 1));
    for k in [&k1, &k2] {
        store
            .add_security_key(
                k,
                &access(me, "security_key_added"),
                &notice(me, SecurityNoticeKind::SecurityKeyAdded),
            )
            .await
            .unwrap();
    }
    let theirs = key(other, 13, 0);
    store
        .add_security_key(
            &theirs,
            &access(other, "security_key_added"),
            &notice(other, SecurityNoticeKind::SecurityKeyAdded),
        )
        .await
        .unwrap();
    // The same credential id cannot be registered twice, by anyone.
    assert!(matches!(
        store
            .add_security_key(
                &key(other, 11, 2),
                &access(other, "security_key_added"),
                &notice(other, SecurityNoticeKind::SecurityKeyAdded)
            )
            .await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store.security_keys(me.id).await.unwrap(),
        vec![k1.clone(), k2.clone()]
    );
    assert_eq!(
        store.security_key_by_credential(&[13; 16]).await.unwrap(),
        Some(theirs.clone())
    );
    assert_eq!(
        store.security_key_by_credential(&[99; 16]).await.unwrap(),
        None
    );

    // The counter moves only from the value read, and only for its owner.
    assert!(store
        .use_security_key(me.id, k1.id, 0, 5, now)
        .await
        .unwrap());
    assert!(
        !store
            .use_security_key(me.id, k1.id, 0, 6, now)
            .await
            .unwrap(),
        "stale read"
    );
    assert!(
        !store
            .use_security_key(other.id, k1.id, 5, 6, now)
            .await
            .unwrap(),
        "not theirs"
    );
    let used = store
        .security_key_by_credential(&[11; 16])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((used.sign_count, used.last_used_at), (5, Some(now)));

    // Removal: never another user's key; never below the minimum asked for (nothing changes).
    let removed = |user: &User| notice(user, SecurityNoticeKind::SecurityKeyRemoved);
    assert!(!store
        .remove_security_key(
            other.id,
            k1.id,
            0,
            &access(other, "security_key_removed"),
            &removed(other)
        )
        .await
        .unwrap());
    assert!(store
        .remove_security_key(
            me.id,
            k2.id,
            1,
            &access(me, "security_key_removed"),
            &removed(me)
        )
        .await
        .unwrap());
    assert!(matches!(
        store
            .remove_security_key(
                me.id,
                k1.id,
                1,
                &access(me, "security_key_removed"),
                &removed(me)
            )
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.security_keys(me.id).await.unwrap().len(), 1);
    let kinds: Vec<SecurityNoticeKind> = store
        .security_notices(me.id, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.at == t0)
        .map(|n| n.kind)
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == SecurityNoticeKind::SecurityKeyAdded)
            .count(),
        2
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == SecurityNoticeKind::SecurityKeyRemoved)
            .count(),
        1,
        "the refused removal left no notice"
    );
    // An administrator's reset takes the keys with the rest of the second factor.
    store
        .reset_second_factor(
            me.id,
            &access(me, "second_factor_reset"),
            &notice(me, SecurityNoticeKind::SecondFactorReset),
        )
        .await
        .unwrap();
    assert!(store.security_keys(me.id).await.unwrap().is_empty());
    assert_eq!(store.security_keys(other.id).await.unwrap(), vec![theirs]);
    assert!(store
        .take_webauthn_challenge(
            &later.challenge,
            me.id,
            "authentication",
            t0 + Duration::minutes(7)
        )
        .await
        .unwrap());
}

async fn own_sessions_and_notices(store: &dyn Store, me: &User, other: &User, t0: OffsetDateTime) {
    let t0 = t0 + Duration::days(30);
    let session = |user: &User, hash: u8, created: OffsetDateTime, kind: &str| SessionRecord {
        token_hash: vec![hash; 32],
        id: Uuid::new_v4(),
        user_id: user.id,
        kind: kind.into(),
        created_at: created,
        expires_at: created + Duration::hours(8),
        last_seen_at: created,
    };
    let mine = [
        session(me, 101, t0, "web"),
        session(me, 102, t0 + Duration::minutes(1), "api"),
        session(me, 103, t0 + Duration::minutes(2), "web"),
    ];
    let expired = session(me, 104, t0 - Duration::hours(9), "web");
    let idle = session(me, 106, t0 - Duration::minutes(40), "web");
    let theirs = session(other, 105, t0, "web");
    for s in mine.iter().chain([&expired, &idle, &theirs]) {
        store.insert_session(s).await.unwrap();
    }
    let now = t0 + Duration::minutes(3);
    let cutoff = now - Duration::minutes(30);
    // Only my live sessions, oldest first; listing touches none of them.
    assert_eq!(
        store.user_sessions(me.id, now, cutoff).await.unwrap(),
        mine.to_vec()
    );
    // Someone else's session cannot be ended through my account, nor can an unknown one.
    assert!(!store.end_user_session(me.id, theirs.id).await.unwrap());
    assert!(!store.end_user_session(me.id, Uuid::new_v4()).await.unwrap());
    assert!(store
        .session(&[105; 32], now, cutoff)
        .await
        .unwrap()
        .is_some());
    assert!(store.end_user_session(me.id, mine[1].id).await.unwrap());
    assert!(
        !store.end_user_session(me.id, mine[1].id).await.unwrap(),
        "once"
    );
    assert_eq!(store.session(&[102; 32], now, cutoff).await.unwrap(), None);
    // Ending the others keeps mine and leaves the other user's alone.
    assert_eq!(
        store.end_other_sessions(me.id, &[103; 32]).await.unwrap(),
        3,
        "the first session, the expired one and the idle one"
    );
    let left = store.user_sessions(me.id, now, cutoff).await.unwrap();
    assert_eq!(
        left.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![mine[2].id]
    );
    assert!(store
        .session(&[105; 32], now, cutoff)
        .await
        .unwrap()
        .is_some());

    // Notices belong to one user; acknowledging marks only theirs, once.
    for (user, kind, minutes) in [
        (me, SecurityNoticeKind::SecondFactorReset, 1),
        (me, SecurityNoticeKind::RecoveryCodesRenewed, 2),
        (other, SecurityNoticeKind::RecoveryCodesRenewed, 3),
    ] {
        store
            .reset_second_factor(
                user.id,
                &AccessRecord {
                    at: t0,
                    user_id: user.id,
                    org_id: user.org_id,
                    case_id: None,
                    action: "second_factor_reset".into(),
                    purpose: None,
                },
                &SecurityNotice {
                    id: Uuid::new_v4(),
                    user_id: user.id,
                    kind,
                    count: 1,
                    at: t0 + Duration::minutes(minutes),
                    acknowledged_at: None,
                },
            )
            .await
            .unwrap();
    }
    let notices = store.security_notices(me.id, 10).await.unwrap();
    assert_eq!(
        notices.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![
            SecurityNoticeKind::RecoveryCodesRenewed,
            SecurityNoticeKind::SecondFactorReset
        ],
        "mine only, newest first"
    );
    assert!(notices
        .iter()
        .all(|n| n.user_id == me.id && n.acknowledged_at.is_none()));
    assert_eq!(store.security_notices(me.id, 1).await.unwrap().len(), 1);
    let read = t0 + Duration::hours(1);
    assert_eq!(
        store
            .acknowledge_security_notices(me.id, read)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .acknowledge_security_notices(me.id, read)
            .await
            .unwrap(),
        0
    );
    assert!(store
        .security_notices(me.id, 10)
        .await
        .unwrap()
        .iter()
        .all(|n| n.acknowledged_at == Some(read)));
    assert_eq!(
        store.security_notices(other.id, 10).await.unwrap()[0].acknowledged_at,
        None
    );
}

/// A statistical row of a case referred at `at` (no person in it: groups and durations only).
fn stat_row(
    case: CaseId,
    at: OffsetDateTime,
    quarter: &str,
    rg_days: Option<i64>,
) -> CaseStatistics {
    use harbour_domain::{DecisionOutcome, ExploitationForm, Sex};
    use harbour_statistics::AgeGroup;
    CaseStatistics {
        case_id: case,
        referred_on: at.date(),
        referred_quarter: quarter.into(),
        referrer_kind: OrgKind::Police,
        exploitation_forms: vec![ExploitationForm::ForcedLabour, ExploitationForm::Sexual],
        age_at_referral: AgeGroup::Adult,
        age_at_exploitation: AgeGroup::Unknown,
        ctdc_age_band: Some("30-38".into()),
        sex: Sex::Female,
        nationality: Some("UA".into()),
        region: Some("Fake Region".into()),
        online_recruitment: true,
        county_lines: false,
        rg_outcome: rg_days.map(|_| DecisionOutcome::Positive),
        rg_quarter: rg_days.map(|_| quarter.into()),
        rg_days,
        rg_within_target: rg_days.map(|d| d <= 7),
        cg_outcome: None,
        cg_quarter: None,
        cg_days: None,
        cg_within_target: None,
        guardian_hours: None,
        guardian_within_target: None,
        phase: Status::AwaitingReasonableGrounds,
        closure: None,
        support: Default::default(),
    }
}

/// Random rights, redress and service facts of a case referred on `day`: rights due before,
/// on and after quarter ends, met or not, cases closed or not, so lateness changes across days.
fn random_support(
    rng: &mut Rng,
    day: time::Date,
) -> harbour_statistics::support::SupportStatistics {
    use harbour_domain::support::{ReferralStatus, RightStatus};
    use harbour_statistics::support::*;
    let later = |rng: &mut Rng, from: time::Date| from + Duration::days(rng.below(120) as i64);
    let mut rights = Vec::new();
    for right in ["information", "accommodation", "recovery_period"] {
        if rng.below(4) == 0 {
            continue;
        }
        let due = later(rng, day);
        let due_on = rng.maybe(due);
        let met_on = if rng.below(2) == 0 {
            Some(later(rng, day))
        } else {
            None
        };
        rights.push(RightFact {
            right: right.into(),
            status: rng.pick(&[
                RightStatus::NotYetInformed,
                RightStatus::Informed,
                RightStatus::Granted,
                RightStatus::Refused,
            ]),
            due_on,
            met_on,
        });
    }
    let closed_on = if rng.below(3) == 0 {
        Some(later(rng, day))
    } else {
        None
    };
    let mut amounts = Vec::new();
    if rng.below(3) == 0 {
        amounts.push(CompensationAmount {
            stage: rng.pick(&[CompensationStage::Claimed, CompensationStage::Awarded]),
            currency: rng.pick(&["EUR".to_string(), "UAH".to_string()]),
            amount_minor: 1_000 * (1 + rng.below(500) as u64),
        });
    }
    let services = (0..rng.below(3))
        .map(|_| ServiceFact {
            service_kind: "accommodation".into(),
            status: rng.pick(&[ReferralStatus::Referred, ReferralStatus::Completed]),
            accepted_days: {
                let d = rng.below(20) as i64;
                rng.maybe(d)
            },
        })
        .collect();
    let cooperation = rng.pick(&[
        CooperationOutcome::Cooperating,
        CooperationOutcome::DeclinedSupportContinuing,
    ]);
    let cooperation = rng.maybe(cooperation);
    let compensation = rng.pick(&[CompensationStage::Claimed, CompensationStage::Paid]);
    let compensation = rng.maybe(compensation);
    SupportStatistics {
        rights,
        closed_on,
        cooperation,
        compensation,
        amounts,
        services,
    }
}

/// Rights, redress and service facts of a case referred at `at` (codes, days and sums only).
fn support_facts(at: OffsetDateTime) -> harbour_statistics::support::SupportStatistics {
    use harbour_domain::support::{ReferralStatus, RightStatus};
    use harbour_statistics::support::*;
    let day = at.date();
    SupportStatistics {
        rights: vec![
            // Due at referral, met ten days later: late between the two days only.
            RightFact {
                right: "information".into(),
                status: RightStatus::Informed,
                due_on: Some(day),
                met_on: Some(day + Duration::days(10)),
            },
            RightFact {
                right: "accommodation".into(),
                status: RightStatus::Refused,
                due_on: None,
                met_on: Some(day + Duration::days(3)),
            },
            // Due and never met: late from the day after it fell due until the case closed.
            RightFact {
                right: "recovery_period".into(),
                status: RightStatus::NotYetInformed,
                due_on: Some(day),
                met_on: None,
            },
        ],
        closed_on: Some(day + Duration::days(50)),
        cooperation: Some(CooperationOutcome::DeclinedSupportContinuing),
        compensation: Some(CompensationStage::Awarded),
        amounts: vec![
            CompensationAmount {
                stage: CompensationStage::Claimed,
                currency: "EUR".into(),
                amount_minor: 500_000,
            },
            CompensationAmount {
                stage: CompensationStage::Awarded,
                currency: "EUR".into(),
                amount_minor: 250_000,
            },
        ],
        services: vec![
            ServiceFact {
                service_kind: "accommodation".into(),
                status: ReferralStatus::Completed,
                accepted_days: Some(4),
            },
            ServiceFact {
                service_kind: "psychological".into(),
                status: ReferralStatus::Referred,
                accepted_days: None,
            },
        ],
    }
}

/// The support projection (migration 0013): counted by right, status and lateness as at a
/// day, by cooperation outcome and compensation stage, sums per currency, waits to acceptance.
async fn support_statistics(store: &dyn Store, at: OffsetDateTime) {
    use crate::statistics::{SupportMeasure, SupportQuery};
    let day = at.date();
    let count = |measure: SupportMeasure, by: Vec<StatDim>| {
        let q = SupportQuery {
            measure,
            by,
            from: None,
            to: None,
        };
        async move {
            let mut c = store.count_support_statistics(&q).await.unwrap();
            c.sort_by(|a, b| a.keys.cmp(&b.keys));
            c.into_iter()
                .map(|c| {
                    let keys: Vec<String> = c
                        .keys
                        .into_iter()
                        .map(|k| k.unwrap_or_else(|| "-".into()))
                        .collect();
                    (keys.join("/"), c.count)
                })
                .collect::<Vec<_>>()
        }
    };
    let rights_on = |d| SupportMeasure::Rights { as_of: d };
    assert_eq!(
        count(rights_on(day + Duration::days(5)), vec![]).await,
        vec![
            ("accommodation/refused/0".to_string(), 1),
            ("information/informed/1".to_string(), 1),
            ("recovery_period/not_yet_informed/1".to_string(), 1),
        ]
    );
    // On the due day nothing is late yet; after closure nothing is late any more.
    for d in [day, day + Duration::days(60)] {
        let c = count(rights_on(d), vec![]).await;
        assert!(c.iter().all(|(k, _)| k.ends_with("/0")), "{d}: {c:?}");
    }
    assert_eq!(
        count(
            rights_on(day + Duration::days(20)),
            vec![StatDim::AgeAtReferral]
        )
        .await,
        vec![
            ("child/accommodation/refused/0".to_string(), 1),
            ("child/information/informed/0".to_string(), 1),
            ("child/recovery_period/not_yet_informed/1".to_string(), 1),
        ]
    );
    // A period that holds no referral counts nothing.
    let q = SupportQuery {
        measure: rights_on(day),
        by: vec![StatDim::Quarter],
        from: Some(day + Duration::days(1)),
        to: None,
    };
    assert!(store.count_support_statistics(&q).await.unwrap().is_empty());
    // The adult's row was written before any support facts: one row, nothing recorded.
    assert_eq!(
        count(SupportMeasure::Cooperation, vec![StatDim::Quarter]).await,
        vec![
            ("2026-Q1/not_recorded".to_string(), 1),
            ("2026-Q2/declined_support_continuing".to_string(), 1),
        ]
    );
    assert_eq!(
        count(SupportMeasure::Compensation, vec![]).await,
        vec![("awarded".to_string(), 1), ("not_claimed".to_string(), 1)]
    );
    assert_eq!(
        count(SupportMeasure::CompensationAmounts, vec![StatDim::Quarter]).await,
        vec![
            ("awarded/EUR/250000".to_string(), 1),
            ("claimed/EUR/500000".to_string(), 1),
        ]
    );
    assert_eq!(
        count(
            SupportMeasure::ServiceAcceptance,
            vec![StatDim::ExploitationForm]
        )
        .await,
        vec![("sexual/4".to_string(), 1)]
    );
}

/// The statistical projection: written with the case, untouched by a conflicting append,
/// replaced whole, counted by any dimensions, paged in case order.
async fn statistics(store: &dyn Store, adult: CaseId, child: CaseId, t0: OffsetDateTime) {
    let rows = store.case_statistics(None, 10).await.unwrap();
    assert_eq!(
        rows,
        vec![stat_row(adult, t0, "2026-Q1", None)],
        "the stale append wrote nothing"
    );
    let mut child_row = stat_row(child, t0 + Duration::days(100), "2026-Q2", Some(12));
    child_row.exploitation_forms = vec![harbour_domain::ExploitationForm::Sexual];
    child_row.age_at_referral = harbour_statistics::AgeGroup::Child;
    child_row.support = support_facts(t0 + Duration::days(100));
    store.put_case_statistics(&child_row).await.unwrap();
    // Replacing a row replaces its forms and support rows too.
    store.put_case_statistics(&child_row).await.unwrap();
    support_statistics(store, t0 + Duration::days(100)).await;
    let count = |dims: Vec<StatDim>, from, to| {
        let q = StatisticsQuery { dims, from, to };
        async move {
            let mut c = store.count_case_statistics(&q).await.unwrap();
            c.sort_by(|a, b| a.keys.cmp(&b.keys));
            c.into_iter()
                .map(|c| {
                    (
                        c.keys
                            .into_iter()
                            .map(|k| k.unwrap_or_else(|| "-".into()))
                            .collect::<Vec<_>>()
                            .join("/"),
                        c.count,
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(count(vec![], None, None).await, vec![(String::new(), 2)]);
    assert_eq!(
        count(
            vec![StatDim::Quarter, StatDim::ExploitationForm],
            None,
            None
        )
        .await,
        vec![
            ("2026-Q1/forced_labour".to_string(), 1),
            ("2026-Q1/sexual".to_string(), 1),
            ("2026-Q2/sexual".to_string(), 1)
        ]
    );
    assert_eq!(
        count(
            vec![StatDim::ExploitationForm, StatDim::AgeAtReferral],
            None,
            None
        )
        .await,
        vec![
            ("forced_labour/adult".to_string(), 1),
            ("sexual/adult".to_string(), 1),
            ("sexual/child".to_string(), 1)
        ]
    );
    assert_eq!(
        count(
            vec![
                StatDim::RgDays,
                StatDim::RgWithinTarget,
                StatDim::OnlineRecruitment
            ],
            None,
            None
        )
        .await,
        vec![("-/-/1".to_string(), 1), ("12/0/1".to_string(), 1)]
    );
    let from = Some(t0.date() + Duration::days(1));
    assert_eq!(
        count(vec![StatDim::Year], from, None).await,
        vec![("2026".to_string(), 1)]
    );
    assert_eq!(
        count(vec![StatDim::ExploitationForm], None, Some(t0.date())).await,
        vec![("forced_labour".to_string(), 1), ("sexual".to_string(), 1)]
    );
    let all = store.case_statistics(None, 10).await.unwrap();
    assert_eq!(all.len(), 2);
    // Pages of rows carry the case's own columns; support facts are counted, not paged.
    let mut paged = child_row.clone();
    paged.support = Default::default();
    assert!(all.contains(&paged));
    let first = store.case_statistics(None, 1).await.unwrap();
    let rest = store
        .case_statistics(Some(first[0].case_id), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_ne!(rest[0].case_id, first[0].case_id);
    // Notifications by period.
    let all = store.anonymous_notifications(None, None).await.unwrap();
    assert!(!all.is_empty());
    let none = store
        .anonymous_notifications(Some(all[all.len() - 1].at + Duration::seconds(1)), None)
        .await
        .unwrap();
    assert!(none.is_empty());
    let last = &all[all.len() - 1];
    let just = store
        .anonymous_notifications(Some(last.at), Some(last.at))
        .await
        .unwrap();
    assert!(just.iter().any(|n| n.id == last.id));
}

/// A small deterministic random stream (xorshift), so the story needs no extra crate and a
/// failing seed replays exactly.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
    fn maybe<T>(&mut self, v: T) -> Option<T> {
        (self.below(3) != 0).then_some(v)
    }
}

/// A random statistical row over small vocabularies, so that groups collide and empty out.
fn random_row(rng: &mut Rng, case: CaseId) -> CaseStatistics {
    use harbour_domain::{DecisionOutcome, ExploitationForm, Sex};
    use harbour_statistics::AgeGroup;
    let day = datetime!(2025-11-20 12:00 UTC).date() + Duration::days(rng.below(200) as i64);
    let quarter = |d: time::Date| format!("{}-Q{}", d.year(), (d.month() as u8 - 1) / 3 + 1);
    let forms = [
        ExploitationForm::Sexual,
        ExploitationForm::ForcedLabour,
        ExploitationForm::ForcedCriminality,
        ExploitationForm::Unknown,
    ];
    let mut exploitation_forms = vec![rng.pick(&forms)];
    if rng.below(3) == 0 {
        let f = rng.pick(&forms);
        if !exploitation_forms.contains(&f) {
            exploitation_forms.push(f);
        }
    }
    let ages = [AgeGroup::Adult, AgeGroup::Child, AgeGroup::Unknown];
    let outcome = |rng: &mut Rng| rng.pick(&[DecisionOutcome::Positive, DecisionOutcome::Negative]);
    let (rg, cg, hours) = (
        rng.below(12) as i64,
        45 + rng.below(30) as i64,
        rng.below(40) as i64,
    );
    let rg_days = rng.maybe(rg);
    let cg_days = rg_days.and_then(|_| rng.maybe(cg));
    let guardian_hours = rng.maybe(hours);
    CaseStatistics {
        case_id: case,
        referred_on: day,
        referred_quarter: quarter(day),
        referrer_kind: rng.pick(&[OrgKind::Police, OrgKind::Ngo, OrgKind::ChildProtection]),
        exploitation_forms,
        age_at_referral: rng.pick(&ages),
        age_at_exploitation: rng.pick(&ages),
        ctdc_age_band: None,
        sex: rng.pick(&[Sex::Female, Sex::Male]),
        nationality: rng.maybe("UA".into()),
        region: None,
        online_recruitment: rng.below(2) == 0,
        county_lines: false,
        rg_outcome: rg_days.map(|_| outcome(rng)),
        rg_quarter: rg_days.map(|d| quarter(day + Duration::days(d))),
        rg_days,
        rg_within_target: rg_days.map(|d| d <= 7),
        cg_outcome: cg_days.map(|_| outcome(rng)),
        cg_quarter: cg_days.map(|d| quarter(day + Duration::days(d))),
        cg_days,
        cg_within_target: cg_days.map(|d| d <= 60),
        guardian_hours,
        guardian_within_target: guardian_hours.map(|h| h <= 24),
        phase: rng.pick(&[
            Status::AwaitingReasonableGrounds,
            Status::RecoveryPeriod,
            Status::Identified,
            Status::Closed,
        ]),
        closure: None,
        support: random_support(rng, day),
    }
}

/// The pre-aggregated counts (migration 0014) equal a `GROUP BY` over the rows after any
/// sequence of case writes: bulk creation, single creation, appends that change the row, and
/// rows replaced outright; for every kept grouping, and for every dashboard query over periods
/// that do and do not fall on quarter boundaries.
async fn statistics_counts_follow_the_rows(
    store: &dyn Store,
    org: &Organisation,
    officer: &User,
    seed: u64,
) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let t0 = datetime!(2026-05-01 9:00 UTC);
    // The rows written so far label quarters freely; a real row's quarter is its referral
    // day's (`CaseStatistics::from_journal`), which per-quarter counts rely on.
    for old in store.case_statistics(None, 1000).await.unwrap() {
        let row = random_row(&mut rng, old.case_id);
        store.put_case_statistics(&row).await.unwrap();
    }
    // Each case with its journal's last seq and hash, to append to it.
    let mut cases: Vec<(CaseId, u64, [u8; 32])> = Vec::new();
    let new_case = |rng: &mut Rng, id: CaseId| {
        let e = event(id, 1, GENESIS, t0, officer, "referral_received", b"sealed");
        let hash = e.hash;
        (
            NewCase {
                projection: projection(id, t0, org, Minority::Adult),
                person_keys: vec![],
                wrapped_key: vec![1],
                parties: vec![],
                events: vec![e],
                access: access(officer, id, "refer", t0),
                statistics: Some(random_row(rng, id)),
            },
            hash,
        )
    };
    let mut batch = Vec::new();
    for _ in 0..12 {
        let id = CaseId(Uuid::new_v4());
        let (c, hash) = new_case(&mut rng, id);
        batch.push(c);
        cases.push((id, 1, hash));
    }
    store.create_cases(&batch).await.unwrap();
    let dashboard: [&[StatDim]; 10] = [
        &[StatDim::Quarter, StatDim::AgeAtExploitation],
        &[StatDim::ExploitationForm, StatDim::AgeAtExploitation],
        &[StatDim::ReferrerKind],
        &[StatDim::RgQuarter, StatDim::RgOutcome],
        &[StatDim::CgQuarter, StatDim::CgOutcome],
        &[StatDim::RgDays, StatDim::RgWithinTarget],
        &[StatDim::CgDays],
        &[StatDim::GuardianHours],
        &[StatDim::Phase],
        &[
            StatDim::AgeAtReferral,
            StatDim::GuardianWithinTarget,
            StatDim::Phase,
        ],
    ];
    let day = |s: &str| crate::parse_day(s).unwrap();
    let periods = [
        (None, None),
        (Some(day("2026-01-01")), Some(day("2026-03-31"))),
        (Some(day("2025-12-15")), None),
        (None, Some(day("2026-02-10"))),
        (Some(day("2025-11-25")), Some(day("2026-04-20"))),
        (Some(day("2026-02-01")), Some(day("2026-02-28"))),
    ];
    for round in 0..8 {
        for _ in 0..10 {
            match rng.below(4) {
                0 => {
                    let id = CaseId(Uuid::new_v4());
                    let (c, hash) = new_case(&mut rng, id);
                    store.create_case(&c).await.unwrap();
                    cases.push((id, 1, hash));
                }
                1 => {
                    let i = rng.below(cases.len());
                    let row = random_row(&mut rng, cases[i].0);
                    store.put_case_statistics(&row).await.unwrap();
                }
                _ => {
                    let i = rng.below(cases.len());
                    let (id, seq, prev) = cases[i];
                    let e = event(id, seq + 1, prev, t0, officer, "note", b"sealed");
                    let mut p = projection(id, t0, org, Minority::Adult);
                    p.seq = seq + 1;
                    store
                        .append(&CaseChange {
                            projection: p,
                            expected_seq: seq,
                            events: vec![e.clone()],
                            new_parties: vec![],
                            new_person_keys: vec![],
                            access: access(officer, id, "events", t0),
                            statistics: Some(random_row(&mut rng, id)),
                        })
                        .await
                        .unwrap();
                    cases[i] = (id, seq + 1, e.hash);
                }
            }
        }
        let (compared, mismatches) = check_statistics_counts(store, None, None).await.unwrap();
        assert!(compared > 0);
        assert_eq!(mismatches, vec![], "seed {seed}, round {round}");
        // Rights late as at days before, inside and after the referrals, at quarter ends and
        // starts; every period.
        let as_of = [
            day("2025-11-01"),
            day("2025-12-31"),
            day("2026-01-01"),
            day("2026-02-14"),
            day("2026-04-01"),
            day("2026-06-30"),
            day("2026-09-15"),
            day("2027-03-01"),
        ];
        for (from, to) in periods {
            let (compared, mismatches) =
                check_support_counts(store, &as_of, from, to).await.unwrap();
            assert!(compared > 0 || from.is_some());
            assert_eq!(
                mismatches,
                vec![],
                "seed {seed}, round {round}, {from:?}..{to:?}"
            );
        }
        for dims in dashboard {
            for (from, to) in periods {
                let q = StatisticsQuery {
                    dims: dims.to_vec(),
                    from,
                    to,
                };
                let sorted = |mut v: Vec<StatisticsCount>| {
                    v.sort_by(|a, b| a.keys.cmp(&b.keys));
                    v
                };
                assert_eq!(
                    sorted(store.count_statistics(&q).await.unwrap()),
                    sorted(store.count_case_statistics(&q).await.unwrap()),
                    "seed {seed}, round {round}, {q:?}"
                );
            }
        }
    }
    // A recount from the rows gives the same counts.
    assert!(store.rebuild_statistics_counts().await.unwrap() > 0);
    let (_, mismatches) = check_statistics_counts(store, None, None).await.unwrap();
    assert_eq!(mismatches, vec![]);
    let (compared, mismatches) = check_support_counts(store, &[day("2026-02-14")], None, None)
        .await
        .unwrap();
    assert!(compared > 0);
    assert_eq!(mismatches, vec![]);
}
