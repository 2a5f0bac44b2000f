//! The HTML pages over real HTTP: sessions, cookies, CSRF, visibility, decisions, and the
//! Fluent files (every key in all three languages, none unused).

mod common;

use common::{backends, TestApp, PASSWORD};
use harbour_domain::{OrgKind, Role};
use harbour_web::pages::{dynamic_keys, i18n};
use reqwest::header::{HeaderMap, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeSet;
use std::path::Path;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        let first = c.split(';').next()?;
        let (k, v) = first.split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("hidden field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Log in through the login form; returns the session cookie header value and its CSRF token.
async fn web_login(app: &TestApp, email: &str, https: bool) -> (String, Vec<String>) {
    let c = client();
    let mut req = c.get(format!("{}/login?lang=en", app.base));
    if https {
        req = req.header("x-forwarded-proto", "https");
    }
    let page = req.send().await.unwrap();
    let cookies = set_cookies(page.headers());
    let prefix = if https { "__Host-" } else { "" };
    let login_cookie = cookie_value(&cookies, &format!("{prefix}harbour_login")).unwrap();
    let html = page.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    let mut req = c
        .post(format!("{}/login", app.base))
        .header(COOKIE, format!("{prefix}harbour_login={login_cookie}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&email={}&password={}&lang=en",
            email.replace('@', "%40"),
            PASSWORD.replace(' ', "+")
        ));
    if https {
        req = req.header("x-forwarded-proto", "https");
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 303, "login should redirect");
    let mut cookies = set_cookies(res.headers());
    if res.headers()[LOCATION] == "/login/mfa" {
        // Roles that read cases answer their second factor next.
        let challenge = cookie_value(&cookies, &format!("{prefix}harbour_session")).unwrap();
        let res = second_step(
            app,
            email,
            &format!("{prefix}harbour_session={challenge}"),
            https,
        )
        .await;
        cookies = set_cookies(res.headers());
    } else {
        assert_eq!(res.headers()[LOCATION], "/");
    }
    let token = cookie_value(&cookies, &format!("{prefix}harbour_session")).unwrap();
    (format!("{prefix}harbour_session={token}"), cookies)
}

/// Answer the second-factor page with the user's next TOTP code; returns the redirect home.
async fn second_step(
    app: &TestApp,
    email: &str,
    challenge_cookie: &str,
    https: bool,
) -> reqwest::Response {
    let c = client();
    let mut req = c
        .get(format!("{}/login/mfa", app.base))
        .header(COOKIE, challenge_cookie);
    if https {
        req = req.header("x-forwarded-proto", "https");
    }
    let html = req.send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    let mut req = c
        .post(format!("{}/login/mfa", app.base))
        .header(COOKIE, challenge_cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&code={}", app.totp_code(email)));
    if https {
        req = req.header("x-forwarded-proto", "https");
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 303, "the second factor should be accepted");
    assert_eq!(res.headers()[LOCATION], "/");
    res
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> (u16, String, HeaderMap) {
    let res = client()
        .get(format!("{}{path}", app.base))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.text().await.unwrap(), headers)
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    body: &str,
) -> (u16, String, HeaderMap) {
    let res = client()
        .post(format!("{}{path}", app.base))
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.text().await.unwrap(), headers)
}

async fn child_case(app: &TestApp, responder: &harbour_service::Actor) -> harbour_domain::CaseId {
    let referral: harbour_domain::Referral = serde_json::from_value(serde_json::json!({
        "person": {"names": [{"given": "Олена", "family": "Канарейко", "script": "Cyrl"}],
                   "birth": {"age_estimate": {"min": 15, "max": 19}}, "unaccompanied": true},
        "exploitation_forms": ["sexual"], "child_views": "CANARY-VIEWS"
    }))
    .unwrap();
    app.harbour
        .refer(responder, referral, Default::default())
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_logout_ends_the_session() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let org = app.org("Border", OrgKind::BorderGuard).await;
        app.user("r@example.org", &org, Role::FirstResponder).await;

        // Plain HTTP: no Secure, no __Host- (browsers would refuse it).
        let (cookie, cookies) = web_login(&app, "r@example.org", false).await;
        let set = cookies
            .iter()
            .find(|c| c.starts_with("harbour_session="))
            .unwrap();
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(attr), "{set} lacks {attr}");
        }
        let (status, html, headers) = get(&app, "/", &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("<html lang=\"en\">"));
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"));
        assert!(!html.contains("<script"), "the pages carry no script");
        assert!(
            !html.contains("style="),
            "no inline styles (the CSP forbids them)"
        );

        // Behind TLS: __Host- prefix and Secure.
        let (_, cookies) = web_login(&app, "r@example.org", true).await;
        let set = cookies
            .iter()
            .find(|c| c.starts_with("__Host-harbour_session="))
            .unwrap();
        assert!(
            set.contains("; Secure") && set.contains("HttpOnly") && set.contains("SameSite=Strict")
        );

        // Logout needs the CSRF token; with it the server session is gone.
        let csrf = hidden(&html, "csrf");
        let (status, _, _) = post_form(&app, "/logout", &cookie, "csrf=wrong").await;
        assert_eq!(status, 403);
        assert_eq!(
            get(&app, "/", &cookie).await.0,
            200,
            "a refused logout changes nothing"
        );
        let (status, _, h) = post_form(&app, "/logout", &cookie, &format!("csrf={csrf}")).await;
        assert_eq!(status, 303);
        assert!(h[LOCATION].to_str().unwrap().starts_with("/login"));
        let (status, _, h) = get(&app, "/", &cookie).await;
        assert_eq!(status, 303, "the old cookie no longer logs in");
        assert_eq!(h[LOCATION], "/login");
    }
}

#[tokio::test]
async fn login_errors_are_specific_and_the_login_form_needs_its_csrf_cookie() {
    let app = TestApp::start(&backends()[0]).await;
    let org = app.org("Border", OrgKind::BorderGuard).await;
    app.user("r@example.org", &org, Role::FirstResponder).await;
    // Without the double-submit cookie: refused, no session.
    let (status, html, h) = post_form(
        &app,
        "/login",
        "",
        "csrf=x&email=r%40example.org&password=correct+horse+battery+staple&lang=uk",
    )
    .await;
    assert_eq!(status, 422);
    assert!(cookie_value(&set_cookies(&h), "harbour_session").is_none());
    assert!(html.contains("Термін дії форми входу минув"), "{html}");
    // Empty fields: a message next to each.
    let (status, html, _) = post_form(&app, "/login", "", "csrf=x&email=&password=&lang=ru").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("id=\"email-error\"") && html.contains("Введите адрес электронной почты")
    );
    assert!(html.contains("id=\"password-error\"") && html.contains("Введите пароль"));
}

#[tokio::test]
async fn a_decision_needs_csrf_and_reasons_and_an_uninvolved_organisation_sees_nothing() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let border = app.org("Border", OrgKind::BorderGuard).await;
        let authority = app.org("Authority", OrgKind::CompetentAuthority).await;
        let ngo = app.org("NGO", OrgKind::Ngo).await;
        let (_, responder) = app
            .user("r@example.org", &border, Role::FirstResponder)
            .await;
        app.user("d@example.org", &authority, Role::DecisionMaker)
            .await;
        app.user("w@example.org", &ngo, Role::CaseWorker).await;
        let id = child_case(&app, &responder).await;

        let (cookie, _) = web_login(&app, "d@example.org", false).await;
        let (status, html, _) = get(&app, "/", &cookie).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!("/cases/{id}")),
            "the case is in the decision maker's queue"
        );
        let started = std::time::Instant::now();
        let (status, html, _) = get(&app, &format!("/cases/{id}"), &cookie).await;
        let ms = started.elapsed().as_millis();
        assert_eq!(status, 200);
        assert!(
            html.len() < 60_000 - harbour_web::pages::CSS.len(),
            "case page {} bytes",
            html.len()
        );
        eprintln!(
            "case page: {} bytes HTML + {} bytes CSS, served in {ms} ms (debug build)",
            html.len(),
            harbour_web::pages::CSS.len()
        );
        assert!(html.contains("Олена Канарейко"), "names shown as written");
        assert!(html.contains("Presumed child") && html.contains("No guardian appointed"));
        let csrf = hidden(&html, "csrf");
        let before = app
            .harbour
            .store()
            .load_case(id)
            .await
            .unwrap()
            .unwrap()
            .events
            .len();

        let path = format!("/cases/{id}/decisions");
        let (status, _, _) = post_form(
            &app,
            &path,
            &cookie,
            "csrf=nope&kind=reasonable_grounds&outcome=positive&reasons=ok",
        )
        .await;
        assert_eq!(status, 403, "a forged form is refused");
        let (status, html, _) = post_form(
            &app,
            &path,
            &cookie,
            &format!("csrf={csrf}&kind=reasonable_grounds&outcome=positive&reasons=+"),
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"reasonable_grounds-reasons-error\""));
        let after = app
            .harbour
            .store()
            .load_case(id)
            .await
            .unwrap()
            .unwrap()
            .events
            .len();
        assert_eq!(before, after, "nothing is written on error");

        let (status, _, h) = post_form(
            &app,
            &path,
            &cookie,
            &format!(
                "csrf={csrf}&kind=reasonable_grounds&outcome=positive&reasons=Consistent+account"
            ),
        )
        .await;
        assert_eq!(status, 303);
        let (_, html, _) = get(&app, h[LOCATION].to_str().unwrap(), &cookie).await;
        assert!(html.contains("Recovery period ends") && html.contains("days left"));

        // Not involved: the same 404 as a case that does not exist, with nothing of the person.
        let (cookie, _) = web_login(&app, "w@example.org", false).await;
        let (status, html, _) = get(&app, &format!("/cases/{id}"), &cookie).await;
        assert_eq!(status, 404);
        assert!(!html.contains("Канарейко") && !html.contains("CANARY"));
        let (status, _, _) = get(&app, &format!("/cases/{}", uuid::Uuid::new_v4()), &cookie).await;
        assert_eq!(status, 404);
        let (_, html, _) = get(&app, "/cases", &cookie).await;
        assert!(!html.contains(&id.to_string()));
    }
}

#[tokio::test]
async fn the_language_switch_is_remembered_for_the_user() {
    let app = TestApp::start(&backends()[0]).await;
    let org = app.org("Border", OrgKind::BorderGuard).await;
    let (_, actor) = app.user("r@example.org", &org, Role::FirstResponder).await;
    let (cookie, _) = web_login(&app, "r@example.org", false).await;
    let (_, html, _) = get(&app, "/cases", &cookie).await;
    let csrf = hidden(&html, "csrf");
    let (status, _, h) = post_form(
        &app,
        "/lang",
        &cookie,
        &format!("csrf={csrf}&lang=uk&back=%2Fcases"),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h[LOCATION], "/cases", "back to the same page");
    let user = app.store.get_user(actor.user.id).await.unwrap().unwrap();
    assert_eq!(user.locale, "uk");
    let (_, html, _) = get(&app, "/cases", &cookie).await;
    assert!(html.contains("<html lang=\"uk\">") && html.contains("<h1>Справи</h1>"));
    // Never sent elsewhere.
    let (_, _, h) = post_form(
        &app,
        "/lang",
        &cookie,
        &format!("csrf={csrf}&lang=ru&back=%2F%2Fevil.example"),
    )
    .await;
    assert_eq!(h[LOCATION], "/");
}

fn ftl_keys(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| {
            let (k, _) = l.split_once(" =")?;
            (!k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
            .then(|| k.to_string())
        })
        .collect()
}

/// Every double-quoted string literal in a file.
fn literals(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn every_key_is_in_all_three_locales_and_every_key_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sets = vec![];
    for (lang, src) in i18n::SOURCES {
        if let Err((_, errors)) = fluent_bundle::FluentResource::try_new(src.to_string()) {
            panic!(
                "locales/{}/main.ftl does not parse: {errors:?}",
                lang.code()
            );
        }
        sets.push((lang.code(), ftl_keys(src)));
    }
    let en = sets.iter().find(|(l, _)| *l == "en").unwrap().1.clone();
    for (lang, keys) in &sets {
        let missing: Vec<_> = en.difference(keys).collect();
        let extra: Vec<_> = keys.difference(&en).collect();
        assert!(
            missing.is_empty(),
            "locales/{lang}/main.ftl lacks {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "locales/{lang}/main.ftl has keys English lacks: {extra:?}"
        );
    }
    // What the code uses: literal keys in templates and page code, and keys built from enums.
    let namespaces: BTreeSet<&str> = en.iter().map(|k| k.split('-').next().unwrap()).collect();
    let mut used = BTreeSet::new();
    let mut sources = vec![];
    for dir in ["templates", "src/pages"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            sources.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    for (path, text) in &sources {
        if path.extension().is_some_and(|e| e == "html") {
            // Templates translate with c.t("key"), c.ts("key", ..), c.tn("key", ..).
            for call in [".t(\"", ".ts(\"", ".tn(\""] {
                for part in text.split(call).skip(1) {
                    used.insert(part.split('"').next().unwrap().to_string());
                }
            }
        } else {
            for lit in literals(text) {
                let looks_like_key = lit.contains('-')
                    && lit
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && namespaces.contains(lit.split('-').next().unwrap());
                if looks_like_key || en.contains(&lit) {
                    used.insert(lit);
                }
            }
        }
    }
    let dynamic: BTreeSet<String> = dynamic_keys().into_iter().collect();
    let missing: Vec<_> = used.union(&dynamic).filter(|k| !en.contains(*k)).collect();
    assert!(
        missing.is_empty(),
        "keys used but not in the locales: {missing:?}"
    );
    let unused: Vec<_> = en
        .iter()
        .filter(|k| !used.contains(*k) && !dynamic.contains(*k))
        .collect();
    assert!(
        unused.is_empty(),
        "keys in the locales that nothing uses: {unused:?}"
    );
}

#[test]
fn dates_are_written_in_the_users_language() {
    let d = time::macros::date!(2026 - 11 - 23);
    assert_eq!(i18n::date(i18n::Lang::En, d), "23 November 2026");
    assert_eq!(i18n::date(i18n::Lang::Uk, d), "23 листопада 2026");
    assert_eq!(i18n::date(i18n::Lang::Ru, d), "23 ноября 2026");
    assert_eq!(
        i18n::t_num(i18n::Lang::Uk, "days-left", "days", 3),
        "залишилося 3 дні"
    );
    assert_eq!(
        i18n::t_num(i18n::Lang::Ru, "days-left", "days", 5),
        "осталось 5 дней"
    );
    assert_eq!(
        i18n::t_num(i18n::Lang::Ru, "days-left", "days", 21),
        "остался 21 день"
    );
    assert_eq!(
        i18n::t_num(i18n::Lang::En, "days-left", "days", 1),
        "1 day left"
    );
}

#[tokio::test]
async fn logging_in_without_choosing_keeps_the_users_language() {
    let app = TestApp::start(&backends()[0]).await;
    let org = app.org("Border", OrgKind::BorderGuard).await;
    let (_, actor) = app.user("r@example.org", &org, Role::FirstResponder).await;
    app.store
        .set_user_locale(actor.user.id, "ru")
        .await
        .unwrap();
    let c = client();
    let page = c
        .get(format!("{}/login", app.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let login_cookie = cookie_value(&set_cookies(page.headers()), "harbour_login").unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<option value=\"\" selected>"),
        "no language is forced by default"
    );
    let csrf = hidden(&html, "csrf");
    let res = c
        .post(format!("{}/login", app.base))
        .header(COOKIE, format!("harbour_login={login_cookie}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&email=r%40example.org&password={}&lang=",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let challenge = cookie_value(&set_cookies(res.headers()), "harbour_session").unwrap();
    let res = second_step(
        &app,
        "r@example.org",
        &format!("harbour_session={challenge}"),
        false,
    )
    .await;
    let token = cookie_value(&set_cookies(res.headers()), "harbour_session").unwrap();
    let (_, html, _) = get(&app, "/", &format!("harbour_session={token}")).await;
    assert!(
        html.contains("<html lang=\"ru\">"),
        "the stored language is kept"
    );
    assert_eq!(
        app.store
            .get_user(actor.user.id)
            .await
            .unwrap()
            .unwrap()
            .locale,
        "ru"
    );
}

#[tokio::test]
async fn the_decision_queue_puts_overdue_first_then_the_oldest() {
    let app = TestApp::start(&backends()[0]).await;
    let border = app.org("Border", OrgKind::BorderGuard).await;
    let authority = app.org("Authority", OrgKind::CompetentAuthority).await;
    let (_, responder) = app
        .user("r@example.org", &border, Role::FirstResponder)
        .await;
    app.user("d@example.org", &authority, Role::DecisionMaker)
        .await;
    let adult = |family: &str| -> harbour_domain::Referral {
        serde_json::from_value(serde_json::json!({
            "person": {"names": [{"given": "Ivan", "family": family}], "birth": {"year": 1990}},
            "consent": {"nrm_referral": true}
        }))
        .unwrap()
    };
    let refer = |r| app.harbour.refer(&responder, r, Default::default());
    let oldest = refer(adult("Oldest")).await.unwrap().id;
    app.clock.advance(time::Duration::days(10));
    let middle = refer(adult("Middle")).await.unwrap().id;
    app.clock.advance(time::Duration::days(1));
    let newest = refer(adult("Newest")).await.unwrap().id;
    let (cookie, _) = web_login(&app, "d@example.org", false).await;
    let (_, html, _) = get(&app, "/", &cookie).await;
    let pos = |id: harbour_domain::CaseId| {
        html.find(&format!("/cases/{id}"))
            .expect("case in the queue")
    };
    assert!(
        pos(oldest) < pos(middle) && pos(middle) < pos(newest),
        "overdue first, then oldest"
    );
    assert!(html.contains("Reasonable-grounds decision overdue"));
}

/// The transfer inbox and its answer form: only the receiving organisation's case workers see
/// and answer a transfer; a forged form is refused; on acceptance the case page opens for them.
#[tokio::test]
async fn the_transfer_inbox_is_the_receiving_organisations_only() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Police", OrgKind::Police).await;
        let a = app.org("NGO A", OrgKind::Ngo).await;
        let b = app.org("NGO B", OrgKind::Ngo).await;
        app.user("p@example.org", &police, Role::FirstResponder)
            .await;
        let (wa, _) = app.user("a@example.org", &a, Role::CaseWorker).await;
        app.user("b@example.org", &b, Role::CaseWorker).await;
        let (_, case) = app
            .post(
                "/api/v1/referrals",
                Some(&wa),
                common::adult_referral("Ion", true),
            )
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{id}/transfers"),
                Some(&wa),
                serde_json::json!({"kind":"transfer","to_org": b.id,"purpose":"CANARY-PURPOSE","person_consents":true}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let h = v["support"]["handovers"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let answer = format!("/cases/{id}/transfers/{h}");

        // A role that hands no case over has no inbox, and cannot answer.
        let (cookie, _) = web_login(&app, "p@example.org", false).await;
        assert_eq!(get(&app, "/transfers", &cookie).await.0, 403);
        let (_, html, _) = get(&app, "/", &cookie).await;
        let csrf = hidden(&html, "csrf");
        let (s, _, _) = post_form(
            &app,
            &answer,
            &cookie,
            &format!("csrf={csrf}&action=accept"),
        )
        .await;
        assert_eq!(s, 404);

        // The offering organisation does not answer its own offer.
        let (cookie, _) = web_login(&app, "a@example.org", false).await;
        let (status, html, _) = get(&app, "/transfers", &cookie).await;
        assert_eq!(status, 200);
        assert!(
            !html.contains(&answer),
            "not in the offering organisation's inbox"
        );
        let csrf = hidden(&html, "csrf");
        let (s, _, _) = post_form(
            &app,
            &answer,
            &cookie,
            &format!("csrf={csrf}&action=accept"),
        )
        .await;
        assert_eq!(s, 404);

        // The recipient sees the offer (not the purpose), and not the case until it accepts.
        let (cookie, _) = web_login(&app, "b@example.org", false).await;
        assert_eq!(get(&app, &format!("/cases/{id}"), &cookie).await.0, 404);
        let (status, html, _) = get(&app, "/transfers", &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains(&answer) && html.contains("from NGO A"));
        assert!(!html.contains("CANARY-PURPOSE"));
        let csrf = hidden(&html, "csrf");
        let (s, _, _) = post_form(&app, &answer, &cookie, "csrf=nope&action=accept").await;
        assert_eq!(s, 403, "a forged form is refused");
        let (s, _, _) =
            post_form(&app, &answer, &cookie, &format!("csrf={csrf}&action=maybe")).await;
        assert_eq!(s, 404);
        let (s, _, headers) = post_form(
            &app,
            &answer,
            &cookie,
            &format!("csrf={csrf}&action=accept"),
        )
        .await;
        assert_eq!(s, 303);
        assert_eq!(
            headers[LOCATION],
            format!("/cases/{id}?transferred=1").as_str()
        );
        let (status, html, _) = get(&app, &format!("/cases/{id}?transferred=1"), &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("The case is now your organisation"));
        let (_, html, _) = get(&app, "/transfers", &cookie).await;
        assert!(html.contains("No transfer is waiting"));
        app.finish().await;
    }
}

/// A presumed child who may turn 18 during the case: the page says a plan into adulthood is
/// missing until one is recorded; the guardian is named by person and organisation.
#[tokio::test]
async fn the_plan_into_adulthood_and_the_named_guardian_on_the_case_page() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let border = app.org("Border", OrgKind::BorderGuard).await;
        let cp = app.org("Child Protection", OrgKind::ChildProtection).await;
        let (_, responder) = app
            .user("r@example.org", &border, Role::FirstResponder)
            .await;
        app.user("c@example.org", &cp, Role::ChildProtectionOfficer)
            .await;
        let id = child_case(&app, &responder).await;
        let (cookie, _) = web_login(&app, "c@example.org", false).await;
        let (status, html, _) = get(&app, &format!("/cases/{id}"), &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("a plan into adulthood is needed"));
        let csrf = hidden(&html, "csrf");
        let path = format!("/cases/{id}/support");

        let (s, html, _) = post_form(
            &app,
            &path,
            &cookie,
            &format!("csrf={csrf}&form=guardian&name=&organisation="),
        )
        .await;
        assert_eq!(s, 422, "refused, shown on the page");
        assert!(html.contains("error-summary"));
        let (s, _, _) = post_form(
            &app,
            &path,
            &cookie,
            &format!("csrf={csrf}&form=guardian&name=Fake+Guardian&organisation=Fake+Guardianship+Office"),
        )
        .await;
        assert_eq!(s, 303);
        let (s, _, _) = post_form(
            &app,
            &path,
            &cookie,
            &format!("csrf={csrf}&form=transition_plan&plan=Fake+plan%3A+stays+in+the+flat+until+school+ends"),
        )
        .await;
        assert_eq!(s, 303);
        let (_, html, _) = get(&app, &format!("/cases/{id}"), &cookie).await;
        assert!(html.contains("Fake Guardian (Fake Guardianship Office)"));
        assert!(html.contains("Fake plan: stays in the flat until school ends"));
        assert!(!html.contains("a plan into adulthood is needed"));
        assert!(
            !html.contains("No guardian appointed"),
            "naming the guardian clears the alert"
        );
        app.finish().await;
    }
}
