//! Harbour's domain: the facts of a National Referral Mechanism as types and pure functions.
//!
//! Architecture invariant: this crate does no I/O, reads no clock and spawns nothing.
//! Time is always passed in (`now`), policy is passed in, and every rule is a pure function
//! so it can be property-tested without a database.

pub mod case;
pub mod deadlines;
pub mod error;
pub mod ids;
pub mod minority;
pub mod org;
pub mod person;
pub mod policy;
pub mod retention;
pub mod support;
pub mod tracing;

pub use case::{
    apply, decide, AgeAssessmentResult, CaseState, ClosureReason, Command, Consent,
    DecisionOutcome, DisqualificationGround, Event, ExploitationForm, Phase,
    ReconsiderableDecision, RecordedEvent, Referral, Status,
};
pub use deadlines::{alerts_and_deadlines, Alert, AlertCode, Deadlines};
pub use error::{DomainError, FieldError};
pub use ids::{CaseId, OrgId, UserId};
pub use minority::{minority_at, Minority};
pub use org::{OrgKind, Role};
pub use person::{Birth, Person, PersonName, Sex, Vulnerability};
pub use policy::{Policy, PolicyError};
pub use tracing::{LegalBasis, Relationship, TracingRequest, TracingStatus};
