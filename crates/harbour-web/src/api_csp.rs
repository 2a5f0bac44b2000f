//! `POST /api/v1/csp-reports` (ASVS 3.4.7): where browsers report Content-Security-Policy
//! violations. Unauthenticated, because browsers send these without cookies or tokens.
//!
//! Only the directive names and a count reach the log. Every other field of a report (document
//! URL, blocked URL, referrer, sample, source file) can carry a case id or a name, so it is read
//! past and never kept, logged or echoed back.
//!
//! This route writes nothing, caps the body at [`MAX_BODY`] and a request at [`MAX_REPORTS`]
//! reports, and logs at most one bounded line per distinct pair of directives. Per client
//! address (as [`crate::proxy`] tells it, so behind a trusted proxy the forwarded client) a
//! token bucket in memory ([`ReportLimiter`]) allows [`REPORT_BURST`] log lines at once and one
//! more every [`REPORT_REFILL_SECONDS`] seconds; a request finding the bucket empty gets 429 with
//! `Retry-After` and logs nothing. It is only a guard against log noise, so each app server keeps
//! its own buckets (not in the database, which would turn an unauthenticated report into a
//! write); a flood spread over many servers or addresses is still the reverse proxy's to limit
//! (README, "Deployment").

use crate::problem::Problem;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, StatusCode};
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Reports are a few hundred bytes; anything near this is not a browser's report.
pub const MAX_BODY: usize = 16 * 1024;
/// The most reports one `application/reports+json` batch may hold.
pub const MAX_REPORTS: usize = 100;
/// The longest directive name accepted (the longest real one, `upgrade-insecure-requests`, is 25).
const MAX_DIRECTIVE: usize = 40;

/// Log lines one client address may cause at once (a page with a broken policy reports a few
/// violations per load).
pub const REPORT_BURST: u32 = 30;
/// One more line is allowed every this many seconds.
pub const REPORT_REFILL_SECONDS: u64 = 2;
/// Addresses remembered at most; past that, full buckets and then the longest-idle go.
const MAX_ADDRESSES: usize = 10_000;

/// Per-address token buckets, one token per log line, kept by this server only.
#[derive(Default)]
pub struct ReportLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: u32,
    /// When `tokens` was last topped up.
    since: Instant,
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let earned = now.saturating_duration_since(self.since).as_secs() / REPORT_REFILL_SECONDS;
        if earned > 0 {
            let earned_tokens = u32::try_from(earned).unwrap_or(u32::MAX);
            self.tokens = self.tokens.saturating_add(earned_tokens).min(REPORT_BURST);
            // Keep the part of an interval already waited, unless the bucket is full anyway.
            self.since = if self.tokens == REPORT_BURST {
                now
            } else {
                self.since + Duration::from_secs(earned * REPORT_REFILL_SECONDS)
            };
        }
    }
}

impl ReportLimiter {
    /// Take up to `wanted` tokens for `address`; how many were granted (0: the bucket is empty,
    /// and `Err` says in how many seconds the next token comes).
    fn take(&self, address: &str, wanted: u32, now: Instant) -> Result<u32, u64> {
        // A poisoned lock only means another request panicked mid-update; the counts are still
        // counts.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(address) && buckets.len() >= MAX_ADDRESSES {
            // A full bucket is the same as no bucket: forget those first, then the longest idle.
            buckets.retain(|_, b| {
                b.refill(now);
                b.tokens < REPORT_BURST
            });
            if buckets.len() >= MAX_ADDRESSES {
                if let Some(oldest) = buckets
                    .iter()
                    .min_by_key(|(_, b)| b.since)
                    .map(|(a, _)| a.clone())
                {
                    buckets.remove(&oldest);
                }
            }
        }
        let bucket = buckets.entry(address.to_string()).or_insert(Bucket {
            tokens: REPORT_BURST,
            since: now,
        });
        bucket.refill(now);
        if bucket.tokens == 0 {
            let waited = now.saturating_duration_since(bucket.since).as_secs();
            return Err(REPORT_REFILL_SECONDS.saturating_sub(waited).max(1));
        }
        let granted = wanted.min(bucket.tokens);
        bucket.tokens -= granted;
        Ok(granted)
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/csp-reports",
            post(csp_report).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        // One limiter per router built, so each server (and each test server) counts apart.
        .layer(Extension(Arc::new(ReportLimiter::default())))
}

fn too_many(retry_after: u64) -> Problem {
    let mut p = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-reports",
        "Too many reports",
        format!("This address has sent more reports than are logged; try again in {retry_after} seconds."),
    );
    p.retry_after = Some(u32::try_from(retry_after).unwrap_or(u32::MAX));
    p
}

/// The two report formats browsers send.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `application/csp-report`: `{"csp-report": {...}}` (CSP level 2, `report-uri`).
    Legacy,
    /// `application/reports+json`: an array of reports (Reporting API, `report-to`).
    Reports,
    /// `application/json`: either shape, told apart by the body (object or array).
    Either,
}

fn format_of(req: &Request) -> Option<Format> {
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/csp-report" => Some(Format::Legacy),
        "application/reports+json" => Some(Format::Reports),
        "application/json" => Some(Format::Either),
        _ => None,
    }
}

fn malformed() -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "malformed-report",
        "Malformed report",
        "Send `{\"csp-report\": {\"violated-directive\": ...}}` as application/csp-report, or an array of reports of type `csp-violation` as application/reports+json.",
    )
}

/// A directive name: lower-case letters and hyphens. Anything else (a URL, a policy value, a
/// name) is refused rather than logged. One trailing newline is tolerated, as JSON Schema's `$`
/// tolerates it in the published pattern.
fn directive(v: Option<&Value>) -> Result<Option<String>, Problem> {
    let Some(v) = v else { return Ok(None) };
    let s = v.as_str().ok_or_else(malformed)?;
    let s = s.strip_suffix('\n').unwrap_or(s);
    let valid = !s.is_empty()
        && s.len() <= MAX_DIRECTIVE
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    if valid {
        Ok(Some(s.to_string()))
    } else {
        Err(malformed())
    }
}

/// (violated, effective) directive of each report in the body; nothing else is read out.
fn directives(format: Format, body: &Value) -> Result<Vec<(String, String)>, Problem> {
    match (format, body) {
        (Format::Legacy | Format::Either, Value::Object(o)) => {
            let report = o
                .get("csp-report")
                .and_then(Value::as_object)
                .ok_or_else(malformed)?;
            let violated = directive(report.get("violated-directive"))?.ok_or_else(malformed)?;
            let effective =
                directive(report.get("effective-directive"))?.unwrap_or_else(|| violated.clone());
            Ok(vec![(violated, effective)])
        }
        (Format::Reports | Format::Either, Value::Array(items)) => {
            if items.is_empty() || items.len() > MAX_REPORTS {
                return Err(malformed());
            }
            items
                .iter()
                .map(|item| {
                    let item = item.as_object().ok_or_else(malformed)?;
                    if item.get("type").and_then(Value::as_str) != Some("csp-violation") {
                        return Err(malformed());
                    }
                    let body = item
                        .get("body")
                        .and_then(Value::as_object)
                        .ok_or_else(malformed)?;
                    // The Reporting API names only the effective directive.
                    let effective =
                        directive(body.get("effectiveDirective"))?.ok_or_else(malformed)?;
                    Ok((effective.clone(), effective))
                })
                .collect()
        }
        _ => Err(malformed()),
    }
}

async fn csp_report(
    State(s): State<AppState>,
    Extension(limiter): Extension<Arc<ReportLimiter>>,
    req: Request,
) -> Result<StatusCode, Problem> {
    let address = crate::api_security::client_address(
        &s.trusted_proxies,
        req.headers(),
        crate::api_security::peer(req.extensions()),
    );
    // The first line a request may log is paid for before anything else is read; a client
    // with nothing left is turned away unread.
    limiter
        .take(&address, 1, Instant::now())
        .map_err(too_many)?;
    let format = format_of(&req).ok_or_else(|| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "CSP report expected",
            "Send application/csp-report or application/reports+json.",
        )
    })?;
    // Over the limit is 413; a body that breaks off mid-way is as malformed as bad JSON.
    let bytes = Bytes::from_request(req, &()).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "Report too large",
                format!("A report may be at most {MAX_BODY} bytes."),
            )
        } else {
            malformed()
        }
    })?;
    let parsed = serde_json::from_slice::<Value>(&bytes)
        .map_err(|_| malformed())
        .and_then(|body| directives(format, &body));
    let found = match parsed {
        Ok(found) => found,
        Err(p) => {
            // Nothing of the body: it may hold anything.
            tracing::warn!("malformed report");
            return Err(p);
        }
    };
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for pair in found {
        *counts.entry(pair).or_default() += 1;
    }
    // The first line is paid for; further lines only while the bucket lasts, the rest unlogged.
    let extra = u32::try_from(counts.len().saturating_sub(1)).unwrap_or(u32::MAX);
    let extra = if extra > 0 {
        limiter.take(&address, extra, Instant::now()).unwrap_or(0)
    } else {
        0
    };
    let logged = 1 + usize::try_from(extra).unwrap_or(0);
    for ((violated, effective), count) in counts.into_iter().take(logged) {
        tracing::warn!(
            violated_directive = %violated,
            effective_directive = %effective,
            count,
            "content security policy violation reported"
        );
    }
    Ok(StatusCode::NO_CONTENT)
}
