//! Webhook delivery: the JSON notice POSTed to an HTTPS endpoint, signed with a secret
//! shared with the receiver.
//!
//! Each request carries:
//!
//! - `Content-Type: application/json`;
//! - `X-Medsec-Timestamp`: the Unix time of the attempt, in seconds;
//! - `X-Medsec-Signature: sha256=<hex>`: HMAC-SHA256 with the shared secret over
//!   `"<timestamp>.<body>"` (the decimal timestamp, a full stop, the exact body bytes);
//! - `X-Medsec-Delivery`: an id derived from the body (32 hex digits of its SHA-256),
//!   the same on every retry, so that a receiver can drop a delivery it already has.
//!
//! A receiver checks a request with [`verify`]: the signature (compared in constant
//! time) and the age of the timestamp (a replay window). Signing the timestamp with the
//! body is what makes the window hold: an old request cannot be replayed with a fresh
//! timestamp. Each retry is signed afresh with its own timestamp.
//!
//! Plain `http://` URLs are refused unless the host is loopback (`localhost`,
//! `127.0.0.0/8`, `::1`): a notice lists unpatched vulnerabilities of a medical device,
//! which the signature authenticates but does not hide. Loopback URLs serve local
//! relays and tests, and never go through a proxy.
//!
//! Redirects are not followed (a 3xx is an error): a redirect could send the notice
//! somewhere the configuration never named.

use std::io::Read as _;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit as _, Mac as _};
use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

use super::{Notice, NotifyError, one_line};

type HmacSha256 = Hmac<Sha256>;

/// The prefix of the signature header value.
pub const SIGNATURE_PREFIX: &str = "sha256=";
pub const HEADER_TIMESTAMP: &str = "X-Medsec-Timestamp";
pub const HEADER_SIGNATURE: &str = "X-Medsec-Signature";
pub const HEADER_DELIVERY: &str = "X-Medsec-Delivery";

/// How much of an error response's body goes into the error message.
const BODY_EXCERPT_CHARS: usize = 300;

/// The signature header value of `body` sent at `timestamp` (Unix seconds):
/// `sha256=` and the lower-case hex HMAC-SHA256 over `"<timestamp>.<body>"`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("{SIGNATURE_PREFIX}{}", hex(&tag))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (longer ones are hashed), so this never fails.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Why a webhook request was not accepted by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the timestamp header is not a whole number of seconds")]
    BadTimestamp,
    #[error("the signature header is not `sha256=` and 64 hex digits")]
    BadSignature,
    #[error("the signature does not match the body and timestamp")]
    Mismatch,
    #[error("the timestamp is {age_secs} s from now, outside the {tolerance_secs} s window")]
    OutsideWindow { age_secs: i64, tolerance_secs: u64 },
}

/// Checks a webhook request as a receiver: `timestamp_header` and `signature_header`
/// are the values of `X-Medsec-Timestamp` and `X-Medsec-Signature`, `body` the exact
/// bytes received, `now` the receiver's Unix time in seconds. The signature is
/// compared in constant time; then a timestamp more than `tolerance_secs` away from
/// `now` (either way, for clock skew) is refused as a possible replay. Receivers should
/// also drop repeated `X-Medsec-Delivery` ids.
pub fn verify(
    secret: &[u8],
    timestamp_header: &str,
    signature_header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: u64,
) -> Result<(), VerifyError> {
    let ts_text = timestamp_header.trim();
    if ts_text.is_empty() || !ts_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp);
    }
    let timestamp: i64 = ts_text.parse().map_err(|_| VerifyError::BadTimestamp)?;
    let tag = signature_header
        .trim()
        .strip_prefix(SIGNATURE_PREFIX)
        .and_then(unhex)
        .filter(|tag| tag.len() == 32)
        .ok_or(VerifyError::BadSignature)?;
    mac(secret, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| VerifyError::Mismatch)?;
    let age_secs = now.saturating_sub(timestamp);
    if age_secs.unsigned_abs() > tolerance_secs {
        return Err(VerifyError::OutsideWindow {
            age_secs,
            tolerance_secs,
        });
    }
    Ok(())
}

/// The `X-Medsec-Delivery` id of a body: the first 32 hex digits of its SHA-256.
pub fn delivery_id(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    hex(&digest[..16])
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

/// Retries of a delivery: after a 5xx, 408 or 429 answer or a network failure (refused
/// connection, timeout), up to `max_attempts` attempts in all, waiting
/// `initial_backoff` doubled at each retry up to `max_backoff`, or the server's
/// `Retry-After` (in seconds) up to `retry_after_cap`. Other answers are not retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (at least 1).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, 1 s doubling up to 30 s, `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retry: one attempt.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before attempt `failed_attempts + 1`, given the `Retry-After` header of
    /// the failed answer if any. Only the delta-seconds form is read; an HTTP date is
    /// ignored (the backoff applies).
    pub fn delay(&self, failed_attempts: u32, retry_after: Option<&str>) -> Duration {
        if let Some(secs) = retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
            return Duration::from_secs(secs).min(self.retry_after_cap);
        }
        let doublings = failed_attempts.saturating_sub(1).min(30);
        self.initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff)
    }
}

/// Where and how to deliver notices by webhook.
#[derive(Clone)]
pub struct WebhookConfig {
    /// The endpoint: `https://...`, or `http://` on a loopback host.
    pub url: String,
    /// The secret shared with the receiver (HMAC key).
    pub secret: Vec<u8>,
    /// The limit of one attempt, from connecting to the end of the answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl WebhookConfig {
    /// A 30 s timeout and the default retries.
    pub fn new(url: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        WebhookConfig {
            url: url.into(),
            secret: secret.into(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = Target::parse(&self.url).map_or_else(|_| "<invalid>".to_owned(), |t| t.shown);
        f.debug_struct("WebhookConfig")
            .field("url", &url)
            .field("secret", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

/// A webhook URL checked against the https rule, and its form for messages.
struct Target {
    /// `scheme://host[:port]`, and `/...` when the URL has a path or query: webhook
    /// paths and queries often carry tokens.
    shown: String,
    loopback: bool,
}

impl Target {
    fn parse(url: &str) -> Result<Target, NotifyError> {
        let uri: ureq::http::Uri =
            url.parse()
                .map_err(|e: ureq::http::uri::InvalidUri| NotifyError::InvalidUrl {
                    reason: e.to_string(),
                })?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(NotifyError::InvalidUrl {
                reason: "scheme or host missing".to_owned(),
            });
        };
        let host = authority.host();
        let loopback = is_loopback(host);
        let mut shown = format!("{scheme}://{host}");
        if let Some(port) = authority.port_u16() {
            shown = format!("{shown}:{port}");
        }
        let path = uri.path_and_query().map_or("", |p| p.as_str());
        if !path.is_empty() && path != "/" {
            shown.push_str("/...");
        }
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(NotifyError::InsecureUrl { url: shown }),
            other => {
                return Err(NotifyError::InvalidUrl {
                    reason: format!("scheme {other:?} (expected https)"),
                });
            }
        }
        Ok(Target { shown, loopback })
    }
}

/// `localhost`, an IPv4 address in 127.0.0.0/8, or `::1` (brackets allowed).
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A successful delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The `X-Medsec-Delivery` id.
    pub id: String,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// The 2xx status of the answer.
    pub status: u16,
}

type Sleeper = Arc<dyn Fn(Duration) + Send + Sync>;

/// Sends notices to one webhook. Building it checks the URL; reuse it for many notices.
#[derive(Clone)]
pub struct WebhookSender {
    agent: ureq::Agent,
    url: String,
    shown: String,
    secret: Vec<u8>,
    retry: RetryPolicy,
    sleep: Sleeper,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender")
            .field("url", &self.shown)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// Checks the URL (absolute; https unless the host is loopback) and prepares the
    /// HTTP agent.
    pub fn new(config: &WebhookConfig) -> Result<Self, NotifyError> {
        let target = Target::parse(&config.url)?;
        let mut builder = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            // Status codes are judged here, with the body readable for the message.
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .https_only(!target.loopback)
            .user_agent(concat!("medsec/", env!("CARGO_PKG_VERSION")));
        if target.loopback {
            builder = builder.proxy(None);
        }
        Ok(WebhookSender {
            agent: ureq::Agent::new_with_config(builder.build()),
            url: config.url.clone(),
            shown: target.shown,
            secret: config.secret.clone(),
            retry: config.retry,
            sleep: Arc::new(std::thread::sleep),
        })
    }

    /// The URL as it appears in messages (scheme, host, port).
    pub fn target(&self) -> &str {
        &self.shown
    }

    /// POSTs the notice, retrying as the policy says.
    pub fn send(&self, notice: &Notice) -> Result<Delivery, NotifyError> {
        let body = notice.to_json()?.into_bytes();
        self.send_body(&body)
    }

    /// POSTs a JSON body already written (e.g. a notice kept from an earlier run).
    pub fn send_body(&self, body: &[u8]) -> Result<Delivery, NotifyError> {
        let id = delivery_id(body);
        let max_attempts = self.retry.max_attempts.max(1);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let timestamp = Timestamp::now().as_second();
            let signature = sign(&self.secret, timestamp, body);
            let result = self
                .agent
                .post(&self.url)
                .header("Content-Type", "application/json")
                .header(HEADER_TIMESTAMP, timestamp.to_string())
                .header(HEADER_SIGNATURE, signature)
                .header(HEADER_DELIVERY, id.as_str())
                .send(body);
            let last = attempts >= max_attempts;
            match result {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    if (200..300).contains(&status) {
                        return Ok(Delivery {
                            id,
                            attempts,
                            status,
                        });
                    }
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    if retryable_status(status) && !last {
                        (self.sleep)(self.retry.delay(attempts, retry_after.as_deref()));
                        continue;
                    }
                    return Err(NotifyError::HttpStatus {
                        url: self.shown.clone(),
                        status,
                        attempts,
                        body: excerpt(response.body_mut()),
                    });
                }
                Err(error) => {
                    if retryable_error(&error) && !last {
                        (self.sleep)(self.retry.delay(attempts, None));
                        continue;
                    }
                    return Err(NotifyError::Transport {
                        url: self.shown.clone(),
                        attempts,
                        source: Box::new(error),
                    });
                }
            }
        }
    }
}

/// Sends one notice to the webhook of `config` (see [`WebhookSender`]).
pub fn send_webhook(config: &WebhookConfig, notice: &Notice) -> Result<Delivery, NotifyError> {
    WebhookSender::new(config)?.send(notice)
}

/// Answers worth another attempt: timeouts, rate limiting, server errors.
fn retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// Failures of the network worth another attempt (TLS, URL and protocol errors are not).
fn retryable_error(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::BodyStalled
    )
}

/// The start of an error answer's body, on one line, for the error message.
fn excerpt(body: &mut ureq::Body) -> String {
    let mut bytes = Vec::new();
    // At most 4 bytes a character: enough for the excerpt, whatever the body's size.
    let limit = u64::try_from(BODY_EXCERPT_CHARS * 4).unwrap_or(u64::MAX);
    if body
        .as_reader()
        .take(limit)
        .read_to_end(&mut bytes)
        .is_err()
        && bytes.is_empty()
    {
        return String::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let line = one_line(&text);
    let words: Vec<&str> = line.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(BODY_EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}...", &joined[..cut]),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn known_hmac_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut m = HmacSha256::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Our framing: the same MAC over "<timestamp>.<body>".
        let mut framed = HmacSha256::new_from_slice(b"k").unwrap();
        framed.update(b"1700000000.{}");
        assert_eq!(
            sign(b"k", 1_700_000_000, b"{}"),
            format!("sha256={}", hex(&framed.finalize().into_bytes()))
        );
    }

    #[test]
    fn verify_rules() {
        let sig = sign(b"secret", 1000, b"body");
        assert_eq!(verify(b"secret", "1000", &sig, b"body", 1100, 300), Ok(()));
        assert_eq!(
            verify(b"secret", "1000", &sig, b"body", 1400, 300),
            Err(VerifyError::OutsideWindow {
                age_secs: 400,
                tolerance_secs: 300
            })
        );
        assert!(matches!(
            verify(b"secret", "1000", &sig, b"body", 600, 300),
            Err(VerifyError::OutsideWindow { age_secs: -400, .. })
        ));
        assert_eq!(
            verify(b"other", "1000", &sig, b"body", 1000, 300),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"secret", "1001", &sig, b"body", 1000, 300),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"secret", "-5", &sig, b"body", 1000, 300),
            Err(VerifyError::BadTimestamp)
        );
        assert_eq!(
            verify(b"secret", "1000", "sha1=00", b"body", 1000, 300),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify(b"secret", "1000", "sha256=zz", b"body", 1000, 300),
            Err(VerifyError::BadSignature)
        );
        // Upper-case hex is accepted.
        let upper = format!("sha256={}", sig[7..].to_ascii_uppercase());
        assert_eq!(
            verify(b"secret", "1000", &upper, b"body", 1000, 300),
            Ok(())
        );
    }

    #[test]
    fn retry_delays() {
        let p = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            retry_after_cap: Duration::from_secs(5),
        };
        assert_eq!(p.delay(1, None), Duration::from_millis(100));
        assert_eq!(p.delay(2, None), Duration::from_millis(200));
        assert_eq!(p.delay(3, None), Duration::from_millis(350));
        assert_eq!(p.delay(40, None), Duration::from_millis(350));
        assert_eq!(p.delay(1, Some("2")), Duration::from_secs(2));
        assert_eq!(p.delay(1, Some("3600")), Duration::from_secs(5));
        assert_eq!(
            p.delay(1, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn urls() {
        assert!(Target::parse("https://hooks.example.invalid/x").is_ok());
        assert!(
            Target::parse("http://127.0.0.1:8080/hook")
                .unwrap()
                .loopback
        );
        assert!(Target::parse("http://[::1]:8080/hook").unwrap().loopback);
        assert!(Target::parse("http://localhost/hook").unwrap().loopback);
        assert!(matches!(
            Target::parse("http://example.invalid/hook"),
            Err(NotifyError::InsecureUrl { .. })
        ));
        assert!(matches!(
            Target::parse("ftp://example.invalid/hook"),
            Err(NotifyError::InvalidUrl { .. })
        ));
        assert!(matches!(
            Target::parse("/relative"),
            Err(NotifyError::InvalidUrl { .. })
        ));
        let shown = Target::parse("https://user:pw@hooks.example.invalid:8443/T0KEN?k=v")
            .unwrap()
            .shown;
        assert_eq!(shown, "https://hooks.example.invalid:8443/...");
    }
}
