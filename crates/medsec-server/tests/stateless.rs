//! Two servers on one throwaway PostgreSQL database, on real listeners: a session made
//! on one is honoured by the other, a change made through one is seen by the other,
//! failed logins count across both, and both extend one intact audit chain.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medsec_store::accounts::Role;
use serde_json::{Value, json};
use support::{PASSWORD, PM_ORG, app_on, pg, test_settings};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Vec<String>, String) {
    let agent = agent();
    let mut response = match method {
        "GET" => {
            let mut r = agent.get(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.call().unwrap()
        }
        _ => {
            let mut r = agent.post(url).header("content-type", "application/json");
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.send(body.unwrap_or(json!({})).to_string()).unwrap()
        }
    };
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, cookies, text)
}

#[test]
fn two_servers_share_sessions_data_rate_limits_and_the_audit_chain() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = rt.block_on(pg::cluster().create_database());
    let mut settings = test_settings();
    settings.secure_cookies = false;
    settings.login.per_account = 2;
    let (first, second) = rt.block_on(async {
        let one = app_on(&url, settings.clone()).await;
        // The second server opens the same database on its own pool.
        let store = medsec_store::Store::open(&url).await.unwrap();
        let state = medsec_server::AppState::new(store, settings.clone()).unwrap();
        (one, state)
    });
    let mut addrs = Vec::new();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    for state in [
        medsec_server::AppState::new(first.store.clone(), settings.clone()).unwrap(),
        second,
    ] {
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        addrs.push(format!("http://{}", listener.local_addr().unwrap()));
        let mut rx = stop_rx.clone();
        rt.spawn(medsec_server::serve_on(listener, state, async move {
            let _ = rx.changed().await;
        }));
    }
    let (s1, s2) = (&addrs[0], &addrs[1]);
    let engineer = first.a.email(Role::Engineer);

    // Log in on the first server, use the session on the second.
    let (status, cookies, text) = call(
        "POST",
        &format!("{s1}/api/v1/login"),
        &[],
        Some(json!({"email": engineer, "password": PASSWORD})),
    );
    assert_eq!(status, 200, "{text}");
    let cookie = cookies[0].split(';').next().unwrap().to_owned();
    let csrf = serde_json::from_str::<Value>(&text).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, text) = call(
        "POST",
        &format!("{s2}/api/v1/organisations/{}/versions", first.a.id),
        &[
            ("cookie", &cookie),
            ("x-csrf-token", &csrf),
            ("x-audit-reason", "release 7"),
        ],
        Some(json!({"product": "Shared", "version": "7.0"})),
    );
    assert_eq!(status, 200, "{text}");
    let version = serde_json::from_str::<Value>(&text).unwrap()["version"]["id"]
        .as_i64()
        .unwrap();
    // The change is seen through the first server.
    let (status, _, text) = call(
        "GET",
        &format!("{s1}/api/v1/versions/{version}"),
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"Shared\""), "{text}");
    assert!(text.contains(PM_ORG));

    // Failed logins on either server count together (limit 2).
    let viewer = first.a.email(Role::Viewer);
    for server in [s1, s2] {
        let (status, _, _) = call(
            "POST",
            &format!("{server}/api/v1/login"),
            &[],
            Some(json!({"email": viewer, "password": "not the password"})),
        );
        assert_eq!(status, 401);
    }
    let (status, _, _) = call(
        "POST",
        &format!("{s1}/api/v1/login"),
        &[],
        Some(json!({"email": viewer, "password": PASSWORD})),
    );
    assert_eq!(status, 429);

    // Logging out on the second server ends the session on the first.
    let (status, _, _) = call(
        "POST",
        &format!("{s2}/api/v1/logout"),
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        None,
    );
    assert_eq!(status, 204);
    let (status, _, _) = call(
        "GET",
        &format!("{s1}/api/v1/me"),
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(status, 401);

    // One chain, intact, with the change and its reason.
    rt.block_on(async {
        let v = first.store.audit_verify().await.unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        let last = first
            .store
            .audit_entries(None, 0, 100_000)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(last.record_kind, "product-version");
        assert_eq!(last.reason.as_deref(), Some("release 7"));
        assert!(last.actor.contains(&engineer));
    });
    let _ = stop_tx.send(true);
}
