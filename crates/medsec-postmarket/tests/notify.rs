//! Notifications end to end: the webhook against a local HTTP server, the e-mail against
//! a local SMTP sink, and the threshold rules.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use jiff::Timestamp;
use medsec_core::vex::VexStatus;
use medsec_postmarket::notify::{
    Notice, NoticeComponent, NoticeFinding, NoticeProduct, NotifyError, RetryPolicy, Severity,
    SmtpConfig, SmtpTls, Threshold, VerifyError, WebhookConfig, WebhookSender, select, send_email,
    send_webhook, verify,
};
use proptest::prelude::*;

const SECRET: &[u8] = b"shared-secret-of-the-psirt";

fn finding(id: &str, severity: Option<Severity>, kev: bool) -> NoticeFinding {
    let mut f = NoticeFinding::new(
        id,
        NoticeComponent::new(
            "openssl",
            Some("3.0.1".into()),
            Some("pkg:generic/openssl@3.0.1".into()),
        ),
        "2026-11-28T09:00:00Z".parse().unwrap(),
    );
    f.severity = severity;
    f.kev = kev;
    f
}

/// Three findings of Equa Pump 4.2.1 above `high`: two critical (one KEV-listed), one high.
fn notice() -> Notice {
    let mut log4 = finding("CVE-2021-44228", Some(Severity::Critical), true);
    log4.aliases = vec!["GHSA-jfh8-c2jp-5v3q".into()];
    log4.cvss_score = Some(10.0);
    log4.cvss_vector = Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H".into());
    log4.epss = Some(0.97);
    log4.component = NoticeComponent::new(
        "log4j-core",
        Some("2.14.1".into()),
        Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into()),
    );
    let mut crit = finding("CVE-2024-0002", Some(Severity::Critical), false);
    crit.cvss_score = Some(9.1);
    let mut high = finding("CVE-2024-0003", Some(Severity::High), false);
    high.status = VexStatus::UnderInvestigation;
    let low = finding("CVE-2024-0004", Some(Severity::Low), false);
    Notice::from_candidates(
        NoticeProduct::new("Equa Medical", "Equa Pump", "4.2.1"),
        vec![high, low, crit, log4],
        Threshold::new(Severity::High),
        "2026-11-29T10:00:00Z".parse().unwrap(),
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------
// Webhook

/// A request as the server saw it.
struct Seen {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header"))
    }
}

/// A local HTTP server answering each request with the next of `answers`
/// (status, Retry-After, body); the requests come out of the receiver.
fn http_server(
    answers: Vec<(u16, Option<&'static str>, &'static str)>,
) -> (String, mpsc::Receiver<Seen>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for (status, retry_after, body) in answers {
            let Ok(mut request) = server.recv() else {
                return;
            };
            let headers = request
                .headers()
                .iter()
                .map(|h| (h.field.to_string(), h.value.to_string()))
                .collect();
            let mut bytes = Vec::new();
            request.as_reader().read_to_end(&mut bytes).unwrap();
            tx.send(Seen {
                headers,
                body: bytes,
            })
            .unwrap();
            let mut response = tiny_http::Response::from_string(body).with_status_code(status);
            if let Some(secs) = retry_after {
                response = response.with_header(
                    tiny_http::Header::from_bytes(&b"Retry-After"[..], secs.as_bytes()).unwrap(),
                );
            }
            request.respond(response).unwrap();
        }
    });
    (format!("http://127.0.0.1:{port}/hooks/medsec"), rx)
}

fn fast(url: &str) -> WebhookConfig {
    let mut config = WebhookConfig::new(url, SECRET);
    config.timeout = Duration::from_secs(10);
    config.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        retry_after_cap: Duration::from_secs(2),
    };
    config
}

#[test]
fn webhook_posts_a_signed_notice() {
    let (url, requests) = http_server(vec![(200, None, "ok")]);
    let notice = notice();
    let delivery = send_webhook(&fast(&url), &notice).unwrap();
    assert_eq!((delivery.attempts, delivery.status), (1, 200));

    let seen = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(seen.header("Content-Type").starts_with("application/json"));
    assert_eq!(seen.header("X-Medsec-Delivery"), delivery.id);
    assert_eq!(delivery.id.len(), 32);
    let timestamp = seen.header("X-Medsec-Timestamp").to_owned();
    let signature = seen.header("X-Medsec-Signature").to_owned();
    assert!(signature.starts_with("sha256="), "{signature}");

    // The body is the notice.
    let back: Notice = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(back, notice);
    let value: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(value["schema"], "medsec-notice/1");

    // The signature verifies, and only with the secret, the body and a fresh timestamp.
    let sent_at: i64 = timestamp.parse().unwrap();
    let now = Timestamp::now().as_second();
    assert!((now - sent_at).abs() < 60);
    assert_eq!(
        verify(SECRET, &timestamp, &signature, &seen.body, now, 300),
        Ok(())
    );
    assert_eq!(
        verify(
            b"wrong secret",
            &timestamp,
            &signature,
            &seen.body,
            now,
            300
        ),
        Err(VerifyError::Mismatch)
    );
    let mut altered = seen.body.clone();
    altered.extend_from_slice(b" ");
    assert_eq!(
        verify(SECRET, &timestamp, &signature, &altered, now, 300),
        Err(VerifyError::Mismatch)
    );
    assert!(matches!(
        verify(
            SECRET,
            &timestamp,
            &signature,
            &seen.body,
            sent_at + 301,
            300
        ),
        Err(VerifyError::OutsideWindow { age_secs: 301, .. })
    ));
    // A replay under a fresh timestamp does not verify either.
    let fresh = (sent_at + 1000).to_string();
    assert_eq!(
        verify(SECRET, &fresh, &signature, &seen.body, sent_at + 1000, 300),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn webhook_retries_a_503_then_delivers() {
    let (url, requests) = http_server(vec![
        (503, Some("1"), "busy"),
        (429, None, "slow down"),
        (200, None, "ok"),
    ]);
    let delivery = send_webhook(&fast(&url), &notice()).unwrap();
    assert_eq!((delivery.attempts, delivery.status), (3, 200));
    let seen: Vec<Seen> = requests.try_iter().collect();
    assert_eq!(seen.len(), 3);
    // The same delivery id on each attempt, each attempt signed for its own timestamp.
    for s in &seen {
        assert_eq!(s.header("X-Medsec-Delivery"), delivery.id);
        let ts = s.header("X-Medsec-Timestamp");
        let now: i64 = ts.parse().unwrap();
        assert_eq!(
            verify(SECRET, ts, s.header("X-Medsec-Signature"), &s.body, now, 0),
            Ok(())
        );
    }
    // Retry-After: 1 was honoured between the first two attempts.
    let first: i64 = seen[0].header("X-Medsec-Timestamp").parse().unwrap();
    let second: i64 = seen[1].header("X-Medsec-Timestamp").parse().unwrap();
    assert!(second > first, "{first} then {second}");
}

#[test]
fn webhook_gives_up_after_the_last_attempt() {
    let (url, requests) = http_server(vec![(502, None, "bad gateway"); 3]);
    let err = send_webhook(&fast(&url), &notice()).unwrap_err();
    assert!(
        matches!(
            err,
            NotifyError::HttpStatus {
                status: 502,
                attempts: 3,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(requests.try_iter().count(), 3);
}

#[test]
fn webhook_does_not_retry_a_400() {
    let (url, requests) = http_server(vec![
        (400, None, "missing field\n\x1b[31mproduct\x1b[0m"),
        (200, None, "ok"),
    ]);
    let err = send_webhook(&fast(&url), &notice()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("HTTP 400"), "{message}");
    assert!(message.contains("after 1 attempt"), "{message}");
    assert!(message.contains("missing field"), "{message}");
    assert!(
        !message.contains('\x1b'),
        "control characters removed: {message:?}"
    );
    // The path of the URL (often a token) is not shown.
    assert!(!message.contains("/hooks/medsec"), "{message}");
    assert!(message.contains("http://127.0.0.1:"), "{message}");
    thread::sleep(Duration::from_millis(100));
    assert_eq!(requests.try_iter().count(), 1);
}

#[test]
fn webhook_refuses_plain_http_to_a_remote_host() {
    let err =
        WebhookSender::new(&WebhookConfig::new("http://example.invalid/hook", SECRET)).unwrap_err();
    assert!(matches!(err, NotifyError::InsecureUrl { .. }), "{err}");
    assert!(err.to_string().contains("https"), "{err}");
    assert!(
        WebhookSender::new(&WebhookConfig::new("https://example.invalid/hook", SECRET)).is_ok()
    );
    let err = WebhookSender::new(&WebhookConfig::new("not a url", SECRET)).unwrap_err();
    assert!(matches!(err, NotifyError::InvalidUrl { .. }), "{err}");
}

#[test]
fn webhook_connection_refused_is_a_transport_error() {
    // A port nobody listens on: bind, read the port, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = fast(&format!("http://127.0.0.1:{port}/x"));
    config.retry.max_attempts = 2;
    let err = send_webhook(&config, &notice()).unwrap_err();
    assert!(
        matches!(err, NotifyError::Transport { attempts: 2, .. }),
        "{err}"
    );
}

#[test]
fn config_debug_hides_secrets() {
    let config = WebhookConfig::new("https://hooks.example.invalid/T0KEN", SECRET);
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("T0KEN") && !shown.contains("shared-secret"),
        "{shown}"
    );
    let mut smtp = SmtpConfig::new("smtp.example.invalid", "psirt@example.invalid", vec![]);
    smtp.username = Some("psirt".into());
    smtp.password = Some("hunter2".into());
    let shown = format!("{smtp:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

// ---------------------------------------------------------------------------------------
// E-mail

/// How the sink answers.
#[derive(Clone, Copy)]
enum Rcpt {
    Accept,
    Reject550,
    /// Accept, after advertising and accepting AUTH PLAIN.
    AcceptWithAuth,
}

/// A local SMTP sink for one connection: no STARTTLS advertised; returns the commands
/// it received and the message (DATA, dot-unstuffed).
fn smtp_sink(rcpt: Rcpt) -> (u16, thread::JoinHandle<(Vec<String>, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        serve_smtp(stream, rcpt)
    });
    (port, handle)
}

fn serve_smtp(stream: TcpStream, rcpt: Rcpt) -> (Vec<String>, String) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut commands = Vec::new();
    let mut message = String::new();
    let mut say = |line: &str| {
        writer.write_all(line.as_bytes()).unwrap();
        writer.write_all(b"\r\n").unwrap();
        writer.flush().unwrap();
    };
    say("220 sink.invalid ESMTP test sink");
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        commands.push(command.clone());
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => match rcpt {
                Rcpt::AcceptWithAuth => say("250-sink.invalid\r\n250 AUTH PLAIN"),
                _ => say("250 sink.invalid"),
            },
            "AUTH" => say("235 2.7.0 authenticated"),
            "MAIL" => say("250 2.1.0 sender ok"),
            "RCPT" => match rcpt {
                Rcpt::Accept | Rcpt::AcceptWithAuth => say("250 2.1.5 recipient ok"),
                Rcpt::Reject550 => say("550 5.1.1 no such mailbox here"),
            },
            "DATA" => {
                say("354 end data with <CR><LF>.<CR><LF>");
                loop {
                    let mut data = String::new();
                    if reader.read_line(&mut data).unwrap() == 0 {
                        break;
                    }
                    if data == ".\r\n" {
                        break;
                    }
                    let unstuffed = data.strip_prefix('.').unwrap_or(&data);
                    message.push_str(unstuffed);
                }
                say("250 2.0.0 queued");
            }
            "QUIT" => {
                say("221 2.0.0 bye");
                break;
            }
            _ => say("250 ok"),
        }
    }
    (commands, message)
}

fn smtp_config(port: u16) -> SmtpConfig {
    let mut config = SmtpConfig::new(
        "127.0.0.1",
        "medsec PSIRT <psirt@equa.invalid>",
        vec![
            "security-oncall@equa.invalid".into(),
            "Quality <quality@equa.invalid>".into(),
        ],
    );
    config.port = port;
    config.tls = SmtpTls::NoneLoopbackOnly;
    config.timeout = Duration::from_secs(10);
    config
}

#[test]
fn email_reaches_the_sink_with_text_and_json() {
    let (port, sink) = smtp_sink(Rcpt::Accept);
    let notice = notice();
    send_email(&smtp_config(port), &notice).unwrap();
    let (commands, raw) = sink.join().unwrap();

    assert!(commands[0].starts_with("EHLO "), "{commands:?}");
    assert!(
        commands
            .iter()
            .any(|c| c == "MAIL FROM:<psirt@equa.invalid>"),
        "{commands:?}"
    );
    let rcpts: Vec<&String> = commands
        .iter()
        .filter(|c| c.starts_with("RCPT TO:"))
        .collect();
    assert_eq!(rcpts.len(), 2, "{commands:?}");
    assert_eq!(commands.last().map(String::as_str), Some("QUIT"));

    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("an RFC 5322 message");
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.address(), Some("psirt@equa.invalid"));
    let to: Vec<&str> = message
        .to()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(to, ["security-oncall@equa.invalid", "quality@equa.invalid"]);
    assert_eq!(
        message.subject(),
        Some("[medsec] 3 new affected findings in Equa Pump 4.2.1 (2 critical, 1 known exploited)")
    );

    let text = message.body_text(0).unwrap();
    for expected in [
        "Equa Pump 4.2.1 (Equa Medical)",
        "CVE-2021-44228",
        "GHSA-jfh8-c2jp-5v3q",
        "log4j-core 2.14.1",
        "KEV",
        "CVE-2024-0002",
        "CVE-2024-0003",
        "under_investigation",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(
        !text.contains("CVE-2024-0004"),
        "below the threshold:\n{text}"
    );

    let attachment = message
        .attachments()
        .find(|a| {
            use mail_parser::MimeHeaders as _;
            a.attachment_name() == Some("medsec-notice.json")
        })
        .expect("the JSON notice attached");
    let back: Notice = serde_json::from_slice(attachment.contents()).unwrap();
    assert_eq!(back, notice);
}

#[test]
fn email_authenticates_when_given_credentials() {
    let (port, sink) = smtp_sink(Rcpt::AcceptWithAuth);
    let mut config = smtp_config(port);
    config.username = Some("psirt".into());
    config.password = Some("hunter2".into());
    send_email(&config, &notice()).unwrap();
    let (commands, raw) = sink.join().unwrap();
    // AUTH PLAIN with base64("\0psirt\0hunter2"), before the envelope.
    let auth = commands
        .iter()
        .position(|c| c == "AUTH PLAIN AHBzaXJ0AGh1bnRlcjI=");
    let mail = commands.iter().position(|c| c.starts_with("MAIL FROM:"));
    assert!(auth.is_some() && auth < mail, "{commands:?}");
    assert!(raw.contains("medsec-notice.json"));
}

#[test]
fn email_rejected_recipient_names_the_host() {
    let (port, sink) = smtp_sink(Rcpt::Reject550);
    let err = send_email(&smtp_config(port), &notice()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, NotifyError::Smtp { .. }), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("550"), "{message}");
    let (commands, raw) = sink.join().unwrap();
    assert!(raw.is_empty(), "no message after the refusal");
    assert!(!commands.iter().any(|c| c == "DATA"), "{commands:?}");
}

#[test]
fn email_refuses_plaintext_to_a_remote_host_and_bad_settings() {
    let mut config = smtp_config(25);
    config.host = "smtp.example.invalid".into();
    let err = send_email(&config, &notice()).unwrap_err();
    assert!(matches!(err, NotifyError::EmailConfig { .. }), "{err}");
    assert!(err.to_string().contains("smtp.example.invalid:25"), "{err}");

    let mut config = smtp_config(25);
    config.to.clear();
    assert!(matches!(
        send_email(&config, &notice()).unwrap_err(),
        NotifyError::EmailConfig { .. }
    ));

    let mut config = smtp_config(25);
    config.to = vec!["not an address".into()];
    let err = send_email(&config, &notice()).unwrap_err();
    assert!(matches!(err, NotifyError::Address { .. }), "{err}");

    let mut config = smtp_config(25);
    config.username = Some("psirt".into());
    let err = send_email(&config, &notice()).unwrap_err();
    assert!(matches!(err, NotifyError::EmailConfig { .. }), "{err}");
}

#[test]
fn email_render_is_the_message_sent() {
    let raw = smtp_config(25).render(&notice()).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert!(message.subject().unwrap().starts_with("[medsec] 3 new"));
}

// ---------------------------------------------------------------------------------------
// Threshold

#[test]
fn threshold_examples() {
    let findings = vec![
        finding("crit", Some(Severity::Critical), false),
        finding("high", Some(Severity::High), false),
        finding("med", Some(Severity::Medium), false),
        finding("none", Some(Severity::None), false),
        finding("unknown", None, false),
        finding("kev-low", Some(Severity::Low), true),
    ];
    let ids = |t: Threshold| -> Vec<String> {
        select(findings.clone(), &t)
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    assert_eq!(
        ids(Threshold::new(Severity::High)),
        ["kev-low", "crit", "high", "unknown"]
    );
    assert_eq!(
        ids(Threshold::new(Severity::Critical).notify_unknown(false)),
        ["kev-low", "crit"]
    );
    assert_eq!(ids(Threshold::new(Severity::None)).len(), 6);

    let mut not_affected = finding("na", Some(Severity::Critical), true);
    not_affected.status = VexStatus::NotAffected;
    assert!(select(vec![not_affected], &Threshold::new(Severity::None)).is_empty());
}

#[test]
fn threshold_reads_from_json() {
    let t: Threshold = serde_json::from_str(r#"{"min_severity": "medium"}"#).unwrap();
    assert_eq!(t, Threshold::new(Severity::Medium));
    assert!(t.notify_unknown, "unknown severity notifies by default");
}

fn arb_severity() -> impl Strategy<Value = Option<Severity>> {
    prop_oneof![
        Just(None),
        prop::sample::select(Severity::ALL.to_vec()).prop_map(Some),
    ]
}

fn arb_finding() -> impl Strategy<Value = NoticeFinding> {
    (
        "[A-Z]{3}-[0-9]{1,4}",
        arb_severity(),
        any::<bool>(),
        prop::sample::select(VexStatus::ALL.to_vec()),
    )
        .prop_map(|(id, severity, kev, status)| {
            let mut f = finding(&id, severity, kev);
            f.status = status;
            f
        })
}

fn arb_threshold() -> impl Strategy<Value = Threshold> {
    (prop::sample::select(Severity::ALL.to_vec()), any::<bool>())
        .prop_map(|(min, unknown)| Threshold::new(min).notify_unknown(unknown))
}

proptest! {
    #[test]
    fn raising_the_threshold_never_adds_findings(
        findings in prop::collection::vec(arb_finding(), 0..30),
        low in arb_threshold(),
        high in arb_threshold(),
    ) {
        // `high` is at least as strict as `low`.
        let high = Threshold {
            min_severity: high.min_severity.max(low.min_severity),
            notify_unknown: high.notify_unknown && low.notify_unknown,
        };
        let loose = select(findings.clone(), &low);
        let strict = select(findings.clone(), &high);
        prop_assert!(strict.len() <= loose.len());
        for f in &strict {
            prop_assert!(loose.contains(f), "{} passes {:?} but not {:?}", f.id, high, low);
        }
        for f in &findings {
            let open = matches!(f.status, VexStatus::Affected | VexStatus::UnderInvestigation);
            if f.kev && open {
                prop_assert!(strict.contains(f), "KEV-listed {} dropped", f.id);
            }
            if !open {
                prop_assert!(!loose.contains(f), "{} is {}", f.id, f.status);
            }
        }
    }
}
