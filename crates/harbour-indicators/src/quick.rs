//! The quick screen for reception centres and border crossings: a short red-flag checklist that
//! recommends a full indicator screening or an immediate child-protection referral.

use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{LoadError, LoadErrorKind, QuickScreenError};
use crate::labels::{Labels, StaticLabels};
use crate::load::{RawLabels, Source};
use crate::model::PersonMinority;

const BUILTIN: (&str, &str) = (
    "default.toml",
    include_str!("../../../data/quick-screen/default.toml"),
);

/// What the quick screen recommends. Ordered by urgency: the most urgent flagged item wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    NoIndication,
    FullScreening,
    ChildProtectionReferral,
}

impl Recommendation {
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::NoIndication => "no_indication",
            Recommendation::FullScreening => "full_screening",
            Recommendation::ChildProtectionReferral => "child_protection_referral",
        }
    }

    /// What the responder should do, in words.
    pub fn label(self) -> StaticLabels {
        match self {
            Recommendation::NoIndication => StaticLabels {
                en: "No red flag noted. Stay attentive and screen again if anything changes.",
                uk: "Тривожних ознак не відмічено. Залишайтеся уважними й проведіть скринінг знову, якщо щось зміниться.",
                ru: "Тревожных признаков не отмечено. Сохраняйте внимательность и проведите скрининг снова, если что-то изменится.",
            },
            Recommendation::FullScreening => StaticLabels {
                en: "Carry out a full indicator screening.",
                uk: "Проведіть повний скринінг за індикаторами.",
                ru: "Проведите полный скрининг по индикаторам.",
            },
            Recommendation::ChildProtectionReferral => StaticLabels {
                en: "Refer to child protection now; do not wait for a full screening.",
                uk: "Негайно направте до органів захисту дітей, не чекаючи повного скринінгу.",
                ru: "Немедленно направьте в органы защиты детей, не дожидаясь полного скрининга.",
            },
        }
    }
}

/// One red flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuickScreenItem {
    pub id: String,
    pub label: Labels,
    /// `full_screening` or `child_protection_referral`.
    pub recommends: Recommendation,
    /// The flag concerns a child; such an item always recommends `child_protection_referral`.
    pub child: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The validated checklist. Serialises to the JSON of `GET /api/v1/quick-screen` and to the TOML
/// the loader reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuickScreen {
    id: String,
    version: String,
    title: Labels,
    items: Vec<QuickScreenItem>,
}

/// `{"recommendation", "because"}`: `because` lists every flagged item, in checklist order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickScreenResult {
    pub recommendation: Recommendation,
    pub because: Vec<String>,
    pub quick_screen_version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuickScreen {
    id: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    title: Option<Spanned<RawLabels>>,
    #[serde(default)]
    items: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Option<Spanned<String>>,
    label: Option<Spanned<RawLabels>>,
    recommends: Option<Spanned<String>>,
    child: Option<bool>,
    note: Option<String>,
}

impl QuickScreen {
    /// The shipped checklist, embedded in the binary.
    pub fn builtin() -> Result<QuickScreen, LoadError> {
        QuickScreen::from_toml_str(Path::new("builtin/quick-screen").join(BUILTIN.0), BUILTIN.1)
    }

    pub fn load_file(path: impl AsRef<Path>) -> Result<QuickScreen, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| LoadError {
            file: path.to_path_buf(),
            line: None,
            kind: LoadErrorKind::Io(e),
        })?;
        QuickScreen::from_toml_str(path, &text)
    }

    pub fn from_toml_str(file: impl AsRef<Path>, text: &str) -> Result<QuickScreen, LoadError> {
        let src = Source {
            file: file.as_ref(),
            text,
        };
        let raw: RawQuickScreen = src.parse()?;
        let id = src.snake_id(
            src.required(raw.id, None, "quick screen", "id")?,
            "quick screen",
        )?;
        let version = src.version(src.required(raw.version, None, "quick screen", "version")?)?;
        let title = src.labels(raw.title, None, "quick screen", "title")?;
        if raw.items.is_empty() {
            return Err(src.err(None, LoadErrorKind::Empty { what: "items" }));
        }
        let mut items: Vec<QuickScreenItem> = Vec::with_capacity(raw.items.len());
        let mut lines: Vec<usize> = Vec::with_capacity(raw.items.len());
        for (n, ri) in raw.items.into_iter().enumerate() {
            let span = ri.span();
            let ri = ri.into_inner();
            let what = format!("item #{}", n + 1);
            let iid = src.required(ri.id, Some(&span), &what, "id")?;
            let iid_span = iid.span();
            let iid = src.snake_id(iid, "item")?;
            if let Some(first) = items.iter().position(|i| i.id == iid) {
                return Err(src.err(
                    Some(&iid_span),
                    LoadErrorKind::DuplicateId {
                        what: "item",
                        id: iid,
                        first_line: lines[first],
                    },
                ));
            }
            let what = format!("item `{iid}`");
            let label = src.labels(ri.label, Some(&span), &what, "label")?;
            let rec = src.required(ri.recommends, Some(&span), &what, "recommends")?;
            let recommends = match rec.get_ref().as_str() {
                "full_screening" => Recommendation::FullScreening,
                "child_protection_referral" => Recommendation::ChildProtectionReferral,
                // An item is a red flag: recommending nothing would make it a no-op.
                _ => {
                    return Err(src.err(
                        Some(&rec.span()),
                        LoadErrorKind::InvalidRecommendation {
                            what,
                            value: rec.into_inner(),
                        },
                    ))
                }
            };
            let child = ri.child.unwrap_or(false);
            if child != (recommends == Recommendation::ChildProtectionReferral) {
                return Err(src.err(Some(&span), LoadErrorKind::ChildItemRecommendation { what }));
            }
            lines.push(src.line_of(span.start));
            items.push(QuickScreenItem {
                id: iid,
                label,
                recommends,
                child,
                note: ri.note,
            });
        }
        Ok(QuickScreen {
            id,
            version,
            title,
            items,
        })
    }

    pub fn to_toml_string(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn title(&self) -> &Labels {
        &self.title
    }

    pub fn items(&self) -> &[QuickScreenItem] {
        &self.items
    }

    /// Evaluate the flagged item ids when the person's age is not known: the most urgent
    /// recommendation among the flagged items, or `no_indication` when none is flagged.
    pub fn evaluate<S: AsRef<str>>(
        &self,
        flagged: &[S],
    ) -> Result<QuickScreenResult, QuickScreenError> {
        self.evaluate_inner(flagged, None)
    }

    /// As [`QuickScreen::evaluate`], knowing the person's minority: for a child or presumed child
    /// any red flag means a child-protection referral, because child protection never waits.
    pub fn evaluate_for<S: AsRef<str>>(
        &self,
        flagged: &[S],
        minority: PersonMinority,
    ) -> Result<QuickScreenResult, QuickScreenError> {
        self.evaluate_inner(flagged, Some(minority))
    }

    fn evaluate_inner<S: AsRef<str>>(
        &self,
        flagged: &[S],
        minority: Option<PersonMinority>,
    ) -> Result<QuickScreenResult, QuickScreenError> {
        let mut hit = vec![false; self.items.len()];
        for f in flagged {
            let f = f.as_ref();
            let pos = self
                .items
                .iter()
                .position(|i| i.id == f)
                .ok_or_else(|| QuickScreenError::UnknownItem { item: f.to_owned() })?;
            if hit[pos] {
                return Err(QuickScreenError::DuplicateItem { item: f.to_owned() });
            }
            hit[pos] = true;
        }
        let flagged_items: Vec<&QuickScreenItem> = self
            .items
            .iter()
            .zip(&hit)
            .filter(|(_, &h)| h)
            .map(|(i, _)| i)
            .collect();
        let mut recommendation = flagged_items
            .iter()
            .map(|i| i.recommends)
            .max()
            .unwrap_or(Recommendation::NoIndication);
        if recommendation != Recommendation::NoIndication
            && minority.is_some_and(PersonMinority::is_child_or_presumed)
        {
            recommendation = Recommendation::ChildProtectionReferral;
        }
        Ok(QuickScreenResult {
            recommendation,
            because: flagged_items.iter().map(|i| i.id.clone()).collect(),
            quick_screen_version: self.version.clone(),
        })
    }
}
