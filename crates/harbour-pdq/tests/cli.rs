//! End-to-end tests of the CLI binary.

use std::path::PathBuf;
use std::process::Command;

fn images() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pdq-reference/images");
    assert!(
        dir.is_dir(),
        "PDQ reference images not found at {}",
        dir.display()
    );
    dir
}

fn run(bank_dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_harbour-pdq"))
        .arg("--bank-dir")
        .arg(bank_dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn hash_prints_reference_format_and_reports_bad_files() {
    let tmp = tempfile::tempdir().unwrap();
    let png = images().join("misc-images/c.png");
    let (code, out, err) = run(
        tmp.path(),
        &["hash", png.to_str().unwrap(), "/nonexistent.png"],
    );
    assert_eq!(code, 1, "a failed file makes the exit code 1");
    assert!(
        out.starts_with("e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064,100,")
    );
    assert!(err.contains("/nonexistent.png"), "{err}");

    let not_image = tmp.path().join("notes.txt");
    std::fs::write(&not_image, "hello").unwrap();
    let (code, _, err) = run(tmp.path(), &["hash", not_image.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("unsupported"), "{err}");

    let (code, out, _) = run(
        tmp.path(),
        &["hash", "--json", "--dihedral", png.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["quality"], 100);
    assert_eq!(v[0]["dihedral"]["original"], v[0]["hash"]);
}

#[test]
fn bank_add_match_remove_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dih = images().join("reg-test-input/dih");
    let orig = dih.join("bridge-1-original.jpg");
    let rot = dih.join("bridge-4-rotate-270.jpg");
    let (code, _, err) = run(
        tmp.path(),
        &[
            "bank",
            "add",
            "--bank",
            "b1",
            "--label",
            "bridge",
            orig.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");

    // The rotated copy matches through a dihedral variant of the query.
    let (code, out, _) = run(
        tmp.path(),
        &["match", "--json", rot.to_str().unwrap(), "--bank", "b1"],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &v["matches"][0];
    assert_eq!(m["label"], "bridge");
    assert!(m["distance"].as_u64().unwrap() <= 31);
    assert_eq!(v["query"]["variants_searched"], 8);

    // Low quality queries are refused.
    let small = images().join("misc-images/small.jpg");
    let (code, _, err) = run(
        tmp.path(),
        &["match", small.to_str().unwrap(), "--bank", "b1"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("quality 0"), "{err}");

    let (code, out, _) = run(
        tmp.path(),
        &["bank", "remove", "--bank", "b1", "--label", "bridge"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("removed 1"));
    let (_, out, _) = run(
        tmp.path(),
        &["match", "--json", rot.to_str().unwrap(), "--bank", "b1"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["matches"].as_array().unwrap().len(),
        0,
        "tombstoned entries never match"
    );

    let (_, out, _) = run(
        tmp.path(),
        &["bank", "list", "--bank", "b1", "--all", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["removed"], true);
}

#[test]
fn usage_errors_and_missing_banks() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, _) = run(tmp.path(), &["match"]);
    assert_eq!(code, 2, "clap usage error");
    let hash = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
    let (code, _, err) = run(tmp.path(), &["match", hash, "--bank", "missing"]);
    assert_eq!(code, 1);
    assert!(err.contains("does not exist"), "{err}");
    let (code, _, err) = run(tmp.path(), &["match", "nothing-here", "--bank", "missing"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a 64-hex-digit"), "{err}");
}

#[test]
fn run_cli_is_callable_as_a_library() {
    // The lead mounts this as `harbour pdq ...`; args[0] is the program name.
    let code = harbour_pdq::cli::run_cli(["harbour pdq", "--help"]);
    assert_eq!(
        format!("{code:?}"),
        format!("{:?}", std::process::ExitCode::SUCCESS)
    );
}
