//! Home per role: what needs this user now.

use super::cases::{row, Row};
use super::{render, Ctx, Web};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::{Role, Status};
use harbour_service::cases::ListQuery;
use harbour_service::views::CaseSummary;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Ctx,
    /// Which block to show: queue, caseload, responder, other.
    kind: &'static str,
    heading: String,
    intro: String,
    rows: Vec<Row>,
    more: bool,
    others: Vec<Row>,
    error: String,
    /// Security notices not yet acknowledged (ASVS 6.3.7, 6.3.5): shown here, after sign-in,
    /// until the user marks them read.
    notices: Vec<super::account::NoticeLine>,
}

/// Overdue first, then the oldest referral first.
fn queue_order(cases: &mut [CaseSummary]) {
    cases.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.referred_at.cmp(&b.referred_at))
    });
}

pub async fn home(State(s): State<AppState>, web: Web) -> Response {
    let lang = web.lang;
    let role = web.actor.user.role;
    let h = &s.harbour;
    let mut error = String::new();
    let mut rows = vec![];
    let mut others = vec![];
    let mut more = false;
    let (kind, heading, intro) = match role {
        Role::DecisionMaker => {
            // The queue: cases awaiting a reasonable- or conclusive-grounds decision, overdue
            // first, then oldest referral first. Each page is fetched oldest first, so with a
            // long backlog the oldest are never pushed off the page by recent referrals.
            let mut all: Vec<CaseSummary> = vec![];
            for overdue in [true, false] {
                for status in [
                    Status::AwaitingReasonableGrounds,
                    Status::AwaitingConclusiveGrounds,
                ] {
                    let q = ListQuery {
                        status: Some(status),
                        overdue,
                        limit: Some(100),
                        oldest_first: true,
                        ..Default::default()
                    };
                    match h.list_cases(&web.actor, &q).await {
                        Ok(list) => {
                            more |= list.next.is_some();
                            for c in list.cases {
                                if !all.iter().any(|a| a.id == c.id) {
                                    all.push(c);
                                }
                            }
                        }
                        Err(e) => error = super::service_message(lang, &e),
                    }
                }
            }
            queue_order(&mut all);
            rows = all.iter().map(|c| row(lang, c)).collect();
            (
                "queue",
                web.t("home-queue-title"),
                web.t("home-queue-intro"),
            )
        }
        r if r.may_read_cases() => {
            let q = ListQuery {
                limit: Some(if r == Role::FirstResponder { 10 } else { 100 }),
                ..Default::default()
            };
            match h.list_cases(&web.actor, &q).await {
                Ok(list) => {
                    more = list.next.is_some();
                    let mut cases = list.cases;
                    if r == Role::FirstResponder {
                        rows = cases.iter().map(|c| row(lang, c)).collect();
                    } else {
                        queue_order(&mut cases);
                        let (with, without): (Vec<_>, Vec<_>) =
                            cases.into_iter().partition(|c| !c.alerts.is_empty());
                        rows = with.iter().map(|c| row(lang, c)).collect();
                        others = without.iter().map(|c| row(lang, c)).collect();
                    }
                }
                Err(e) => error = super::service_message(lang, &e),
            }
            if r == Role::FirstResponder {
                (
                    "responder",
                    web.t("home-responder-title"),
                    web.t("home-responder-intro"),
                )
            } else {
                (
                    "caseload",
                    web.t("home-caseload-title"),
                    web.t("home-caseload-intro"),
                )
            }
        }
        Role::Admin => (
            "admin",
            web.t("home-admin-title"),
            web.t("home-admin-intro"),
        ),
        Role::Auditor => (
            "auditor",
            web.t("home-auditor-title"),
            web.t("home-auditor-intro"),
        ),
        _ => (
            "other",
            web.t("home-other-title"),
            web.t("home-other-intro"),
        ),
    };
    let notices = super::account::notice_lines(&s, &web)
        .await
        .into_iter()
        .filter(|n| n.new)
        .collect();
    let c = web.ctx(heading.clone());
    render(
        StatusCode::OK,
        &HomePage {
            c,
            kind,
            heading,
            intro,
            rows,
            more,
            others,
            error,
            notices,
        },
    )
}
