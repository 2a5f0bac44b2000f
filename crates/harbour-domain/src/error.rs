//! Domain errors: each says exactly what is wrong, in words a caseworker would use,
//! and which field it concerns so the HTTP edge can produce a field-level problem document.

use serde::Serialize;

/// One problem with one input field (`pointer` is a JSON pointer into the request body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub pointer: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input is not acceptable; every problem found is listed.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.pointer, e.detail)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The command is not allowed in the case's current state.
    #[error("{0}")]
    IllegalTransition(String),
    /// An adult cannot enter the NRM without recorded informed consent.
    #[error("an adult can be referred into the NRM only with recorded informed consent; without consent, file an anonymous notification instead")]
    ConsentRequired,
    /// A conclusive decision may not be taken before the recovery period ends.
    #[error("a conclusive grounds decision cannot be made before the recovery period ends on {ends} unless the person asks for an early decision")]
    RecoveryPeriodNotOver { ends: time::Date },
    /// A child's durable solution (above all a return) waits for a best-interests determination.
    #[error("{0}")]
    BestInterestsDeterminationRequired(String),
    /// The service cannot take this referral: full, or it does not fit the person or the need.
    #[error("{0}")]
    ServiceUnsuitable(String),
    /// Closing a case with accepted service referrals needs a word on what happens to them.
    #[error("the case has {0} accepted service referral(s) still open; say in `open_referrals` whether they continue after closure or are withdrawn")]
    OpenServiceReferrals(usize),
}

impl DomainError {
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError::new(pointer, detail)])
    }
}
