//! Screening: observed indicator ids against one list, with the explanation of the result.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::ScreeningError;
use crate::labels::{Lang, StaticLabels};
use crate::model::{DimensionId, IndicatorList, PersonMinority, Population};
use crate::rule::{PositiveDimensions, StrengthCounts};

/// Shown with every result: the screen supports a referral, the competent authority decides.
pub const INDICATION_NOTICE: StaticLabels = StaticLabels {
    en: "This screening result is an indication that can support a referral, not a decision. Only the competent authority determines whether a person is a victim of trafficking, and a negative result does not rule it out.",
    uk: "Результат скринінгу — це ознака, яка може бути підставою для направлення, а не рішення. Лише компетентний орган визначає, чи є особа постраждалою від торгівлі людьми, і негативний результат цього не виключає.",
    ru: "Результат скрининга — это признак, который может служить основанием для направления, а не решение. Только компетентный орган определяет, является ли человек пострадавшим от торговли людьми, и отрицательный результат этого не исключает.",
};

/// The notice as a field of every serialised result. It holds no data: it serialises to the
/// fixed texts of [`INDICATION_NOTICE`] and deserialises from anything, so it costs nothing and
/// stored results stay readable if the wording changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct IndicationNotice;

impl IndicationNotice {
    pub fn text(&self, lang: Lang) -> &'static str {
        INDICATION_NOTICE.get(lang)
    }
}

impl Serialize for IndicationNotice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("IndicationNotice", 3)?;
        st.serialize_field("en", INDICATION_NOTICE.en)?;
        st.serialize_field("uk", INDICATION_NOTICE.uk)?;
        st.serialize_field("ru", INDICATION_NOTICE.ru)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for IndicationNotice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(IndicationNotice)
    }
}

/// One dimension of a result: whether it is positive and by which observed indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionResult {
    pub dimension: DimensionId,
    pub positive: bool,
    /// Observed indicator ids in this dimension, in list order.
    pub observed: Vec<String>,
    /// The observed indicators by strength: what the rule looked at.
    pub counts: StrengthCounts,
}

/// The outcome of one screening against one list: an indication, never a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningResult {
    pub list: String,
    pub list_version: String,
    /// Which rule applied: `child` does not require the means element.
    pub population: Population,
    pub indicated: bool,
    /// All six dimensions, in reference order.
    pub dimensions: Vec<DimensionResult>,
    #[serde(default)]
    pub notice: IndicationNotice,
}

/// The rule's verdict without the explanation: what [`screen`] computes before it copies ids
/// into the result. Allocation-free for lists of up to 256 indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    pub indicated: bool,
    pub positive: PositiveDimensions,
    /// Observed indicators by strength, indexed by [`DimensionId::index`].
    pub counts: [StrengthCounts; 6],
}

/// Which of a list's indicators were observed: a bitset over list positions, on the stack for
/// the shipped lists (under 256 indicators), on the heap only for larger national lists.
struct Marks {
    small: [u64; 4],
    large: Vec<u64>,
}

impl Marks {
    fn new(len: usize) -> Marks {
        let words = len.div_ceil(64);
        Marks {
            small: [0; 4],
            large: if words > 4 {
                vec![0; words]
            } else {
                Vec::new()
            },
        }
    }

    fn words(&self) -> &[u64] {
        if self.large.is_empty() {
            &self.small
        } else {
            &self.large
        }
    }

    /// Sets the bit; false if it was already set.
    fn insert(&mut self, pos: usize) -> bool {
        let words = if self.large.is_empty() {
            &mut self.small[..]
        } else {
            &mut self.large[..]
        };
        let (w, bit) = (pos / 64, 1u64 << (pos % 64));
        let fresh = words[w] & bit == 0;
        words[w] |= bit;
        fresh
    }

    /// Set positions in ascending (list) order.
    fn positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.words().iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let b = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + b
                })
            })
        })
    }
}

/// Validate the request and mark the observed indicators.
fn mark<S: AsRef<str>>(
    list: &IndicatorList,
    observed: &[S],
    minority: PersonMinority,
) -> Result<(Marks, Evaluation), ScreeningError> {
    if minority.population() != list.population {
        return Err(ScreeningError::ListDoesNotFitMinority {
            list: list.id.clone(),
            population: list.population,
            minority,
            use_instead: None,
        });
    }
    let mut marks = Marks::new(list.indicators.len());
    let mut counts = [StrengthCounts::default(); 6];
    for id in observed {
        let id = id.as_ref();
        let pos = list
            .position(id)
            .ok_or_else(|| ScreeningError::UnknownIndicator {
                list: list.id.clone(),
                indicator: id.to_owned(),
            })?;
        if !marks.insert(pos) {
            return Err(ScreeningError::DuplicateIndicator {
                list: list.id.clone(),
                indicator: id.to_owned(),
            });
        }
        let ind = &list.indicators[pos];
        counts[ind.dimension.index()].add(ind.strength);
    }
    let mut positive = PositiveDimensions::default();
    for d in DimensionId::ALL {
        positive.set(d, counts[d.index()].is_positive());
    }
    let indicated = positive.indicated(list.population);
    Ok((
        marks,
        Evaluation {
            indicated,
            positive,
            counts,
        },
    ))
}

/// The verdict only, with the same validation as [`screen`]; for callers that do not need the
/// explanation (statistics, re-evaluation after a list change).
pub fn evaluate<S: AsRef<str>>(
    list: &IndicatorList,
    observed: &[S],
    minority: PersonMinority,
) -> Result<Evaluation, ScreeningError> {
    mark(list, observed, minority).map(|(_, e)| e)
}

/// Screen `observed` indicator ids against `list` for a person of `minority`.
///
/// Errors: the list does not fit the minority (a presumed child needs a child list), an id not in
/// the list, an id given twice. An empty observation set is valid and is not indicated.
pub fn screen<S: AsRef<str>>(
    list: &IndicatorList,
    observed: &[S],
    minority: PersonMinority,
) -> Result<ScreeningResult, ScreeningError> {
    let (marks, eval) = mark(list, observed, minority)?;
    let mut dimensions: Vec<DimensionResult> = DimensionId::ALL
        .into_iter()
        .map(|dimension| DimensionResult {
            dimension,
            positive: eval.positive.is_positive(dimension),
            observed: Vec::new(),
            counts: eval.counts[dimension.index()],
        })
        .collect();
    for pos in marks.positions() {
        let ind = &list.indicators[pos];
        dimensions[ind.dimension.index()]
            .observed
            .push(ind.id.clone());
    }
    Ok(ScreeningResult {
        list: list.id.clone(),
        list_version: list.version.clone(),
        population: list.population,
        indicated: eval.indicated,
        dimensions,
        notice: IndicationNotice,
    })
}

const INDICATED: StaticLabels = StaticLabels {
    en: "Indicators of trafficking: present",
    uk: "Ознаки торгівлі людьми: виявлено",
    ru: "Признаки торговли людьми: выявлены",
};
const NOT_INDICATED: StaticLabels = StaticLabels {
    en: "Indicators of trafficking: not sufficient on this list",
    uk: "Ознаки торгівлі людьми: за цим переліком недостатньо",
    ru: "Признаки торговли людьми: по этому перечню недостаточно",
};
const POSITIVE: StaticLabels = StaticLabels {
    en: "positive",
    uk: "позитивний",
    ru: "положительный",
};
const NEGATIVE: StaticLabels = StaticLabels {
    en: "negative",
    uk: "негативний",
    ru: "отрицательный",
};
const NOTHING_OBSERVED: StaticLabels = StaticLabels {
    en: "nothing observed",
    uk: "нічого не відмічено",
    ru: "ничего не отмечено",
};
const LIST: StaticLabels = StaticLabels {
    en: "List",
    uk: "Перелік",
    ru: "Перечень",
};

impl ScreeningResult {
    /// A plain-text explanation for the responder, in `lang`: the verdict, each dimension with the
    /// observed indicators' labels, and the notice that this is not a decision. `list` must be
    /// the list the result came from (ids missing from it are shown as ids).
    pub fn explain(&self, list: &IndicatorList, lang: Lang) -> String {
        let mut out = String::new();
        let verdict = if self.indicated {
            INDICATED
        } else {
            NOT_INDICATED
        };
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{}", verdict.get(lang));
        let _ = writeln!(
            out,
            "{}: {} ({}), {}",
            LIST.get(lang),
            list.title().get(lang),
            self.list,
            self.list_version
        );
        for d in &self.dimensions {
            let state = if d.positive { POSITIVE } else { NEGATIVE };
            let _ = write!(
                out,
                "- {}: {}; ",
                list.dimension(d.dimension).label.get(lang),
                state.get(lang)
            );
            if d.observed.is_empty() {
                let _ = writeln!(out, "{}", NOTHING_OBSERVED.get(lang));
            } else {
                let labels: Vec<String> = d
                    .observed
                    .iter()
                    .map(|id| match list.indicator(id) {
                        Some(i) => {
                            format!("{} ({})", i.label.get(lang), i.strength.label().get(lang))
                        }
                        None => id.clone(),
                    })
                    .collect();
                let _ = writeln!(out, "{}", labels.join("; "));
            }
        }
        out.push_str(INDICATION_NOTICE.get(lang));
        out.push('\n');
        out
    }
}
