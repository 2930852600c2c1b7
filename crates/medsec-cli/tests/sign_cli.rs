//! `medsec key generate`, `medsec report --sign-key`, `medsec sign` and `medsec verify`:
//! a signed report folder verifies; a changed, removed or added file, or another key,
//! makes `verify` exit 1 naming what is wrong; bad key files are refused with a code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn medsec(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("medsec").unwrap();
    cmd.current_dir(root())
        .env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL");
    cmd
}

fn run(home: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = medsec(home).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_signed_report_verifies_and_tampering_is_caught() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("keys/qa.pem");
    let public = dir.path().join("keys/qa.pub.pem");
    let other = dir.path().join("keys/other.pem");
    let other_public = dir.path().join("keys/other.pub.pem");
    let s = |p: &Path| p.to_str().unwrap().to_owned();

    let (code, out, err) = run(h, &["key", "generate", "--out", &s(&key)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("key id"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the private key is readable by others");
    }
    let (code, _, err) = run(h, &["key", "generate", "--out", &s(&key)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("medsec::sign::exists"), "{err}");
    run(h, &["key", "generate", "--out", &s(&other)]);

    let pack = dir.path().join("pack");
    let (code, out, err) = run(
        h,
        &[
            "report",
            "examples/insulin-pump",
            "--no-vulnerabilities",
            "--out",
            &s(&pack),
            "--sign-key",
            &s(&key),
            "--signer",
            "QA, Northwind",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("signed"), "{out}");
    assert!(pack.join("medsec-signature.json").is_file());

    let verify = |public: &Path| run(h, &["verify", &s(&pack), "--public-key", &s(public)]);
    let (code, out, err) = verify(&public);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.starts_with("valid:") && out.contains("QA, Northwind"),
        "{out}"
    );

    let (code, out, _) = verify(&other_public);
    assert_eq!(code, Some(1));
    assert!(out.contains("trusted key is"), "{out}");

    // Tamper: change the Markdown, delete a figure, add a file.
    let md = pack.join("report.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replacen("unacceptable", "acceptable", 1)).unwrap();
    std::fs::remove_file(pack.join("figures/fmea-1.svg")).unwrap();
    std::fs::write(pack.join("notes.txt"), "added").unwrap();
    let (code, out, _) = verify(&public);
    assert_eq!(code, Some(1));
    for expected in [
        "report.md: changed since it was signed",
        "figures/fmea-1.svg: signed but missing",
        "notes.txt: not signed (added after signing)",
    ] {
        assert!(out.contains(expected), "{expected} missing in {out}");
    }
    let (code, out, _) = run(
        h,
        &[
            "verify",
            &s(&pack),
            "--public-key",
            &s(&public),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(1));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["problems"].as_array().unwrap().len(), 3);

    // Re-signing the folder as it is now makes it valid again.
    let (code, _, err) = run(h, &["sign", &s(&pack), "--key", &s(&key)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(verify(&public).0, Some(0));
}

#[test]
fn bad_keys_and_folders_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(
        &junk,
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let folder = dir.path().join("f");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "a").unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    for args in [
        vec!["sign".to_owned(), s(&folder), "--key".into(), s(&junk)],
        vec![
            "verify".to_owned(),
            s(&folder),
            "--public-key".into(),
            s(&junk),
        ],
        vec![
            "report".to_owned(),
            "examples/insulin-pump".into(),
            "--no-vulnerabilities".into(),
            "--out".into(),
            s(&dir.path().join("never")),
            "--sign-key".into(),
            s(&junk),
        ],
    ] {
        let (code, _, err) = run(h, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("medsec::sign"), "{err}");
        assert!(err.contains("junk.pem"), "the key file is named: {err}");
        assert!(!err.contains("panicked"));
    }
    assert!(
        !dir.path().join("never").exists(),
        "no report written with a bad key"
    );
    // Verifying a folder that was never signed names the missing signature file.
    let key = dir.path().join("k.pem");
    run(h, &["key", "generate", "--out", &s(&key)]);
    let (code, _, err) = run(
        h,
        &[
            "verify",
            &s(&folder),
            "--public-key",
            &s(&dir.path().join("k.pub.pem")),
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("medsec-signature.json"), "{err}");
}
