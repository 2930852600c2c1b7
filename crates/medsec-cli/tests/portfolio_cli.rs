//! `medsec portfolio`, `monitor`, `triage` and `vex export` end to end: versions with
//! their SBOMs, incremental monitoring after an import, findings new and resolved,
//! triage decisions inherited by a later version, VEX in three formats, bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn medsec(home: &Path) -> Command {
    let mut c = Command::cargo_bin("medsec").unwrap();
    c.current_dir(root())
        .env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL");
    c
}

fn json_of(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = medsec(home)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

const ORG: &str = "Halvard Vital Systems AG";
const PRODUCT: &str = "Halvard Vigil Patient Monitoring System";

fn version_args(version: &str) -> Vec<String> {
    vec![
        "--org".into(),
        ORG.into(),
        "--product".into(),
        PRODUCT.into(),
        "--version".into(),
        version.into(),
    ]
}

/// The bundled advisories without the zlib record, in a folder of their own.
fn advisories_without_zlib(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &to.join(entry.file_name()));
            } else if entry.file_name() != "CVE-2022-37434.json" {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }
    let target = dir.join("advisories");
    copy(&root().join("examples/advisories"), &target);
    target
}

#[test]
fn portfolio_monitoring_triage_and_vex() {
    let home = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let h = home.path();
    let partial = advisories_without_zlib(scratch.path());
    medsec(h)
        .args(["db", "import", "-q"])
        .arg(&partial)
        .assert()
        .success();

    // Two products: the patient monitor (from its device folder) and the implant.
    let added = json_of(
        h,
        &[
            "portfolio",
            "add",
            "--device",
            "examples/patient-monitor",
            "--release-date",
            "2025-03-01",
            "--installed-base",
            "1200",
            "--format",
            "json",
        ],
    );
    assert_eq!(added["created"], true);
    assert_eq!(added["version"]["installed_base"], 1200);
    let docs = added["documents"].as_array().unwrap();
    assert_eq!(docs.iter().filter(|d| d["kind"] == "sbom").count(), 3);
    assert_eq!(
        docs.iter().filter(|d| d["kind"] == "device-model").count(),
        1
    );
    medsec(h)
        .args(["portfolio", "add", "--device", "examples/insulin-pump"])
        .assert()
        .success();
    // The same documents again: nothing new is kept.
    let again = json_of(
        h,
        &[
            "portfolio",
            "add",
            "--device",
            "examples/patient-monitor",
            "--format",
            "json",
        ],
    );
    assert_eq!(again["created"], false);
    assert!(
        again["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["added"] == false)
    );

    let first = json_of(h, &["monitor", "--format", "json"]);
    assert_eq!(first["run"]["versions"], 2);
    let new: Vec<&str> = first["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "new")
        .map(|c| c["vulnerability"].as_str().unwrap())
        .collect();
    assert!(new.contains(&"CVE-2023-38545"), "{new:?}");
    assert!(
        !new.contains(&"CVE-2022-37434"),
        "the zlib record is not imported yet"
    );

    // Every component assess scans (SBOM files and the device file's inline components)
    // is monitored.
    let assess = json_of(
        h,
        &["assess", "examples/patient-monitor", "--format", "json"],
    );
    let assessed: u64 = assess["vulnerabilities"]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["components"].as_u64().unwrap())
        .sum();
    let monitored = first["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["product"] == PRODUCT)
        .unwrap()["components"]
        .as_u64()
        .unwrap();
    assert_eq!(monitored, assessed);

    // Nothing changed: nothing is re-matched.
    let idle = json_of(h, &["monitor", "--format", "json"]);
    assert_eq!(idle["run"]["versions"], 0);
    assert!(idle["changes"].as_array().unwrap().is_empty());

    // The zlib record arrives: only the version that ships zlib is re-matched.
    medsec(h)
        .args([
            "db",
            "import",
            "-q",
            "examples/advisories/nvd/CVE-2022-37434.json",
        ])
        .assert()
        .success();
    // --fail-on high: the new critical finding makes the run exit 1.
    let out = medsec(h)
        .args(["monitor", "--format", "json", "--fail-on", "high"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let after: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(after["run"]["versions"], 1);
    let rematched: Vec<&str> = after["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rematched"] == true)
        .map(|v| v["product"].as_str().unwrap())
        .collect();
    assert_eq!(rematched, [PRODUCT]);
    assert!(
        after["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "new" && c["vulnerability"] == "CVE-2022-37434")
    );

    // Triage in 5.1; a later version with the same firmware SBOM inherits it.
    let mut triage = vec!["triage".to_owned()];
    triage.extend(version_args("5.1"));
    triage.extend(
        [
            "--component",
            "pkg:generic/zlib@1.2.11",
            "--vulnerability",
            "CVE-2022-37434",
            "--state",
            "not_affected",
            "--justification",
            "vulnerable_code_not_in_execute_path",
            "--author",
            "psirt@halvard.invalid",
            "--rationale",
            "inflateGetHeader is never called",
            "--adjusted-vector",
            "CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L",
        ]
        .map(String::from),
    );
    medsec(h).args(&triage).assert().success();
    let mut add = vec!["portfolio".to_owned(), "add".to_owned()];
    add.extend(version_args("5.2"));
    add.extend(
        [
            "--sbom",
            "examples/patient-monitor/sbom/monitor-firmware.cdx.json",
            "--release-date",
            "2026-01-10",
        ]
        .map(String::from),
    );
    medsec(h).args(&add).assert().success();
    let run = json_of(h, &["monitor", "--format", "json"]);
    assert_eq!(run["run"]["versions"], 1, "only the new version");
    let mut show = vec!["portfolio".to_owned(), "show".to_owned()];
    show.extend(version_args("5.2"));
    show.extend(["--format", "json"].map(String::from));
    let shown = json_of(h, &show.iter().map(String::as_str).collect::<Vec<_>>());
    let zlib = shown["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["vulnerability"] == "CVE-2022-37434")
        .unwrap();
    assert_eq!(zlib["triage"]["decision"]["state"], "not_affected");
    assert_eq!(zlib["triage"]["inherited_from"], "5.1");
    assert_eq!(zlib["triage"]["decision"]["adjusted_score"], 3.1);

    // An override in 5.2 wins there; 5.1 keeps its own.
    let mut override_ = triage.clone();
    override_[6] = "5.2".into();
    let state_at = override_.iter().position(|a| a == "--state").unwrap();
    override_[state_at + 1] = "affected".into();
    let j = override_
        .iter()
        .position(|a| a == "--justification")
        .unwrap();
    override_.drain(j..j + 2);
    override_.extend(["--action", "Update to firmware 5.3"].map(String::from));
    medsec(h).args(&override_).assert().success();
    let shown = json_of(h, &show.iter().map(String::as_str).collect::<Vec<_>>());
    let zlib = shown["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["vulnerability"] == "CVE-2022-37434")
        .unwrap();
    assert_eq!(zlib["triage"]["decision"]["state"], "affected");
    assert!(zlib["triage"].get("inherited_from").is_none());

    // VEX in three formats.
    for (format, check) in [
        ("openvex", "statements"),
        ("csaf", "vulnerabilities"),
        ("cyclonedx", "vulnerabilities"),
    ] {
        let mut vex = vec!["vex".to_owned(), "export".to_owned()];
        vex.extend(version_args("5.2"));
        vex.extend(
            [
                "--format",
                format,
                "--namespace",
                "https://psirt.halvard.invalid",
            ]
            .map(String::from),
        );
        let doc = json_of(h, &vex.iter().map(String::as_str).collect::<Vec<_>>());
        let text = doc.to_string();
        assert!(
            doc[check].as_array().is_some_and(|a| !a.is_empty()),
            "{format}: {text}"
        );
        assert!(text.contains("CVE-2022-37434"), "{format}");
        assert!(
            text.contains("Update to firmware 5.3"),
            "{format}: the action statement"
        );
    }

    // The stored device model links 5.1's findings to the elements and harms; 5.2 has
    // no device model kept, and says so.
    let mut traced = vec!["portfolio".to_owned(), "show".to_owned()];
    traced.extend(version_args("5.1"));
    traced.extend(["--trace", "--format", "json"].map(String::from));
    let shown = json_of(h, &traced.iter().map(String::as_str).collect::<Vec<_>>());
    let log4j = shown["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["vulnerability"] == "CVE-2021-44228")
        .unwrap();
    assert_eq!(log4j["trace"]["placement"], "placed", "{}", log4j["trace"]);
    assert!(log4j["trace"]["summary"]["rows"].as_u64().unwrap() > 0);
    traced[7] = "5.2".into();
    let shown = json_of(h, &traced.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        shown["trace_not_possible"]
            .as_str()
            .unwrap()
            .contains("no device model")
    );

    let m = json_of(
        h,
        &[
            "portfolio",
            "metrics",
            "--org",
            ORG,
            "--product",
            PRODUCT,
            "--format",
            "json",
        ],
    );
    assert_eq!(m["versions"].as_array().unwrap().len(), 2);
    assert_eq!(
        m["excluded"], 1,
        "5.1's zlib finding is decided not_affected"
    );
    assert!(m["vulnerabilities"].as_u64().unwrap() >= 3);
    assert_eq!(m["patched"], 0);
    assert_eq!(m["share_patched"], 0.0);
    assert!(
        m.get("days_to_deploy").is_none(),
        "nothing patched, nothing deployed"
    );
    assert_eq!(m["deployed_share"], 0.9);

    // Installed-base snapshots: recorded, the newest becomes the version's installed base;
    // a day in the future is refused.
    let mut deploy = vec!["portfolio".to_owned(), "deploy".to_owned()];
    deploy.extend(version_args("5.1"));
    deploy.extend(["--on", "2026-06-01", "--installed", "1500"].map(String::from));
    medsec(h).args(&deploy).assert().success();
    let mut show51 = vec!["portfolio".to_owned(), "show".to_owned()];
    show51.extend(version_args("5.1"));
    show51.extend(["--format", "json"].map(String::from));
    let shown = json_of(h, &show51.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(shown["version"]["installed_base"], 1500);
    let at = deploy.iter().position(|a| a == "--on").unwrap();
    deploy[at + 1] = "2999-01-01".into();
    medsec(h)
        .args(&deploy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("in the future"));

    let list = json_of(h, &["portfolio", "list", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 3);
}

#[test]
fn bad_portfolio_input_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let scratch = tempfile::tempdir().unwrap();
    let refuse = |args: &[&str], message: &str| {
        medsec(h)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message.to_owned()));
    };
    let broken = scratch.path().join("broken.cdx.json");
    std::fs::write(
        &broken,
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": [",
    )
    .unwrap();
    refuse(
        &[
            "portfolio",
            "add",
            "--org",
            "A",
            "--product",
            "B",
            "--version",
            "1",
            "--sbom",
            broken.to_str().unwrap(),
        ],
        "not a readable SBOM",
    );
    refuse(
        &[
            "portfolio",
            "add",
            "--org",
            "A",
            "--product",
            "B",
            "--version",
            "1",
            "--release-date",
            "2026-13-01",
        ],
        "is not a date",
    );
    refuse(
        &[
            "portfolio",
            "add",
            "--org",
            " ",
            "--product",
            "B",
            "--version",
            "1",
        ],
        "--org is empty",
    );
    refuse(
        &[
            "portfolio",
            "show",
            "--org",
            "A",
            "--product",
            "B",
            "--version",
            "1",
        ],
        "no product version",
    );
    medsec(h)
        .args([
            "portfolio",
            "add",
            "--org",
            "A",
            "--product",
            "B",
            "--version",
            "1",
        ])
        .assert()
        .success();
    let base = [
        "triage",
        "--org",
        "A",
        "--product",
        "B",
        "--version",
        "1",
        "--author",
        "x",
        "--rationale",
        "y",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        let mut v: Vec<&str> = base.to_vec();
        v.extend_from_slice(extra);
        v
    }
    refuse(
        &with(
            &base,
            &[
                "--component",
                "c",
                "--vulnerability",
                "CVE-1",
                "--state",
                "maybe",
            ],
        ),
        "--state `maybe`",
    );
    refuse(
        &with(
            &base,
            &[
                "--component",
                "c",
                "--vulnerability",
                "CVE-1",
                "--state",
                "fixed",
                "--adjusted-vector",
                "CVSS:3.1/AV:X",
            ],
        ),
        "--adjusted-vector",
    );
    refuse(
        &with(
            &base,
            &[
                "--component",
                "c",
                "--vulnerability",
                "CVE-1",
                "--state",
                "not_affected",
                "--justification",
                "because",
            ],
        ),
        "unknown justification",
    );
    refuse(
        &with(
            &base,
            &[
                "--component",
                "c",
                "--vulnerability",
                "CVE-1",
                "--state",
                "fixed",
            ],
        ),
        "has no finding",
    );
    refuse(&["monitor", "--fail-on", "severe"], "--fail-on `severe`");
    refuse(
        &[
            "vex",
            "export",
            "--org",
            "A",
            "--product",
            "B",
            "--version",
            "1",
            "--format",
            "csaf",
            "--namespace",
            "https://x.invalid",
        ],
        "no open findings",
    );
}

/// `medsec monitor --webhook`: a signed notice of the new critical findings reaches a
/// local receiver, and the signature verifies with the shared secret.
#[test]
fn monitor_notifies_a_webhook_with_a_signed_notice() {
    use std::sync::{Arc, Mutex};
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    medsec(h)
        .args(["db", "import", "-q", "examples/advisories"])
        .assert()
        .success();
    medsec(h)
        .args(["portfolio", "add", "--device", "examples/patient-monitor"])
        .assert()
        .success();
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    /// Timestamp header, signature header, body.
    type Received = Vec<(String, String, Vec<u8>)>;
    let received: Arc<Mutex<Received>> = Arc::default();
    let sink = received.clone();
    let thread = std::thread::spawn(move || {
        if let Ok(Some(mut request)) = server.recv_timeout(std::time::Duration::from_secs(60)) {
            let header = |name: &'static str| {
                request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.as_str().to_owned())
                    .unwrap_or_default()
            };
            let (ts, sig) = (header("X-Medsec-Timestamp"), header("X-Medsec-Signature"));
            let mut body = Vec::new();
            std::io::Read::read_to_end(request.as_reader(), &mut body).unwrap();
            sink.lock().unwrap().push((ts, sig, body));
            request.respond(tiny_http::Response::empty(204)).unwrap();
        }
    });
    medsec(h)
        .env("MEDSEC_WEBHOOK_SECRET", "s3cret")
        .args([
            "monitor",
            "--webhook",
            &format!("http://127.0.0.1:{port}/hook"),
            "--notify-min-severity",
            "critical",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("notified: webhook 204"));
    thread.join().unwrap();
    let got = received.lock().unwrap();
    let (ts, sig, body) = &got[0];
    let now = jiff::Timestamp::now().as_second();
    medsec_postmarket::notify::verify(b"s3cret", ts, sig, body, now, 300).unwrap();
    assert!(medsec_postmarket::notify::verify(b"wrong", ts, sig, body, now, 300).is_err());
    let notice: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(notice["schema"], "medsec-notice/1");
    assert_eq!(notice["product"]["name"], PRODUCT);
    let ids: Vec<&str> = notice["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"CVE-2021-44228"), "{ids:?}");
    assert!(
        notice["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "critical" || f["kev"] == true)
    );

    // Without the secret in the environment the webhook is refused before anything runs.
    medsec(h)
        .env_remove("MEDSEC_WEBHOOK_SECRET")
        .args(["monitor", "--webhook", "https://hooks.example.invalid/x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("MEDSEC_WEBHOOK_SECRET"));
}

/// `medsec portfolio support`, `medsec clock` and `medsec trace` on the examples.
#[test]
fn support_clock_and_trace() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    medsec(h)
        .args(["portfolio", "add", "--device", "examples/patient-monitor"])
        .assert()
        .success();
    let mut support = vec!["portfolio".to_owned(), "support".to_owned()];
    support.extend(version_args("5.1"));
    support.extend(
        [
            "--curated",
            "examples/support/component-support.yaml",
            "--today",
            "2026-11-29",
            "--format",
            "json",
        ]
        .map(String::from),
    );
    let out = json_of(h, &support.iter().map(String::as_str).collect::<Vec<_>>());
    let alerts = out["alerts"].as_array().unwrap();
    let openssl = alerts
        .iter()
        .find(|a| a["component"]["name"] == "openssl" && a["component"]["version"] == "1.1.1k")
        .expect("OpenSSL 1.1.1 is past its end of support");
    assert_eq!(openssl["end_of_support"], "2023-09-11");

    let clock = json_of(
        h,
        &[
            "clock",
            "examples/postmarket/clock-facts.yaml",
            "--today",
            "2026-12-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(clock["decision_support"], true);
    let due: Vec<(&str, &str)> = clock["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| Some((o["rule"].as_str()?, o["due"].as_str()?)))
        .collect();
    assert!(
        due.contains(&("fda-postmarket-2016:VII.B-communicate-30d", "2026-12-20")),
        "{due:?}"
    );
    assert!(
        due.contains(&("fda-postmarket-2016:VII.B-remediate-60d", "2027-01-19")),
        "{due:?}"
    );
    let scratch = tempfile::tempdir().unwrap();
    let broken = scratch.path().join("facts.yaml");
    std::fs::write(&broken, "markets: [eu-mdr]\nrisk: sort-of\n").unwrap();
    medsec(h)
        .args(["clock", broken.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("facts.yaml"));

    let traced = json_of(
        h,
        &[
            "trace",
            "examples/insulin-pump",
            "--component",
            "mbedtls",
            "--component-version",
            "3.4.0",
            "--vulnerability",
            "CVE-2024-0001",
            "--vector",
            "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "--format",
            "json",
        ],
    );
    assert_eq!(traced["placement"], "placed");
    assert_eq!(traced["elements"][0]["element"], "pump-firmware");
    assert_eq!(traced["summary"]["worst_severity"], "catastrophic");
    assert_eq!(traced["rubric"]["status"], "proposed");
}
