//! CTDC "reportable aggregates" (the layout of Microsoft's synthetic-data-showcase, which CTDC
//! publishes beside its synthetic data): the count of every combination of 1..=L attribute
//! values, rounded down to the resolution and left out when it describes fewer than k people.
//!
//! Pure: the caller hands over records as one optional value per field (in the order the
//! output should name them) and gets back the published lines. An empty value or `-99` is not an
//! attribute of the record, as in SDS, where a blank cell is absent and not a value.

use crate::disclosure::Control;
use std::collections::HashMap;

/// The longest combination anyone may ask for: C(17, 6) combinations per record is already
/// 12,376, and longer combinations describe too few people to survive the threshold anyway.
pub const MAX_LENGTH: usize = 6;

/// Why aggregates cannot be produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AggregateError {
    /// The reporting length is 0 or above [`MAX_LENGTH`].
    Length(usize),
    /// A record has a different number of values than there are fields.
    RecordWidth { fields: usize, values: usize },
    /// More distinct `field:value` attributes than ids (65,535) to number them with.
    TooManyAttributes,
}

impl std::fmt::Display for AggregateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AggregateError::Length(l) => write!(
                f,
                "the reporting length must be between 1 and {MAX_LENGTH} (got {l})"
            ),
            AggregateError::RecordWidth { fields, values } => {
                write!(f, "a record has {values} values for {fields} fields")
            }
            AggregateError::TooManyAttributes => {
                write!(f, "more than 65,535 distinct field:value attributes")
            }
        }
    }
}

impl std::error::Error for AggregateError {}

/// Whether a value is an attribute of the record (a flag not set or a missing value is not).
pub fn is_present(value: &str) -> bool {
    !value.is_empty() && value != "-99"
}

/// Counts every combination of up to `length` attributes over the records added to it.
pub struct Aggregator {
    fields: Vec<String>,
    length: usize,
    /// Attribute ids per field by value (looked up by `&str`, no allocation per value); ids
    /// stand in for strings in the counts.
    ids: Vec<HashMap<String, u16>>,
    attributes: Vec<(u16, String)>,
    counts: HashMap<Vec<u16>, u32>,
    records: u64,
    present: Vec<u16>,
}

impl Aggregator {
    pub fn new(fields: Vec<String>, length: usize) -> Result<Self, AggregateError> {
        if length == 0 || length > MAX_LENGTH {
            return Err(AggregateError::Length(length));
        }
        Ok(Aggregator {
            ids: vec![HashMap::new(); fields.len()],
            fields,
            length,
            attributes: Vec::new(),
            counts: HashMap::new(),
            records: 0,
            present: Vec::with_capacity(32),
        })
    }

    /// Adds one record: its value for each field, in the aggregator's field order.
    pub fn add<S: AsRef<str>>(&mut self, values: &[S]) -> Result<(), AggregateError> {
        if values.len() != self.fields.len() {
            return Err(AggregateError::RecordWidth {
                fields: self.fields.len(),
                values: values.len(),
            });
        }
        self.present.clear();
        for (i, v) in values.iter().enumerate() {
            let v = v.as_ref();
            if !is_present(v) {
                continue;
            }
            let id = match self.ids[i].get(v) {
                Some(id) => *id,
                None => {
                    // Fields are few (17), so their position fits; checked anyway.
                    let field = u16::try_from(i).map_err(|_| AggregateError::TooManyAttributes)?;
                    let id = u16::try_from(self.attributes.len())
                        .map_err(|_| AggregateError::TooManyAttributes)?;
                    self.ids[i].insert(v.to_string(), id);
                    self.attributes.push((field, v.to_string()));
                    id
                }
            };
            self.present.push(id);
        }
        self.records += 1;
        let present = std::mem::take(&mut self.present);
        let mut combination = Vec::with_capacity(self.length);
        count_combinations(&present, 0, self.length, &mut combination, &mut self.counts);
        self.present = present;
        Ok(())
    }

    /// The published aggregates under `control`: rounded counts that still reach k, the rest counted
    /// as suppressed. Lines sorted by length, then text, so two runs give the same file.
    pub fn publish(self, control: Control) -> ReportableAggregates {
        let mut lines = Vec::new();
        let mut suppressed = 0u64;
        for (ids, n) in &self.counts {
            let n = u64::from(*n);
            let published = control.rounded(n);
            // As everywhere in Harbour, the rounded count must reach k: with a resolution
            // unlike k, a true count just above k may round below it.
            if control.below_threshold(n) {
                suppressed += 1;
                continue;
            }
            let attributes: Vec<(String, String)> = ids
                .iter()
                .map(|id| {
                    let (field, value) = &self.attributes[usize::from(*id)];
                    (self.fields[usize::from(*field)].clone(), value.clone())
                })
                .collect();
            lines.push(Selection {
                text: selection_text(&attributes),
                attributes,
                count: published,
            });
        }
        lines.sort_by(|a, b| (a.attributes.len(), &a.text).cmp(&(b.attributes.len(), &b.text)));
        // The record count is a group too: below k it is not published either.
        let total = if control.below_threshold(self.records) {
            0
        } else {
            control.rounded(self.records)
        };
        ReportableAggregates {
            records: self.records,
            total,
            lines,
            suppressed,
            control,
            length: self.length,
        }
    }
}

/// Adds one to every combination of `length` or fewer of `present[from..]` after `prefix`.
/// `present` is in field order, so each combination comes out in field order too.
fn count_combinations(
    present: &[u16],
    from: usize,
    length: usize,
    prefix: &mut Vec<u16>,
    counts: &mut HashMap<Vec<u16>, u32>,
) {
    for i in from..present.len() {
        prefix.push(present[i]);
        // Look up by slice first: only a combination seen for the first time allocates.
        match counts.get_mut(prefix.as_slice()) {
            Some(n) => *n += 1,
            None => {
                counts.insert(prefix.clone(), 1);
            }
        }
        if prefix.len() < length {
            count_combinations(present, i + 1, length, prefix, counts);
        }
        prefix.pop();
    }
}

/// `field:value` pairs joined by `;`, as SDS names a combination.
fn selection_text(attributes: &[(String, String)]) -> String {
    attributes
        .iter()
        .map(|(f, v)| format!("{f}:{v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// One published combination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// (field, value) in field order.
    pub attributes: Vec<(String, String)>,
    pub text: String,
    /// The count rounded down to the resolution; at least k once rounded.
    pub count: u64,
}

/// What the export publishes, and what it left out (for the operator's summary only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportableAggregates {
    /// Records counted (not published: the CSV carries `total`).
    pub records: u64,
    /// The record count as published: rounded, 0 if that is below k.
    pub total: u64,
    pub lines: Vec<Selection>,
    /// Combinations seen but not published.
    pub suppressed: u64,
    pub control: Control,
    pub length: usize,
}

impl ReportableAggregates {
    /// The SDS layout: `selections,protected_count`, the record count, one line per combination.
    /// No comment lines: consumers parse the file as plain CSV.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("selections,protected_count\n");
        out.push_str(&format!("selections,{}\n", self.total));
        for line in &self.lines {
            out.push_str(&csv_field(&line.text));
            out.push(',');
            out.push_str(&line.count.to_string());
            out.push('\n');
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const FIELDS: [&str; 4] = ["gender", "ageBroad", "isForcedLabour", "citizenship"];

    fn aggregate(records: &[Vec<String>], length: usize, control: Control) -> ReportableAggregates {
        let mut a =
            Aggregator::new(FIELDS.iter().map(|f| f.to_string()).collect(), length).unwrap();
        for r in records {
            a.add(r).unwrap();
        }
        a.publish(control)
    }

    /// The true count of records holding every attribute, by brute force.
    fn true_count(records: &[Vec<String>], attributes: &[(String, String)]) -> u64 {
        records
            .iter()
            .filter(|r| {
                attributes.iter().all(|(f, v)| {
                    let i = FIELDS.iter().position(|x| x == f).unwrap();
                    &r[i] == v
                })
            })
            .count() as u64
    }

    #[test]
    fn empty_and_missing_values_are_not_attributes() {
        let records: Vec<Vec<String>> = (0..20)
            .map(|i| {
                vec![
                    "Woman".into(),
                    "-99".into(),
                    if i < 12 { "1".into() } else { String::new() },
                    "GB".into(),
                ]
            })
            .collect();
        let a = aggregate(
            &records,
            3,
            Control {
                threshold: 10,
                resolution: 10,
            },
        );
        let csv = a.to_csv();
        assert_eq!(
            csv,
            "selections,protected_count\nselections,20\n\
             citizenship:GB,20\ngender:Woman,20\nisForcedLabour:1,10\n\
             gender:Woman;citizenship:GB,20\ngender:Woman;isForcedLabour:1,10\n\
             isForcedLabour:1;citizenship:GB,10\n\
             gender:Woman;isForcedLabour:1;citizenship:GB,10\n"
        );
        assert_eq!(a.suppressed, 0);
    }

    #[test]
    fn small_groups_and_bad_lengths() {
        let records: Vec<Vec<String>> = (0..9)
            .map(|_| vec!["Man".into(), "18-20".into(), String::new(), "FR".into()])
            .collect();
        let a = aggregate(
            &records,
            2,
            Control {
                threshold: 10,
                resolution: 5,
            },
        );
        assert!(a.lines.is_empty());
        assert_eq!(a.total, 0, "a total below k is not published");
        assert_eq!(a.suppressed, 3 + 3);
        assert_eq!(
            Aggregator::new(vec![], 0).err(),
            Some(AggregateError::Length(0))
        );
        assert_eq!(
            Aggregator::new(vec![], 7).err(),
            Some(AggregateError::Length(7))
        );
        let mut a = Aggregator::new(vec!["gender".into()], 1).unwrap();
        assert!(matches!(
            a.add(&["Man", "x"]),
            Err(AggregateError::RecordWidth { .. })
        ));
    }

    #[test]
    fn a_value_with_a_comma_is_quoted() {
        let records: Vec<Vec<String>> = (0..10)
            .map(|_| vec!["A, B".into(), String::new(), String::new(), String::new()])
            .collect();
        let a = aggregate(
            &records,
            1,
            Control {
                threshold: 10,
                resolution: 10,
            },
        );
        assert!(
            a.to_csv().ends_with("\n\"gender:A, B\",10\n"),
            "{}",
            a.to_csv()
        );
    }

    fn value(choices: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop::sample::select(choices).prop_map(str::to_string)
    }

    proptest! {
        #[test]
        fn published_counts_are_rounded_at_least_k_and_never_exceed_a_part(
            records in prop::collection::vec(
                (
                    value(&["Man", "Woman", "-99"]),
                    value(&["0-8", "9-17", "18-20", "-99"]),
                    value(&["1", ""]),
                    value(&["GB", "AL", "VN", "-99"]),
                ).prop_map(|(a, b, c, d)| vec![a, b, c, d]),
                0..80,
            ),
            length in 1usize..=4,
            threshold in 1u64..8,
            resolution in 1u64..8,
        ) {
            let control = Control { threshold, resolution };
            let a = aggregate(&records, length, control);
            prop_assert_eq!(a.records, records.len() as u64);
            prop_assert_eq!(a.total % resolution, 0);
            prop_assert!(a.total <= a.records);
            let mut seen = std::collections::BTreeSet::new();
            for line in &a.lines {
                let n = true_count(&records, &line.attributes);
                prop_assert_eq!(line.count % resolution, 0, "{}", line.text);
                prop_assert!(line.count >= threshold, "{}", line.text);
                prop_assert!(line.count <= n, "{}", line.text);
                prop_assert_eq!(line.count, n / resolution * resolution);
                prop_assert!(n >= threshold);
                prop_assert!(!line.attributes.is_empty() && line.attributes.len() <= length);
                // Every part of a combination describes at least as many people.
                for skip in 0..line.attributes.len() {
                    let mut part = line.attributes.clone();
                    part.remove(skip);
                    if !part.is_empty() {
                        prop_assert!(line.count <= true_count(&records, &part));
                    }
                }
                prop_assert!(seen.insert(line.text.clone()), "one line per combination");
            }
            // And nothing publishable is missing: every combination of present attributes.
            let mut expected: BTreeMap<Vec<(String, String)>, u64> = BTreeMap::new();
            for r in &records {
                let present: Vec<(String, String)> = FIELDS
                    .iter()
                    .zip(r)
                    .filter(|(_, v)| is_present(v))
                    .map(|(f, v)| (f.to_string(), v.clone()))
                    .collect();
                for mask in 1u32..(1 << present.len()) {
                    if mask.count_ones() as usize > length {
                        continue;
                    }
                    let combination: Vec<(String, String)> = present
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, a)| a.clone())
                        .collect();
                    *expected.entry(combination).or_default() += 1;
                }
            }
            let publishable = expected
                .values()
                .filter(|n| *n / resolution * resolution >= threshold)
                .count();
            prop_assert_eq!(a.lines.len(), publishable);
            prop_assert_eq!(a.lines.len() as u64 + a.suppressed, expected.len() as u64);
        }
    }
}
