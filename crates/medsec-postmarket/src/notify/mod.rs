//! Notices of new affected findings: what is sent, to whom, and when.
//!
//! A [`Notice`] names one product version and the findings that are new since the last
//! notice and pass the [`Threshold`]. Which findings are *new* is the caller's business
//! (it compares with what was already notified); this module decides which of them are
//! worth a notice ([`select`]) and delivers it:
//!
//! - [`webhook`]: a JSON POST signed with HMAC-SHA256 over `"<timestamp>.<body>"`, with
//!   [`webhook::sign`] and [`webhook::verify`] for receivers;
//! - [`email`]: a plain-text e-mail over SMTP with the JSON notice attached.
//!
//! The JSON shape (`"schema": "medsec-notice/1"`) is stable: every key is always present
//! (`null` when unknown), keys are only ever added under the same schema name, and a change
//! of meaning gets a new schema name.
//!
//! The threshold rules, in order:
//!
//! 1. only findings whose status is `affected` or `under_investigation` notify; a finding
//!    triaged `not_affected` or `fixed` never does;
//! 2. a finding in CISA's Known Exploited Vulnerabilities catalogue always notifies,
//!    whatever its severity: exploitation in the wild outranks any score;
//! 3. a finding of unknown severity (no source scores it) notifies when
//!    [`Threshold::notify_unknown`] is set, which is the default: unscored is not safe;
//! 4. otherwise a finding notifies when its severity is at least
//!    [`Threshold::min_severity`].

use std::cmp::Reverse;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use medsec_core::vex::VexStatus;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub mod email;
pub mod webhook;

pub use email::{SmtpConfig, SmtpTls, send_email};
pub use webhook::{
    Delivery, RetryPolicy, VerifyError, WebhookConfig, WebhookSender, send_webhook, sign, verify,
};

/// The schema name written in every notice.
pub const NOTICE_SCHEMA: &str = "medsec-notice/1";

/// A qualitative severity (the CVSS v3.x/v4.0 rating scale: none 0.0, low 0.1-3.9,
/// medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0). An unknown severity is not a
/// level of this scale; findings carry `Option<Severity>` and `None` is written
/// `"unknown"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every level, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::None,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The label of a possibly unknown severity: a level, or `"unknown"`.
    pub fn label(severity: Option<Severity>) -> &'static str {
        severity.map_or("unknown", Severity::as_str)
    }

    /// The rating of a CVSS v3.x/v4.0 base score; `None` for a score outside 0-10.
    pub fn of_cvss(score: f64) -> Option<Severity> {
        if !(0.0..=10.0).contains(&score) {
            return None;
        }
        Some(if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is not one of none, low, medium, high, critical.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?} (expected none, low, medium, high or critical)")]
pub struct SeverityParseError(pub String);

impl FromStr for Severity {
    type Err = SeverityParseError;

    /// Case-insensitive level name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| SeverityParseError(s.to_owned()))
    }
}

/// Serde for `Option<Severity>` as a label: a level name or `"unknown"` (also accepting
/// `null` when reading).
mod severity_or_unknown {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<Severity>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(Severity::label(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Severity>, D::Error> {
        let label: Option<String> = Option::deserialize(d)?;
        match label.as_deref() {
            None | Some("unknown") => Ok(None),
            Some(other) => other.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// Which findings are worth a notice (the rules are in the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Threshold {
    /// The lowest severity that notifies.
    pub min_severity: Severity,
    /// Whether a finding no source scores notifies (default yes: unscored is not safe).
    #[serde(default = "yes")]
    pub notify_unknown: bool,
}

fn yes() -> bool {
    true
}

impl Threshold {
    /// Findings of `min_severity` or above, and findings of unknown severity.
    pub fn new(min_severity: Severity) -> Self {
        Threshold {
            min_severity,
            notify_unknown: true,
        }
    }

    /// The same threshold with unknown severity notifying or not.
    pub fn notify_unknown(mut self, yes: bool) -> Self {
        self.notify_unknown = yes;
        self
    }

    /// Whether one finding passes.
    pub fn passes(&self, finding: &NoticeFinding) -> bool {
        if !matches!(
            finding.status,
            VexStatus::Affected | VexStatus::UnderInvestigation
        ) {
            return false;
        }
        if finding.kev {
            return true;
        }
        match finding.severity {
            Some(severity) => severity >= self.min_severity,
            None => self.notify_unknown,
        }
    }

    /// A one-line description, e.g. `high or above; unknown severity notifies; KEV-listed
    /// always notifies`.
    pub fn describe(&self) -> String {
        format!(
            "{} or above; unknown severity {}; KEV-listed always notifies",
            self.min_severity,
            if self.notify_unknown {
                "notifies"
            } else {
                "does not notify"
            }
        )
    }
}

impl Default for Threshold {
    /// High or above, unknown severity notifying.
    fn default() -> Self {
        Threshold::new(Severity::High)
    }
}

/// The findings that pass `threshold`, in notice order: KEV-listed first, then by
/// severity (highest first, unknown last), CVSS score, vulnerability id and component.
pub fn select<I>(findings: I, threshold: &Threshold) -> Vec<NoticeFinding>
where
    I: IntoIterator<Item = NoticeFinding>,
{
    let mut kept: Vec<NoticeFinding> = findings
        .into_iter()
        .filter(|f| threshold.passes(f))
        .collect();
    sort_for_notice(&mut kept);
    kept
}

fn sort_for_notice(findings: &mut [NoticeFinding]) {
    findings.sort_by(|a, b| {
        let key = |f: &NoticeFinding| {
            (
                Reverse(f.kev),
                Reverse(f.severity.map(|s| s as u8 + 1).unwrap_or(0)),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| {
                let (x, y) = (a.cvss_score.unwrap_or(-1.0), b.cvss_score.unwrap_or(-1.0));
                y.total_cmp(&x)
            })
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.component.name.cmp(&b.component.name))
            .then_with(|| a.component.version.cmp(&b.component.version))
    });
}

/// The product version a notice is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NoticeProduct {
    /// The manufacturer (or the organisation unit that owns the product).
    pub organisation: String,
    pub name: String,
    pub version: String,
}

impl NoticeProduct {
    pub fn new(
        organisation: impl Into<String>,
        name: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        NoticeProduct {
            organisation: organisation.into(),
            name: name.into(),
            version: version.into(),
        }
    }

    /// `name version`, e.g. `Equa Pump 4.2.1`.
    pub fn display_name(&self) -> String {
        if self.version.is_empty() {
            self.name.clone()
        } else {
            format!("{} {}", self.name, self.version)
        }
    }
}

/// The component a finding is in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NoticeComponent {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
}

impl NoticeComponent {
    pub fn new(name: impl Into<String>, version: Option<String>, purl: Option<String>) -> Self {
        NoticeComponent {
            name: name.into(),
            version,
            purl,
        }
    }
}

/// One finding in a notice: a vulnerability in a component of the product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeFinding {
    /// The vulnerability id (CVE id when there is one).
    pub id: String,
    /// Other ids of the same vulnerability (GHSA, OSV, vendor advisories).
    #[serde(default)]
    pub aliases: Vec<String>,
    pub component: NoticeComponent,
    /// The severity, `"unknown"` when no source scores the vulnerability.
    #[serde(with = "severity_or_unknown")]
    pub severity: Option<Severity>,
    /// The CVSS base score, when known.
    pub cvss_score: Option<f64>,
    /// The CVSS vector string, when known.
    pub cvss_vector: Option<String>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalogue.
    pub kev: bool,
    /// The FIRST EPSS probability (0-1), when known.
    pub epss: Option<f64>,
    /// The VEX status of the finding for this product version.
    pub status: VexStatus,
    /// When medsec first saw the finding for this product version.
    pub first_seen: Timestamp,
}

impl NoticeFinding {
    /// A finding with status `affected`, unknown severity, not KEV-listed, no scores.
    pub fn new(id: impl Into<String>, component: NoticeComponent, first_seen: Timestamp) -> Self {
        NoticeFinding {
            id: id.into(),
            aliases: Vec::new(),
            component,
            severity: None,
            cvss_score: None,
            cvss_vector: None,
            kev: false,
            epss: None,
            status: VexStatus::Affected,
            first_seen,
        }
    }
}

/// The `"schema"` field of a notice: always `medsec-notice/1`; reading any other value
/// is an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NoticeSchema;

impl Serialize for NoticeSchema {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(NOTICE_SCHEMA)
    }
}

impl<'de> Deserialize<'de> for NoticeSchema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if name == NOTICE_SCHEMA {
            Ok(NoticeSchema)
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported notice schema {name:?} (expected {NOTICE_SCHEMA:?})"
            )))
        }
    }
}

/// What is sent: the new findings of one product version that pass the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub schema: NoticeSchema,
    pub generated_at: Timestamp,
    pub product: NoticeProduct,
    pub threshold: Threshold,
    /// One line, e.g. `3 new affected findings in Equa Pump 4.2.1 (2 critical)`.
    pub summary: String,
    pub findings: Vec<NoticeFinding>,
}

impl Notice {
    /// The notice of the `candidates` that pass `threshold`, or `None` when none does
    /// (nothing to send).
    pub fn from_candidates<I>(
        product: NoticeProduct,
        candidates: I,
        threshold: Threshold,
        generated_at: Timestamp,
    ) -> Option<Notice>
    where
        I: IntoIterator<Item = NoticeFinding>,
    {
        let findings = select(candidates, &threshold);
        if findings.is_empty() {
            return None;
        }
        let summary = summarise(&product, &findings);
        Some(Notice {
            schema: NoticeSchema,
            generated_at,
            product,
            threshold,
            summary,
            findings,
        })
    }

    /// The e-mail subject: `[medsec] ` and the summary, control characters removed.
    pub fn subject(&self) -> String {
        one_line(&format!("[medsec] {}", self.summary))
    }

    /// The JSON notice, pretty-printed (the webhook body and the e-mail attachment).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// The plain-text rendering (the e-mail body).
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "{}", one_line(&self.summary));
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Product:      {} ({})",
            one_line(&self.product.display_name()),
            one_line(&self.product.organisation)
        );
        let _ = writeln!(out, "Threshold:    {}", self.threshold.describe());
        let _ = writeln!(out, "Generated at: {}", self.generated_at);
        for (n, f) in self.findings.iter().enumerate() {
            let _ = writeln!(out);
            let mut head = format!(
                "{}. {}  {}",
                n + 1,
                one_line(&f.id),
                Severity::label(f.severity)
            );
            if let Some(score) = f.cvss_score {
                let _ = write!(head, "  CVSS {score:.1}");
            }
            if f.kev {
                head.push_str("  KEV (known exploited)");
            }
            if let Some(epss) = f.epss {
                let _ = write!(head, "  EPSS {}", format_probability(epss));
            }
            let _ = writeln!(out, "{head}");
            if let Some(vector) = &f.cvss_vector {
                let _ = writeln!(out, "   vector:     {}", one_line(vector));
            }
            if !f.aliases.is_empty() {
                let aliases: Vec<String> = f.aliases.iter().map(|a| one_line(a)).collect();
                let _ = writeln!(out, "   aliases:    {}", aliases.join(", "));
            }
            let mut component = one_line(&f.component.name);
            if let Some(v) = &f.component.version {
                component = format!("{component} {}", one_line(v));
            }
            if let Some(p) = &f.component.purl {
                component = format!("{component} ({})", one_line(p));
            }
            let _ = writeln!(out, "   component:  {component}");
            let _ = writeln!(out, "   status:     {}", f.status);
            let _ = writeln!(out, "   first seen: {}", f.first_seen);
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Triage each finding in medsec and record its VEX status. The machine-readable \
             notice (schema {NOTICE_SCHEMA}) is attached as {}.",
            email::ATTACHMENT_NAME
        );
        out
    }
}

/// `3 new affected findings in Equa Pump 4.2.1 (2 critical)`: the count, the product,
/// and in parentheses the count of the highest severity present (or of unknown severity
/// when none is rated) and of KEV-listed findings.
fn summarise(product: &NoticeProduct, findings: &[NoticeFinding]) -> String {
    let n = findings.len();
    let mut parts = Vec::new();
    let top = findings.iter().filter_map(|f| f.severity).max();
    match top {
        Some(top) => {
            let count = findings.iter().filter(|f| f.severity == Some(top)).count();
            parts.push(format!("{count} {top}"));
        }
        None => parts.push(format!("{n} of unknown severity")),
    }
    let kev = findings.iter().filter(|f| f.kev).count();
    if kev > 0 {
        parts.push(format!("{kev} known exploited"));
    }
    format!(
        "{n} new affected finding{} in {} ({})",
        if n == 1 { "" } else { "s" },
        product.display_name(),
        parts.join(", ")
    )
}

/// A probability with up to four significant decimals, e.g. `0.9741`, `0.0004`.
fn format_probability(p: f64) -> String {
    let s = format!("{p:.4}");
    let trimmed = s.trim_end_matches('0').trim_end_matches('.');
    if trimmed.is_empty() || trimmed == "-" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The text on one line: control characters (line breaks, terminal escapes) become
/// spaces, so that input-derived text cannot forge header lines or lines of the body.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Everything that can go wrong when sending a notice. The target is named (a webhook
/// URL reduced to scheme, host and port, since paths and queries of webhook URLs often
/// carry tokens; an SMTP host and port), never a secret.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the webhook URL is not a valid absolute URL: {reason}")]
    InvalidUrl { reason: String },

    #[error(
        "webhook {url}: plain http is refused for a host that is not loopback; use https \
         (a notice names unpatched vulnerabilities of a medical device, and its signature \
         does not hide it)"
    )]
    InsecureUrl { url: String },

    #[error("webhook {url}: HTTP {status} after {attempts} attempt(s){}", body_suffix(.body))]
    HttpStatus {
        url: String,
        status: u16,
        attempts: u32,
        /// The first part of the response body, control characters removed.
        body: String,
    },

    #[error("webhook {url}: request failed after {attempts} attempt(s): {source}")]
    Transport {
        url: String,
        attempts: u32,
        #[source]
        source: Box<ureq::Error>,
    },

    #[error("e-mail via {host}:{port}: {reason}")]
    EmailConfig {
        host: String,
        port: u16,
        reason: String,
    },

    #[error("e-mail via {host}:{port}: invalid address {address:?}: {source}")]
    Address {
        host: String,
        port: u16,
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },

    #[error("e-mail via {host}:{port}: the message could not be written: {source}")]
    Message {
        host: String,
        port: u16,
        #[source]
        source: std::io::Error,
    },

    #[error("e-mail via SMTP server {host}:{port} failed: {source}")]
    Smtp {
        host: String,
        port: u16,
        #[source]
        source: lettre::transport::smtp::Error,
    },

    #[error("the notice could not be written as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn body_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn finding(id: &str, severity: Option<Severity>, kev: bool) -> NoticeFinding {
        let mut f = NoticeFinding::new(
            id,
            NoticeComponent::new("openssl", Some("3.0.1".into()), None),
            "2026-11-28T09:00:00Z".parse().unwrap(),
        );
        f.severity = severity;
        f.kev = kev;
        f
    }

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::None < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("unknown".parse::<Severity>().is_err());
        assert_eq!(Severity::of_cvss(9.8), Some(Severity::Critical));
        assert_eq!(Severity::of_cvss(0.0), Some(Severity::None));
        assert_eq!(Severity::of_cvss(f64::NAN), None);
    }

    #[test]
    fn threshold_rules() {
        let t = Threshold::new(Severity::High);
        assert!(t.passes(&finding("a", Some(Severity::Critical), false)));
        assert!(t.passes(&finding("a", Some(Severity::High), false)));
        assert!(!t.passes(&finding("a", Some(Severity::Medium), false)));
        assert!(t.passes(&finding("a", Some(Severity::Low), true)), "KEV");
        assert!(t.passes(&finding("a", None, false)), "unknown notifies");
        assert!(!t.notify_unknown(false).passes(&finding("a", None, false)));
        let mut fixed = finding("a", Some(Severity::Critical), true);
        fixed.status = VexStatus::Fixed;
        assert!(!t.passes(&fixed));
        let mut investigating = finding("a", Some(Severity::Critical), false);
        investigating.status = VexStatus::UnderInvestigation;
        assert!(t.passes(&investigating));
    }

    #[test]
    fn summary_and_order() {
        let product = NoticeProduct::new("Equa Medical", "Equa Pump", "4.2.1");
        let notice = Notice::from_candidates(
            product,
            vec![
                finding("CVE-2", Some(Severity::Critical), false),
                finding("CVE-3", Some(Severity::High), false),
                finding("CVE-1", Some(Severity::Critical), false),
                finding("CVE-4", Some(Severity::Low), false),
            ],
            Threshold::new(Severity::High),
            "2026-11-29T10:00:00Z".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(
            notice.subject(),
            "[medsec] 3 new affected findings in Equa Pump 4.2.1 (2 critical)"
        );
        let ids: Vec<&str> = notice.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["CVE-1", "CVE-2", "CVE-3"]);
        assert!(
            Notice::from_candidates(
                NoticeProduct::new("o", "p", "1"),
                vec![finding("CVE-4", Some(Severity::Low), false)],
                Threshold::new(Severity::High),
                Timestamp::UNIX_EPOCH,
            )
            .is_none()
        );
    }

    #[test]
    fn json_shape_is_stable() {
        let notice = Notice::from_candidates(
            NoticeProduct::new("Equa Medical", "Equa Pump", "4.2.1"),
            vec![finding("CVE-1", None, true)],
            Threshold::default(),
            "2026-11-29T10:00:00Z".parse().unwrap(),
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_str(&notice.to_json().unwrap()).unwrap();
        assert_eq!(value["schema"], "medsec-notice/1");
        assert_eq!(value["findings"][0]["severity"], "unknown");
        assert_eq!(value["findings"][0]["status"], "affected");
        assert!(value["findings"][0]["epss"].is_null());
        assert_eq!(value["threshold"]["min_severity"], "high");
        assert_eq!(
            notice.summary,
            "1 new affected finding in Equa Pump 4.2.1 (1 of unknown severity, 1 known exploited)"
        );
        let back: Notice = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(back, notice);
        let mut other = value;
        other["schema"] = "medsec-notice/2".into();
        assert!(serde_json::from_value::<Notice>(other).is_err());
    }

    #[test]
    fn probabilities() {
        assert_eq!(format_probability(0.97412), "0.9741");
        assert_eq!(format_probability(0.0004), "0.0004");
        assert_eq!(format_probability(0.00001), "0");
        assert_eq!(format_probability(1.0), "1");
    }
}
