//! E-mail delivery over SMTP: a plain-text body (the findings, readable in any client)
//! with the JSON notice attached as `medsec-notice.json` for tools.
//!
//! The connection is encrypted with STARTTLS ([`SmtpTls::Required`], the default; the
//! message is not sent if the server does not offer it) or implicit TLS
//! ([`SmtpTls::Implicit`], SMTPS, usually port 465). A plaintext connection
//! ([`SmtpTls::NoneLoopbackOnly`]) is accepted only when the host is loopback (a local
//! relay, tests): a notice lists unpatched vulnerabilities of a medical device.
//! Credentials, when given, are sent with the SMTP AUTH command over that connection;
//! they are never logged nor written into errors.

use std::time::Duration;

use jiff::Timestamp;
use lettre::address::{Address, AddressError, Envelope};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport as _};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address as MailAddress;
use serde::{Deserialize, Serialize};

use super::webhook::{delivery_id, is_loopback};
use super::{Notice, NotifyError, one_line};

/// The file name of the JSON notice attached to the e-mail.
pub const ATTACHMENT_NAME: &str = "medsec-notice.json";

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpTls {
    /// STARTTLS on a plaintext connection (port 587 or 25), required: no TLS, no mail.
    #[default]
    Required,
    /// TLS from the first byte (SMTPS, port 465).
    Implicit,
    /// No encryption; refused unless the host is loopback.
    NoneLoopbackOnly,
}

/// Where and how to send notices by e-mail.
#[derive(Clone)]
pub struct SmtpConfig {
    /// The SMTP server (relay or submission server).
    pub host: String,
    pub port: u16,
    /// The sender, `address` or `Name <address>`.
    pub from: String,
    /// The recipients (at least one), each `address` or `Name <address>`.
    pub to: Vec<String>,
    pub tls: SmtpTls,
    /// SMTP AUTH credentials: both or neither.
    pub username: Option<String>,
    pub password: Option<String>,
    /// The limit of each SMTP exchange.
    pub timeout: Duration,
    /// The name given in EHLO; `localhost` when unset.
    pub hello_name: Option<String>,
}

impl SmtpConfig {
    /// Port 587 with STARTTLS required, no credentials, a 30 s timeout.
    pub fn new(host: impl Into<String>, from: impl Into<String>, to: Vec<String>) -> Self {
        SmtpConfig {
            host: host.into(),
            port: 587,
            from: from.into(),
            to,
            tls: SmtpTls::Required,
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
            hello_name: None,
        }
    }
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("hello_name", &self.hello_name)
            .finish()
    }
}

impl SmtpConfig {
    fn config_error(&self, reason: impl Into<String>) -> NotifyError {
        NotifyError::EmailConfig {
            host: self.host.clone(),
            port: self.port,
            reason: reason.into(),
        }
    }

    fn mailbox(&self, text: &str) -> Result<Mailbox, NotifyError> {
        Mailbox::parse(text).map_err(|source| NotifyError::Address {
            host: self.host.clone(),
            port: self.port,
            address: text.to_owned(),
            source,
        })
    }

    fn transport(&self) -> Result<SmtpTransport, NotifyError> {
        let tls = match self.tls {
            SmtpTls::Required | SmtpTls::Implicit => {
                let parameters =
                    TlsParameters::new(self.host.clone()).map_err(|source| NotifyError::Smtp {
                        host: self.host.clone(),
                        port: self.port,
                        source,
                    })?;
                if self.tls == SmtpTls::Required {
                    Tls::Required(parameters)
                } else {
                    Tls::Wrapper(parameters)
                }
            }
            SmtpTls::NoneLoopbackOnly if is_loopback(&self.host) => Tls::None,
            SmtpTls::NoneLoopbackOnly => {
                return Err(self.config_error(
                    "an unencrypted connection is refused for a host that is not loopback; \
                     use STARTTLS (tls: required) or implicit TLS (tls: implicit)",
                ));
            }
        };
        let mut builder = SmtpTransport::builder_dangerous(self.host.as_str())
            .port(self.port)
            .tls(tls)
            .timeout(Some(self.timeout));
        if let Some(name) = &self.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        match (&self.username, &self.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => {
                return Err(self
                    .config_error("a user name and a password go together: give both or neither"));
            }
        }
        Ok(builder.build())
    }

    /// The envelope and the message of `notice`: From, To, Subject, the text body and
    /// the JSON attachment.
    fn message(&self, notice: &Notice) -> Result<(Envelope, Vec<u8>), NotifyError> {
        if self.to.is_empty() {
            return Err(self.config_error("no recipient"));
        }
        let from = self.mailbox(&self.from)?;
        let to = self
            .to
            .iter()
            .map(|t| self.mailbox(t))
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(
            Some(from.address.clone()),
            to.iter().map(|m| m.address.clone()).collect(),
        )
        .map_err(|e| self.config_error(format!("envelope: {e}")))?;
        let json = notice.to_json()?;
        let message_id = format!(
            "medsec.{}.{}@{}",
            delivery_id(json.as_bytes()),
            Timestamp::now().as_millisecond(),
            from.address.domain()
        );
        let bytes = MessageBuilder::new()
            .from(from.header())
            .to(MailAddress::new_list(
                to.iter().map(Mailbox::header).collect(),
            ))
            .subject(notice.subject())
            .message_id(message_id)
            .text_body(notice.text())
            .attachment("application/json", ATTACHMENT_NAME, json)
            .write_to_vec()
            .map_err(|source| NotifyError::Message {
                host: self.host.clone(),
                port: self.port,
                source,
            })?;
        Ok((envelope, bytes))
    }

    /// The message of `notice` as it would be sent (RFC 5322 bytes), for a dry run or an
    /// archive.
    pub fn render(&self, notice: &Notice) -> Result<Vec<u8>, NotifyError> {
        Ok(self.message(notice)?.1)
    }
}

/// An address with an optional display name, as written in the configuration:
/// `address` or `Name <address>` (the name may be quoted).
struct Mailbox {
    name: Option<String>,
    address: Address,
}

impl Mailbox {
    fn parse(text: &str) -> Result<Mailbox, AddressError> {
        let text = text.trim();
        let (name, address) = match text.rfind('<') {
            Some(open) => {
                let rest = &text[open + 1..];
                let Some(address) = rest.strip_suffix('>') else {
                    return Err(AddressError::Unbalanced);
                };
                let name = text[..open].trim().trim_matches('"').trim();
                ((!name.is_empty()).then(|| one_line(name)), address.trim())
            }
            None if text.contains('>') => return Err(AddressError::Unbalanced),
            None => (None, text),
        };
        Ok(Mailbox {
            name,
            address: address.parse()?,
        })
    }

    fn header(&self) -> MailAddress<'static> {
        MailAddress::new_address(self.name.clone(), self.address.to_string())
    }
}

/// Sends `notice` by e-mail as `config` says (see the module documentation).
pub fn send_email(config: &SmtpConfig, notice: &Notice) -> Result<(), NotifyError> {
    let (envelope, message) = config.message(notice)?;
    let transport = config.transport()?;
    transport
        .send_raw(&envelope, &message)
        .map(|_| ())
        .map_err(|source| NotifyError::Smtp {
            host: config.host.clone(),
            port: config.port,
            source,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn mailboxes() {
        let m = Mailbox::parse("psirt@equa.invalid").unwrap();
        assert_eq!(
            (m.name, m.address.to_string()),
            (None, "psirt@equa.invalid".into())
        );
        let m = Mailbox::parse(" \"Equa, PSIRT\" <psirt@equa.invalid> ").unwrap();
        assert_eq!(m.name.as_deref(), Some("Equa, PSIRT"));
        assert_eq!(m.address.to_string(), "psirt@equa.invalid");
        let m = Mailbox::parse("<psirt@equa.invalid>").unwrap();
        assert_eq!(m.name, None);
        assert_eq!(
            Mailbox::parse("PSIRT <psirt@equa.invalid").err(),
            Some(AddressError::Unbalanced)
        );
        assert_eq!(
            Mailbox::parse("psirt@equa.invalid>").err(),
            Some(AddressError::Unbalanced)
        );
        assert!(Mailbox::parse("PSIRT").is_err());
        assert!(Mailbox::parse("").is_err());
    }

    #[test]
    fn tls_names() {
        let names: Vec<String> = [
            SmtpTls::Required,
            SmtpTls::Implicit,
            SmtpTls::NoneLoopbackOnly,
        ]
        .iter()
        .map(|t| serde_json::to_string(t).unwrap())
        .collect();
        assert_eq!(
            names,
            ["\"required\"", "\"implicit\"", "\"none-loopback-only\""]
        );
    }
}
