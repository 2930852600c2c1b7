//! The harness of the web tests: a SQLite store in a temporary folder with two
//! organisations (the patient monitor's manufacturer and the cardiac implant's), each with
//! an account of every role and its example device added as `medsec portfolio add
//! --device` adds it, the example advisories imported and one monitoring run, so that
//! both versions have findings; the API and web routers merged.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use axum::Router;
use medsec_server::{AppState, Settings};
use medsec_store::accounts::Role;
use medsec_store::audit::Actor;
use medsec_store::{Store, VersionFacts, VersionRef};

pub const PASSWORD: &str = "a long web test password";

pub fn now() -> String {
    jiff::Timestamp::now().to_string()
}

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

pub struct Org {
    pub id: i64,
    pub name: String,
    pub version: i64,
}

impl Org {
    pub fn email(&self, role: Role) -> String {
        let slug: String = self
            .name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("{}@{slug}.example", role.as_str())
    }
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub state: AppState,
    /// The patient monitor's manufacturer.
    pub a: Org,
    /// The cardiac implant's manufacturer.
    pub b: Org,
}

impl Fixture {
    /// The API and the web interface, as `medsec serve` merges them.
    pub fn router(&self) -> Router {
        medsec_server::router(self.state.clone()).merge(medsec_web::router(self.state.clone()))
    }
}

/// Adds a device folder's version as `medsec portfolio add --device` does: the version
/// named by the device's identity, its device model and every element's SBOM.
pub async fn add_device(store: &Store, device: &Path) -> i64 {
    let loaded = medsec_device::load(&device.join("device.yaml")).expect("the example loads");
    let identity = &loaded.device.device;
    let name = VersionRef {
        organisation: identity.manufacturer.clone(),
        product: identity.name.clone(),
        version: identity.version.clone(),
    };
    let at = now();
    let (version, _) = store
        .portfolio_add(&name, &VersionFacts::default(), &at)
        .await
        .expect("portfolio add");
    let bytes = std::fs::read(&loaded.path).expect("device.yaml");
    store
        .add_document(
            version.id,
            "device-model",
            "device.yaml",
            "medsec device 1",
            &bytes,
            &at,
        )
        .await
        .expect("device model");
    for element in &loaded.device.elements {
        if let Some(rel) = element.software.as_ref().and_then(|s| s.sbom.as_ref()) {
            let bytes = std::fs::read(device.join(rel)).expect("SBOM");
            let reading = medsec_formats::sbom::read(&bytes).expect("readable SBOM");
            let format = format!("{} {}", reading.sbom.format, reading.sbom.spec_version);
            store
                .add_document(version.id, "sbom", rel, &format, &bytes, &at)
                .await
                .expect("SBOM document");
        }
    }
    version.id
}

async fn organisation(store: &Store, name: &str, device: &str) -> Org {
    let actor = Actor {
        name: "cli:test",
        reason: None,
    };
    let (org, _) = store
        .organisation_ensure(name, actor, &now())
        .await
        .expect("organisation");
    let hash = medsec_server::auth::hash_password(PASSWORD).expect("hash");
    let mut o = Org {
        id: org.id,
        name: name.to_owned(),
        version: 0,
    };
    for role in Role::ALL {
        let account = store
            .account_create(&o.email(role), &hash, actor, &now())
            .await
            .expect("account")
            .expect("a new account");
        store
            .membership_set(account.id, org.id, role, actor, &now())
            .await
            .expect("membership");
    }
    o.version = add_device(store, &examples().join(device)).await;
    o
}

pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("store.db").display().to_string();
    let store = Store::open(&url).await.expect("store");
    let a = organisation(&store, "Halvard Vital Systems AG", "patient-monitor").await;
    let b = organisation(&store, "Brightline Cardiac Rhythm Inc.", "cardiac-implant").await;
    store
        .import(
            &[examples().join("advisories")],
            &medsec_store::ImportOptions::default(),
            &medsec_store::NoProgress,
        )
        .await
        .expect("import the example advisories");
    medsec_scan::monitor::monitor(
        &store,
        &medsec_scan::monitor::MonitorOptions::default(),
        &now,
    )
    .await
    .expect("monitoring run");
    for o in [&a, &b] {
        let open = store.findings(o.version, true).await.expect("findings");
        assert!(!open.is_empty(), "{}: monitoring found nothing", o.name);
    }
    let settings = Settings {
        // The browser talks plain HTTP on loopback (allowed there only).
        secure_cookies: false,
        ..Settings::default()
    };
    let state = AppState::new(store.clone(), settings).expect("state");
    Fixture {
        dir,
        store,
        state,
        a,
        b,
    }
}
