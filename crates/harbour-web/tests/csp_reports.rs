//! ASVS 3.4.7: `POST /api/v1/csp-reports`, where the Content-Security-Policy sends violations.
//! Browsers send reports without credentials and fill them with URLs, which may carry a case id
//! or a name: the server log gets the directive names and a count, nothing else.

mod common;

use common::{Backend, TestApp};
use std::sync::{Arc, Mutex};

/// Everything the server logs while the guard lives (the server runs on this test's thread).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// A name and a case id, planted in every URL-ish field of a report.
const CANARY: &str = "Olena-Kovalenko-CANARY";
const CASE: &str = "9f1c2d3e-0000-4000-8000-canarycase01";

async fn post(app: &TestApp, content_type: &str, body: Vec<u8>) -> (u16, String) {
    let res = app
        .client
        .post(format!("{}/api/v1/csp-reports", app.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    if status >= 400 {
        assert_eq!(ct, "application/problem+json", "{status}: {text}");
    }
    (status, text)
}

fn legacy() -> serde_json::Value {
    let url = format!("https://harbour.example/cases/{CASE}?name={CANARY}");
    serde_json::json!({"csp-report": {
        "document-uri": url,
        "referrer": url,
        "blocked-uri": format!("https://evil.example/{CANARY}.js"),
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": harbour_web::CONTENT_SECURITY_POLICY,
        "disposition": "enforce",
        "script-sample": format!("alert('{CANARY}')"),
        "source-file": url,
        "line-number": 3,
        "status-code": 200
    }})
}

fn reports() -> serde_json::Value {
    let url = format!("https://harbour.example/cases/{CASE}?name={CANARY}");
    let one = |directive: &str| {
        serde_json::json!({
            "type": "csp-violation",
            "age": 10,
            "url": url,
            "user_agent": "Mozilla/5.0",
            "body": {
                "documentURL": url,
                "referrer": url,
                "blockedURL": format!("https://evil.example/{CANARY}.js"),
                "effectiveDirective": directive,
                "originalPolicy": harbour_web::CONTENT_SECURITY_POLICY,
                "sample": format!("alert('{CANARY}')"),
                "sourceFile": url,
                "disposition": "enforce",
                "statusCode": 200,
                "lineNumber": 3
            }
        })
    };
    serde_json::json!([
        one("frame-ancestors"),
        one("frame-ancestors"),
        one("img-src")
    ])
}

fn assert_no_canary(log: &str) {
    assert!(!log.contains(CANARY), "{log}");
    assert!(!log.contains(CASE), "{log}");
    assert!(!log.contains("evil.example"), "{log}");
    assert!(!log.contains("harbour.example"), "{log}");
}

#[tokio::test]
async fn csp_reports_are_accepted_and_log_only_the_directive() {
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::start(&Backend::Sqlite).await;

    // The legacy format (`report-uri`).
    log.clear();
    let (status, body) = post(
        &app,
        "application/csp-report",
        legacy().to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert!(body.is_empty());
    let text = log.text();
    assert!(
        text.contains("violated_directive=script-src-elem"),
        "{text}"
    );
    assert!(
        text.contains("effective_directive=script-src-elem"),
        "{text}"
    );
    assert!(text.contains("count=1"), "{text}");
    assert_no_canary(&text);

    // The Reporting API format (`report-to`): one line per directive, with its count.
    log.clear();
    let (status, body) = post(
        &app,
        "application/reports+json",
        reports().to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let text = log.text();
    assert!(
        text.lines()
            .any(|l| l.contains("effective_directive=frame-ancestors") && l.contains("count=2")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("effective_directive=img-src") && l.contains("count=1")),
        "{text}"
    );
    assert_no_canary(&text);

    // Malformed: 400 problem, and the log says only that.
    for (ct, bad) in [
        ("application/csp-report", b"{not json".to_vec()),
        ("application/csp-report", br#"{"report": {}}"#.to_vec()),
        // A directive that is really a URL carrying a name is refused, not logged.
        (
            "application/csp-report",
            serde_json::json!({"csp-report": {"violated-directive": format!("https://x/{CANARY}")}})
                .to_string()
                .into_bytes(),
        ),
        ("application/reports+json", b"[]".to_vec()),
        (
            "application/reports+json",
            serde_json::json!([{"type": "deprecation", "body": {"effectiveDirective": "img-src"}}])
                .to_string()
                .into_bytes(),
        ),
        (
            "application/reports+json",
            serde_json::json!([{"type": "csp-violation", "body": {"blockedURL": CANARY}}])
                .to_string()
                .into_bytes(),
        ),
    ] {
        log.clear();
        let (status, body) = post(&app, ct, bad.clone()).await;
        assert_eq!(status, 400, "{}: {body}", String::from_utf8_lossy(&bad));
        assert!(body.contains("malformed-report"), "{body}");
        let text = log.text();
        assert!(text.contains("malformed report"), "{text}");
        assert!(!text.contains("violation reported"), "{text}");
        assert_no_canary(&text);
    }

    // Too big: 413 before anything is parsed.
    log.clear();
    let mut big = legacy();
    big["csp-report"]["script-sample"] = serde_json::Value::String("x".repeat(20 * 1024));
    let (status, body) = post(&app, "application/csp-report", big.to_string().into_bytes()).await;
    assert_eq!(status, 413, "{body}");
    assert!(!log.text().contains("violation reported"));

    // Something that is not a report at all.
    let (status, _) = post(&app, "text/plain", b"hello".to_vec()).await;
    assert_eq!(status, 415);
    app.finish().await;
}

async fn post_from(app: &TestApp, forwarded_for: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/csp-reports", app.base))
        .header("content-type", "application/csp-report")
        .header("x-forwarded-for", forwarded_for)
        .body(legacy().to_string())
        .send()
        .await
        .unwrap()
}

/// Reports are limited per client address (issue 6): the burst passes, the next is refused with
/// 429, a problem document and `Retry-After`, and is not logged; another client behind the same
/// trusted proxy (the test server trusts loopback) still gets through.
#[tokio::test]
async fn csp_reports_are_limited_per_address() {
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::start(&Backend::Sqlite).await;
    let burst = harbour_web::api_csp::REPORT_BURST;
    let lines = |log: &Captured| {
        log.text()
            .lines()
            .filter(|l| l.contains("violation reported"))
            .count()
    };

    // Send until refused: at least the burst passes (more only if a refill fell in between, on
    // a very slow machine), and every one that passed is one log line, the refused none.
    log.clear();
    let mut passed = 0usize;
    let res = loop {
        let res = post_from(&app, "198.51.100.7").await;
        if res.status().as_u16() != 204 {
            break res;
        }
        passed += 1;
        assert!(passed <= 10 * burst as usize, "never refused");
    };
    assert!(passed >= burst as usize, "{passed}");
    assert_eq!(res.status().as_u16(), 429);
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After on 429")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=harbour_web::api_csp::REPORT_REFILL_SECONDS).contains(&retry),
        "{retry}"
    );
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["type"], "/problems/too-many-reports", "{body}");
    assert_eq!(body["status"], 429, "{body}");
    // A batch from the same address is refused just the same, unread.
    let res = app
        .client
        .post(format!("{}/api/v1/csp-reports", app.base))
        .header("content-type", "application/reports+json")
        .header("x-forwarded-for", "198.51.100.7")
        .body(reports().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(lines(&log), passed, "{}", log.text());

    // Another client, forwarded by the trusted proxy, has its own bucket.
    let res = post_from(&app, "203.0.113.9").await;
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(lines(&log), passed + 1);

    // A batch may log one line per directive pair only while its address's bucket lasts: one
    // line left, so of the batch's two pairs only one is logged.
    log.clear();
    let started = std::time::Instant::now();
    for _ in 0..burst - 1 {
        assert_eq!(post_from(&app, "192.0.2.44").await.status().as_u16(), 204);
    }
    let res = app
        .client
        .post(format!("{}/api/v1/csp-reports", app.base))
        .header("content-type", "application/reports+json")
        .header("x-forwarded-for", "192.0.2.44")
        .body(reports().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
    let refill = std::time::Duration::from_secs(harbour_web::api_csp::REPORT_REFILL_SECONDS);
    if started.elapsed() < refill {
        assert_eq!(lines(&log), burst as usize, "{}", log.text());
        assert_eq!(post_from(&app, "192.0.2.44").await.status().as_u16(), 429);
        assert_eq!(lines(&log), burst as usize);
    }
    assert_no_canary(&log.text());
    app.finish().await;
}
