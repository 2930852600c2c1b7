//! The API on SQLite: permissions, isolation (every route of the OpenAPI document with
//! a foreign organisation's ids), CSRF, cookie flags, login enumeration and rate
//! limits, upload limits, the Dependency-Track upload, the computed views, evidence,
//! findings, triage, VEX, and the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use medsec_server::Settings;
use medsec_store::accounts::Role;
use serde_json::{Value, json};
use support::*;

fn token(org: &Org, role: Role) -> Auth {
    Auth::Token(org.token(role).to_owned())
}

#[tokio::test]
async fn roles_follow_the_permission_table() {
    let app = sqlite_app(test_settings()).await;
    let version = seed_patient_monitor(&app, &app.a).await;
    let a = &app.a;
    // Adding a version: engineer and admin only.
    for (role, expected) in [
        (Role::Viewer, StatusCode::FORBIDDEN),
        (Role::Assessor, StatusCode::FORBIDDEN),
        (Role::Engineer, StatusCode::OK),
        (Role::Admin, StatusCode::OK),
    ] {
        let r = post_json(
            &app.router,
            &format!("/api/v1/organisations/{}/versions", a.id),
            &token(a, role),
            json!({ "product": "P", "version": role.as_str() }),
        )
        .await;
        assert_eq!(r.status, expected, "{role:?}: {}", r.text());
    }
    // Recording a test result: assessor and admin only.
    for (role, expected) in [
        (Role::Viewer, StatusCode::FORBIDDEN),
        (Role::Engineer, StatusCode::FORBIDDEN),
        (Role::Assessor, StatusCode::CREATED),
        (Role::Admin, StatusCode::CREATED),
    ] {
        let (ct, body) = multipart(
            &[("test", "T-01"), ("outcome", "pass"), ("tester", "R. Roe")],
            &[],
        );
        let r = send(
            &app.router,
            Method::POST,
            &format!("/api/v1/versions/{version}/test-results"),
            &token(a, role),
            Some(&ct),
            body,
        )
        .await;
        assert_eq!(r.status, expected, "{role:?}: {}", r.text());
    }
    // Members and tokens: admin only; reading: everyone.
    for role in Role::ALL {
        let r = get(
            &app.router,
            &format!("/api/v1/organisations/{}/tokens", a.id),
            &token(a, role),
        )
        .await;
        let expected = if role == Role::Admin {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(r.status, expected, "{role:?}");
        let r = get(
            &app.router,
            &format!("/api/v1/versions/{version}/findings"),
            &token(a, role),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{role:?}");
        assert_eq!(r.json()["total"], 1);
    }
    // An error is a problem document.
    let r = get(&app.router, "/api/v1/versions/abc", &token(a, Role::Viewer)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.headers["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    assert_eq!(r.json()["status"], 400);
    let r = get(&app.router, "/api/v1/me", &Auth::None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthorized");
}

/// Every route of the OpenAPI document, called by an admin of organisation A with the
/// ids of organisation B, answers 404 (routes without ids are listed with what they
/// must answer); B's data is unchanged afterwards. A new route that this test does not
/// know fails it.
#[tokio::test]
async fn every_route_hides_a_foreign_organisation() {
    let app = sqlite_app(test_settings()).await;
    seed_patient_monitor(&app, &app.a).await;
    let b = &app.b;
    // B's data: a version with a document, a test result with evidence, a token.
    let b_eng = token(b, Role::Engineer);
    let r = post_json(
        &app.router,
        &format!("/api/v1/organisations/{}/versions", b.id),
        &b_eng,
        json!({ "product": "Bravo Pump", "version": "1.0" }),
    )
    .await;
    let b_version = r.json()["version"]["id"].as_i64().unwrap();
    let b_product = get(
        &app.router,
        &format!("/api/v1/organisations/{}/products", b.id),
        &b_eng,
    )
    .await
    .json()[0]["id"]
        .as_i64()
        .unwrap();
    let sbom = example("patient-monitor/sbom/hl7-gateway.cdx.json");
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{b_version}/sboms?name=gw.cdx.json"),
        &b_eng,
        Some("application/json"),
        sbom.clone(),
    )
    .await;
    let b_document = r.json()["document"]["id"].as_i64().unwrap();
    let (ct, body) = multipart(
        &[("test", "T-01"), ("outcome", "fail"), ("tester", "B")],
        &[("file", "secret-report.pdf", b"bravo's confidential report")],
    );
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{b_version}/test-results"),
        &token(b, Role::Assessor),
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let b_sha = r.json()["evidence"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_token = get(
        &app.router,
        &format!("/api/v1/organisations/{}/tokens", b.id),
        &token(b, Role::Admin),
    )
    .await
    .json()[0]["id"]
        .as_i64()
        .unwrap();
    let b_account = get(
        &app.router,
        &format!("/api/v1/organisations/{}/members", b.id),
        &token(b, Role::Admin),
    )
    .await
    .json()[0]["account_id"]
        .as_i64()
        .unwrap();
    let b_audit_before = app
        .store
        .audit_entries(Some(b.id), 0, 10_000)
        .await
        .unwrap();
    let b_docs_before = app.store.documents(b_version, true).await.unwrap();

    // The caller: A's admin, by session (with CSRF) and by token.
    let (session, _) = login(&app.router, &app.a.email(Role::Admin), PASSWORD).await;
    let callers = [session.unwrap(), token(&app.a, Role::Admin)];

    let doc: Value = get(&app.router, "/openapi.json", &Auth::None).await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let ids: BTreeMap<&str, String> = [
        ("org", b.id.to_string()),
        ("product", b_product.to_string()),
        ("version", b_version.to_string()),
        ("document", b_document.to_string()),
        ("token", b_token.to_string()),
        ("account", b_account.to_string()),
        ("sha256", b_sha.clone()),
    ]
    .into();
    // Routes without an id of an organisation, with what A's admin must get.
    let no_ids: BTreeMap<(&str, &str), StatusCode> = [
        (("get", "/healthz"), StatusCode::OK),
        (("get", "/metrics"), StatusCode::OK),
        (("get", "/openapi.json"), StatusCode::OK),
        (("post", "/api/v1/login"), StatusCode::UNAUTHORIZED),
        (("get", "/api/v1/me"), StatusCode::OK),
        (("get", "/api/v1/organisations"), StatusCode::OK),
        (("put", "/api/v1/bom"), StatusCode::NOT_FOUND),
        (("post", "/api/v1/bom"), StatusCode::NOT_FOUND),
        (("get", "/api/v1/bom/token/{uuid}"), StatusCode::OK),
        // Last: it ends the session.
        (("post", "/api/v1/logout"), StatusCode::NO_CONTENT),
    ]
    .into();
    let bom64 = base64::engine::general_purpose::STANDARD.encode(&sbom);
    let mut called = 0;
    for caller in &callers {
        let mut routes: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                routes.push((method.clone(), path.clone()));
            }
        }
        // Logout last, so that the session lasts through the others.
        routes.sort_by_key(|(_, p)| p.ends_with("/logout"));
        for (method, path) in routes {
            let params: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            let expected = if params.is_empty() || path == "/api/v1/bom/token/{uuid}" {
                *no_ids
                    .get(&(method.as_str(), path.as_str()))
                    .unwrap_or_else(|| {
                        panic!("{method} {path}: a new route; say what it must answer")
                    })
            } else {
                StatusCode::NOT_FOUND
            };
            let mut url = path.clone();
            for p in &params {
                let value = ids
                    .get(p)
                    .cloned()
                    .or_else(|| {
                        (*p == "uuid").then(|| "00000000-0000-4000-8000-000000000000".into())
                    })
                    .unwrap_or_else(|| panic!("{path}: no foreign id for {{{p}}}"));
                url = url.replace(&format!("{{{p}}}"), &value);
            }
            // Plausible bodies, so that only the organisation check can refuse.
            let (content_type, body): (Option<String>, Vec<u8>) = match (method.as_str(), path.as_str()) {
                ("post", "/api/v1/login") => (Some("application/json".into()), json!({"email": app.b.email(Role::Admin), "password": "wrong password!"}).to_string().into_bytes()),
                ("put", "/api/v1/bom") => (Some("application/json".into()), json!({"projectName": "Bravo Pump", "projectVersion": "1.0", "autoCreate": false, "bom": bom64}).to_string().into_bytes()),
                ("post", "/api/v1/bom") => {
                    let (ct, body) = multipart(&[("projectName", "Bravo Pump"), ("projectVersion", "1.0")], &[("bom", "bom.json", &sbom)]);
                    (Some(ct), body)
                }
                ("post", p) if p.ends_with("/test-results") => {
                    let (ct, body) = multipart(&[("test", "T-01"), ("outcome", "pass"), ("tester", "A")], &[("file", "x.txt", b"x")]);
                    (Some(ct), body)
                }
                ("post", p) if p.ends_with("/sboms") => {
                    url.push_str("?name=evil.cdx.json");
                    (Some("application/json".into()), sbom.clone())
                }
                ("put", p) if p.ends_with("/device") => (Some("application/yaml".into()), example("patient-monitor/device.yaml")),
                ("post", p) if p.ends_with("/versions") => (Some("application/json".into()), json!({"product": "Bravo Pump", "version": "2.0"}).to_string().into_bytes()),
                ("post", p) if p.ends_with("/members") => (Some("application/json".into()), json!({"email": app.a.email(Role::Viewer), "role": "admin"}).to_string().into_bytes()),
                ("post", p) if p.ends_with("/tokens") => (Some("application/json".into()), json!({"name": "stolen", "role": "admin"}).to_string().into_bytes()),
                ("post", p) if p.ends_with("/triage") => (Some("application/json".into()), json!({"component": "c", "vulnerability": "v", "state": "in_triage", "rationale": "r"}).to_string().into_bytes()),
                ("get", p) if p.ends_with("/vex") => {
                    url.push_str("?format=openvex&namespace=https://x.example");
                    (None, Vec::new())
                }
                _ => (None, Vec::new()),
            };
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = send(&app.router, m, &url, caller, content_type.as_deref(), body).await;
            assert_eq!(r.status, expected, "{method} {url}: {}", r.text());
            let text = r.text();
            for secret in ["Bravo", "bravo", &b_sha] {
                assert!(
                    path == "/openapi.json" || !text.contains(secret),
                    "{method} {url} leaks `{secret}`: {text}"
                );
            }
            called += 1;
        }
    }
    assert!(called >= 2 * 39, "only {called} calls");
    assert_eq!(
        app.store
            .audit_entries(Some(b.id), 0, 10_000)
            .await
            .unwrap(),
        b_audit_before
    );
    assert_eq!(
        app.store.documents(b_version, true).await.unwrap(),
        b_docs_before
    );
}

#[tokio::test]
async fn csrf_is_required_for_cookie_changes() {
    let app = sqlite_app(test_settings()).await;
    let (session, _) = login(&app.router, &app.a.email(Role::Engineer), PASSWORD).await;
    let Some(Auth::Session { cookie, csrf }) = session else {
        panic!("no session")
    };
    let path = format!("/api/v1/organisations/{}/versions", app.a.id);
    let body = json!({ "product": "P", "version": "1" });
    let without = Auth::Session {
        cookie: cookie.clone(),
        csrf: None,
    };
    let r = post_json(&app.router, &path, &without, body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "csrf");
    let wrong = Auth::Session {
        cookie: cookie.clone(),
        csrf: Some("0".repeat(64)),
    };
    let r = post_json(&app.router, &path, &wrong, body.clone()).await;
    assert_eq!(r.json()["code"], "csrf");
    // Another session's token does not fit this one.
    let (other, _) = login(&app.router, &app.a.email(Role::Admin), PASSWORD).await;
    let Some(Auth::Session {
        csrf: other_csrf, ..
    }) = other
    else {
        panic!()
    };
    let r = post_json(
        &app.router,
        &path,
        &Auth::Session {
            cookie: cookie.clone(),
            csrf: other_csrf,
        },
        body.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        app.store
            .organisation_versions(app.a.id)
            .await
            .unwrap()
            .is_empty()
    );
    let right = Auth::Session {
        cookie: cookie.clone(),
        csrf: csrf.clone(),
    };
    let r = post_json(&app.router, &path, &right, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Reading needs none; a token needs none.
    assert_eq!(
        get(&app.router, "/api/v1/me", &without).await.status,
        StatusCode::OK
    );
    let r = post_json(&app.router, &path, &token(&app.a, Role::Engineer), body).await;
    assert_eq!(r.status, StatusCode::OK);
    // The form field works for multipart.
    let (ct, body) = multipart(
        &[
            ("projectName", "P"),
            ("projectVersion", "1"),
            ("csrf_token", csrf.as_deref().unwrap()),
        ],
        &[(
            "bom",
            "bom.json",
            &example("patient-monitor/sbom/hl7-gateway.cdx.json"),
        )],
    );
    let r = send(
        &app.router,
        Method::POST,
        "/api/v1/bom",
        &without,
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let (ct, body) = multipart(
        &[("projectName", "P"), ("projectVersion", "1")],
        &[(
            "bom",
            "bom.json",
            &example("patient-monitor/sbom/hl7-gateway.cdx.json"),
        )],
    );
    let r = send(
        &app.router,
        Method::POST,
        "/api/v1/bom",
        &without,
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Logging out needs it too, and ends the session.
    let r = send(
        &app.router,
        Method::POST,
        "/api/v1/logout",
        &without,
        None,
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app.router,
        Method::POST,
        "/api/v1/logout",
        &right,
        None,
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&app.router, "/api/v1/me", &right).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn session_cookie_flags() {
    let app = sqlite_app(test_settings()).await;
    let (_, reply) = login(&app.router, &app.a.email(Role::Viewer), PASSWORD).await;
    let cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(
            cookie.split("; ").any(|f| f == flag),
            "{flag} missing: {cookie}"
        );
    }
    let insecure = sqlite_app(Settings {
        secure_cookies: false,
        ..Settings::default()
    })
    .await;
    let (_, reply) = login(&insecure.router, &insecure.a.email(Role::Viewer), PASSWORD).await;
    let cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        !cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // Insecure cookies only on loopback.
    let mut config = medsec_server::Config::new("0.0.0.0:8080".parse().unwrap(), "x.db".into());
    config.settings.secure_cookies = false;
    assert!(medsec_server::check(&config).is_err());
    config.listen = "127.0.0.1:8080".parse().unwrap();
    assert!(medsec_server::check(&config).is_ok());
    // The stored session id is hashed: the cookie's value is nowhere in the store.
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("medsec_session=");
    let db = std::fs::read(insecure._dir.as_ref().unwrap().path().join("store.db")).unwrap();
    let wal = std::fs::read(insecure._dir.as_ref().unwrap().path().join("store.db-wal"))
        .unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!bytes.windows(value.len()).any(|w| w == value.as_bytes()));
    }
}

#[tokio::test]
async fn login_does_not_tell_accounts_apart_and_is_rate_limited() {
    let app = sqlite_app(Settings {
        login: medsec_server::LoginLimits {
            per_account: 3,
            per_client: 8,
            window_seconds: 600,
        },
        ..test_settings()
    })
    .await;
    let r_unknown = post_json(
        &app.router,
        "/api/v1/login",
        &Auth::None,
        json!({"email": "nobody@x.example", "password": "whatever password"}),
    )
    .await;
    let r_wrong = post_json(
        &app.router,
        "/api/v1/login",
        &Auth::None,
        json!({"email": app.a.email(Role::Viewer), "password": "whatever password"}),
    )
    .await;
    assert_eq!(r_unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r_unknown.status, r_wrong.status);
    assert_eq!(r_unknown.bytes, r_wrong.bytes);
    // Comparable time: the unknown account is checked against a dummy hash.
    let time = |email: String| {
        let router = app.router.clone();
        async move {
            let start = std::time::Instant::now();
            post_json(
                &router,
                "/api/v1/login",
                &Auth::None,
                json!({"email": email, "password": "some password"}),
            )
            .await;
            start.elapsed()
        }
    };
    let unknown = time("ghost@x.example".into()).await;
    let known = time(app.a.email(Role::Assessor)).await;
    assert!(
        unknown * 3 > known && known * 3 > unknown,
        "unknown {unknown:?} vs known {known:?}"
    );
    // The viewer has 1 failure; two more reach the limit of 3; then even the right
    // password is refused.
    for _ in 0..2 {
        post_json(
            &app.router,
            "/api/v1/login",
            &Auth::None,
            json!({"email": app.a.email(Role::Viewer), "password": "wrong password"}),
        )
        .await;
    }
    let (s, r) = login(&app.router, &app.a.email(Role::Viewer), PASSWORD).await;
    assert!(s.is_none());
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["code"], "rate-limited");
    // An unknown e-mail is limited the same way (no difference to observe).
    for _ in 0..3 {
        post_json(
            &app.router,
            "/api/v1/login",
            &Auth::None,
            json!({"email": "ghost2@x.example", "password": "p"}),
        )
        .await;
    }
    let r = post_json(
        &app.router,
        "/api/v1/login",
        &Auth::None,
        json!({"email": "ghost2@x.example", "password": "p"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Per client: 8 failures from this client (all tests share `unknown`): another
    // account is now refused too.
    let (s, r) = login(&app.router, &app.a.email(Role::Admin), PASSWORD).await;
    assert!(s.is_none());
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn bodies_over_the_limits_get_413() {
    let app = sqlite_app(Settings {
        body_limit: 4 * 1024,
        upload_limit: 60 * 1024,
        ..test_settings()
    })
    .await;
    let eng = token(&app.a, Role::Engineer);
    let big = json!({ "product": "x".repeat(8 * 1024), "version": "1" });
    let r = post_json(
        &app.router,
        &format!("/api/v1/organisations/{}/versions", app.a.id),
        &eng,
        big,
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["code"], "too-large");
    let r = post_json(
        &app.router,
        &format!("/api/v1/organisations/{}/versions", app.a.id),
        &eng,
        json!({"product": "P", "version": "1"}),
    )
    .await;
    let version = r.json()["version"]["id"].as_i64().unwrap();
    // 42 KiB SBOM: over the body limit, within the upload limit.
    let ok = example("patient-monitor/sbom/monitor-firmware.cdx.json");
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{version}/sboms?name=a.json"),
        &eng,
        Some("application/json"),
        ok,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // 70 KiB: over.
    let over = example("patient-monitor/sbom/hl7-gateway.cdx.json");
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{version}/sboms?name=b.json"),
        &eng,
        Some("application/json"),
        over.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let (ct, body) = multipart(
        &[("test", "T-01"), ("outcome", "pass"), ("tester", "x")],
        &[("file", "big.bin", &over)],
    );
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{version}/test-results"),
        &token(&app.a, Role::Assessor),
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert_eq!(app.store.documents(version, true).await.unwrap().len(), 1);
    // Invalid input is refused without a trace.
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{version}/sboms?name=c.json"),
        &eng,
        Some("application/json"),
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{version}/sboms?name=../x.json"),
        &eng,
        Some("application/json"),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.store.documents(version, true).await.unwrap().len(), 1);
}

#[tokio::test]
async fn dependency_track_uploads_work_in_both_shapes() {
    let app = sqlite_app(test_settings()).await;
    let sbom = example("patient-monitor/sbom/hl7-gateway.cdx.json");
    let key = app.a.token(Role::Engineer).to_owned();
    // PUT with X-Api-Key, autoCreate.
    let body = json!({
        "projectName": "Gateway", "projectVersion": "2.0", "autoCreate": true,
        "bom": base64::engine::general_purpose::STANDARD.encode(&sbom),
    });
    let request = axum::http::Request::builder()
        .method("PUT")
        .uri("/api/v1/bom")
        .header("x-api-key", &key)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    use tower::ServiceExt;
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let reply: Value = serde_json::from_slice(&bytes).unwrap();
    let t = reply["token"].as_str().unwrap();
    assert_eq!(t.len(), 36);
    assert_eq!(&t[14..15], "4");
    let versions = app.store.organisation_versions(app.a.id).await.unwrap();
    assert_eq!(versions.len(), 1);
    let version = versions[0].id;
    let docs = app.store.documents(version, true).await.unwrap();
    assert_eq!(
        (docs.len(), docs[0].name.as_str(), docs[0].kind.as_str()),
        (1, "bom", "sbom")
    );
    // Without autoCreate, an unknown project is 404.
    let r = send(
        &app.router,
        Method::PUT,
        "/api/v1/bom",
        &Auth::Token(key.clone()),
        Some("application/json"),
        json!({"projectName": "Nope", "projectVersion": "1", "bom": "e30="})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // POST multipart by project UUID, a changed BOM: a new revision.
    let project = get(
        &app.router,
        &format!("/api/v1/versions/{version}"),
        &Auth::Token(key.clone()),
    )
    .await
    .json()["project"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = example("patient-monitor/sbom/central-station.cdx.json");
    let (ct, body) = multipart(
        &[("project", &project), ("autoCreate", "false")],
        &[("bom", "bom.json", &other)],
    );
    let r = send(
        &app.router,
        Method::POST,
        "/api/v1/bom",
        &Auth::Token(key.clone()),
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let token_uuid = r.json()["token"].as_str().unwrap().to_owned();
    let docs = app.store.documents(version, true).await.unwrap();
    assert_eq!(docs.iter().map(|d| d.revision).collect::<Vec<_>>(), [1, 2]);
    // Multipart by name.
    let (ct, body) = multipart(
        &[("projectName", "Gateway"), ("projectVersion", "2.0")],
        &[("bom", "bom.json", &sbom)],
    );
    let r = send(
        &app.router,
        Method::POST,
        "/api/v1/bom",
        &Auth::Token(key.clone()),
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.store.documents(version, true).await.unwrap().len(), 3);
    let r = get(
        &app.router,
        &format!("/api/v1/bom/token/{token_uuid}"),
        &Auth::Token(key.clone()),
    )
    .await;
    assert_eq!(r.json(), json!({"processing": false}));
    // A viewer token may not upload; a malformed BOM is refused.
    let r = send(
        &app.router,
        Method::PUT,
        "/api/v1/bom",
        &token(&app.a, Role::Viewer),
        Some("application/json"),
        json!({"project": project, "bom": "e30="})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app.router,
        Method::PUT,
        "/api/v1/bom",
        &Auth::Token(key),
        Some("application/json"),
        json!({"project": project, "bom": "e30="})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.store.documents(version, true).await.unwrap().len(), 3);
}

#[tokio::test]
async fn device_views_evidence_findings_triage_and_vex() {
    let app = sqlite_app(test_settings()).await;
    let version = seed_patient_monitor(&app, &app.a).await;
    let viewer = token(&app.a, Role::Viewer);
    let threats = get(
        &app.router,
        &format!("/api/v1/versions/{version}/threats"),
        &viewer,
    )
    .await;
    assert_eq!(threats.status, StatusCode::OK, "{}", threats.text());
    assert!(threats.json()["threats_total"].as_u64().unwrap() > 10);
    let risk = get(
        &app.router,
        &format!("/api/v1/versions/{version}/risk"),
        &viewer,
    )
    .await;
    assert!(
        risk.json()["rows_total"].as_u64().unwrap() > 10,
        "{}",
        risk.text()
    );
    let req = get(
        &app.router,
        &format!("/api/v1/versions/{version}/requirements"),
        &viewer,
    )
    .await;
    assert!(req.json()["frameworks"].as_array().unwrap().len() >= 18);
    let plan = get(
        &app.router,
        &format!("/api/v1/versions/{version}/testplan"),
        &viewer,
    )
    .await;
    assert_eq!(plan.status, StatusCode::OK);
    let device = get(
        &app.router,
        &format!("/api/v1/versions/{version}/device"),
        &viewer,
    )
    .await;
    assert_eq!(device.bytes, example("patient-monitor/device.yaml"));
    // A device model naming another device is refused.
    let wrong = String::from_utf8(example("patient-monitor/device.yaml"))
        .unwrap()
        .replace("version: \"5.1\"", "version: \"9.9\"");
    let r = send(
        &app.router,
        Method::PUT,
        &format!("/api/v1/versions/{version}/device"),
        &token(&app.a, Role::Engineer),
        Some("application/yaml"),
        wrong.into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Evidence.
    let (ct, body) = multipart(
        &[
            ("test", "T-01"),
            ("outcome", "fail"),
            ("tester", "R. Roe"),
            ("laboratory", "Lab"),
            ("tool", "nmap 7.94"),
        ],
        &[("file", "report.pdf", b"%PDF evidence")],
    );
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{version}/test-results"),
        &token(&app.a, Role::Assessor),
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let sha = r.json()["evidence"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = get(
        &app.router,
        &format!("/api/v1/versions/{version}/test-results"),
        &viewer,
    )
    .await
    .json();
    assert_eq!(list[0]["test"], "T-01");
    let file = get(
        &app.router,
        &format!("/api/v1/versions/{version}/evidence/{sha}"),
        &viewer,
    )
    .await;
    assert_eq!(file.bytes, b"%PDF evidence");
    let (ct, body) = multipart(
        &[("test", "T-99999"), ("outcome", "pass"), ("tester", "x")],
        &[],
    );
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/versions/{version}/test-results"),
        &token(&app.a, Role::Assessor),
        Some(&ct),
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Findings with filters and paging.
    let f = |q: &str| {
        let (router, auth, url) = (
            app.router.clone(),
            viewer.clone(),
            format!("/api/v1/versions/{version}/findings{q}"),
        );
        async move { get(&router, &url, &auth).await }
    };
    assert_eq!(f("?severity=critical").await.json()["total"], 1);
    assert_eq!(f("?severity=low").await.json()["total"], 0);
    assert_eq!(f("?kev=true").await.json()["total"], 0);
    assert_eq!(f("?status=resolved").await.json()["total"], 0);
    assert_eq!(f("?offset=1").await.json()["findings"], json!([]));
    assert_eq!(
        f("?status=bogus").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Triage.
    let eng = token(&app.a, Role::Engineer);
    let r = post_json(&app.router, &format!("/api/v1/versions/{version}/triage"), &eng, json!({"component": "pkg:generic/zlib@1.2.11", "vulnerability": "CVE-2022-37434", "state": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "rationale": "inflate is not used"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.json()["author"].as_str().unwrap().starts_with("token:"));
    let r = post_json(
        &app.router,
        &format!("/api/v1/versions/{version}/triage"),
        &eng,
        json!({"component": "x", "vulnerability": "CVE-1", "state": "affected", "rationale": "r"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let found = f("").await.json();
    assert_eq!(
        found["findings"][0]["triage"]["decision"]["state"],
        "not_affected"
    );
    for format in ["cyclonedx", "csaf", "openvex"] {
        let r = get(&app.router, &format!("/api/v1/versions/{version}/vex?format={format}&namespace=https://psirt.example.invalid"), &viewer).await;
        assert_eq!(r.status, StatusCode::OK, "{format}: {}", r.text());
        assert!(r.text().contains("CVE-2022-37434"));
    }
    // Metrics saw the routes.
    let m = get(&app.router, "/metrics", &Auth::None).await.text();
    assert!(m.contains("medsec_http_requests_total{method=\"GET\",route=\"/api/v1/versions/{version}/findings\",status=\"200\"}"), "{m}");
    assert!(m.contains("medsec_http_request_duration_seconds_bucket"));
    assert!(m.contains("process_resident_memory_bytes"));
}

#[tokio::test]
async fn every_change_is_audited_and_tampering_is_detected() {
    let app = sqlite_app(test_settings()).await;
    let start = app
        .store
        .audit_entries(None, 0, 100_000)
        .await
        .unwrap()
        .len();
    let version = seed_patient_monitor(&app, &app.a).await;
    let entries = app
        .store
        .audit_entries(Some(app.a.id), 0, 100_000)
        .await
        .unwrap();
    let kinds: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.record_kind.as_str()))
        .collect();
    // Seeding (organisation, 4 accounts' memberships, 4 tokens), then the version, 3
    // SBOMs and the device model.
    let tail = &kinds[kinds.len() - 5..];
    assert_eq!(
        tail,
        [
            ("create", "product-version"),
            ("add", "document"),
            ("add", "document"),
            ("add", "document"),
            ("add", "document")
        ]
    );
    let last = entries.last().unwrap();
    assert!(last.actor.starts_with("token:"));
    assert!(last.after_json.as_deref().unwrap().contains("device.yaml"));
    // A reason in the header is kept; an update has before and after.
    let r = send(
        &app.router,
        Method::POST,
        &format!("/api/v1/organisations/{}/versions", app.a.id),
        &token(&app.a, Role::Engineer),
        Some("application/json"),
        json!({"product": PM_PRODUCT, "version": "5.1", "installed_base": 1200})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let update = app
        .store
        .audit_entries(Some(app.a.id), 0, 100_000)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(update.action, "update");
    assert!(update.before_json.is_some() && update.after_json.as_deref().unwrap().contains("1200"));
    let _ = version;
    let all = app.store.audit_entries(None, 0, 100_000).await.unwrap();
    assert!(all.len() > start);
    let v = app.store.audit_verify().await.unwrap();
    assert!(v.is_intact(), "{:?}", v.problems);
    assert_eq!(v.entries as usize, all.len());
    assert_eq!(v.head, all.last().unwrap().hash);

    // Tampering needs the triggers gone: they refuse UPDATE and DELETE.
    let path = app._dir.as_ref().unwrap().path().join("store.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(
        sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 3")
            .execute(&pool)
            .await
            .is_err()
    );
    sqlx::query("DROP TRIGGER audit_log_append_only_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER audit_log_append_only_delete")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET reason = 'edited' WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    let v = app.store.audit_verify().await.unwrap();
    assert_eq!(
        v.problems.iter().map(|p| p.seq).collect::<Vec<_>>(),
        [3],
        "{:?}",
        v.problems
    );
    sqlx::query("UPDATE audit_log SET reason = NULL WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    assert!(app.store.audit_verify().await.unwrap().is_intact());
    sqlx::query("DELETE FROM audit_log WHERE seq = 5")
        .execute(&pool)
        .await
        .unwrap();
    let v = app.store.audit_verify().await.unwrap();
    assert!(!v.is_intact());
    assert!(v.problems.iter().all(|p| p.seq == 6), "{:?}", v.problems);
    assert!(v.problems[0].message.contains("missing"));
    pool.close().await;
}
