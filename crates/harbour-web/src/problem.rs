//! RFC 9457 problem documents: the one error shape of the whole API, built here and only here.
//! Server errors are logged with detail and answered with a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use harbour_domain::{DomainError, FieldError};
use harbour_service::ServiceError;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extension member: cases that may be about the same person (possible-duplicate problems).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Box<serde_json::Value>>,
    /// Extension member: seconds until a rate-limited client may try again (also `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
            candidates: None,
            retry_after: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Problem {
        self.errors = errors;
        self
    }

    pub fn not_found() -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "There is nothing here, or you are not entitled to know of it.",
        )
    }

    pub fn unauthenticated() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "Log in and send the token as `Authorization: Bearer TOKEN`.",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Problem {
        match e {
            ServiceError::Unauthenticated => Problem::unauthenticated(),
            ServiceError::SecurityKeyRequired => Problem::new(
                StatusCode::FORBIDDEN,
                "security-key-required",
                "Security key required",
                e.to_string(),
            ),
            ServiceError::BadCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "bad-credentials",
                "Login failed",
                e.to_string(),
            ),
            ServiceError::BadSecondFactor => Problem::new(
                StatusCode::UNAUTHORIZED,
                "bad-second-factor",
                "Code not accepted",
                e.to_string(),
            ),
            ServiceError::LoginThrottled { retry_after } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "login-throttled",
                    "Too many failed logins",
                    format!("Too many failed logins for this account or from this address; try again in {retry_after} seconds."),
                );
                p.retry_after = Some(u32::try_from(retry_after).unwrap_or(900));
                p
            }
            ServiceError::Forbidden(why) => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed for your role",
                why,
            ),
            ServiceError::NotFound(_) => Problem::not_found(),
            ServiceError::Conflict => Problem::new(
                StatusCode::CONFLICT,
                "conflict",
                "Changed meanwhile",
                e.to_string(),
            ),
            ServiceError::Duplicate(what) => Problem::new(
                StatusCode::CONFLICT,
                "duplicate",
                "Already exists",
                format!("{what} already exists"),
            ),
            ServiceError::Domain(d) => d.into(),
            ServiceError::RateLimited { retry_after } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                    e_text(retry_after),
                );
                p.retry_after = Some(u32::try_from(retry_after).unwrap_or(60));
                p
            }
            ServiceError::PossibleDuplicate(candidates) => {
                let mut p = Problem::new(
                    StatusCode::CONFLICT,
                    "possible-duplicate",
                    "This person may already have a case",
                    "A case you can see holds the same name and a compatible date of birth. Send the referral again with \
                     `\"attach_to\": \"<case id>\"` to add it to that case, or with `\"confirm_new_person\": true` if this is someone else.",
                );
                p.candidates = serde_json::to_value(candidates).ok().map(Box::new);
                p
            }
            ServiceError::Gone { .. } => {
                Problem::new(StatusCode::GONE, "erased", "Erased", e.to_string())
            }
            ServiceError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Temporarily unavailable",
                    "The database cannot be reached just now; nothing was changed. Try again shortly.",
                );
                p.retry_after = Some(5);
                p
            }
            ServiceError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "Something went wrong inside Harbour; it has been logged.",
                )
            }
        }
    }
}

fn e_text(retry_after: u64) -> String {
    format!("This key has used its requests for this minute; try again in {retry_after} seconds.")
}

impl From<DomainError> for Problem {
    fn from(d: DomainError) -> Problem {
        match d {
            DomainError::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.pointer, e.detail))
                    .collect::<Vec<_>>()
                    .join("; ");
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-input",
                    "Invalid input",
                    detail,
                )
                .with_errors(errors)
            }
            DomainError::ConsentRequired => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "consent-required",
                "Consent required",
                d.to_string(),
            )
            .with_errors(vec![FieldError::new(
                "/consent/nrm_referral",
                "an adult's informed consent to the NRM referral must be recorded",
            )]),
            DomainError::RecoveryPeriodNotOver { .. } => Problem::new(
                StatusCode::CONFLICT,
                "recovery-period-not-over",
                "Recovery period not over",
                d.to_string(),
            ),
            DomainError::BestInterestsDeterminationRequired(why) => Problem::new(
                StatusCode::CONFLICT,
                "best-interests-determination-required",
                "Best-interests determination required",
                why,
            ),
            DomainError::ServiceUnsuitable(why) => Problem::new(
                StatusCode::CONFLICT,
                "service-unsuitable",
                "Service cannot take this referral",
                why,
            ),
            DomainError::OpenServiceReferrals(_) => Problem::new(
                StatusCode::CONFLICT,
                "open-service-referrals",
                "Open service referrals",
                d.to_string(),
            )
            .with_errors(vec![FieldError::new(
                "/open_referrals",
                "say `continue` or `withdraw` for the accepted service referrals",
            )]),
            DomainError::IllegalTransition(why) => Problem::new(
                StatusCode::CONFLICT,
                "illegal-transition",
                "Not possible now",
                why,
            ),
        }
    }
}
