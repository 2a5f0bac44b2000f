//! Deadlines and alerts, computed from the journal and policy whenever a case is read.
//! They are not timers: several app servers agree on them without a scheduler.

use crate::case::{CaseState, Status};
use crate::policy::Policy;
use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertCode {
    /// A child or presumed child has no guardian: an alert from the first minute.
    GuardianMissing,
    /// Age is uncertain and the person is treated as a child until an age assessment.
    AgeAssessmentPending,
    ReasonableGroundsOverdue,
    RecoveryPeriodEnding,
    /// The recovery period is over: the conclusive decision is now due.
    ConclusiveGroundsDue,
    MoveOnPeriodEnding,
}

impl AlertCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertCode::GuardianMissing => "guardian_missing",
            AlertCode::AgeAssessmentPending => "age_assessment_pending",
            AlertCode::ReasonableGroundsOverdue => "reasonable_grounds_overdue",
            AlertCode::RecoveryPeriodEnding => "recovery_period_ending",
            AlertCode::ConclusiveGroundsDue => "conclusive_grounds_due",
            AlertCode::MoveOnPeriodEnding => "move_on_period_ending",
        }
    }
}

/// When something is due: a day, or an instant for clocks counted in hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Due {
    Day(#[serde(with = "date_iso")] Date),
    Instant(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
}

mod date_iso {
    use serde::Serializer;
    use time::Date;
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::person::format_date(*d))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub code: AlertCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    /// The due moment has passed.
    pub overdue: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_date")]
    pub reasonable_grounds_due: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_date")]
    pub recovery_period_end: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_date")]
    pub conclusive_grounds_not_before: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_date")]
    pub move_on_period_end: Option<Date>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub guardian_due: Option<OffsetDateTime>,
}

mod opt_date {
    use serde::Serializer;
    use time::Date;
    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&crate::person::format_date(*d)),
            None => s.serialize_none(),
        }
    }
}

/// When the guardian is due for a child referred at `referred_at`.
pub fn guardian_due(policy: &Policy, referred_at: OffsetDateTime) -> OffsetDateTime {
    referred_at.saturating_add(Duration::hours(i64::from(
        policy.children.guardian_appointment_hours,
    )))
}

/// Alerts and deadlines of a case at `now`.
pub fn alerts_and_deadlines(
    state: &CaseState,
    now: OffsetDateTime,
    policy: &Policy,
) -> (Vec<Alert>, Deadlines) {
    let today = now.date();
    let mut alerts = Vec::new();
    let mut d = Deadlines::default();
    let Some(referred_at) = state.referred_at else {
        return (alerts, d);
    };
    let status = state.status(today);
    let open = !matches!(status, Status::Closed | Status::Disqualified);

    if status == Status::AwaitingReasonableGrounds {
        // A reconsidered case restarts the clock only by a new decision; the target runs from referral.
        let due = policy.reasonable_grounds_due(referred_at.date());
        d.reasonable_grounds_due = Some(due);
        if today > due {
            alerts.push(Alert {
                code: AlertCode::ReasonableGroundsOverdue,
                due: Some(Due::Day(due)),
                overdue: true,
            });
        }
    }
    if let Some(rp) = state.recovery_period {
        d.recovery_period_end = Some(rp.end);
        d.conclusive_grounds_not_before = Some(rp.end);
        let warn_from = rp.end.saturating_sub(Duration::days(i64::from(
            policy.identification.recovery_period_warning_days,
        )));
        if status == Status::RecoveryPeriod && today >= warn_from {
            alerts.push(Alert {
                code: AlertCode::RecoveryPeriodEnding,
                due: Some(Due::Day(rp.end)),
                overdue: false,
            });
        }
        if status == Status::AwaitingConclusiveGrounds {
            alerts.push(Alert {
                code: AlertCode::ConclusiveGroundsDue,
                due: Some(Due::Day(rp.end)),
                overdue: today > rp.end,
            });
        }
    }
    if let Some(end) = state.move_on_period_end {
        d.move_on_period_end = Some(end);
        let warn_from = end.saturating_sub(Duration::days(i64::from(
            policy.identification.recovery_period_warning_days,
        )));
        if status == Status::Identified && today >= warn_from {
            alerts.push(Alert {
                code: AlertCode::MoveOnPeriodEnding,
                due: Some(Due::Day(end)),
                overdue: today > end,
            });
        }
    }
    let minority = state.minority(today);
    if open && minority.is_child_or_presumed() && !state.has_guardian() {
        let due = guardian_due(policy, referred_at);
        d.guardian_due = Some(due);
        alerts.push(Alert {
            code: AlertCode::GuardianMissing,
            due: Some(Due::Instant(due)),
            overdue: now > due,
        });
    }
    if open && minority == crate::Minority::PresumedChild {
        alerts.push(Alert {
            code: AlertCode::AgeAssessmentPending,
            due: None,
            overdue: false,
        });
    }
    (alerts, d)
}
