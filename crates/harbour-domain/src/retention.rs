//! Retention and erasure: how long a closed case is kept, and what an erasure records.
//!
//! A case is erased by destroying its data key (crypto-shredding): the sealed journal stays, so
//! the hash chain still verifies and the non-identifying projection still counts in statistics,
//! but nobody can read what the case said again. This module decides *when* (pure: the clock
//! and the policy are arguments) and validates *why*.

use crate::case::{apply, CaseState, ClosureReason, RecordedEvent, Status, MAX_TEXT_LEN};
use crate::{CaseId, DomainError};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// The shortest retention a policy may set: long enough for a reconsideration request, a
/// complaint or an appeal against the closure to reach the case while it can still be read.
pub const MINIMUM_RETENTION_DAYS: u32 = 30;
/// The longest (100 years): longer is a typo, not a policy.
pub const MAXIMUM_RETENTION_DAYS: u32 = 36_500;

/// Days a case is kept after it was closed (per closure reason) or disqualified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub support_completed_days: u32,
    pub person_withdrew_days: u32,
    pub left_country_days: u32,
    pub lost_contact_days: u32,
    pub transferred_days: u32,
    pub duplicate_days: u32,
    pub deceased_days: u32,
    pub other_days: u32,
    pub disqualified_days: u32,
}

impl Default for Retention {
    /// Six years after closure (a common limitation period for claims), shorter where the person
    /// chose to leave the NRM or the case was a duplicate.
    fn default() -> Retention {
        Retention {
            support_completed_days: 2190,
            person_withdrew_days: 365,
            left_country_days: 2190,
            lost_contact_days: 2190,
            transferred_days: 2190,
            duplicate_days: 90,
            deceased_days: 2190,
            other_days: 2190,
            disqualified_days: 2190,
        }
    }
}

impl Retention {
    /// Days kept after closure for this reason.
    pub fn days_after_closure(&self, reason: ClosureReason) -> u32 {
        match reason {
            ClosureReason::SupportCompleted => self.support_completed_days,
            ClosureReason::PersonWithdrew => self.person_withdrew_days,
            ClosureReason::LeftCountry => self.left_country_days,
            ClosureReason::LostContact => self.lost_contact_days,
            ClosureReason::Transferred => self.transferred_days,
            ClosureReason::Duplicate => self.duplicate_days,
            ClosureReason::Deceased => self.deceased_days,
            ClosureReason::Other => self.other_days,
            // The closure reasons of durable solutions (issue 5) keep their cases as long as the
            // nearest reason above: support that ended well, a person gone abroad, support the
            // person declined, and a negative identification like a disqualification.
            ClosureReason::Integrated => self.support_completed_days,
            ClosureReason::Returned | ClosureReason::TransferredAbroad => self.left_country_days,
            ClosureReason::DeclinedFurtherSupport => self.person_withdrew_days,
            ClosureReason::NotIdentified => self.disqualified_days,
        }
    }

    fn all(&self) -> [(&'static str, u32); 9] {
        [
            ("support_completed_days", self.support_completed_days),
            ("person_withdrew_days", self.person_withdrew_days),
            ("left_country_days", self.left_country_days),
            ("lost_contact_days", self.lost_contact_days),
            ("transferred_days", self.transferred_days),
            ("duplicate_days", self.duplicate_days),
            ("deceased_days", self.deceased_days),
            ("other_days", self.other_days),
            ("disqualified_days", self.disqualified_days),
        ]
    }

    /// The first period outside [`MINIMUM_RETENTION_DAYS`, `MAXIMUM_RETENTION_DAYS`], if any.
    pub fn out_of_range(&self) -> Option<(&'static str, u32)> {
        self.all()
            .into_iter()
            .find(|(_, d)| !(MINIMUM_RETENTION_DAYS..=MAXIMUM_RETENTION_DAYS).contains(d))
    }
}

/// The first day on which a case may be erased under the retention policy: the day it was last
/// closed or disqualified plus the period for that ending. `None` while the case is open (a
/// reconsideration reopens a closed case and stops the clock).
pub fn erasure_due(id: CaseId, events: &[RecordedEvent], retention: &Retention) -> Option<Date> {
    let mut state = CaseState::empty(id);
    let mut ended_on: Option<Date> = None;
    for e in events {
        let before = state.phase;
        state = apply(state, e);
        let ended = matches!(state.phase, Status::Closed | Status::Disqualified);
        if !ended {
            ended_on = None;
        } else if before != state.phase || ended_on.is_none() {
            ended_on = Some(e.at.date());
        }
    }
    let ended_on = ended_on?;
    let days = match state.phase {
        Status::Closed => retention.days_after_closure(state.closure?),
        Status::Disqualified => retention.disqualified_days,
        _ => return None,
    };
    Some(ended_on.saturating_add(Duration::days(i64::from(days))))
}

/// Whether the case may be erased under the retention policy on `today`.
pub fn retention_expired(
    id: CaseId,
    events: &[RecordedEvent],
    retention: &Retention,
    today: Date,
) -> bool {
    erasure_due(id, events, retention).is_some_and(|due| today >= due)
}

/// Why a case was erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureBasis {
    /// Its retention period after closure ran out.
    RetentionExpired,
    /// The person asked for their data to be erased and the competent authority agreed.
    PersonRequest,
}

impl ErasureBasis {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErasureBasis::RetentionExpired => "retention_expired",
            ErasureBasis::PersonRequest => "person_request",
        }
    }
}

/// The journal's last readable word on an erased case: the event appended (sealed with the case
/// key, kind [`ERASURE_EVENT_KIND`]) just before the key is destroyed. Its envelope (when, who,
/// which organisation) stays readable in the journal; its reasons go with the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureRecord {
    pub basis: ErasureBasis,
    pub reasons: String,
}

/// The stored kind of the erasure event.
pub const ERASURE_EVENT_KIND: &str = "case_erased";

impl ErasureRecord {
    /// An erasure on request needs reasons (what was asked, on what legal basis); a retention
    /// erasure records the policy period that ran out.
    pub fn new(basis: ErasureBasis, reasons: &str) -> Result<ErasureRecord, DomainError> {
        let r = reasons.trim();
        if basis == ErasureBasis::PersonRequest && r.is_empty() {
            return Err(DomainError::field(
                "/reasons",
                "say who asked for the erasure and on what basis; the record of it is kept",
            ));
        }
        if r.chars().count() > MAX_TEXT_LEN {
            return Err(DomainError::field(
                "/reasons",
                format!("is longer than {MAX_TEXT_LEN} characters"),
            ));
        }
        Ok(ErasureRecord {
            basis,
            reasons: r.to_owned(),
        })
    }
}
