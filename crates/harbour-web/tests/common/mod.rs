//! One helper for every integration test: a fresh, migrated database (SQLite always; PostgreSQL
//! when HARBOUR_TEST_POSTGRES_URL is set), a real server on loopback, and a clock the test moves.
#![allow(dead_code)]

use harbour_crypto::MasterKey;
use harbour_domain::{OrgKind, Policy, Role};
use harbour_service::{Actor, Harbour, ManualClock};
use harbour_store::Store;
use serde_json::{json, Value};
use std::sync::Arc;
use time::macros::datetime;

pub const PASSWORD: &str = "correct horse battery staple";

pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// The backends to run a story on: SQLite always, PostgreSQL when configured.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    match std::env::var("HARBOUR_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => v.push(Backend::Postgres(url)),
        _ => eprintln!(
            "HARBOUR_TEST_POSTGRES_URL is not set: the PostgreSQL half of this test was skipped"
        ),
    }
    v
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub harbour: Harbour,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub db: DbHandle,
    pub server: tokio::task::JoinHandle<()>,
    /// Each enrolled test user's TOTP secret and the last time step the helper answered with.
    pub totp: std::sync::Mutex<std::collections::HashMap<String, (Vec<u8>, u64)>>,
}

pub enum DbHandle {
    Sqlite {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
    },
    Postgres {
        admin: String,
        name: String,
        url: String,
    },
}

impl TestApp {
    pub async fn start(backend: &Backend) -> TestApp {
        Self::start_with_policy(backend, Policy::shipped_default()).await
    }

    /// A server under another national policy (e.g. one that requires security keys).
    pub async fn start_with_policy(backend: &Backend, policy: Policy) -> TestApp {
        let (store, db): (Arc<dyn Store>, DbHandle) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("test.db");
                let store = harbour_store_sqlite::SqliteStore::connect(&format!(
                    "sqlite://{}",
                    path.display()
                ))
                .await
                .unwrap();
                (Arc::new(store), DbHandle::Sqlite { _dir: dir, path })
            }
            Backend::Postgres(admin) => {
                let name = format!("harbour_test_{}", uuid::Uuid::new_v4().simple());
                harbour_store_postgres::create_database(admin, &name)
                    .await
                    .unwrap();
                let url = harbour_store_postgres::database_url(admin, &name).unwrap();
                let store = harbour_store_postgres::PostgresStore::connect(&url)
                    .await
                    .unwrap();
                (
                    Arc::new(store),
                    DbHandle::Postgres {
                        admin: admin.clone(),
                        name,
                        url,
                    },
                )
            }
        };
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-23 09:00 UTC)));
        let harbour = Harbour::new(
            store.clone(),
            Arc::new(MasterKey::generate()),
            policy,
            clock.clone(),
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // Security keys need a host name (not an IP address): browsers reach the test server
        // as localhost.
        let harbour = harbour.with_relying_party(
            harbour_service::webauthn::RelyingParty::from_origin(&format!(
                "http://localhost:{}",
                listener.local_addr().unwrap().port()
            ))
            .unwrap(),
        );
        // The tests stand where a reverse proxy would: loopback is trusted to name the client
        // in X-Forwarded-For (tests/access_security.rs also runs servers that trust no one).
        let app = harbour_web::router_with(
            harbour.clone(),
            harbour_web::proxy::TrustedProxies::parse("127.0.0.1, ::1").unwrap(),
        );
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        TestApp {
            base,
            client: reqwest::Client::new(),
            harbour,
            store,
            clock,
            db,
            server,
            totp: Default::default(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        self.store.backend()
    }

    pub async fn org(&self, name: &str, kind: OrgKind) -> harbour_store::Organisation {
        self.harbour.create_org(name, kind).await.unwrap()
    }

    /// Create a user and log in through the API; returns (token, actor).
    pub async fn user(
        &self,
        email: &str,
        org: &harbour_store::Organisation,
        role: Role,
    ) -> (String, Actor) {
        let user = self
            .harbour
            .create_user(email, org.id, role, PASSWORD)
            .await
            .unwrap();
        let token = self.login(email, PASSWORD).await;
        (
            token,
            Actor {
                user,
                org: org.clone(),
            },
        )
    }

    /// Log in through the API, answering the second factor (and enrolling at first login) as a
    /// user with an authenticator would.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.0, 200, "login failed: {}", r.1);
        if r.1["mfa_required"] != json!(true) {
            return r.1["token"].as_str().unwrap().to_string();
        }
        let challenge = r.1["challenge"].as_str().unwrap().to_string();
        if r.1["enrolled"] == json!(false) {
            self.enrol_via_api(email, &challenge).await;
        }
        let code = self.totp_code(email);
        let (s, v) = self
            .post(
                "/api/v1/auth/mfa",
                None,
                json!({"challenge": challenge, "code": code}),
            )
            .await;
        assert_eq!(s, 200, "second factor failed: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value, headers)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let (s, v, _) = self.send(reqwest::Method::GET, path, token, None).await;
        (s, v)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let (s, v, _) = self
            .send(reqwest::Method::POST, path, token, Some(body))
            .await;
        (s, v)
    }

    /// Post a raw body with a content type (for malformed input tests).
    pub async fn post_raw(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: &str,
    ) -> (u16, Value) {
        let res = self
            .client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Every byte the database holds, as one blob to search (SQLite: the files; PostgreSQL:
    /// every row of every table, as text and with bytea as raw bytes).
    pub async fn dump(&self) -> Vec<u8> {
        match &self.db {
            DbHandle::Sqlite { path, .. } => {
                let mut all = Vec::new();
                for suffix in ["", "-wal", "-shm"] {
                    let p = format!("{}{}", path.display(), suffix);
                    if let Ok(bytes) = std::fs::read(&p) {
                        all.extend(bytes);
                    }
                }
                all
            }
            DbHandle::Postgres { url, .. } => {
                use sqlx::Row;
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
                )
                .fetch_all(&pool)
                .await
                .unwrap();
                let mut all = Vec::new();
                for t in tables {
                    let rows = sqlx::query(&format!("SELECT t::text AS row FROM \"{t}\" t"))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                    for r in rows {
                        let text: String = r.get("row");
                        all.extend(text.as_bytes());
                        all.push(b'\n');
                        // bytea renders as \x hex in text: decode every hex run so sealed bytes are searched raw too.
                        for chunk in text.split("\\\\x").chain(text.split("\\x")).skip(1) {
                            let hexpart: String = chunk
                                .chars()
                                .take_while(|c| c.is_ascii_hexdigit())
                                .collect();
                            if let Ok(bytes) =
                                hex::decode(&hexpart[..hexpart.len() - hexpart.len() % 2])
                            {
                                all.extend(bytes);
                            }
                        }
                    }
                }
                pool.close().await;
                all
            }
        }
    }

    pub async fn finish(self) {
        self.server.abort();
        if let DbHandle::Postgres { admin, name, .. } = &self.db {
            harbour_store_postgres::drop_database(admin, name)
                .await
                .unwrap();
        }
    }
}

/// The contract's example referral: a girl of about 15 to 19, so a presumed child.
pub fn child_referral() -> Value {
    json!({"person":{"names":[{"given":"Olena","family":"Kovalenko","script":"Latn"}],"sex":"female","birth":{"age_estimate":{"min":15,"max":19}},"nationalities":["UA"],"languages":["uk"],"unaccompanied":true,"vulnerabilities":["armed_conflict","refugee"]},"exploitation_forms":["sexual"],"consent":{"nrm_referral":false},"child_views":"Wants to stay with her cousin","summary":"Met at the border crossing"})
}

pub fn adult_referral(given: &str, consent: bool) -> Value {
    json!({"person":{"names":[{"given":given,"family":"Fakeson","script":"Latn"}],"sex":"male","birth":{"date":"1990-04-01"},"nationalities":["MD"],"languages":["ro"]},"exploitation_forms":["forced_labour"],"consent":{"nrm_referral":consent},"summary":"Construction site"})
}

/// A mother's tracing request for "Сашко Коваленко, about 9" (the seed meeting's example).
pub fn tracing_request_body() -> Value {
    json!({
        "sought": {
            "names": [{"given": "Сашко", "family": "Коваленко", "script": "Cyrl"}],
            "sex": "male",
            "birth": {"age_estimate": {"min": 9, "max": 9}},
            "mother_name": "Fakeina Kovalenko"
        },
        "requester": {"relationship": "mother", "contact": "+000 fake number, test.invalid"},
        "legal_basis": "child_protection_mandate"
    })
}

// ---------- second factor (secauth) ----------

impl TestApp {
    /// Ask for a new authenticator secret with a login challenge and remember it.
    pub async fn enrol_via_api(&self, email: &str, challenge: &str) -> Value {
        let (s, v) = self
            .post(
                "/api/v1/auth/mfa/enrolment",
                None,
                json!({"challenge": challenge}),
            )
            .await;
        assert_eq!(s, 200, "enrolment failed: {v}");
        let secret = harbour_service::mfa::base32_decode(v["secret"].as_str().unwrap()).unwrap();
        self.totp
            .lock()
            .unwrap()
            .insert(email.to_string(), (secret, 0));
        v
    }

    /// The next TOTP code an authenticator would show for this user: a time step near now that
    /// was not answered yet (codes work once); when the three steps around now are spent, the
    /// clock moves on 30 seconds, as a person would wait for the next code.
    pub fn totp_code(&self, email: &str) -> String {
        let mut map = self.totp.lock().unwrap();
        let (secret, last) = map
            .get_mut(email)
            .unwrap_or_else(|| panic!("{email} has no authenticator in this test"));
        loop {
            let steps = harbour_domain::access::totp_candidate_steps(self.clock.now_value(), *last);
            if let Some(step) = steps.first() {
                *last = *step;
                return harbour_service::mfa::totp_code(secret, *step);
            }
            self.clock.advance(time::Duration::seconds(30));
        }
    }

    /// Remember a secret known another way (e.g. typed from the enrolment page).
    pub fn remember_totp(&self, email: &str, secret_base32: &str) {
        let secret = harbour_service::mfa::base32_decode(secret_base32).unwrap();
        self.totp
            .lock()
            .unwrap()
            .insert(email.to_string(), (secret, 0));
    }
}
