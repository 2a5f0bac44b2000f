//! Loading and validation: every rejection names the file, the line and the reason; a national
//! administrator adds or changes lists by data alone.

use std::path::{Path, PathBuf};

use harbour_indicators::{
    Catalogue, DimensionId, IndicatorList, Lang, LoadError, LoadErrorKind, PersonMinority,
    Population, Strength,
};

const ADULT_LABOUR: &str = include_str!("../../../data/indicators/adult_labour.toml");

/// A fresh temporary directory (no extra crate needed), removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p =
            std::env::temp_dir().join(format!("harbour-indicators-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn write(&self, file: &str, text: &str) -> PathBuf {
        let p = self.0.join(file);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn load(text: &str) -> Result<IndicatorList, LoadError> {
    IndicatorList::from_toml_str("national/bad.toml", text)
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap();
    text[..at].matches('\n').count() + 1
}

/// Line of the `[[indicators]]` header that opens the entry containing `needle`.
fn entry_line(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap();
    let header = text[..at].rfind("[[indicators]]").unwrap();
    text[..header].matches('\n').count() + 1
}

#[test]
fn missing_strength_names_file_line_and_field() {
    let bad = ADULT_LABOUR.replacen(
        "id = \"rec_deceit_contract\"\ndimension = \"deceptive_recruitment\"\nstrength = \"medium\"\n",
        "id = \"rec_deceit_contract\"\ndimension = \"deceptive_recruitment\"\n",
        1,
    );
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(&e.kind, LoadErrorKind::MissingField { field: "strength", what } if what == "indicator `rec_deceit_contract`")
    );
    assert_eq!(e.file, Path::new("national/bad.toml"));
    assert_eq!(
        e.line,
        Some(entry_line(&bad, "id = \"rec_deceit_contract\""))
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("national/bad.toml:{}: ", e.line.unwrap())),
        "{msg}"
    );
    assert!(msg.contains("missing `strength`"), "{msg}");
}

#[test]
fn unknown_dimension() {
    let bad = ADULT_LABOUR.replacen(
        "dimension = \"exploitation\"",
        "dimension = \"exploitaton\"",
        1,
    );
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(&e.kind, LoadErrorKind::UnknownDimension { value, .. } if value == "exploitaton")
    );
    assert_eq!(e.line, Some(line_of(&bad, "dimension = \"exploitaton\"")));
}

#[test]
fn invalid_strength() {
    let bad = ADULT_LABOUR.replacen("strength = \"weak\"", "strength = \"very weak\"", 1);
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(&e.kind, LoadErrorKind::InvalidStrength { value, .. } if value == "very weak")
    );
    assert_eq!(e.line, Some(line_of(&bad, "very weak")));
}

#[test]
fn duplicate_indicator_id_points_at_both_entries() {
    let bad = ADULT_LABOUR.replacen(
        "id = \"rec_deceit_contract\"",
        "id = \"rec_deceit_conditions\"",
        1,
    );
    let e = load(&bad).unwrap_err();
    let first = line_of(&bad, "id = \"rec_deceit_conditions\"");
    match &e.kind {
        LoadErrorKind::DuplicateId {
            what: "indicator",
            id,
            first_line,
        } => {
            assert_eq!(id, "rec_deceit_conditions");
            assert_eq!(
                *first_line,
                entry_line(&bad, "id = \"rec_deceit_conditions\"")
            );
        }
        k => panic!("{k:?}"),
    }
    assert!(e.line.unwrap() > first);
}

#[test]
fn duplicate_dimension() {
    let bad = ADULT_LABOUR.replacen(
        "id = \"coercive_recruitment\"",
        "id = \"deceptive_recruitment\"",
        1,
    );
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(
            &e.kind,
            LoadErrorKind::DuplicateId {
                what: "dimension",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn missing_dimension() {
    let at = ADULT_LABOUR
        .find("[[dimensions]]\nid = \"exploitation\"")
        .unwrap();
    let end = at + ADULT_LABOUR[at..].find("\n\n").unwrap();
    let bad = format!("{}{}", &ADULT_LABOUR[..at], &ADULT_LABOUR[end + 2..]);
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(
            e.kind,
            LoadErrorKind::MissingDimension {
                dimension: DimensionId::Exploitation
            }
        ),
        "{e}"
    );
}

#[test]
fn missing_translation_names_the_language() {
    let bad = ADULT_LABOUR.replacen(", ru = \"Обман относительно условий труда\"", "", 1);
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(&e.kind, LoadErrorKind::MissingTranslation { lang: Lang::Ru, what } if what == "indicator `rec_deceit_conditions`")
    );
    assert_eq!(
        e.line,
        Some(line_of(&bad, "Deceived about conditions of work"))
    );
    // A blank label is as missing as an absent one.
    let bad = ADULT_LABOUR.replacen("uk = \"Обман щодо умов праці\"", "uk = \"  \"", 1);
    let e = load(&bad).unwrap_err();
    assert!(matches!(
        e.kind,
        LoadErrorKind::MissingTranslation { lang: Lang::Uk, .. }
    ));
    // A dimension label too.
    let bad = ADULT_LABOUR.replacen(", uk = \"Вербування із застосуванням примусу\"", "", 1);
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(&e.kind, LoadErrorKind::MissingTranslation { lang: Lang::Uk, what } if what == "dimension `coercive_recruitment`")
    );
}

#[test]
fn empty_list() {
    let head = &ADULT_LABOUR[..ADULT_LABOUR.find("[[indicators]]").unwrap()];
    let e = load(head).unwrap_err();
    assert!(
        matches!(e.kind, LoadErrorKind::Empty { what: "indicators" }),
        "{e}"
    );
    assert_eq!(e.line, None);
    assert!(e.to_string().starts_with("national/bad.toml: "));
}

#[test]
fn wrong_version_format() {
    for v in ["1.0", "v1.0.0", "1.0.0-beta", "01.0.0", "", "1..0"] {
        let bad = ADULT_LABOUR.replacen("version = \"1.0.0\"", &format!("version = \"{v}\""), 1);
        let e = load(&bad).unwrap_err();
        assert!(
            matches!(&e.kind, LoadErrorKind::InvalidVersion { version } if version == v),
            "{v}: {e}"
        );
        assert_eq!(e.line, Some(line_of(&bad, "version =")));
    }
    for v in ["2.0.0", "2026.11.0", "10.20.30"] {
        let ok = ADULT_LABOUR.replacen("version = \"1.0.0\"", &format!("version = \"{v}\""), 1);
        assert_eq!(load(&ok).unwrap().version(), v);
    }
}

#[test]
fn missing_top_level_fields_and_bad_values() {
    let bad = ADULT_LABOUR.replacen("version = \"1.0.0\"\n", "", 1);
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::MissingField {
            field: "version",
            ..
        }
    ));
    let bad = ADULT_LABOUR.replacen("population = \"adult\"", "population = \"elderly\"", 1);
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::InvalidPopulation { .. }
    ));
    let bad = ADULT_LABOUR.replacen("id = \"adult_labour\"", "id = \"Adult-Labour\"", 1);
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::InvalidId { .. }
    ));
    let bad = ADULT_LABOUR.replacen("id = \"rec_deceit_contract\"", "id = \"rec__contract\"", 1);
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::InvalidId { .. }
    ));
}

#[test]
fn typos_and_syntax_errors_are_reported_with_their_line() {
    let bad = ADULT_LABOUR.replacen("strength = \"medium\"", "strenght = \"medium\"", 1);
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(&e.kind, LoadErrorKind::Syntax(m) if m.contains("strenght")),
        "{e}"
    );
    assert_eq!(e.line, Some(line_of(&bad, "strenght")));
    let bad = ADULT_LABOUR.replacen("strength = \"medium\"", "strength = medium", 1);
    let e = load(&bad).unwrap_err();
    assert!(matches!(e.kind, LoadErrorKind::Syntax(_)), "{e}");
    assert_eq!(e.line, Some(line_of(&bad, "strength = medium")));
}

#[test]
fn a_list_that_can_never_indicate_is_rejected() {
    // Demote every exploitation indicator to weak: that dimension can never be positive.
    let mut text = String::new();
    let mut in_exploitation = false;
    for line in ADULT_LABOUR.lines() {
        if line.starts_with("dimension = ") {
            in_exploitation = line == "dimension = \"exploitation\"";
        }
        if in_exploitation && line.starts_with("strength = ") {
            text.push_str("strength = \"weak\"\n");
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    let e = load(&text).unwrap_err();
    assert!(
        matches!(&e.kind, LoadErrorKind::CannotIndicate { reason } if reason.contains("exploitation")),
        "{e}"
    );
}

#[test]
fn missing_directory_is_an_io_error_naming_it() {
    let e = Catalogue::load_dir("/nonexistent/harbour/indicators").unwrap_err();
    assert!(matches!(e.kind, LoadErrorKind::Io(_)));
    assert_eq!(e.file, Path::new("/nonexistent/harbour/indicators"));
}

/// A national list with no Delphi counterpart, added by dropping a file in the directory.
const FORCED_CRIMINALITY: &str = r#"
id = "adult_forced_criminality"
version = "0.1.0"
population = "adult"
exploitation = "forced_criminality"
title = { en = "Adults — forced criminality", uk = "Дорослі — примушування до злочинної діяльності", ru = "Взрослые — принуждение к преступной деятельности" }

[[dimensions]]
id = "deceptive_recruitment"
label = { en = "Deceptive recruitment", uk = "Вербування шляхом обману", ru = "Вербовка путём обмана" }
[[dimensions]]
id = "coercive_recruitment"
label = { en = "Coercive recruitment", uk = "Вербування із застосуванням примусу", ru = "Вербовка с применением принуждения" }
[[dimensions]]
id = "recruitment_abuse_of_vulnerability"
label = { en = "Recruitment by abuse of vulnerability", uk = "Вербування шляхом зловживання уразливим становищем", ru = "Вербовка путём злоупотребления уязвимым положением" }
[[dimensions]]
id = "exploitation"
label = { en = "Exploitation", uk = "Експлуатація", ru = "Эксплуатация" }
[[dimensions]]
id = "coercion_at_destination"
label = { en = "Coercion at destination", uk = "Примус у місці призначення", ru = "Принуждение в месте назначения" }
[[dimensions]]
id = "abuse_of_vulnerability_at_destination"
label = { en = "Abuse of vulnerability at destination", uk = "Зловживання уразливим становищем у місці призначення", ru = "Злоупотребление уязвимым положением в месте назначения" }

[[indicators]]
id = "rec_deceit_job"
dimension = "deceptive_recruitment"
strength = "strong"
label = { en = "Deceived about the nature of the job", uk = "Обман щодо характеру роботи", ru = "Обман относительно характера работы" }
[[indicators]]
id = "rec_deceit_wages"
dimension = "deceptive_recruitment"
strength = "medium"
label = { en = "Deceived about wages", uk = "Обман щодо заробітку", ru = "Обман относительно заработка" }
[[indicators]]
id = "exploitation_forced_to_steal"
dimension = "exploitation"
strength = "strong"
label = { en = "Made to steal, shoplift or pickpocket", uk = "Змушують красти", ru = "Заставляют воровать" }
[[indicators]]
id = "exploitation_proceeds_taken"
dimension = "exploitation"
strength = "medium"
label = { en = "Proceeds taken by others", uk = "Виручку забирають інші", ru = "Выручку забирают другие" }
[[indicators]]
id = "dest_coercion_threats"
dimension = "coercion_at_destination"
strength = "strong"
label = { en = "Threats of violence", uk = "Погрози насильством", ru = "Угрозы насилием" }
[[indicators]]
id = "dest_coercion_documents"
dimension = "coercion_at_destination"
strength = "strong"
label = { en = "Confiscation of documents", uk = "Відібрання документів", ru = "Отбирание документов" }
"#;

#[test]
fn administrator_adds_a_list_from_a_directory() {
    let dir = TempDir::new("add");
    dir.write("forced_criminality.toml", FORCED_CRIMINALITY);
    dir.write("README.txt", "not a list; ignored");
    let cat = Catalogue::load_dir(&dir.0).unwrap();
    assert_eq!(cat.lists().len(), 5);
    let l = cat.get("adult_forced_criminality").unwrap();
    assert_eq!(l.population(), Population::Adult);
    assert_eq!(
        cat.origin("adult_forced_criminality"),
        Some(dir.0.join("forced_criminality.toml").as_path())
    );
    // Chosen automatically and screened with the same rule.
    let chosen = cat
        .select(PersonMinority::Adult, "forced_criminality")
        .unwrap();
    assert_eq!(chosen.id(), "adult_forced_criminality");
    let r = cat
        .screen(
            "adult_forced_criminality",
            &[
                "rec_deceit_job",
                "rec_deceit_wages",
                "exploitation_forced_to_steal",
                "exploitation_proceeds_taken",
                "dest_coercion_threats",
                "dest_coercion_documents",
            ],
            PersonMinority::Adult,
        )
        .unwrap();
    assert!(r.indicated);
    assert_eq!(r.list_version, "0.1.0");
    // No child list for it: a child cannot be screened with the adult one.
    assert!(cat
        .select(PersonMinority::PresumedChild, "forced_criminality")
        .is_err());
}

#[test]
fn administrator_overrides_a_strength_by_data() {
    let dir = TempDir::new("override");
    let changed = ADULT_LABOUR
        .replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1)
        .replacen(
            "id = \"rec_deceit_education\"\ndimension = \"deceptive_recruitment\"\nstrength = \"weak\"",
            "id = \"rec_deceit_education\"\ndimension = \"deceptive_recruitment\"\nstrength = \"medium\"",
            1,
        );
    assert_ne!(changed, ADULT_LABOUR);
    dir.write("adult_labour.toml", &changed);
    let cat = Catalogue::load_dir(&dir.0).unwrap();
    assert_eq!(cat.lists().len(), 4);
    let l = cat.get("adult_labour").unwrap();
    assert_eq!(l.version(), "1.1.0");
    assert_eq!(
        l.indicator("rec_deceit_education").unwrap().strength,
        Strength::Medium
    );
    let r = cat
        .screen(
            "adult_labour",
            &["rec_deceit_education"],
            PersonMinority::Adult,
        )
        .unwrap();
    assert_eq!(r.list_version, "1.1.0");
}

#[test]
fn override_without_a_version_bump_is_rejected() {
    let dir = TempDir::new("nobump");
    let changed = ADULT_LABOUR.replacen(
        "id = \"rec_deceit_education\"\ndimension = \"deceptive_recruitment\"\nstrength = \"weak\"",
        "id = \"rec_deceit_education\"\ndimension = \"deceptive_recruitment\"\nstrength = \"medium\"",
        1,
    );
    let path = dir.write("adult_labour.toml", &changed);
    let e = Catalogue::load_dir(&dir.0).unwrap_err();
    assert!(
        matches!(e.kind, LoadErrorKind::VersionNotChanged { .. }),
        "{e}"
    );
    assert_eq!(e.file, path);
}

#[test]
fn two_files_with_one_id_or_one_selection_are_rejected() {
    let dir = TempDir::new("dup");
    dir.write("a.toml", FORCED_CRIMINALITY);
    dir.write("b.toml", FORCED_CRIMINALITY);
    let e = Catalogue::load_dir(&dir.0).unwrap_err();
    assert!(matches!(e.kind, LoadErrorKind::DuplicateList { .. }), "{e}");

    let dir = TempDir::new("ambiguous");
    dir.write(
        "ua_adult_labour.toml",
        &ADULT_LABOUR.replacen("id = \"adult_labour\"", "id = \"ua_adult_labour\"", 1),
    );
    let e = Catalogue::load_dir(&dir.0).unwrap_err();
    assert!(matches!(e.kind, LoadErrorKind::AmbiguousList { .. }), "{e}");
}

#[test]
fn a_bad_file_in_the_directory_fails_the_whole_load_with_its_name() {
    let dir = TempDir::new("badfile");
    let bad = FORCED_CRIMINALITY.replacen("strength = \"medium\"\n", "", 1);
    let path = dir.write("forced_criminality.toml", &bad);
    let e = Catalogue::load_dir(&dir.0).unwrap_err();
    assert_eq!(e.file, path);
    assert!(matches!(
        e.kind,
        LoadErrorKind::MissingField {
            field: "strength",
            ..
        }
    ));
    assert_eq!(e.line, Some(entry_line(&bad, "id = \"rec_deceit_wages\"")));
}
