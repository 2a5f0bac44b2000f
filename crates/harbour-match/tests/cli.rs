//! The CLI as a library function: link, dedupe, query, bad input.

use std::path::PathBuf;
use std::process::ExitCode;

use harbour_match::cli::run_cli;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hm-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

const A: &str = "rec_id, given_name, surname, date_of_birth, postcode, soc_sec_id\n\
rec-1-org, mitchell, green, 19560409, 2119, 1804974\n\
rec-2-org, harley, mccarthy, 19080419, 3165, 6089216\n\
rec-3-org, olivia, brown, 19900101, 2000, 1111111\n\
rec-4-org, james, smith, 19851212, 4000, 2222222\n";
const B: &str = "rec_id, given_name, surname, date_of_birth, postcode, soc_sec_id\n\
rec-1-dup-0, mitchel, green, 19560409, 2119, 1804974\n\
rec-2-dup-0, harley, mccarthy, 19080491, 3165, 6089216\n\
rec-9-org, zoe, lee, 19700707, 5000, 3333333\n";

fn run(args: &[&str]) -> ExitCode {
    let mut v = vec!["harbour-match"];
    v.extend_from_slice(args);
    run_cli(v)
}

#[test]
fn link_writes_pairs_with_explanations() {
    let d = dir("link");
    let (a, b, out) = (d.join("a.csv"), d.join("b.csv"), d.join("pairs.csv"));
    std::fs::write(&a, A).expect("write");
    std::fs::write(&b, B).expect("write");
    let code = run(&[
        "link",
        a.to_str().unwrap_or(""),
        b.to_str().unwrap_or(""),
        "--id",
        "rec_id",
        "--out",
        out.to_str().unwrap_or(""),
        "--threshold",
        "0.01",
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    let text = std::fs::read_to_string(&out).expect("output written");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id_a,id_b,probability,match_weight,explanation")
    );
    let first = lines.next().unwrap_or("");
    assert!(
        first.starts_with("rec-1-org,rec-1-dup-0,") || first.starts_with("rec-2-org,rec-2-dup-0,"),
        "{text}"
    );
    assert!(text.contains("surname: same"), "{text}");
    // JSON output.
    let jout = d.join("pairs.json");
    let code = run(&[
        "link",
        a.to_str().unwrap_or(""),
        b.to_str().unwrap_or(""),
        "--id",
        "rec_id",
        "--out",
        jout.to_str().unwrap_or(""),
        "--json",
        "--threshold",
        "0.01",
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&jout).expect("json")).expect("valid json");
    assert!(v
        .as_array()
        .is_some_and(|a| !a.is_empty() && a[0]["fields"].is_array()));
}

#[test]
fn dedupe_with_clusters_and_map() {
    let d = dir("dedupe");
    let (a, out, cl) = (d.join("a.csv"), d.join("pairs.csv"), d.join("clusters.csv"));
    std::fs::write(
        &a,
        "key,first,last,born\n1,Oleksandr,Kovalenko,2015-03-04\n2,Олександр,Коваленко,04.03.2015\n3,Iryna,Bondar,2012-01-01\n4,Petro,Melnyk,2010-05-05\n",
    )
    .expect("write");
    let code = run(&[
        "dedupe",
        a.to_str().unwrap_or(""),
        "--id",
        "key",
        "--map",
        "given_name=first",
        "--map",
        "surname=last",
        "--map",
        "date_of_birth=born",
        "--out",
        out.to_str().unwrap_or(""),
        "--clusters",
        cl.to_str().unwrap_or(""),
        "--threshold",
        "0.01",
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    let pairs = std::fs::read_to_string(&out).expect("pairs");
    assert!(
        pairs.lines().nth(1).is_some_and(|l| l.starts_with("1,2,")),
        "{pairs}"
    );
    let clusters = std::fs::read_to_string(&cl).expect("clusters");
    assert!(clusters.contains("2,1"), "{clusters}");
}

#[test]
fn bad_input_fails_without_writing_output() {
    let d = dir("bad");
    let (a, out) = (d.join("a.csv"), d.join("pairs.csv"));
    std::fs::write(
        &a,
        "id,given_name,date_of_birth\n1,Ivan,2001-01-01\n2,Olha,31/31/31/31\n",
    )
    .expect("write");
    let code = run(&[
        "dedupe",
        a.to_str().unwrap_or(""),
        "--id",
        "id",
        "--out",
        out.to_str().unwrap_or(""),
    ]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(!out.exists());
    std::fs::write(&a, "").expect("write");
    assert_eq!(
        run(&[
            "dedupe",
            a.to_str().unwrap_or(""),
            "--id",
            "id",
            "--out",
            out.to_str().unwrap_or("")
        ]),
        ExitCode::FAILURE
    );
    assert_eq!(
        run(&["dedupe", a.to_str().unwrap_or(""), "--id", "id"]),
        ExitCode::from(2)
    );
    assert!(!out.exists());
}

#[test]
fn query_one_record() {
    let d = dir("query");
    let a = d.join("a.csv");
    std::fs::write(
        &a,
        "id,given_name,surname,date_of_birth\n1,Oleksandr,Kovalenko,2015-03-04\n2,Iryna,Bondar,2012-01-01\n3,Oleksandr,Kovalenko,2015-03-04\n",
    )
    .expect("write");
    let code = run(&[
        "query",
        a.to_str().unwrap_or(""),
        "--id",
        "id",
        "--set",
        "given_name=Сашко",
        "--set",
        "surname=Коваленко",
        "--set",
        "age=9",
        "--reference-year",
        "2024",
        "--json",
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(
        run(&[
            "query",
            a.to_str().unwrap_or(""),
            "--id",
            "id",
            "--set",
            "nonsense"
        ]),
        ExitCode::FAILURE
    );
}
