//! The browser test (issue 10.4): the server (API and web interface) on 127.0.0.1:0 over
//! a store with the patient monitor and its findings; headless Chromium (Debian's
//! `chromium`) driven by playwright-core (`tests/browser/run.mjs`) logs in, uploads an
//! SBOM, triages a finding, records a test result with an evidence file and downloads
//! the report, asserting on each page and saving a screenshot of each. Then this test
//! checks that the store really changed and that the screenshots are PNG files.
//!
//! Needs `node`, `/usr/bin/chromium` and `npm ci` run in `tests/browser`
//! (`scripts/test-all.sh` installs all three); without them it fails and says so.
//! Screenshots go to `MEDSEC_BROWSER_SCREENSHOTS`, else `target/browser-screenshots`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use medsec_store::accounts::Role;
use sha2::{Digest, Sha256};

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("MEDSEC_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to run the browser test, each with how to install it.
fn missing_tools() -> Vec<String> {
    let mut missing = Vec::new();
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        missing.push("node: `apt-get install nodejs npm`".to_owned());
    }
    if !chromium().is_file() {
        missing.push(format!(
            "{}: `apt-get install chromium` (Debian's package; no downloaded browser)",
            chromium().display()
        ));
    }
    if !browser_dir()
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        missing.push(format!(
            "playwright-core: `npm ci` in {}",
            browser_dir().display()
        ));
    }
    missing
}

fn screenshot_dir() -> PathBuf {
    match std::env::var_os("MEDSEC_BROWSER_SCREENSHOTS") {
        Some(d) => PathBuf::from(d),
        // CARGO_TARGET_TMPDIR is TARGET/tmp.
        None => Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
            .join("browser-screenshots"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_logs_in_uploads_triages_records_and_downloads() {
    let missing = missing_tools();
    assert!(
        missing.is_empty(),
        "the browser test cannot run; install: {}",
        missing.join("; ")
    );
    let f = support::fixture().await;
    let version = f.a.version;
    let email = f.a.email(Role::Admin);

    // The inputs the browser uploads: a regenerated SBOM (same components, new bytes,
    // so a second revision) and an evidence file.
    let inputs = f.dir.path().join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let sbom_name = "sbom/hl7-gateway.cdx.json";
    let original =
        std::fs::read(support::examples().join("patient-monitor").join(sbom_name)).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&original).unwrap();
    let regenerated = serde_json::to_vec(&value).unwrap();
    assert_ne!(
        regenerated, original,
        "the regenerated SBOM must differ in bytes"
    );
    let sbom_file = inputs.join("hl7-gateway.cdx.json");
    std::fs::write(&sbom_file, &regenerated).unwrap();
    let evidence_file = inputs.join("port-scan-report.txt");
    let evidence = b"Nmap scan report for 10.0.0.5\nPORT 2575/tcp open hl7\n".to_vec();
    std::fs::write(&evidence_file, &evidence).unwrap();
    let rationale = format!(
        "browser test rationale {}",
        jiff::Timestamp::now().as_millisecond()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = f
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let shots = screenshot_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let run = tokio::process::Command::new("node")
        .arg(browser_dir().join("run.mjs"))
        .arg(format!("http://{addr}"))
        .arg(&shots)
        .env("MEDSEC_TEST_EMAIL", &email)
        .env("MEDSEC_TEST_PASSWORD", support::PASSWORD)
        .env("MEDSEC_SBOM_FILE", &sbom_file)
        .env("MEDSEC_SBOM_NAME", sbom_name)
        .env("MEDSEC_EVIDENCE_FILE", &evidence_file)
        .env("MEDSEC_RATIONALE", &rationale)
        .env("MEDSEC_CHROMIUM", chromium())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(600), run)
        .await
        .expect("the browser test finishes within 10 minutes")
        .expect("node starts");
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser run failed ({}):\n{stdout}\n{stderr}",
        output.status
    );

    // The store changed as the pages said.
    let (_, decisions) = f.store.product_decisions(version).await.unwrap();
    let decision = decisions
        .iter()
        .find(|d| d.rationale == rationale)
        .expect("the triage decision is recorded");
    assert_eq!(decision.state.as_str(), "not_affected");
    assert!(
        decision.author.starts_with("account:"),
        "{}",
        decision.author
    );
    assert!(decision.author.ends_with(&email), "{}", decision.author);

    let info = f.store.version_info(version).await.unwrap().unwrap();
    let key = medsec_catalog::results::DeviceKey {
        manufacturer: info.name.organisation.clone(),
        name: info.name.product.clone(),
        version: info.name.version.clone(),
    };
    let results = f.store.test_results(&key).await.unwrap();
    let result = results.last().expect("the test result is recorded");
    assert_eq!(result.outcome.as_str(), "fail");
    assert_eq!(result.tester, "Browser Test");
    assert_eq!(result.tools, ["nmap 7.94", "burp 2024.1"]);
    let sha = medsec_server::auth::hex(&Sha256::digest(&evidence));
    assert_eq!(result.evidence.len(), 1);
    assert_eq!(result.evidence[0].sha256, sha);
    assert_eq!(
        f.store.evidence_file(&sha).await.unwrap().as_deref(),
        Some(&evidence[..])
    );

    let docs = f.store.documents(version, true).await.unwrap();
    let revision = docs
        .iter()
        .find(|d| d.name == sbom_name && d.revision == 2)
        .expect("the uploaded SBOM is the second revision");
    assert_eq!(
        revision.sha256,
        medsec_server::auth::hex(&Sha256::digest(&regenerated))
    );

    let audit = f.store.audit_entries(Some(f.a.id), 0, 1000).await.unwrap();
    for kind in ["document", "triage-decision", "test-result"] {
        let entry = audit
            .iter()
            .find(|e| e.record_kind == kind && e.actor.ends_with(&email))
            .unwrap_or_else(|| panic!("an audit entry for the {kind} by {email}"));
        if kind == "document" {
            assert_eq!(
                entry.reason.as_deref(),
                Some("browser test: regenerated SBOM")
            );
        }
    }
    assert!(f.store.audit_verify().await.unwrap().is_intact());

    // Every page's screenshot, and the report downloaded.
    let expected = [
        "01-login-refused",
        "02-dashboard",
        "03-device",
        "04-device-filtered",
        "05-sbom-uploaded",
        "06-findings",
        "07-finding-triaged",
        "08-test-result",
        "09-report",
        "10-audit",
        "11-logged-out",
    ];
    for name in expected {
        let path = shots.join(format!("{name}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(bytes.len() > 1000, "{} is nearly empty", path.display());
        assert_eq!(
            &bytes[..8],
            b"\x89PNG\r\n\x1a\n",
            "{} is not a PNG",
            path.display()
        );
    }
    let zip_bytes = std::fs::read(shots.join("report.zip")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    for file in ["report.html", "report.md", "report.json", "report.pdf"] {
        assert!(
            names.iter().any(|n| n.ends_with(&format!("/{file}"))),
            "{file} in {names:?}"
        );
    }
    let mut json = String::new();
    {
        use std::io::Read as _;
        let name = names
            .iter()
            .find(|n| n.ends_with("/report.json"))
            .unwrap()
            .clone();
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut json)
            .unwrap();
    }
    assert!(
        json.contains(&rationale),
        "the report holds the triage decision in force"
    );
    println!("screenshots in {}", shots.display());
}
