//! `POST /api/v1/csp-reports` (ASVS 3.4.7): where browsers report Content-Security-Policy
//! violations. Unauthenticated, because browsers send these without cookies or tokens.
//!
//! Only the directive names and a count reach the log. Every other field of a report (document
//! URL, blocked URL, referrer, sample, source file) can carry a case id or a name, so it is read
//! past and never kept, logged or echoed back.
//!
//! No per-address rate limiting: Harbour's only address limiter (login throttling) counts in the
//! database, which would turn an unauthenticated report into a database write. This route
//! writes nothing, caps the body at [`MAX_BODY`] and a request at [`MAX_REPORTS`] reports, and
//! logs at most one bounded line per distinct pair of directives; flooding is left to the
//! reverse proxy's request limits (README, "Deployment").

use crate::problem::Problem;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use std::collections::BTreeMap;

/// Reports are a few hundred bytes; anything near this is not a browser's report.
pub const MAX_BODY: usize = 16 * 1024;
/// The most reports one `application/reports+json` batch may hold.
pub const MAX_REPORTS: usize = 100;
/// The longest directive name accepted (the longest real one, `upgrade-insecure-requests`, is 25).
const MAX_DIRECTIVE: usize = 40;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/csp-reports",
        post(csp_report).layer(DefaultBodyLimit::max(MAX_BODY)),
    )
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

async fn csp_report(req: Request) -> Result<StatusCode, Problem> {
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
    for ((violated, effective), count) in counts {
        tracing::warn!(
            violated_directive = %violated,
            effective_directive = %effective,
            count,
            "content security policy violation reported"
        );
    }
    Ok(StatusCode::NO_CONTENT)
}
