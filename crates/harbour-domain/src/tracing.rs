//! Family tracing: a relative's request to find a missing person (usually a child), filed
//! through an organisation, and the rule for which records may be searched at all.
//!
//! Searching is itself processing of personal data, so nothing is searched without a basis: a
//! child's case under the child-protection mandate (child protection never waits on consent), an
//! adult's case only with the adult's consent to family tracing, and a request only while it is
//! open (its own legal basis was checked when it was filed).

use crate::case::Consent;
use crate::error::{DomainError, FieldError};
use crate::minority::{minority_at, Minority};
use crate::org::string_enum;
use crate::person::{check_text, Birth, PersonName, Sex};
use serde::{Deserialize, Serialize};
use time::Date;

/// Longest free text (notes, contact details) accepted on a request.
const MAX_TEXT_LEN: usize = 2000;

string_enum!(
    /// Why the search may be done.
    LegalBasis {
        // The requester asked and agreed to their data being used for the search.
        ConsentOfRequester => "consent_of_requester",
        // A child is sought: child protection is the legal basis, no consent is needed.
        ChildProtectionMandate => "child_protection_mandate",
        // A court ordered the search.
        CourtOrder => "court_order",
    }
);

string_enum!(
    /// Where a request stands.
    TracingStatus {
        Open => "open",
        // A candidate was confirmed by a caseworker to be the person sought.
        Matched => "matched",
        Closed => "closed",
        // The requester withdrew the request (and with it their consent).
        Withdrawn => "withdrawn",
    }
);

string_enum!(
    /// The requester's relationship to the person sought.
    Relationship {
        Mother => "mother",
        Father => "father",
        Grandparent => "grandparent",
        Sibling => "sibling",
        OtherRelative => "other_relative",
        LegalGuardian => "legal_guardian",
    }
);

/// Who is sought: names as the family writes them (any script), and what else they know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoughtPerson {
    pub names: Vec<PersonName>,
    #[serde(default = "unknown_sex")]
    pub sex: Sex,
    #[serde(default)]
    pub birth: Birth,
    /// Place of birth or where the person was last seen, as the family writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father_name: Option<String>,
}

fn unknown_sex() -> Sex {
    Sex::Unknown
}

/// Who asks. Sealed with the request; never shown in a candidate list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requester {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub relationship: Relationship,
    /// How the filing organisation reaches the requester (phone, address, case number).
    pub contact: String,
}

/// A tracing request as filed. Construct through [`TracingRequest::validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracingRequest {
    pub sought: SoughtPerson,
    pub requester: Requester,
    pub legal_basis: LegalBasis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

fn check_long_text(errors: &mut Vec<FieldError>, pointer: &str, value: &Option<String>) {
    if let Some(v) = value {
        if v.trim().is_empty() {
            errors.push(FieldError::new(
                pointer,
                "must not be blank; leave it out if unknown",
            ));
        } else if v.chars().count() > MAX_TEXT_LEN {
            errors.push(FieldError::new(
                pointer,
                format!("is longer than {MAX_TEXT_LEN} characters"),
            ));
        }
    }
}

impl TracingRequest {
    /// Check what types alone cannot, on `today`: at least one name, no blank or overlong text,
    /// no birth in the future, and a legal basis that fits who is sought.
    pub fn validate(mut self, today: Date) -> Result<TracingRequest, DomainError> {
        let mut errors = Vec::new();
        let s = &self.sought;
        if s.names.is_empty() {
            errors.push(FieldError::new(
                "/sought/names",
                "give at least one name of the person sought, as the family writes it (any script)",
            ));
        }
        for (i, n) in s.names.iter().enumerate() {
            let p = format!("/sought/names/{i}");
            if n.given.is_none() && n.family.is_none() {
                errors.push(FieldError::new(
                    p.clone(),
                    "a name needs a given name or a family name",
                ));
            }
            check_text(&mut errors, format!("{p}/given"), &n.given);
            check_text(&mut errors, format!("{p}/family"), &n.family);
            check_text(&mut errors, format!("{p}/patronymic"), &n.patronymic);
            for (j, t) in n.transliterations.iter().enumerate() {
                check_text(
                    &mut errors,
                    format!("{p}/transliterations/{j}/given"),
                    &t.given,
                );
                check_text(
                    &mut errors,
                    format!("{p}/transliterations/{j}/family"),
                    &t.family,
                );
            }
        }
        check_text(&mut errors, "/sought/place".into(), &s.place);
        check_text(&mut errors, "/sought/mother_name".into(), &s.mother_name);
        check_text(&mut errors, "/sought/father_name".into(), &s.father_name);
        if let Err(e) = s.birth.check_not_future(today) {
            errors.push(FieldError::new("/sought/birth", e));
        }
        check_text(&mut errors, "/requester/name".into(), &self.requester.name);
        if self.requester.contact.trim().is_empty() {
            errors.push(FieldError::new(
                "/requester/contact",
                "say how the filing organisation reaches the requester",
            ));
        }
        check_long_text(
            &mut errors,
            "/requester/contact",
            &Some(self.requester.contact.clone()).filter(|c| !c.trim().is_empty()),
        );
        check_long_text(&mut errors, "/notes", &self.notes);
        if self.legal_basis == LegalBasis::ChildProtectionMandate
            && minority_at(&s.birth, None, today) == Minority::Adult
        {
            errors.push(FieldError::new(
                "/legal_basis",
                "the child-protection mandate covers only a child (or someone who may be one); for an adult use consent_of_requester or court_order",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        self.sought.birth = self.sought.birth.dated(today);
        Ok(self)
    }
}

/// Why a case may be searched by family tracing, if it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseTracingBasis {
    /// A child or presumed child: searched under the child-protection mandate.
    ChildProtectionMandate,
    /// An adult who consented to family tracing.
    ConsentOfPerson,
}

/// The consent and legal-basis filter for cases: a child or presumed child is always searchable
/// (child protection never waits on consent); an adult only with consent to family tracing.
pub fn case_tracing_basis(minority: Minority, consents: bool) -> Option<CaseTracingBasis> {
    if minority.is_child_or_presumed() {
        Some(CaseTracingBasis::ChildProtectionMandate)
    } else if consents {
        Some(CaseTracingBasis::ConsentOfPerson)
    } else {
        None
    }
}

/// Whether a referral's consent covers family tracing.
pub fn consent_covers_tracing(consent: Option<&Consent>) -> bool {
    consent.is_some_and(|c| c.family_tracing)
}

/// A request is searched only while open: matched, closed and withdrawn requests leave the index.
pub fn request_searchable(status: TracingStatus) -> bool {
    status == TracingStatus::Open
}

impl TracingStatus {
    /// Whether the requester (through the filing organisation) may still withdraw it.
    pub fn may_withdraw(self) -> bool {
        self == TracingStatus::Open || self == TracingStatus::Matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn request(birth: Birth, basis: LegalBasis) -> TracingRequest {
        TracingRequest {
            sought: SoughtPerson {
                names: vec![PersonName {
                    given: Some("Сашко".into()),
                    family: Some("Коваленко".into()),
                    patronymic: None,
                    script: Some("Cyrl".into()),
                    transliterations: vec![],
                }],
                sex: Sex::Male,
                birth,
                place: None,
                mother_name: Some("Fake Mother".into()),
                father_name: None,
            },
            requester: Requester {
                name: None,
                relationship: Relationship::Mother,
                contact: "+380 00 000 0000 (fake)".into(),
            },
            legal_basis: basis,
            notes: None,
        }
    }

    #[test]
    fn a_child_is_sought_under_the_mandate_an_adult_is_not() {
        let today = date!(2024 - 03 - 01);
        let child = Birth::Estimated {
            min: 9,
            max: 9,
            on: None,
        };
        let ok = request(child, LegalBasis::ChildProtectionMandate)
            .validate(today)
            .expect("a child under the mandate");
        // An undated estimate is pinned to the day it was filed.
        assert_eq!(
            ok.sought.birth,
            Birth::Estimated {
                min: 9,
                max: 9,
                on: Some(today)
            }
        );
        let err = request(Birth::Year(1980), LegalBasis::ChildProtectionMandate)
            .validate(today)
            .expect_err("adult under the mandate");
        assert!(matches!(err, DomainError::Invalid(ref v) if v[0].pointer == "/legal_basis"));
        assert!(request(Birth::Year(1980), LegalBasis::ConsentOfRequester)
            .validate(today)
            .is_ok());
    }

    #[test]
    fn bad_input_is_refused_with_pointers() {
        let today = date!(2024 - 03 - 01);
        let mut r = request(Birth::Year(2030), LegalBasis::CourtOrder);
        r.sought.names.clear();
        r.requester.contact = " ".into();
        let DomainError::Invalid(errors) = r.validate(today).expect_err("invalid") else {
            panic!("not a field error")
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/sought/names", "/sought/birth", "/requester/contact"]
        );
    }

    #[test]
    fn searchable_records() {
        for m in [Minority::Child, Minority::PresumedChild] {
            for consent in [false, true] {
                assert_eq!(
                    case_tracing_basis(m, consent),
                    Some(CaseTracingBasis::ChildProtectionMandate)
                );
            }
        }
        assert_eq!(case_tracing_basis(Minority::Adult, false), None);
        assert_eq!(
            case_tracing_basis(Minority::Adult, true),
            Some(CaseTracingBasis::ConsentOfPerson)
        );
        assert!(request_searchable(TracingStatus::Open));
        for s in [
            TracingStatus::Matched,
            TracingStatus::Closed,
            TracingStatus::Withdrawn,
        ] {
            assert!(!request_searchable(s));
        }
    }
}
