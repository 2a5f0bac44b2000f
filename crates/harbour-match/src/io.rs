//! Reading CSV input with typed errors that name the file, row and column,
//! and writing output atomically (temp file, then rename).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::record::{prepare, Field, Prepared, Record};

#[derive(Debug, Error)]
pub enum InputError {
    #[error("{file}: cannot read: {source}")]
    Open {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: empty file (no header row)")]
    Empty { file: PathBuf },
    #[error("{file}: column '{column}' (for field {field}) is not in the header row")]
    MissingColumn {
        file: PathBuf,
        column: String,
        field: String,
    },
    #[error("{file}: no known column found (expected some of: {known}); map columns with --map field=column")]
    NoFields { file: PathBuf, known: String },
    #[error("{file}, row {row}, column '{column}': not valid UTF-8 (mixed encodings?); save the file as UTF-8")]
    Encoding {
        file: PathBuf,
        row: u64,
        column: String,
    },
    #[error("{file}, row {row}, column '{column}': {message}")]
    Value {
        file: PathBuf,
        row: u64,
        column: String,
        message: String,
    },
    #[error("{file}, row {row}: malformed CSV: {message}")]
    Csv {
        file: PathBuf,
        row: u64,
        message: String,
    },
    #[error("unknown field '{0}' in --map (known: {1})")]
    UnknownField(String, String),
}

/// A loaded list: raw records, their normalised features and the fields
/// that were mapped.
pub struct Table {
    pub path: PathBuf,
    pub records: Vec<Record>,
    pub prepared: Vec<Prepared>,
    pub fields: Vec<Field>,
}

fn known() -> String {
    Field::ALL
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parse `field=column` arguments.
pub fn parse_map(args: &[String]) -> Result<Vec<(Field, String)>, InputError> {
    args.iter()
        .map(|a| {
            let (f, c) = a
                .split_once('=')
                .ok_or_else(|| InputError::UnknownField(a.clone(), known()))?;
            let field = Field::from_name(f.trim())
                .ok_or_else(|| InputError::UnknownField(f.to_string(), known()))?;
            Ok((field, c.trim().to_string()))
        })
        .collect()
}

/// Common alternative column names, tried after the field's own name.
fn aliases(f: Field) -> &'static [&'static str] {
    match f {
        Field::GivenName => &["first_name", "forename", "given"],
        Field::Surname => &["last_name", "family_name"],
        Field::DateOfBirth => &["dob", "birth_date"],
        Field::Sex => &["gender"],
        _ => &[],
    }
}

/// Read a CSV file. Header names are trimmed (FEBRL writes ", " between
/// columns). Rows are numbered as a spreadsheet shows them: header = row 1.
pub fn read_csv(
    path: &Path,
    id_col: &str,
    map: &[(Field, String)],
    default_year: i32,
) -> Result<Table, InputError> {
    let file = path.to_path_buf();
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|source| InputError::Open {
            file: file.clone(),
            source,
        })?;
    // A UTF-8 byte order mark is not part of the first column's name.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(InputError::Empty { file });
    }
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        return Err(InputError::Encoding {
            file,
            row: 1,
            column: "#1".into(),
        });
    }
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(body);
    let header = rdr
        .byte_headers()
        .map_err(|e| InputError::Csv {
            file: file.clone(),
            row: 1,
            message: e.to_string(),
        })?
        .clone();
    let mut names = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let s = std::str::from_utf8(h).map_err(|_| InputError::Encoding {
            file: file.clone(),
            row: 1,
            column: format!("#{}", i + 1),
        })?;
        names.push(s.trim().to_string());
    }
    let col: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let id_ix = *col.get(id_col).ok_or_else(|| InputError::MissingColumn {
        file: file.clone(),
        column: id_col.to_string(),
        field: "id".to_string(),
    })?;
    let mut fields: Vec<(Field, usize)> = Vec::new();
    for f in Field::ALL {
        if let Some((_, c)) = map.iter().find(|(mf, _)| *mf == f) {
            let ix = *col
                .get(c.as_str())
                .ok_or_else(|| InputError::MissingColumn {
                    file: file.clone(),
                    column: c.clone(),
                    field: f.name().to_string(),
                })?;
            fields.push((f, ix));
        } else if let Some(ix) = std::iter::once(f.name())
            .chain(aliases(f).iter().copied())
            .find_map(|n| col.get(n))
        {
            fields.push((f, *ix));
        }
    }
    if fields.is_empty() {
        return Err(InputError::NoFields {
            file,
            known: known(),
        });
    }
    let mut records = Vec::new();
    let mut row_buf = csv::ByteRecord::new();
    let mut row: u64 = 1;
    loop {
        row += 1;
        match rdr.read_byte_record(&mut row_buf) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(InputError::Csv {
                    file,
                    row,
                    message: e.to_string(),
                })
            }
        }
        let get = |ix: usize| -> Result<String, InputError> {
            let raw = row_buf.get(ix).unwrap_or(b"");
            std::str::from_utf8(raw)
                .map(str::to_string)
                .map_err(|_| InputError::Encoding {
                    file: file.clone(),
                    row,
                    column: names.get(ix).cloned().unwrap_or_default(),
                })
        };
        let mut r = Record::new(get(id_ix)?);
        for (f, ix) in &fields {
            r.set(*f, get(*ix)?);
        }
        records.push((row, r));
    }
    // Normalising names is the costly part; spread it over the cores.
    let results = crate::index::par_map(&records, |(_, r)| prepare(r, default_year));
    let mut prepared = Vec::with_capacity(records.len());
    for ((row, _), res) in records.iter().zip(results) {
        let p = res.map_err(|e| {
            let column = fields
                .iter()
                .find(|(f, _)| *f == e.field)
                .and_then(|(_, ix)| names.get(*ix).cloned())
                .unwrap_or_else(|| e.field.name().to_string());
            InputError::Value {
                file: file.clone(),
                row: *row,
                column,
                message: e.message,
            }
        })?;
        prepared.push(p);
    }
    let records: Vec<Record> = records.into_iter().map(|(_, r)| r).collect();
    Ok(Table {
        path: path.to_path_buf(),
        records,
        prepared,
        fields: fields.into_iter().map(|(f, _)| f).collect(),
    })
}

/// Write through a temporary file in the same directory and rename it into
/// place, so an interrupted run never leaves a partial file under the final
/// name.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str, content: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hm-io-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join(name);
        let _ = std::fs::write(&p, content);
        p
    }

    #[test]
    fn febrl_header_with_spaces_reads_without_flags() {
        let p = tmp(
            "febrl.csv",
            b"rec_id, given_name, surname, date_of_birth, postcode\nrec-1-org, ann, smith, 19800101, 2000\n",
        );
        let t = read_csv(&p, "rec_id", &[], 2024).unwrap();
        assert_eq!(t.records.len(), 1);
        assert_eq!(t.records[0].get(Field::Surname), "smith");
        assert!(t.fields.contains(&Field::Postcode));
    }

    #[test]
    fn bad_inputs_name_file_row_and_column() {
        let p = tmp("empty.csv", b"");
        assert!(matches!(
            read_csv(&p, "id", &[], 2024),
            Err(InputError::Empty { .. })
        ));

        let p = tmp(
            "date.csv",
            b"id,given_name,date_of_birth\n1,Ivan,2001-01-01\n2,Olha,soon\n",
        );
        let e = read_csv(&p, "id", &[], 2024)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("date.csv") && e.contains("row 3") && e.contains("date_of_birth"),
            "{e}"
        );

        let p = tmp("enc.csv", b"id,surname\n1,\xcf\xf0\xe8\n");
        let e = read_csv(&p, "id", &[], 2024)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("row 2") && e.contains("surname") && e.contains("UTF-8"),
            "{e}"
        );

        let p = tmp("map.csv", b"id,name\n1,x\n");
        let map = parse_map(&["given_name=first".to_string()]).unwrap();
        let e = read_csv(&p, "id", &map, 2024)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("'first'") && e.contains("given_name"), "{e}");

        let p = tmp("utf16.csv", b"\xFF\xFEi\0d\0");
        let e = read_csv(&p, "id", &[], 2024)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("UTF-8") && e.contains("row 1"), "{e}");

        let p = tmp("ragged.csv", b"id,surname\n1,a\n2,b,c\n");
        let e = read_csv(&p, "id", &[], 2024)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("row 3"), "{e}");
    }

    #[test]
    fn atomic_write_leaves_no_partial_file() {
        let p = tmp("out.csv", b"");
        let _ = std::fs::remove_file(&p);
        let r = write_atomic(&p, |w: &mut dyn Write| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("interrupted"))
        });
        assert!(r.is_err());
        assert!(!p.exists());
        write_atomic(&p, |w: &mut dyn Write| w.write_all(b"ok")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"ok");
    }
}
