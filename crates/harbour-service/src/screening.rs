//! Identification: indicator screenings (with or without a case), the reception-centre quick
//! screen, and the translation of the indicator crate's results into journal facts.

use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_domain::case::{Screening, ScreeningDimension};
use harbour_domain::{CaseId, Command, DomainError, FieldError, Minority};
use harbour_indicators::{PersonMinority, QuickScreenError, ScreeningError, ScreeningResult};
use serde::Deserialize;

/// A screening as the API receives it: `{"list", "observed", "notes"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningInput {
    pub list: String,
    #[serde(default)]
    pub observed: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// For a screening before any case exists: whom it is about (child lists for a child or
    /// presumed child). Ignored on a case, whose minority is known.
    #[serde(default)]
    pub minority: Option<Minority>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickScreenInput {
    #[serde(default)]
    pub flagged: Vec<String>,
    #[serde(default)]
    pub minority: Option<Minority>,
}

pub fn person_minority(m: Minority) -> PersonMinority {
    match m {
        Minority::Adult => PersonMinority::Adult,
        Minority::Child => PersonMinority::Child,
        Minority::PresumedChild => PersonMinority::PresumedChild,
    }
}

/// A screening error as a field error at `base` (e.g. `/screenings/0`).
fn screening_problem(base: &str, e: &ScreeningError, observed: &[String]) -> ServiceError {
    let pointer = match e {
        ScreeningError::UnknownList { .. } | ScreeningError::ListDoesNotFitMinority { .. } => {
            format!("{base}/list")
        }
        ScreeningError::UnknownIndicator { indicator, .. }
        | ScreeningError::DuplicateIndicator { indicator, .. } => {
            // Point at the (last) place the offending id was given.
            match observed.iter().rposition(|o| o == indicator) {
                Some(i) => format!("{base}/observed/{i}"),
                None => format!("{base}/observed"),
            }
        }
        _ => base.to_string(),
    };
    ServiceError::Domain(DomainError::Invalid(vec![FieldError::new(
        pointer,
        e.to_string(),
    )]))
}

/// What the journal keeps of a screening result.
pub fn to_domain(result: &ScreeningResult, notes: Option<String>) -> Screening {
    Screening {
        list: result.list.clone(),
        list_version: result.list_version.clone(),
        indicated: result.indicated,
        dimensions: result
            .dimensions
            .iter()
            .map(|d| ScreeningDimension {
                dimension: d.dimension.as_str().to_string(),
                positive: d.positive,
                observed: d.observed.clone(),
            })
            .collect(),
        notes: notes.filter(|n| !n.trim().is_empty()),
    }
}

impl Harbour {
    pub fn indicator_lists(&self) -> &[harbour_indicators::IndicatorList] {
        self.catalogue.lists()
    }

    pub fn quick_screen_checklist(&self) -> &harbour_indicators::QuickScreen {
        &self.quick_screen
    }

    /// Evaluate a screening for a person of `minority`; `base` is where the input sits in the
    /// request. `list` is a list id, or a form of exploitation (`labour`, `sexual`, or a national
    /// one) for which the list that fits the person is chosen: a child's lists for a child or
    /// presumed child.
    pub fn evaluate_screening(
        &self,
        input: &ScreeningInput,
        minority: Minority,
        base: &str,
    ) -> ServiceResult<ScreeningResult> {
        let pm = person_minority(minority);
        let list = match self.catalogue.get(&input.list) {
            Some(_) => input.list.clone(),
            None => match self.catalogue.select(pm, &input.list) {
                Ok(l) => l.id().to_string(),
                // Neither a list nor a form with a list: report the unknown list.
                Err(_) => input.list.clone(),
            },
        };
        self.catalogue
            .screen(&list, &input.observed, pm)
            .map_err(|e| screening_problem(base, &e, &input.observed))
    }

    /// A screening before any case exists, to help decide whether to refer. Nothing is stored.
    pub fn screen_without_case(
        &self,
        actor: &Actor,
        input: &ScreeningInput,
    ) -> ServiceResult<ScreeningResult> {
        if !actor.user.role.may_refer() {
            return Err(ServiceError::Forbidden(format!(
                "a {} does not screen people",
                actor.user.role
            )));
        }
        // Without a known person, the list's own population is the person's.
        let minority = match input.minority {
            Some(m) => m,
            None => match self.catalogue.get(&input.list).map(|l| l.population()) {
                Some(harbour_indicators::Population::Adult) => Minority::Adult,
                Some(_) => Minority::Child,
                None => Minority::Adult,
            },
        };
        self.evaluate_screening(input, minority, "")
    }

    /// Record a screening in a case's journal. The list must fit the person's minority now.
    pub async fn record_screening(
        &self,
        actor: &Actor,
        id: CaseId,
        input: ScreeningInput,
    ) -> ServiceResult<ScreeningResult> {
        let role = actor.user.role;
        let mut result = None;
        self.change(actor, id, "screening", |state| {
            if !role.may_refer() {
                return Err(ServiceError::Forbidden(format!(
                    "a {role} does not screen people"
                )));
            }
            let minority = state.minority(self.now().date());
            let r = self.evaluate_screening(&input, minority, "")?;
            let screening = to_domain(&r, input.notes.clone());
            result = Some(r);
            Ok(Command::RecordScreening { screening })
        })
        .await?;
        result.ok_or_else(|| ServiceError::Internal("screening result missing".into()))
    }

    /// The reception-centre quick screen: which red flags, and what to do next.
    pub fn quick_screen(
        &self,
        input: &QuickScreenInput,
    ) -> ServiceResult<harbour_indicators::QuickScreenResult> {
        let r = match input.minority {
            Some(m) => self
                .quick_screen
                .evaluate_for(&input.flagged, person_minority(m)),
            None => self.quick_screen.evaluate(&input.flagged),
        };
        r.map_err(|e| {
            let id = match &e {
                QuickScreenError::UnknownItem { item }
                | QuickScreenError::DuplicateItem { item } => item.clone(),
            };
            let pointer = match input.flagged.iter().rposition(|f| *f == id) {
                Some(i) => format!("/flagged/{i}"),
                None => "/flagged".into(),
            };
            ServiceError::Domain(DomainError::Invalid(vec![FieldError::new(
                pointer,
                e.to_string(),
            )]))
        })
    }
}
