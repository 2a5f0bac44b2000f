//! Master key rotation at the service level, on both backends: an interrupted rotation (some
//! case keys already under the new key, the blind-index key not yet) is finished by running it
//! again; afterwards only the new key opens the cases, and a key under a third, unknown master
//! key stops the rotation with the case named. And a rolling rotation: a server with the old key
//! retired keeps reading and writing while the rotation runs.

use harbour_crypto::{rewrap, MasterKey, WrappedKey};
use harbour_domain::person::Birth;
use harbour_domain::*;
use harbour_service::cases::ReferralOptions;
use harbour_service::protection::{rotate_master_key, KeyError};
use harbour_service::{Actor, Harbour, ManualClock};
use harbour_store::{SealedKeyTable, Store};
use std::sync::Arc;

/// A store, the PostgreSQL (admin URL, database) to drop afterwards, and the SQLite folder.
type TestStore = (Arc<dyn Store>, Option<(String, String)>, tempfile::TempDir);

async fn stores() -> Vec<TestStore> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = harbour_store_sqlite::SqliteStore::connect(&format!(
        "sqlite://{}",
        dir.path().join("rotation.db").display()
    ))
    .await
    .unwrap();
    let mut v: Vec<TestStore> = vec![(Arc::new(sqlite), None, dir)];
    match std::env::var("HARBOUR_TEST_POSTGRES_URL") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!("harbour_test_{}", uuid::Uuid::new_v4().simple());
            harbour_store_postgres::create_database(&admin, &name)
                .await
                .unwrap();
            let url = harbour_store_postgres::database_url(&admin, &name).unwrap();
            let pg = harbour_store_postgres::PostgresStore::connect(&url)
                .await
                .unwrap();
            v.push((
                Arc::new(pg),
                Some((admin, name)),
                tempfile::tempdir().unwrap(),
            ));
        }
        _ => eprintln!("HARBOUR_TEST_POSTGRES_URL is not set: the PostgreSQL half was skipped"),
    }
    v
}

fn harbour(store: &Arc<dyn Store>, key: &Arc<MasterKey>) -> Harbour {
    let clock = Arc::new(ManualClock::new(
        time::macros::datetime!(2026-11-23 09:00 UTC),
    ));
    Harbour::new(store.clone(), key.clone(), Policy::shipped_default(), clock).unwrap()
}

fn referral(given: &str) -> Referral {
    Referral {
        exploitation_forms: vec![ExploitationForm::ForcedLabour],
        consent: Some(Consent {
            nrm_referral: true,
            family_tracing: false,
            scope: None,
            informed_in: None,
        }),
        ..Referral::new(Person {
            names: vec![PersonName {
                given: Some(given.into()),
                family: Some("Fakerotation".into()),
                patronymic: None,
                script: Some("Latn".into()),
                transliterations: vec![],
            }],
            sex: Sex::Male,
            birth: Birth::Year(1990),
            nationalities: vec!["UA".into()],
            stateless: false,
            languages: vec!["uk".into()],
            vulnerabilities: vec![],
            unaccompanied: false,
            separated: false,
        })
    }
}

fn raw_id(key: &MasterKey) -> Vec<u8> {
    hex::decode(key.id()).unwrap()
}

#[tokio::test]
async fn an_interrupted_rotation_finishes_on_the_next_run() {
    for (store, pg, _dir) in stores().await {
        store.migrate().await.unwrap();
        let old = Arc::new(MasterKey::generate());
        let new = Arc::new(MasterKey::generate());
        let h = harbour(&store, &old).with_stored_index_key().await.unwrap();
        let org = h.create_org("Fake Police", OrgKind::Police).await.unwrap();
        let user = h
            .create_user(
                "r@test.invalid",
                org.id,
                Role::FirstResponder,
                "a long fake password",
            )
            .await
            .unwrap();
        let actor = Actor { user, org };
        let mut ids = Vec::new();
        for given in ["Andriy", "Bohdan", "Petro", "Taras", "Yurii"] {
            let view = h
                .refer(&actor, referral(given), ReferralOptions::default())
                .await
                .unwrap();
            ids.push(view.id);
        }
        // The first run got two case keys across before it stopped.
        let case_keys = SealedKeyTable::CaseKeys;
        let first = store
            .record_keys_not_wrapped_by(case_keys, &raw_id(&new), 2)
            .await
            .unwrap();
        let batch: Vec<_> = first
            .iter()
            .map(|(id, bytes)| {
                let again = rewrap(
                    &old,
                    &new,
                    &WrappedKey::from_bytes(bytes).unwrap(),
                    format!("case:{id}").as_bytes(),
                )
                .unwrap();
                (*id, bytes.clone(), again.to_bytes())
            })
            .collect();
        assert_eq!(
            store.rewrap_record_keys(case_keys, &batch).await.unwrap(),
            2
        );

        let report = rotate_master_key(store.as_ref(), &old, &new, 2)
            .await
            .unwrap();
        assert_eq!(report.rewrapped, 3, "only what was left");
        assert_eq!(report.batches, 2);
        assert!(store
            .record_keys_not_wrapped_by(case_keys, &raw_id(&new), 10)
            .await
            .unwrap()
            .is_empty());
        let again = rotate_master_key(store.as_ref(), &old, &new, 2)
            .await
            .unwrap();
        assert_eq!(again.rewrapped, 0, "a finished rotation is a no-op");

        // Only the new key opens the cases; the old one is refused with both ids named.
        let h_new = harbour(&store, &new).with_stored_index_key().await.unwrap();
        for id in &ids {
            h_new.get_case(&actor, *id, None).await.unwrap();
        }
        let err = harbour(&store, &old)
            .with_stored_index_key()
            .await
            .err()
            .unwrap();
        assert!(
            matches!(&err, KeyError::WrongMasterKey { stored, current } if stored == new.id() && current == old.id()),
            "{err}"
        );
        // The blind index survived: the same person is found as a possible duplicate.
        let dup = h_new
            .refer(&actor, referral("Andriy"), ReferralOptions::default())
            .await;
        assert!(
            matches!(
                dup,
                Err(harbour_service::ServiceError::PossibleDuplicate(_))
            ),
            "{dup:?}"
        );

        // A case key under neither key stops the next rotation and names the case.
        let third = MasterKey::generate();
        let stray = ids[0];
        let current = store.load_case(stray).await.unwrap().unwrap().wrapped_key;
        let moved = rewrap(
            &new,
            &third,
            &WrappedKey::from_bytes(&current).unwrap(),
            format!("case:{stray}").as_bytes(),
        )
        .unwrap();
        store
            .rewrap_record_keys(case_keys, &[(stray.0, current, moved.to_bytes())])
            .await
            .unwrap();
        let next = MasterKey::generate();
        let err = rotate_master_key(store.as_ref(), &new, &next, 10)
            .await
            .err()
            .unwrap();
        assert!(
            matches!(&err, KeyError::UnknownWrapping { case, .. } if *case == stray),
            "{err}"
        );
        assert!(err.to_string().contains(&stray.to_string()));

        if let Some((admin, name)) = pg {
            drop(h);
            drop(h_new);
            drop(store);
            harbour_store_postgres::drop_database(&admin, &name)
                .await
                .unwrap();
        }
    }
}

/// A rolling rotation at the service level: a server holding the new key with the old one
/// retired reads cases under either key and writes only under the new one, also while
/// `rotate_master_key` runs beside it; afterwards nothing is left under the old key and the new
/// key alone opens every case, the blind index unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_a_retired_key_keeps_reading_and_writing_while_the_rotation_runs() {
    const OLD: [u8; 32] = [0x11; 32];
    const NEW: [u8; 32] = [0x22; 32];
    for (store, pg, _dir) in stores().await {
        store.migrate().await.unwrap();
        let old = Arc::new(MasterKey::from_bytes(OLD));
        let h_old = harbour(&store, &old).with_stored_index_key().await.unwrap();
        let org = h_old
            .create_org("Fake Police", OrgKind::Police)
            .await
            .unwrap();
        let user = h_old
            .create_user(
                "rolling@test.invalid",
                org.id,
                Role::FirstResponder,
                "a long fake password",
            )
            .await
            .unwrap();
        let actor = Actor { user, org };
        let mut ids = Vec::new();
        for given in ["Andriy", "Bohdan", "Petro", "Taras", "Yurii"] {
            let view = h_old
                .refer(&actor, referral(given), ReferralOptions::default())
                .await
                .unwrap();
            ids.push(view.id);
        }

        // The restarted server: the new key, the old one retired.
        let keyring = MasterKey::from_bytes(NEW).with_retired(vec![MasterKey::from_bytes(OLD)]);
        assert_eq!(keyring.retired_ids(), vec![old.id().to_string()]);
        let h_roll = harbour(&store, &Arc::new(keyring))
            .with_stored_index_key()
            .await
            .unwrap();
        for id in &ids {
            h_roll.get_case(&actor, *id, None).await.unwrap();
        }

        let new = Arc::new(MasterKey::from_bytes(NEW));
        let writer = {
            let (h, actor) = (h_roll.clone(), actor.clone());
            tokio::spawn(async move {
                let mut made = Vec::new();
                for n in 0..12 {
                    let view = h
                        .refer(
                            &actor,
                            referral(&format!("During{n}")),
                            ReferralOptions {
                                confirm_new_person: true,
                                ..ReferralOptions::default()
                            },
                        )
                        .await
                        .unwrap();
                    h.get_case(&actor, view.id, None).await.unwrap();
                    made.push(view.id);
                }
                made
            })
        };
        let rotation = {
            let (store, old, new) = (store.clone(), old.clone(), new.clone());
            tokio::spawn(async move { rotate_master_key(store.as_ref(), &old, &new, 1).await })
        };
        let made = writer.await.unwrap();
        rotation.await.unwrap().unwrap();
        // Whatever the interleaving, a pass after the writer stopped finds nothing to do.
        let again = rotate_master_key(store.as_ref(), &old, &new, 1)
            .await
            .unwrap();
        assert_eq!(again.rewrapped, 0);
        for table in SealedKeyTable::ALL {
            assert!(store
                .record_keys_not_wrapped_by(table, &raw_id(&new), 10)
                .await
                .unwrap()
                .is_empty());
        }
        for id in &made {
            let record = store.load_case(*id).await.unwrap().unwrap();
            assert_eq!(
                WrappedKey::from_bytes(&record.wrapped_key)
                    .unwrap()
                    .master_key_id(),
                new.id(),
                "the server wrapped its new case under the new key"
            );
        }

        // The new key alone: every case opens, the old key alone is refused, and the blind
        // index still finds people written before and during the rotation.
        let h_new = harbour(&store, &new).with_stored_index_key().await.unwrap();
        for id in ids.iter().chain(&made) {
            h_new.get_case(&actor, *id, None).await.unwrap();
        }
        assert!(harbour(&store, &old).with_stored_index_key().await.is_err());
        for given in ["Petro", "During3"] {
            let dup = h_new
                .refer(&actor, referral(given), ReferralOptions::default())
                .await;
            assert!(
                matches!(
                    dup,
                    Err(harbour_service::ServiceError::PossibleDuplicate(_))
                ),
                "{given}: {dup:?}"
            );
        }

        if let Some((admin, name)) = pg {
            drop((h_old, h_roll, h_new));
            drop(store);
            harbour_store_postgres::drop_database(&admin, &name)
                .await
                .unwrap();
        }
    }
}
