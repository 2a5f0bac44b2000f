//! The shared storage story, on a fresh PostgreSQL database, plus what only a real server can
//! show (racing appends). Needs `HARBOUR_TEST_POSTGRES_URL`, an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/test` whose user may create databases; without it the
//! PostgreSQL half is skipped so a plain `cargo test` needs no server.

use harbour_domain::{CaseId, Minority, OrgId, OrgKind, Role, Status, UserId};
use harbour_store::*;
use harbour_store_postgres::{create_database, database_url, drop_database, PostgresStore};
use std::future::Future;
use std::sync::Arc;
use time::macros::datetime;
use uuid::Uuid;

const URL_VAR: &str = "HARBOUR_TEST_POSTGRES_URL";

/// Run `body` against a fresh, migrated database that is dropped afterwards, pass or fail.
/// Returns without running anything when no server is configured.
async fn with_fresh_database<F, Fut>(test: &str, body: F)
where
    F: FnOnce(Arc<PostgresStore>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(admin) = std::env::var(URL_VAR) else {
        println!("{URL_VAR} is not set: the PostgreSQL half of {test} was skipped");
        return;
    };
    let name = format!("harbour_story_{}", Uuid::new_v4().simple());
    create_database(&admin, &name).await.unwrap();
    let store = Arc::new(
        PostgresStore::connect(&database_url(&admin, &name).unwrap())
            .await
            .unwrap(),
    );
    store.migrate().await.unwrap();
    // Spawned so that a failing assertion still lets us drop the database before re-raising it.
    let outcome = tokio::spawn(body(store.clone())).await;
    store.pool().close().await;
    drop_database(&admin, &name).await.unwrap();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

#[tokio::test]
async fn postgres_passes_the_storage_story() {
    with_fresh_database("the storage story", |store| async move {
        assert_eq!(store.backend(), "postgres");
        harbour_store::story::run(store.as_ref()).await;
    })
    .await;
}

#[tokio::test]
async fn database_helpers_refuse_bad_names_and_taken_ones() {
    let Ok(admin) = std::env::var(URL_VAR) else {
        println!("{URL_VAR} is not set: the PostgreSQL half of the database helpers was skipped");
        return;
    };
    assert!(create_database(&admin, "bad name").await.is_err());
    let name = format!("harbour_story_{}", Uuid::new_v4().simple());
    create_database(&admin, &name).await.unwrap();
    let again = create_database(&admin, &name).await;
    drop_database(&admin, &name).await.unwrap();
    assert!(
        matches!(again, Err(StoreError::Duplicate(_))),
        "got {again:?}"
    );
    // Dropping what is not there is fine.
    drop_database(&admin, &name).await.unwrap();
}

/// Many writers race to append the same next event: exactly one wins, the rest conflict, and the
/// journal stays a valid chain with one access record per successful write.
#[tokio::test]
async fn racing_appends_conflict_cleanly() {
    with_fresh_database("racing appends", |store| async move {
        let org = Organisation {
            id: OrgId(Uuid::new_v4()),
            name: "Fake City Police".into(),
            kind: OrgKind::Police,
            created_at: datetime!(2026-01-01 0:00 UTC),
        };
        store.insert_org(&org).await.unwrap();
        let user = User {
            id: UserId(Uuid::new_v4()),
            email: "officer@police.example".into(),
            org_id: org.id,
            role: Role::FirstResponder,
            password_hash: "$argon2id$fake".into(),
            locale: "en".into(),
            active: true,
            created_at: datetime!(2026-01-01 0:00 UTC),
        };
        store.insert_user(&user).await.unwrap();
        let t0 = datetime!(2026-11-23 10:00 UTC);
        let case = CaseId(Uuid::new_v4());
        let event = |seq: u64, prev: [u8; 32], payload: &[u8]| {
            let mut e = StoredEvent {
                case_id: case,
                seq,
                at: t0,
                actor: user.id,
                actor_org: org.id,
                kind: "note".into(),
                payload: payload.to_vec(),
                prev_hash: prev,
                hash: [0; 32],
            };
            e.hash = chain_hash(&prev, &e);
            e
        };
        let access = |action: &str| AccessRecord {
            at: t0,
            user_id: user.id,
            org_id: org.id,
            case_id: Some(case),
            action: action.into(),
            purpose: None,
        };
        let projection = CaseProjection {
            id: case,
            phase: Status::AwaitingReasonableGrounds,
            minority: Minority::Adult,
            referred_at: t0,
            referring_org: org.id,
            owner_org: org.id,
            guardian: None,
            rg_due: None,
            awaiting_cg_from: None,
            guardian_due: None,
            rights_due: vec![],
            updated_at: t0,
            seq: 1,
        };
        let e1 = event(1, GENESIS, b"first");
        store
            .create_case(&NewCase {
                person_keys: vec![],
                projection: projection.clone(),
                wrapped_key: vec![1],
                parties: vec![CaseParty {
                    org_id: org.id,
                    relation: PartyRelation::Referrer,
                }],
                events: vec![e1.clone()],
                access: access("refer"),
                statistics: None,
            })
            .await
            .unwrap();

        let mut racers = Vec::new();
        for i in 0..8u8 {
            let store = store.clone();
            let change = CaseChange {
                new_person_keys: vec![],
                projection: CaseProjection {
                    seq: 2,
                    ..projection.clone()
                },
                expected_seq: 1,
                events: vec![event(2, e1.hash, &[i])],
                new_parties: vec![],
                access: access("events"),
                statistics: None,
            };
            racers.push(tokio::spawn(async move { store.append(&change).await }));
        }
        let (mut won, mut conflicted) = (0, 0);
        for r in racers {
            match r.await.unwrap() {
                Ok(()) => won += 1,
                Err(StoreError::Conflict) => conflicted += 1,
                Err(e) => panic!("a racing append failed otherwise: {e}"),
            }
        }
        assert_eq!((won, conflicted), (1, 7));
        let rec = store.load_case(case).await.unwrap().unwrap();
        assert_eq!(rec.events.len(), 2);
        assert_eq!(rec.header.projection.seq, 2);
        verify_chain(&rec.events).unwrap();
        let actions: Vec<_> = store
            .access_log(case)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(actions, vec!["refer", "events"]);

        // An event whose seq is taken is a conflict even when the projection check passes.
        let r = store
            .append(&CaseChange {
                new_person_keys: vec![],
                projection: CaseProjection {
                    seq: 3,
                    ..projection.clone()
                },
                expected_seq: 2,
                events: vec![event(2, e1.hash, b"again")],
                new_parties: vec![],
                access: access("events"),
                statistics: None,
            })
            .await;
        assert!(matches!(r, Err(StoreError::Conflict)), "got {r:?}");
        let rec = store.load_case(case).await.unwrap().unwrap();
        assert_eq!(
            rec.header.projection.seq, 2,
            "the failed change was rolled back"
        );

        // A duplicate case id is a duplicate, and leaves nothing behind.
        let r = store
            .create_case(&NewCase {
                person_keys: vec![],
                projection: projection.clone(),
                wrapped_key: vec![2],
                parties: vec![],
                events: vec![e1.clone()],
                access: access("refer"),
                statistics: None,
            })
            .await;
        assert!(matches!(r, Err(StoreError::Duplicate(_))), "got {r:?}");
        assert_eq!(store.access_log(case).await.unwrap().len(), 2);
    })
    .await;
}
