//! Parsing and validating indicator-list files, and the catalogue of lists.
//!
//! Files are read into "raw" structs where every field is optional and carries its source span,
//! so that each problem is reported as a typed error with the file and line of the entry, rather
//! than as a generic deserialisation failure.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{LoadError, LoadErrorKind, ScreeningError};
use crate::labels::{Labels, Lang};
use crate::model::{
    Dimension, DimensionId, IdIndex, Indicator, IndicatorList, PersonMinority, Population, Strength,
};
use crate::rule::StrengthCounts;
use crate::screen::{screen, ScreeningResult};

/// The shipped lists, embedded so a deployment works with no data directory.
const BUILTIN: [(&str, &str); 4] = [
    (
        "adult_labour.toml",
        include_str!("../../../data/indicators/adult_labour.toml"),
    ),
    (
        "adult_sexual.toml",
        include_str!("../../../data/indicators/adult_sexual.toml"),
    ),
    (
        "child_labour.toml",
        include_str!("../../../data/indicators/child_labour.toml"),
    ),
    (
        "child_sexual.toml",
        include_str!("../../../data/indicators/child_sexual.toml"),
    ),
];

/// A file's text with its name, to turn byte spans into `file:line` errors.
pub(crate) struct Source<'a> {
    pub(crate) file: &'a Path,
    pub(crate) text: &'a str,
}

impl Source<'_> {
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    pub(crate) fn err(&self, span: Option<&Range<usize>>, kind: LoadErrorKind) -> LoadError {
        LoadError {
            file: self.file.to_path_buf(),
            line: span.map(|s| self.line_of(s.start)),
            kind,
        }
    }

    /// Deserialise into a raw struct, mapping TOML/serde errors (syntax, unknown field, wrong
    /// type) to a `Syntax` error at the reported line.
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, LoadError> {
        toml::from_str(self.text).map_err(|e| {
            self.err(
                e.span().as_ref(),
                LoadErrorKind::Syntax(e.message().trim().to_owned()),
            )
        })
    }

    /// A required field, or a `MissingField` error at the line of its owner.
    pub(crate) fn required<T>(
        &self,
        value: Option<T>,
        owner: Option<&Range<usize>>,
        what: &str,
        field: &'static str,
    ) -> Result<T, LoadError> {
        value.ok_or_else(|| {
            self.err(
                owner,
                LoadErrorKind::MissingField {
                    what: what.to_owned(),
                    field,
                },
            )
        })
    }

    pub(crate) fn labels(
        &self,
        raw: Option<Spanned<RawLabels>>,
        owner: Option<&Range<usize>>,
        what: &str,
        field: &'static str,
    ) -> Result<Labels, LoadError> {
        let raw = self.required(raw, owner, what, field)?;
        let span = raw.span();
        let raw = raw.into_inner();
        let pick = |v: Option<String>, lang: Lang| -> Result<String, LoadError> {
            match v {
                Some(s) if !s.trim().is_empty() => Ok(s),
                _ => Err(self.err(
                    Some(&span),
                    LoadErrorKind::MissingTranslation {
                        what: what.to_owned(),
                        lang,
                    },
                )),
            }
        };
        Ok(Labels {
            en: pick(raw.en, Lang::En)?,
            uk: pick(raw.uk, Lang::Uk)?,
            ru: pick(raw.ru, Lang::Ru)?,
        })
    }

    pub(crate) fn snake_id(&self, raw: Spanned<String>, what: &str) -> Result<String, LoadError> {
        if is_snake_case(raw.get_ref()) {
            Ok(raw.into_inner())
        } else {
            Err(self.err(
                Some(&raw.span()),
                LoadErrorKind::InvalidId {
                    what: what.to_owned(),
                    id: raw.into_inner(),
                },
            ))
        }
    }

    pub(crate) fn version(&self, raw: Spanned<String>) -> Result<String, LoadError> {
        if is_version(raw.get_ref()) {
            Ok(raw.into_inner())
        } else {
            Err(self.err(
                Some(&raw.span()),
                LoadErrorKind::InvalidVersion {
                    version: raw.into_inner(),
                },
            ))
        }
    }
}

/// `snake_case`: starts with a letter; lower-case letters and digits in words joined by single `_`.
pub(crate) fn is_snake_case(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.split('_').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `MAJOR.MINOR.PATCH`, decimal, no leading zeros (as in semantic versioning's core).
pub(crate) fn is_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLabels {
    en: Option<String>,
    uk: Option<String>,
    ru: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    id: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    population: Option<Spanned<String>>,
    exploitation: Option<Spanned<String>>,
    title: Option<Spanned<RawLabels>>,
    source: Option<String>,
    #[serde(default)]
    dimensions: Vec<Spanned<RawDimension>>,
    #[serde(default)]
    indicators: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDimension {
    id: Option<Spanned<String>>,
    label: Option<Spanned<RawLabels>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Option<Spanned<String>>,
    dimension: Option<Spanned<String>>,
    strength: Option<Spanned<String>>,
    label: Option<Spanned<RawLabels>>,
    to_verify: Option<bool>,
    note: Option<String>,
}

impl IndicatorList {
    /// Parse and validate one list. `file` is only used to name the source in errors.
    pub fn from_toml_str(file: impl AsRef<Path>, text: &str) -> Result<IndicatorList, LoadError> {
        let src = Source {
            file: file.as_ref(),
            text,
        };
        let raw: RawList = src.parse()?;
        let top = None; // whole-file problems have no line

        let id = src.required(raw.id, top, "list", "id")?;
        let id = src.snake_id(id, "list")?;
        let version = src.version(src.required(raw.version, top, "list", "version")?)?;
        let pop = src.required(raw.population, top, "list", "population")?;
        let population = Population::parse(pop.get_ref()).ok_or_else(|| {
            src.err(
                Some(&pop.span()),
                LoadErrorKind::InvalidPopulation {
                    value: pop.get_ref().clone(),
                },
            )
        })?;
        let exploitation = src.required(raw.exploitation, top, "list", "exploitation")?;
        let exploitation = src.snake_id(exploitation, "exploitation")?;
        let title = src.labels(raw.title, top, "list", "title")?;

        let mut dims: [Option<(Dimension, usize)>; 6] = Default::default();
        for (n, rd) in raw.dimensions.into_iter().enumerate() {
            let span = rd.span();
            let rd = rd.into_inner();
            let what = format!("dimension #{}", n + 1);
            let did = src.required(rd.id, Some(&span), &what, "id")?;
            let dim = parse_dimension(&src, &did, &what)?;
            let line = src.line_of(span.start);
            if let Some((_, first_line)) = &dims[dim.index()] {
                return Err(src.err(
                    Some(&did.span()),
                    LoadErrorKind::DuplicateId {
                        what: "dimension",
                        id: dim.as_str().to_owned(),
                        first_line: *first_line,
                    },
                ));
            }
            let what = format!("dimension `{dim}`");
            let label = src.labels(rd.label, Some(&span), &what, "label")?;
            dims[dim.index()] = Some((Dimension { id: dim, label }, line));
        }
        let mut dimensions = Vec::with_capacity(6);
        for (slot, d) in dims.into_iter().zip(DimensionId::ALL) {
            match slot {
                Some((dim, _)) => dimensions.push(dim),
                None => return Err(src.err(top, LoadErrorKind::MissingDimension { dimension: d })),
            }
        }

        if raw.indicators.is_empty() {
            return Err(src.err(top, LoadErrorKind::Empty { what: "indicators" }));
        }
        let mut indicators = Vec::with_capacity(raw.indicators.len());
        let mut index = IdIndex::with_capacity_and_hasher(raw.indicators.len(), Default::default());
        let mut lines: Vec<usize> = Vec::with_capacity(raw.indicators.len());
        for (n, ri) in raw.indicators.into_iter().enumerate() {
            let span = ri.span();
            let ri = ri.into_inner();
            let what = format!("indicator #{}", n + 1);
            let iid = src.required(ri.id, Some(&span), &what, "id")?;
            let iid_span = iid.span();
            let iid = src.snake_id(iid, "indicator")?;
            let what = format!("indicator `{iid}`");
            if let Some(&first) = index.get(&iid) {
                return Err(src.err(
                    Some(&iid_span),
                    LoadErrorKind::DuplicateId {
                        what: "indicator",
                        id: iid,
                        first_line: lines[first],
                    },
                ));
            }
            let dim = src.required(ri.dimension, Some(&span), &what, "dimension")?;
            let dimension = parse_dimension(&src, &dim, &what)?;
            let st = src.required(ri.strength, Some(&span), &what, "strength")?;
            let strength = Strength::parse(st.get_ref()).ok_or_else(|| {
                src.err(
                    Some(&st.span()),
                    LoadErrorKind::InvalidStrength {
                        what: what.clone(),
                        value: st.get_ref().clone(),
                    },
                )
            })?;
            let label = src.labels(ri.label, Some(&span), &what, "label")?;
            index.insert(iid.clone(), indicators.len());
            lines.push(src.line_of(span.start));
            indicators.push(Indicator {
                id: iid,
                dimension,
                strength,
                label,
                to_verify: ri.to_verify.unwrap_or(false),
                note: ri.note,
            });
        }

        check_can_indicate(population, &indicators)
            .map_err(|reason| src.err(top, LoadErrorKind::CannotIndicate { reason }))?;

        Ok(IndicatorList {
            id,
            version,
            population,
            exploitation,
            title,
            source: raw.source,
            dimensions,
            indicators,
            index,
        })
    }

    /// Read and validate one list file.
    pub fn load_file(path: impl AsRef<Path>) -> Result<IndicatorList, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| LoadError {
            file: path.to_path_buf(),
            line: None,
            kind: LoadErrorKind::Io(e),
        })?;
        IndicatorList::from_toml_str(path, &text)
    }

    /// The list as a TOML file the loader accepts (round-trips to an equal list).
    pub fn to_toml_string(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }
}

fn parse_dimension(
    src: &Source<'_>,
    raw: &Spanned<String>,
    what: &str,
) -> Result<DimensionId, LoadError> {
    DimensionId::parse(raw.get_ref()).ok_or_else(|| {
        src.err(
            Some(&raw.span()),
            LoadErrorKind::UnknownDimension {
                what: what.to_owned(),
                value: raw.get_ref().clone(),
            },
        )
    })
}

/// Reject a list whose rule can never be satisfied, e.g. a national list with only weak
/// indicators for exploitation. Positivity is monotone in the counts, so observing every
/// indicator of a dimension is the best case.
fn check_can_indicate(population: Population, indicators: &[Indicator]) -> Result<(), String> {
    let mut all = [StrengthCounts::default(); 6];
    for i in indicators {
        all[i.dimension.index()].add(i.strength);
    }
    let can = |d: DimensionId| all[d.index()].is_positive();
    let group =
        |pred: fn(DimensionId) -> bool| DimensionId::ALL.into_iter().any(|d| pred(d) && can(d));
    const HOW: &str = "a dimension needs two strong, one strong and one medium or weak, three medium, or two medium and one weak";
    if !group(DimensionId::is_recruitment) {
        return Err(format!(
            "no recruitment dimension can become positive ({HOW})"
        ));
    }
    if !can(DimensionId::Exploitation) {
        return Err(format!(
            "the exploitation dimension can never become positive ({HOW})"
        ));
    }
    if population == Population::Adult && !group(DimensionId::is_destination_means) {
        return Err(format!(
            "for adults, neither coercion nor abuse of vulnerability at destination can become positive ({HOW})"
        ));
    }
    Ok(())
}

/// One part of an interview: the exploitation form screened for and what was observed. The list
/// is chosen from the person's minority (child lists for a child or presumed child).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InterviewPart {
    pub exploitation: String,
    pub observed: Vec<String>,
}

/// All indicator lists in force: the shipped ones, possibly replaced or extended from a directory.
#[derive(Debug, Clone)]
pub struct Catalogue {
    lists: Vec<IndicatorList>,
    /// Where each list came from, for error messages; parallel to `lists`.
    origins: Vec<PathBuf>,
}

impl Catalogue {
    /// The four ILO/EC lists compiled into the binary.
    pub fn builtin() -> Result<Catalogue, LoadError> {
        let mut lists = Vec::with_capacity(BUILTIN.len());
        let mut origins = Vec::with_capacity(BUILTIN.len());
        for (name, text) in BUILTIN {
            let origin = Path::new("builtin").join(name);
            lists.push(IndicatorList::from_toml_str(&origin, text)?);
            origins.push(origin);
        }
        let cat = Catalogue { lists, origins };
        cat.check_unambiguous()?;
        Ok(cat)
    }

    /// The shipped lists, then every `*.toml` file of `dir` (in file-name order): a file whose
    /// `id` is a shipped list's replaces it (its version must change if its content does), any
    /// other file adds a list. Pointing this at the shipped `data/indicators` is a no-op.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Catalogue, LoadError> {
        let dir = dir.as_ref();
        let io_err = |e: std::io::Error| LoadError {
            file: dir.to_path_buf(),
            line: None,
            kind: LoadErrorKind::Io(e),
        };
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err)? {
            let path = entry.map_err(io_err)?.path();
            if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                files.push(path);
            }
        }
        files.sort();

        let mut cat = Catalogue::builtin()?;
        // Positions of lists that came from this directory: a second file with the same id is
        // a mistake, not an override.
        let mut from_dir: Vec<usize> = Vec::new();
        for file in files {
            let list = IndicatorList::load_file(&file)?;
            match cat.lists.iter().position(|l| l.id == list.id) {
                Some(i) if from_dir.contains(&i) => {
                    return Err(LoadError {
                        file,
                        line: None,
                        kind: LoadErrorKind::DuplicateList {
                            id: list.id,
                            other: cat.origins[i].clone(),
                        },
                    });
                }
                Some(i) => {
                    if cat.lists[i] != list && cat.lists[i].version == list.version {
                        return Err(LoadError {
                            file,
                            line: None,
                            kind: LoadErrorKind::VersionNotChanged {
                                id: list.id,
                                version: list.version,
                            },
                        });
                    }
                    cat.lists[i] = list;
                    cat.origins[i] = file;
                    from_dir.push(i);
                }
                None => {
                    from_dir.push(cat.lists.len());
                    cat.lists.push(list);
                    cat.origins.push(file);
                }
            }
        }
        cat.check_unambiguous()?;
        Ok(cat)
    }

    /// Automatic choice needs exactly one list per (population, exploitation).
    fn check_unambiguous(&self) -> Result<(), LoadError> {
        for (j, b) in self.lists.iter().enumerate() {
            if let Some(a) = self.lists[..j]
                .iter()
                .find(|a| a.population == b.population && a.exploitation == b.exploitation)
            {
                return Err(LoadError {
                    file: self.origins[j].clone(),
                    line: None,
                    kind: LoadErrorKind::AmbiguousList {
                        a: a.id.clone(),
                        b: b.id.clone(),
                        population: b.population,
                        exploitation: b.exploitation.clone(),
                    },
                });
            }
        }
        Ok(())
    }

    /// Every list, shipped ones first in a fixed order, then added ones in file-name order.
    pub fn lists(&self) -> &[IndicatorList] {
        &self.lists
    }

    pub fn get(&self, id: &str) -> Option<&IndicatorList> {
        self.lists.iter().find(|l| l.id == id)
    }

    /// The file a list was loaded from (`builtin/...` for the embedded ones).
    pub fn origin(&self, id: &str) -> Option<&Path> {
        let i = self.lists.iter().position(|l| l.id == id)?;
        Some(&self.origins[i])
    }

    /// The list for this person and exploitation form: a child or presumed child always gets the
    /// child list.
    pub fn select(
        &self,
        minority: PersonMinority,
        exploitation: &str,
    ) -> Result<&IndicatorList, ScreeningError> {
        let population = minority.population();
        self.lists
            .iter()
            .find(|l| l.population == population && l.exploitation == exploitation)
            .ok_or_else(|| ScreeningError::NoListFor {
                population,
                exploitation: exploitation.to_owned(),
            })
    }

    /// Screen against a list named by id. A list that does not fit the person's minority is an
    /// error that names the list to use instead.
    pub fn screen<S: AsRef<str>>(
        &self,
        list: &str,
        observed: &[S],
        minority: PersonMinority,
    ) -> Result<ScreeningResult, ScreeningError> {
        let l = self.get(list).ok_or_else(|| ScreeningError::UnknownList {
            list: list.to_owned(),
        })?;
        screen(l, observed, minority).map_err(|e| match e {
            ScreeningError::ListDoesNotFitMinority {
                list,
                population,
                minority,
                ..
            } => ScreeningError::ListDoesNotFitMinority {
                use_instead: self
                    .select(minority, &l.exploitation)
                    .ok()
                    .map(|x| x.id.clone()),
                list,
                population,
                minority,
            },
            other => other,
        })
    }

    /// One interview, several exploitation forms (e.g. labour and sexual): each part is screened
    /// against the list chosen for the person's minority. All parts are checked before any
    /// result is returned, so a bad part means nothing is recorded.
    pub fn screen_interview(
        &self,
        minority: PersonMinority,
        parts: &[InterviewPart],
    ) -> Result<Vec<ScreeningResult>, ScreeningError> {
        let mut results = Vec::with_capacity(parts.len());
        for (n, part) in parts.iter().enumerate() {
            if parts[..n]
                .iter()
                .any(|p| p.exploitation == part.exploitation)
            {
                return Err(ScreeningError::DuplicateExploitation {
                    exploitation: part.exploitation.clone(),
                });
            }
            let list = self.select(minority, &part.exploitation)?;
            results.push(screen(list, &part.observed, minority)?);
        }
        Ok(results)
    }
}
