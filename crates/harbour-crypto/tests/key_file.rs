//! Master key files: creation, permissions, parsing.

use std::fs;
use std::path::Path;

use harbour_crypto::{CryptoError, DataKey, MasterKey, KEY_FILE_PREFIX};

fn key_file_error(path: &Path) -> String {
    match MasterKey::load(path) {
        Err(CryptoError::KeyFile(msg)) => msg,
        other => panic!("expected KeyFile error, got {other:?}"),
    }
}

/// Write `contents` with mode 0600 so only the format is under test.
fn write_private(path: &Path, contents: &[u8]) {
    fs::write(path, contents).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn write_new_then_load_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    let written = MasterKey::write_new(&path).unwrap();
    let loaded = MasterKey::load(&path).unwrap();
    assert_eq!(written.id(), loaded.id());

    // Same key, not just same id: a wrapping by one unwraps with the other.
    let wrapped = written.wrap(&DataKey::generate(), b"case:1").unwrap();
    assert!(loaded.unwrap_key(&wrapped, b"case:1").is_ok());
}

#[test]
fn key_file_has_the_documented_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    MasterKey::write_new(&path).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.len(), KEY_FILE_PREFIX.len() + 64 + 1);
    let hex_part = text
        .strip_prefix("harbour-master-key-v1:")
        .and_then(|t| t.strip_suffix('\n'))
        .unwrap();
    assert_eq!(hex_part.len(), 64);
    let raw: [u8; 32] = hex::decode(hex_part).unwrap().try_into().unwrap();
    assert_eq!(
        MasterKey::from_bytes(raw).id(),
        MasterKey::load(&path).unwrap().id()
    );
}

#[cfg(unix)]
#[test]
fn created_key_files_are_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.key");
    MasterKey::write_new(&a).unwrap();
    assert_eq!(mode(&a), 0o600);
    let b = dir.path().join("b.key");
    let (_, created) = MasterKey::load_or_create(&b).unwrap();
    assert!(created);
    assert_eq!(mode(&b), 0o600);
}

#[cfg(unix)]
#[test]
fn load_refuses_files_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    let key = MasterKey::write_new(&path).unwrap();
    for bad in [0o644, 0o640, 0o604, 0o660, 0o602, 0o610, 0o601] {
        fs::set_permissions(&path, fs::Permissions::from_mode(bad)).unwrap();
        let msg = key_file_error(&path);
        assert!(msg.contains(&format!("{bad:04o}")), "{msg}");
        assert!(msg.contains("chmod 600"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        // load_or_create must not "fix" it by making a new key either.
        assert!(matches!(
            MasterKey::load_or_create(&path),
            Err(CryptoError::KeyFile(_))
        ));
    }
    // Owner-only modes stricter than 0600 are fine.
    for ok in [0o600, 0o400] {
        fs::set_permissions(&path, fs::Permissions::from_mode(ok)).unwrap();
        assert_eq!(MasterKey::load(&path).unwrap().id(), key.id());
    }
}

#[test]
fn load_or_create_creates_once_then_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    let (first, created) = MasterKey::load_or_create(&path).unwrap();
    assert!(created);
    let before = fs::read(&path).unwrap();
    let (second, created) = MasterKey::load_or_create(&path).unwrap();
    assert!(!created);
    assert_eq!(first.id(), second.id());
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn creation_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    MasterKey::load_or_create(&path).unwrap();
    MasterKey::load_or_create(&path).unwrap();
    assert!(MasterKey::write_new(&path).is_err());
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("harbour.key")]);
}

#[test]
fn concurrent_load_or_create_agrees_on_one_key() {
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = std::sync::Arc::new(dir.path().join("harbour.key"));
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    let (key, created) = MasterKey::load_or_create(&path).unwrap();
                    (key.id().to_owned(), created)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
        assert!(
            results.iter().all(|(id, _)| *id == results[0].0),
            "{results:?}"
        );
    }
}

#[test]
fn load_or_create_never_overwrites_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    for contents in [&b""[..], b"garbage\n", b"harbour-master-key-v1:abcd\n"] {
        write_private(&path, contents);
        assert!(matches!(
            MasterKey::load_or_create(&path),
            Err(CryptoError::KeyFile(_))
        ));
        assert_eq!(fs::read(&path).unwrap(), contents, "file was modified");
    }
}

#[test]
fn write_new_refuses_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    let original = MasterKey::write_new(&path).unwrap();
    let before = fs::read(&path).unwrap();
    match MasterKey::write_new(&path) {
        Err(CryptoError::Io(e)) => {
            assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
        other => panic!("expected Io(AlreadyExists), got {other:?}"),
    }
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(MasterKey::load(&path).unwrap().id(), original.id());
}

#[cfg(unix)]
#[test]
fn load_or_create_does_not_write_through_a_dangling_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere.key");
    let link = dir.path().join("harbour.key");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(MasterKey::load_or_create(&link).is_err());
    assert!(!target.exists());
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.key");
    match MasterKey::load(&path) {
        Err(CryptoError::Io(e)) => {
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
            let shown = CryptoError::Io(e).to_string();
            assert!(shown.contains("nope.key"), "{shown}");
        }
        other => panic!("expected Io(NotFound), got {other:?}"),
    }
}

#[test]
fn missing_directory_is_an_io_error_for_creation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("harbour.key");
    assert!(matches!(
        MasterKey::load_or_create(&path),
        Err(CryptoError::Io(_))
    ));
}

#[test]
fn bad_files_give_clear_errors_without_key_material() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    let hex64 = "0123456789abcdef".repeat(4);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "empty"),
        (
            format!("harbour-master-key-v2:{hex64}\n").into_bytes(),
            "not a Harbour master key file",
        ),
        (
            format!("{hex64}\n").into_bytes(),
            "not a Harbour master key file",
        ),
        (
            format!(" harbour-master-key-v1:{hex64}\n").into_bytes(),
            "not a Harbour master key file",
        ),
        (
            format!("harbour-master-key-v1:{}\n", &hex64[..62]).into_bytes(),
            "found 62",
        ),
        (
            format!("harbour-master-key-v1:{hex64}00\n").into_bytes(),
            "found 66",
        ),
        (
            format!("harbour-master-key-v1:{hex64}\n\n").into_bytes(),
            "found 65",
        ),
        (
            format!("harbour-master-key-v1:{hex64} \n").into_bytes(),
            "found 65",
        ),
        (
            format!("harbour-master-key-v1:{}zz\n", &hex64[..62]).into_bytes(),
            "not hexadecimal",
        ),
        (vec![b'a'; 4096], "too large"),
    ];
    for (contents, expected) in cases {
        write_private(&path, &contents);
        let msg = key_file_error(&path);
        assert!(
            msg.contains(expected),
            "for {:?}: {msg}",
            String::from_utf8_lossy(&contents[..contents.len().min(40)])
        );
        assert!(msg.contains("harbour.key"), "{msg}");
        assert!(!msg.contains(&hex64[..16]), "key material in error: {msg}");
    }
}

#[test]
fn tolerates_missing_final_newline_and_crlf_and_uppercase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour.key");
    let raw = [0x5Cu8; 32];
    let expected = MasterKey::from_bytes(raw);
    let lower = hex::encode(raw);
    let upper = lower.to_uppercase();
    for text in [
        format!("harbour-master-key-v1:{lower}"),
        format!("harbour-master-key-v1:{lower}\r\n"),
        format!("harbour-master-key-v1:{upper}\n"),
    ] {
        write_private(&path, text.as_bytes());
        assert_eq!(MasterKey::load(&path).unwrap().id(), expected.id());
    }
}

#[test]
fn directory_is_not_a_key_file() {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    }
    assert!(MasterKey::load(dir.path()).is_err());
}
