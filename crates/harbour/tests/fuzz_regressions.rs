//! Replays every input kept under `fuzz/regressions/<target>/` (crashes cargo-fuzz once found,
//! see fuzz/run.sh) and every seed under `fuzz/seeds/<target>/` through the same harness the
//! fuzz targets use, so a fixed crash stays fixed in plain `cargo test`.

include!("../../../fuzz/harness.rs");

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("json_inputs", json_inputs),
    ("policy_toml", policy_toml),
    ("indicator_toml", indicator_toml),
    ("match_csv", match_csv),
    ("pdq_bank", pdq_bank),
    ("pdq_image", pdq_image),
    ("webauthn", webauthn),
];

fn fuzz_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

#[test]
fn every_fuzz_target_has_a_cargo_fuzz_binary_and_a_regression_folder() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for (name, _) in TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} missing from fuzz/Cargo.toml"
        );
        assert!(
            fuzz_dir().join("regressions").join(name).is_dir(),
            "fuzz/regressions/{name}/"
        );
        let seeds = std::fs::read_dir(fuzz_dir().join("seeds").join(name))
            .unwrap()
            .count();
        assert!(seeds > 0, "fuzz/seeds/{name}/ has a starting input");
    }
}

#[test]
fn kept_crashes_and_seeds_replay_without_panicking() {
    let mut replayed = 0;
    for (name, target) in TARGETS {
        for folder in ["regressions", "seeds"] {
            let dir = fuzz_dir().join(folder).join(name);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.file_name().is_some_and(|n| n == ".gitkeep") {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(outcome.is_ok(), "{} panics again", path.display());
                replayed += 1;
            }
        }
    }
    assert!(replayed >= TARGETS.len(), "replayed {replayed} inputs");
}
