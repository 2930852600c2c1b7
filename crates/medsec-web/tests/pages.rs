//! The pages through tower's `oneshot`: each renders for a role allowed to see it, every
//! page route answers 404 for another organisation's ids, forms without the session's
//! CSRF token are refused and change nothing, every response carries the strict CSP,
//! and no page refers to anything outside the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use medsec_store::accounts::Role;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn send(
    router: &Router,
    method: Method,
    uri: &str,
    session: Option<&Session>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(s) = session {
        b = b.header(header::COOKIE, format!("medsec_session={}", s.cookie));
    }
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    let response = router
        .clone()
        .oneshot(b.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(router: &Router, uri: &str, session: &Session) -> Reply {
    send(router, Method::GET, uri, Some(session), None, Vec::new()).await
}

fn urlencode(fields: &[(&str, &str)]) -> Vec<u8> {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

async fn post_form(
    router: &Router,
    uri: &str,
    session: &Session,
    fields: &[(&str, &str)],
) -> Reply {
    send(
        router,
        Method::POST,
        uri,
        Some(session),
        Some("application/x-www-form-urlencoded"),
        urlencode(fields),
    )
    .await
}

fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "web-test-boundary-51c2";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    router: &Router,
    uri: &str,
    session: &Session,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Reply {
    let (ct, body) = multipart(fields, files);
    send(router, Method::POST, uri, Some(session), Some(&ct), body).await
}

/// Logs in through the web form; the session cookie and its CSRF token.
async fn login(router: &Router, email: &str) -> Session {
    let r = send(
        router,
        Method::POST,
        "/login",
        None,
        Some("application/x-www-form-urlencoded"),
        urlencode(&[("email", email), ("password", support::PASSWORD)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("medsec_session=")
        .to_owned();
    Session {
        csrf: medsec_server::auth::csrf_token(&value),
        cookie: value,
    }
}

/// The page is HTML with the strict CSP and refers to nothing outside the server.
fn check_page(uri: &str, r: &Reply) {
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{uri}"
    );
    check_csp(uri, r);
    assert!(r.body.starts_with("<!DOCTYPE html>"), "{uri}");
    let lower = r.body.to_ascii_lowercase();
    for tag in [
        "<script", "<link", "<iframe", "<img", "<object", "<embed", "@import", "url(http",
    ] {
        assert!(!lower.contains(tag), "{uri} contains {tag}");
    }
    // Every link, form target and source is on this server (or within the page).
    for attr in ["href=\"", "src=\"", "action=\""] {
        for (i, _) in r.body.match_indices(attr) {
            let value = &r.body[i + attr.len()..];
            assert!(
                value.starts_with('/') || value.starts_with('#'),
                "{uri}: {attr}{}",
                &value[..value.len().min(60)]
            );
        }
    }
    // Inputs have labels: every `id` of an input, select or textarea is named by a label.
    for tag in ["<input", "<select", "<textarea"] {
        for (i, _) in r.body.match_indices(tag) {
            let element = &r.body[i..r.body[i..].find('>').map_or(r.body.len(), |e| i + e)];
            if element.contains("type=\"hidden\"") {
                continue;
            }
            let id = element
                .split(" id=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("{uri}: {element} has no id"));
            assert!(
                r.body.contains(&format!("for=\"{id}\"")),
                "{uri}: no label for {id}"
            );
        }
    }
}

fn check_csp(uri: &str, r: &Reply) {
    let csp = r
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{uri}: no CSP"))
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'"), "{uri}: {csp}");
    assert!(csp.contains("style-src 'sha256-"), "{uri}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("script-src"),
        "{uri}: {csp}"
    );
    assert_eq!(csp, medsec_web::content_security_policy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_isolate_organisations_and_refuse_forms_without_csrf() {
    let f = support::fixture().await;
    let router = f.router();
    let (va, vb) = (f.a.version, f.b.version);
    let fa = f.store.findings(va, true).await.unwrap()[0].id;
    let fb = f.store.findings(vb, true).await.unwrap()[0].id;

    // Anonymous: sent to the login page, which has the CSP and no account enumeration.
    let r = send(&router, Method::GET, "/", None, None, Vec::new()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");
    check_csp("/", &r);
    let r = send(&router, Method::GET, "/login", None, None, Vec::new()).await;
    check_page("/login", &r);
    let wrong = send(
        &router,
        Method::POST,
        "/login",
        None,
        Some("application/x-www-form-urlencoded"),
        urlencode(&[
            ("email", &f.a.email(Role::Admin)),
            ("password", "wrong password here"),
        ]),
    )
    .await;
    let unknown = send(
        &router,
        Method::POST,
        "/login",
        None,
        Some("application/x-www-form-urlencoded"),
        urlencode(&[
            ("email", "nobody@nowhere.example"),
            ("password", "wrong password here"),
        ]),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    assert!(wrong.body.contains("Wrong e-mail or password."));
    // A login posted from another site is refused (login CSRF), even with the right
    // password; from this server's page it works.
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://attacker.example"),
    ] {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::HOST, "medsec.example")
            .header(name, value)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(urlencode(&[
                ("email", &f.a.email(Role::Admin)),
                ("password", support::PASSWORD),
            ])))
            .unwrap();
        let r = router.clone().oneshot(request).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(r.headers().get(header::SET_COOKIE).is_none());
    }

    // A viewer reads every page of the organisation, without forms.
    let viewer = login(&router, &f.a.email(Role::Viewer)).await;
    let read_pages = [
        "/".to_owned(),
        format!("/versions/{va}"),
        format!("/versions/{va}?stride=tampering&risk=unacceptable&target=monitor-firmware"),
        format!("/versions/{va}/tests"),
        format!("/versions/{va}/findings"),
        format!("/versions/{va}/findings?severity=critical&status=all&kev=no"),
        format!("/versions/{va}/findings/{fa}"),
        format!("/versions/{va}/report"),
    ];
    for uri in &read_pages {
        let r = get(&router, uri, &viewer).await;
        check_page(uri, &r);
        assert!(
            !r.body.contains("Upload SBOM")
                && !r.body.contains("Record decision")
                && !r.body.contains("Record result"),
            "{uri}: a viewer gets no forms"
        );
    }
    let r = get(&router, &format!("/versions/{va}"), &viewer).await;
    assert!(
        r.body.contains("Data-flow diagram")
            && r.body.contains("<svg")
            && r.body.contains("id=\"fmea\"")
    );
    let r = get(&router, &format!("/versions/{va}/findings/{fa}"), &viewer).await;
    assert!(r.body.contains("Traceability"));
    let r = get(&router, "/", &viewer).await;
    assert!(r.body.contains("Halvard Vigil Patient Monitoring System"));
    assert!(
        !r.body.contains("Brightline"),
        "the dashboard holds only the caller's organisations"
    );
    // The audit log is the admin's.
    assert_eq!(
        get(
            &router,
            &format!("/organisations/{}/audit", f.a.id),
            &viewer
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The filters are applied on the server.
    let all = get(&router, &format!("/versions/{va}"), &viewer).await.body;
    let spoofing = get(&router, &format!("/versions/{va}?stride=spoofing"), &viewer)
        .await
        .body;
    let rows = |html: &str, table: &str| {
        html.split(&format!("id=\"{table}\""))
            .nth(1)
            .map_or(0, |t| {
                t.split("</table>")
                    .next()
                    .unwrap_or("")
                    .matches("<tr>")
                    .count()
            })
    };
    assert!(rows(&spoofing, "threats") < rows(&all, "threats") && rows(&spoofing, "threats") > 1);
    assert!(rows(&spoofing, "fmea") < rows(&all, "fmea"));

    let admin = login(&router, &f.a.email(Role::Admin)).await;
    for uri in read_pages
        .iter()
        .chain([&format!("/organisations/{}/audit", f.a.id)])
    {
        let r = get(&router, uri, &admin).await;
        check_page(uri, &r);
    }
    let r = get(&router, &format!("/versions/{va}"), &admin).await;
    assert!(r.body.contains("Upload SBOM") && r.body.contains("name=\"csrf_token\""));

    // Another organisation's ids: 404 on every page route, before anything else.
    let foreign_gets = [
        format!("/versions/{vb}"),
        format!("/versions/{vb}/tests"),
        format!("/versions/{vb}/findings"),
        format!("/versions/{vb}/findings/{fb}"),
        format!("/versions/{va}/findings/{fb}"),
        format!("/versions/{vb}/report"),
        format!("/versions/{vb}/report.zip"),
        format!("/versions/{vb}/report.html"),
        format!("/versions/{vb}/report.pdf"),
        format!("/organisations/{}/audit", f.b.id),
    ];
    for uri in &foreign_gets {
        let r = get(&router, uri, &admin).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {}", r.body);
        check_csp(uri, &r);
        assert!(
            !r.body.contains("Brightline"),
            "{uri} discloses the other organisation"
        );
    }
    let csrf = admin.csrf.clone();
    let foreign_forms = [
        format!("/organisations/{}/versions", f.b.id),
        format!("/versions/{vb}/findings/{fb}/triage"),
        format!("/versions/{va}/findings/{fb}/triage"),
    ];
    for uri in &foreign_forms {
        let r = post_form(
            &router,
            uri,
            &admin,
            &[
                ("csrf_token", &csrf),
                ("product", "X"),
                ("version", "1"),
                ("state", "affected"),
                ("rationale", "x"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {}", r.body);
    }
    for uri in [
        format!("/versions/{vb}/sboms"),
        format!("/versions/{vb}/device"),
        format!("/versions/{vb}/tests"),
    ] {
        let r = post_multipart(
            &router,
            &uri,
            &admin,
            &[
                ("csrf_token", &csrf),
                ("test", "T-01"),
                ("outcome", "pass"),
                ("tester", "x"),
            ],
            &[("file", "x.json", b"{}")],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {}", r.body);
    }

    // Forms without the session's token (or with another) are refused and change nothing.
    let audit_before = f.store.audit_entries(None, 0, 100_000).await.unwrap().len();
    let sbom =
        std::fs::read(support::examples().join("insulin-pump/sbom/mobile-app.cdx.json")).unwrap();
    for token in [
        "",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let r = post_form(
            &router,
            &format!("/versions/{va}/findings/{fa}/triage"),
            &admin,
            &[
                ("csrf_token", token),
                ("state", "affected"),
                ("action", "update"),
                ("rationale", "no token"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "triage: {}", r.body);
        assert!(r.body.contains("CSRF"), "{}", r.body);
        let r = post_form(
            &router,
            &format!("/organisations/{}/versions", f.a.id),
            &admin,
            &[("csrf_token", token), ("product", "P"), ("version", "9")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "version: {}", r.body);
        let r = post_multipart(
            &router,
            &format!("/versions/{va}/sboms"),
            &admin,
            &[("csrf_token", token), ("name", "sbom/extra.cdx.json")],
            &[("file", "extra.cdx.json", &sbom)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "sbom: {}", r.body);
        let r = post_multipart(
            &router,
            &format!("/versions/{va}/tests"),
            &admin,
            &[
                ("csrf_token", token),
                ("test", "T-01"),
                ("outcome", "pass"),
                ("tester", "x"),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "test result: {}", r.body);
        let r = post_form(&router, "/logout", &admin, &[("csrf_token", token)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "logout: {}", r.body);
    }
    assert_eq!(
        f.store.audit_entries(None, 0, 100_000).await.unwrap().len(),
        audit_before
    );
    assert!(f.store.product_decisions(va).await.unwrap().1.is_empty());

    // Roles hold: a viewer's triage with a valid token is forbidden; an engineer's is
    // recorded, audited with the reason, and shown.
    let r = post_form(
        &router,
        &format!("/versions/{va}/findings/{fa}/triage"),
        &viewer,
        &[
            ("csrf_token", &viewer.csrf),
            ("state", "affected"),
            ("action", "update"),
            ("rationale", "viewer"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let engineer = login(&router, &f.a.email(Role::Engineer)).await;
    let r = post_form(
        &router,
        &format!("/versions/{va}/findings/{fa}/triage"),
        &engineer,
        &[
            ("csrf_token", &engineer.csrf),
            ("state", "affected"),
            ("justification", ""),
            ("action", "Update the firmware"),
            ("rationale", "reachable from the ward network"),
            ("reason", "weekly triage"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, decisions) = f.store.product_decisions(va).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].state.as_str(), "affected");
    assert_eq!(decisions[0].action.as_deref(), Some("Update the firmware"));
    let audit = f
        .store
        .audit_entries(Some(f.a.id), 0, 100_000)
        .await
        .unwrap();
    let entry = audit
        .iter()
        .rfind(|e| e.record_kind == "triage-decision")
        .unwrap();
    assert_eq!(entry.reason.as_deref(), Some("weekly triage"));
    assert!(entry.actor.ends_with(&f.a.email(Role::Engineer)));
    let r = get(
        &router,
        &format!("/versions/{va}/findings/{fa}?notice=triage"),
        &engineer,
    )
    .await;
    assert!(
        r.body.contains("reachable from the ward network")
            && r.body.contains("The triage decision was recorded.")
    );
    // The page names the decision it shows; a form that still names an older state (no
    // decision) conflicts instead of silently overriding the one just recorded.
    let page = get(&router, &format!("/versions/{va}/findings/{fa}"), &engineer).await;
    assert!(
        page.body.contains(&format!(
            "name=\"supersedes\" value=\"{}\"",
            decisions[0].id
        )),
        "the form names the latest decision"
    );
    let r = post_form(
        &router,
        &format!("/versions/{va}/findings/{fa}/triage"),
        &engineer,
        &[
            ("csrf_token", &engineer.csrf),
            ("state", "in_triage"),
            ("rationale", "from a stale page"),
            ("supersedes", "none"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("someone else decided meanwhile"),
        "{}",
        r.body
    );
    assert_eq!(f.store.product_decisions(va).await.unwrap().1.len(), 1);
    // A form missing a field gets the HTML error page, not a bare text answer.
    let r = post_form(
        &router,
        &format!("/versions/{va}/findings/{fa}/triage"),
        &engineer,
        &[("csrf_token", &engineer.csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.body.contains("state"), "{}", r.body);
    check_csp("triage without a state", &r);
    // An engineer does not record test results.
    let r = post_multipart(
        &router,
        &format!("/versions/{va}/tests"),
        &engineer,
        &[
            ("csrf_token", &engineer.csrf),
            ("test", "T-01"),
            ("outcome", "pass"),
            ("tester", "x"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // A new device model through the upload form: a new revision, audited, and the text
    // it brings (markup in an element's name) shown as text in the page and the diagram.
    let yaml =
        std::fs::read_to_string(support::examples().join("patient-monitor/device.yaml")).unwrap();
    let changed = yaml.replacen(
        "name: Bedside monitor application and operating system",
        "name: \"Bedside monitor <i>injected</i> & OS\"",
        1,
    );
    assert_ne!(changed, yaml);
    let r = post_multipart(
        &router,
        &format!("/versions/{va}/device"),
        &engineer,
        &[
            ("csrf_token", &engineer.csrf),
            ("reason", "rename the monitor"),
        ],
        &[("file", "device.yaml", changed.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/versions/{va}?notice=device").as_str()
    );
    let docs = f.store.documents(va, false).await.unwrap();
    let model = docs.iter().find(|d| d.kind == "device-model").unwrap();
    assert_eq!(model.revision, 2);
    // An upload from a page that showed the first revision conflicts (412), keeps the
    // second revision, and says why.
    let first = f
        .store
        .documents(va, true)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "device-model" && d.revision == 1)
        .unwrap();
    let r = post_multipart(
        &router,
        &format!("/versions/{va}/device"),
        &engineer,
        &[("csrf_token", &engineer.csrf), ("if_match", &first.sha256)],
        &[("file", "device.yaml", yaml.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert!(
        r.body.contains("someone else changed it meanwhile"),
        "{}",
        r.body
    );
    let page = get(&router, &format!("/versions/{va}"), &engineer).await;
    assert!(
        page.body
            .contains(&format!("name=\"if_match\" value=\"{}\"", model.sha256)),
        "the upload form names the revision shown"
    );
    let r = get(&router, &format!("/versions/{va}?notice=device"), &viewer).await;
    check_page("device page after upload", &r);
    assert!(
        r.body
            .contains("The device model was saved as a new revision.")
    );
    assert!(
        !r.body.contains("<i>injected</i>"),
        "markup from the model is escaped"
    );
    assert!(r.body.contains("&lt;i&gt;injected&lt;/i&gt;"));
    // A model naming another device is refused by the API's check, and nothing is kept.
    let other = yaml.replacen("version: \"5.1\"", "version: \"9.9\"", 1);
    let r = post_multipart(
        &router,
        &format!("/versions/{va}/device"),
        &engineer,
        &[("csrf_token", &engineer.csrf)],
        &[("file", "device.yaml", other.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("9.9"), "the page says why: {}", r.body);
    assert_eq!(
        f.store
            .documents(va, false)
            .await
            .unwrap()
            .iter()
            .find(|d| d.kind == "device-model")
            .unwrap()
            .revision,
        2
    );

    // The report's HTML downloads for a reader.
    let r = get(&router, &format!("/versions/{va}/report.html"), &viewer).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(r.body.contains("Halvard Vigil Patient Monitoring System"));
    let vulnerability = &f.store.findings(va, true).await.unwrap()[0].vulnerability;
    assert!(
        r.body.contains(vulnerability.as_str()),
        "the report lists {vulnerability}"
    );

    // Logging out with the token ends the session.
    let r = post_form(&router, "/logout", &viewer, &[("csrf_token", &viewer.csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = get(&router, "/", &viewer).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");
}
