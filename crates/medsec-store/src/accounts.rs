//! Accounts, organisation memberships with roles, login sessions, API tokens and login
//! attempts (issue 10), and the organisation-scoped look-ups the server checks every
//! request against.
//!
//! The store never sees a password or a secret: it keeps argon2id hashes of passwords
//! (made by the caller) and SHA-256 hashes of session ids and API tokens. Every change
//! to accounts, memberships and tokens is appended to the audit log in the same
//! transaction ([`crate::audit`]).

use crate::audit::{Actor, NewAuditEntry, append_in, write_tx};
use crate::db::{Arg, Conn, Row};
use crate::error::{Result, StoreError};
use crate::portfolio::{VersionInfo, VersionRef};
use crate::store::Store;

/// A role in an organisation. What each may do is the server's permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Assessor,
    Engineer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Engineer, Role::Assessor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Engineer => "engineer",
            Role::Assessor => "assessor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub created_at: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Membership {
    pub organisation_id: i64,
    pub organisation: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub account_id: i64,
    pub email: String,
    pub role: Role,
    pub since: String,
}

/// An API token (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub organisation_id: i64,
    pub role: Role,
    pub created_by: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProductInfo {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub created_at: String,
}

fn corrupt(record: &str, message: String) -> StoreError {
    StoreError::Corrupt {
        record: record.to_owned(),
        message,
    }
}

fn role_of(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| corrupt("membership", format!("role `{text}`")))
}

fn account_row(row: &Row) -> Result<Account> {
    Ok(Account {
        id: row.i64(0)?,
        email: row.text(1)?,
        created_at: row.text(2)?,
        disabled: row.i64(3)? != 0,
    })
}

fn token_row(row: &Row) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: row.i64(0)?,
        name: row.text(1)?,
        organisation_id: row.i64(2)?,
        role: role_of(&row.text(3)?)?,
        created_by: row.text(4)?,
        created_at: row.text(5)?,
        revoked_at: row.opt_text(6)?,
    })
}

const TOKEN_COLUMNS: &str = "id, name, organisation_id, role, created_by, created_at, revoked_at";

async fn returning_id(c: &mut Conn<'_>, sql: &str, args: &[Arg<'_>]) -> Result<i64> {
    match c
        .fetch_optional(&format!("{sql} RETURNING id"), args)
        .await?
    {
        Some(row) => row.i64(0),
        None => Err(corrupt("accounts", "an insert returned no id".into())),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn entry(
    actor: Actor<'_>,
    organisation_id: Option<i64>,
    action: &str,
    kind: &str,
    id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.name.to_owned(),
        organisation_id,
        action: action.to_owned(),
        record_kind: kind.to_owned(),
        record_id: id,
        reason: actor.reason.map(str::to_owned),
        before,
        after,
    }
}

impl Store {
    // ---- organisations ------------------------------------------------------------

    /// The organisation of that name, created (and audited) when missing. Returns it
    /// and whether it was created.
    pub async fn organisation_ensure(
        &self,
        name: &str,
        actor: Actor<'_>,
        now: &str,
    ) -> Result<(Organisation, bool)> {
        write_tx(self, async |c| {
            if let Some(row) = c
                .fetch_optional(
                    "SELECT id, name, created_at FROM organisation WHERE name = ?",
                    &[Arg::Text(name)],
                )
                .await?
            {
                return Ok((
                    Organisation {
                        id: row.i64(0)?,
                        name: row.text(1)?,
                        created_at: row.text(2)?,
                    },
                    false,
                ));
            }
            let id = returning_id(
                c,
                "INSERT INTO organisation (name, created_at) VALUES (?, ?)",
                &[Arg::Text(name), Arg::Text(now)],
            )
            .await?;
            let org = Organisation {
                id,
                name: name.to_owned(),
                created_at: now.to_owned(),
            };
            append_in(
                c,
                &entry(
                    actor,
                    Some(id),
                    "create",
                    "organisation",
                    id.to_string(),
                    None,
                    json(&org),
                ),
                now,
            )
            .await?;
            Ok((org, true))
        })
        .await
    }

    pub async fn organisation(&self, id: i64) -> Result<Option<Organisation>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    "SELECT id, name, created_at FROM organisation WHERE id = ?",
                    &[Arg::I64(id)],
                )
                .await?
            {
                Some(row) => Ok(Some(Organisation {
                    id: row.i64(0)?,
                    name: row.text(1)?,
                    created_at: row.text(2)?,
                })),
                None => Ok(None),
            }
        })
        .await
    }

    // ---- accounts -----------------------------------------------------------------

    /// Creates an account; `None` when the e-mail (compared lowercase) is taken.
    pub async fn account_create(
        &self,
        email: &str,
        password_hash: &str,
        actor: Actor<'_>,
        now: &str,
    ) -> Result<Option<Account>> {
        let email = email.trim().to_lowercase();
        write_tx(self, async |c| {
            if c.fetch_optional("SELECT id FROM account WHERE email = ?", &[Arg::Text(&email)])
                .await?
                .is_some()
            {
                return Ok(None);
            }
            let id = returning_id(
                c,
                "INSERT INTO account (email, password_hash, created_at, disabled) VALUES (?, ?, ?, 0)",
                &[Arg::Text(&email), Arg::Text(password_hash), Arg::Text(now)],
            )
            .await?;
            let account = Account {
                id,
                email: email.clone(),
                created_at: now.to_owned(),
                disabled: false,
            };
            append_in(
                c,
                &entry(actor, None, "create", "account", id.to_string(), None, json(&account)),
                now,
            )
            .await?;
            Ok(Some(account))
        })
        .await
    }

    /// An account and its password hash, by e-mail (compared lowercase).
    pub async fn account_by_email(&self, email: &str) -> Result<Option<(Account, String)>> {
        let email = email.trim().to_lowercase();
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    "SELECT id, email, created_at, disabled, password_hash FROM account WHERE email = ?",
                    &[Arg::Text(&email)],
                )
                .await?
            {
                Some(row) => Ok(Some((account_row(&row)?, row.text(4)?))),
                None => Ok(None),
            }
        })
        .await
    }

    /// Replaces an account's password hash (audited without the hashes).
    pub async fn account_set_password(
        &self,
        account_id: i64,
        password_hash: &str,
        actor: Actor<'_>,
        now: &str,
    ) -> Result<bool> {
        write_tx(self, async |c| {
            let n = c
                .execute(
                    "UPDATE account SET password_hash = ? WHERE id = ?",
                    &[Arg::Text(password_hash), Arg::I64(account_id)],
                )
                .await?;
            if n == 0 {
                return Ok(false);
            }
            // Sessions made with the old password end.
            c.execute(
                "DELETE FROM login_session WHERE account_id = ?",
                &[Arg::I64(account_id)],
            )
            .await?;
            append_in(
                c,
                &entry(
                    actor,
                    None,
                    "set-password",
                    "account",
                    account_id.to_string(),
                    None,
                    None,
                ),
                now,
            )
            .await?;
            Ok(true)
        })
        .await
    }

    // ---- memberships --------------------------------------------------------------

    /// Gives an account a role in an organisation (or changes it).
    pub async fn membership_set(
        &self,
        account_id: i64,
        organisation_id: i64,
        role: Role,
        actor: Actor<'_>,
        now: &str,
    ) -> Result<()> {
        write_tx(self, async |c| {
            let before = c
                .fetch_optional(
                    "SELECT role FROM membership WHERE account_id = ? AND organisation_id = ?",
                    &[Arg::I64(account_id), Arg::I64(organisation_id)],
                )
                .await?
                .map(|r| r.text(0))
                .transpose()?;
            if before.as_deref() == Some(role.as_str()) {
                return Ok(());
            }
            if before.is_some() {
                c.execute(
                    "UPDATE membership SET role = ? WHERE account_id = ? AND organisation_id = ?",
                    &[
                        Arg::Text(role.as_str()),
                        Arg::I64(account_id),
                        Arg::I64(organisation_id),
                    ],
                )
                .await?;
            } else {
                c.execute(
                    "INSERT INTO membership (account_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)",
                    &[
                        Arg::I64(account_id),
                        Arg::I64(organisation_id),
                        Arg::Text(role.as_str()),
                        Arg::Text(now),
                    ],
                )
                .await?;
            }
            let id = format!("{account_id}@{organisation_id}");
            append_in(
                c,
                &entry(
                    actor,
                    Some(organisation_id),
                    if before.is_some() { "update" } else { "create" },
                    "membership",
                    id,
                    before.map(|r| serde_json::json!({ "role": r })),
                    Some(serde_json::json!({ "role": role.as_str() })),
                ),
                now,
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// Removes an account from an organisation; `false` when it was not a member.
    pub async fn membership_remove(
        &self,
        account_id: i64,
        organisation_id: i64,
        actor: Actor<'_>,
        now: &str,
    ) -> Result<bool> {
        write_tx(self, async |c| {
            let Some(before) = c
                .fetch_optional(
                    "SELECT role FROM membership WHERE account_id = ? AND organisation_id = ?",
                    &[Arg::I64(account_id), Arg::I64(organisation_id)],
                )
                .await?
            else {
                return Ok(false);
            };
            let role = before.text(0)?;
            c.execute(
                "DELETE FROM membership WHERE account_id = ? AND organisation_id = ?",
                &[Arg::I64(account_id), Arg::I64(organisation_id)],
            )
            .await?;
            append_in(
                c,
                &entry(
                    actor,
                    Some(organisation_id),
                    "delete",
                    "membership",
                    format!("{account_id}@{organisation_id}"),
                    Some(serde_json::json!({ "role": role })),
                    None,
                ),
                now,
            )
            .await?;
            Ok(true)
        })
        .await
    }

    /// An account's memberships, by organisation name.
    pub async fn memberships(&self, account_id: i64) -> Result<Vec<Membership>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT m.organisation_id, o.name, m.role FROM membership m \
                     JOIN organisation o ON o.id = m.organisation_id WHERE m.account_id = ? ORDER BY o.name",
                    &[Arg::I64(account_id)],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(Membership {
                        organisation_id: r.i64(0)?,
                        organisation: r.text(1)?,
                        role: role_of(&r.text(2)?)?,
                    })
                })
                .collect()
        })
        .await
    }

    /// An organisation's members, by e-mail.
    pub async fn members(&self, organisation_id: i64) -> Result<Vec<Member>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT a.id, a.email, m.role, m.created_at FROM membership m \
                     JOIN account a ON a.id = m.account_id WHERE m.organisation_id = ? ORDER BY a.email",
                    &[Arg::I64(organisation_id)],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(Member {
                        account_id: r.i64(0)?,
                        email: r.text(1)?,
                        role: role_of(&r.text(2)?)?,
                        since: r.text(3)?,
                    })
                })
                .collect()
        })
        .await
    }

    // ---- sessions -----------------------------------------------------------------

    /// Keeps a new session (by the SHA-256 of its id) until `expires_unix`.
    pub async fn session_create(
        &self,
        id_hash: &str,
        account_id: i64,
        now: &str,
        expires_unix: i64,
    ) -> Result<()> {
        self.with_conn(async |c| {
            c.execute(
                "INSERT INTO login_session (id_hash, account_id, created_at, expires_unix) VALUES (?, ?, ?, ?)",
                &[Arg::Text(id_hash), Arg::I64(account_id), Arg::Text(now), Arg::I64(expires_unix)],
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// The account of a live session (not expired, account not disabled).
    pub async fn session_account(&self, id_hash: &str, now_unix: i64) -> Result<Option<Account>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    "SELECT a.id, a.email, a.created_at, a.disabled FROM login_session s \
                     JOIN account a ON a.id = s.account_id \
                     WHERE s.id_hash = ? AND s.expires_unix > ? AND a.disabled = 0",
                    &[Arg::Text(id_hash), Arg::I64(now_unix)],
                )
                .await?
            {
                Some(row) => Ok(Some(account_row(&row)?)),
                None => Ok(None),
            }
        })
        .await
    }

    /// Ends a session, and removes every expired one.
    pub async fn session_delete(&self, id_hash: &str, now_unix: i64) -> Result<()> {
        self.with_conn(async |c| {
            c.execute(
                "DELETE FROM login_session WHERE id_hash = ? OR expires_unix <= ?",
                &[Arg::Text(id_hash), Arg::I64(now_unix)],
            )
            .await?;
            Ok(())
        })
        .await
    }

    // ---- API tokens ---------------------------------------------------------------

    /// Keeps a new token (by the SHA-256 of its secret) of an organisation with a role.
    pub async fn token_create(
        &self,
        token_hash: &str,
        name: &str,
        organisation_id: i64,
        role: Role,
        actor: Actor<'_>,
        now: &str,
    ) -> Result<TokenInfo> {
        write_tx(self, async |c| {
            let id = returning_id(
                c,
                "INSERT INTO api_token (token_hash, name, organisation_id, role, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    Arg::Text(token_hash),
                    Arg::Text(name),
                    Arg::I64(organisation_id),
                    Arg::Text(role.as_str()),
                    Arg::Text(actor.name),
                    Arg::Text(now),
                ],
            )
            .await?;
            let info = TokenInfo {
                id,
                name: name.to_owned(),
                organisation_id,
                role,
                created_by: actor.name.to_owned(),
                created_at: now.to_owned(),
                revoked_at: None,
            };
            append_in(
                c,
                &entry(actor, Some(organisation_id), "create", "api-token", id.to_string(), None, json(&info)),
                now,
            )
            .await?;
            Ok(info)
        })
        .await
    }

    /// The live (not revoked) token with this hash.
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenInfo>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    &format!("SELECT {TOKEN_COLUMNS} FROM api_token WHERE token_hash = ? AND revoked_at IS NULL"),
                    &[Arg::Text(token_hash)],
                )
                .await?
            {
                Some(row) => Ok(Some(token_row(&row)?)),
                None => Ok(None),
            }
        })
        .await
    }

    /// An organisation's tokens, revoked ones included.
    pub async fn tokens(&self, organisation_id: i64) -> Result<Vec<TokenInfo>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    &format!("SELECT {TOKEN_COLUMNS} FROM api_token WHERE organisation_id = ? ORDER BY id"),
                    &[Arg::I64(organisation_id)],
                )
                .await?;
            rows.iter().map(token_row).collect()
        })
        .await
    }

    /// Revokes a live token of an organisation; `false` when there is none.
    pub async fn token_revoke(
        &self,
        organisation_id: i64,
        token_id: i64,
        actor: Actor<'_>,
        now: &str,
    ) -> Result<bool> {
        write_tx(self, async |c| {
            let Some(row) = c
                .fetch_optional(
                    &format!("SELECT {TOKEN_COLUMNS} FROM api_token WHERE id = ? AND organisation_id = ? AND revoked_at IS NULL"),
                    &[Arg::I64(token_id), Arg::I64(organisation_id)],
                )
                .await?
            else {
                return Ok(false);
            };
            let before = token_row(&row)?;
            c.execute(
                "UPDATE api_token SET revoked_at = ? WHERE id = ?",
                &[Arg::Text(now), Arg::I64(token_id)],
            )
            .await?;
            let after = TokenInfo {
                revoked_at: Some(now.to_owned()),
                ..before.clone()
            };
            append_in(
                c,
                &entry(actor, Some(organisation_id), "revoke", "api-token", token_id.to_string(), json(&before), json(&after)),
                now,
            )
            .await?;
            Ok(true)
        })
        .await
    }

    // ---- login attempts -----------------------------------------------------------

    pub async fn login_attempt_record(
        &self,
        email: &str,
        client: &str,
        at_unix: i64,
        success: bool,
    ) -> Result<()> {
        let email = email.trim().to_lowercase();
        self.with_conn(async |c| {
            c.execute(
                "INSERT INTO login_attempt (email, client, at_unix, success) VALUES (?, ?, ?, ?)",
                &[
                    Arg::Text(&email),
                    Arg::Text(client),
                    Arg::I64(at_unix),
                    Arg::I64(i64::from(success)),
                ],
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// Failed logins since `since_unix`: (for this e-mail, from this client).
    pub async fn login_failures(
        &self,
        email: &str,
        client: &str,
        since_unix: i64,
    ) -> Result<(i64, i64)> {
        let email = email.trim().to_lowercase();
        self.with_conn(async |c| {
            let by_email = c
                .scalar_i64(
                    "SELECT COUNT(*) FROM login_attempt WHERE email = ? AND at_unix > ? AND success = 0",
                    &[Arg::Text(&email), Arg::I64(since_unix)],
                )
                .await?;
            let by_client = c
                .scalar_i64(
                    "SELECT COUNT(*) FROM login_attempt WHERE client = ? AND at_unix > ? AND success = 0",
                    &[Arg::Text(client), Arg::I64(since_unix)],
                )
                .await?;
            Ok((by_email, by_client))
        })
        .await
    }

    // ---- organisation-scoped look-ups ---------------------------------------------

    /// The organisation a product belongs to.
    pub async fn product_organisation(&self, product_id: i64) -> Result<Option<i64>> {
        self.with_conn(async |c| {
            c.fetch_optional(
                "SELECT organisation_id FROM product WHERE id = ?",
                &[Arg::I64(product_id)],
            )
            .await?
            .map(|r| r.i64(0))
            .transpose()
        })
        .await
    }

    /// The organisation a product version belongs to.
    pub async fn version_organisation(&self, version_id: i64) -> Result<Option<i64>> {
        self.with_conn(async |c| {
            c.fetch_optional(
                "SELECT p.organisation_id FROM product_version v JOIN product p ON p.id = v.product_id WHERE v.id = ?",
                &[Arg::I64(version_id)],
            )
            .await?
            .map(|r| r.i64(0))
            .transpose()
        })
        .await
    }

    /// An organisation's products, by name.
    pub async fn products(&self, organisation_id: i64) -> Result<Vec<ProductInfo>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT id, organisation_id, name, created_at FROM product WHERE organisation_id = ? ORDER BY name",
                    &[Arg::I64(organisation_id)],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(ProductInfo {
                        id: r.i64(0)?,
                        organisation_id: r.i64(1)?,
                        name: r.text(2)?,
                        created_at: r.text(3)?,
                    })
                })
                .collect()
        })
        .await
    }

    pub async fn product(&self, product_id: i64) -> Result<Option<ProductInfo>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    "SELECT id, organisation_id, name, created_at FROM product WHERE id = ?",
                    &[Arg::I64(product_id)],
                )
                .await?
            {
                Some(r) => Ok(Some(ProductInfo {
                    id: r.i64(0)?,
                    organisation_id: r.i64(1)?,
                    name: r.text(2)?,
                    created_at: r.text(3)?,
                })),
                None => Ok(None),
            }
        })
        .await
    }

    /// A product's versions, in the order they were added.
    pub async fn product_versions(&self, product_id: i64) -> Result<Vec<VersionInfo>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    &format!("{VERSION_SELECT} WHERE v.product_id = ? ORDER BY v.id"),
                    &[Arg::I64(product_id)],
                )
                .await?;
            rows.iter().map(version_info).collect()
        })
        .await
    }

    /// One product version by id.
    pub async fn version_info(&self, version_id: i64) -> Result<Option<VersionInfo>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    &format!("{VERSION_SELECT} WHERE v.id = ?"),
                    &[Arg::I64(version_id)],
                )
                .await?
            {
                Some(r) => Ok(Some(version_info(&r)?)),
                None => Ok(None),
            }
        })
        .await
    }

    /// The product versions of some organisations (for look-ups by name).
    pub async fn organisation_versions(&self, organisation_id: i64) -> Result<Vec<VersionInfo>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    &format!("{VERSION_SELECT} WHERE p.organisation_id = ? ORDER BY v.id"),
                    &[Arg::I64(organisation_id)],
                )
                .await?;
            rows.iter().map(version_info).collect()
        })
        .await
    }

    /// Whether an evidence file is attached to a result recorded for this device key.
    pub async fn evidence_attached(
        &self,
        manufacturer: &str,
        device: &str,
        version: &str,
        sha256: &str,
    ) -> Result<bool> {
        self.with_conn(async |c| {
            Ok(c.scalar_i64(
                "SELECT COUNT(*) FROM test_result_evidence e JOIN test_result r ON r.id = e.result_id \
                 WHERE r.manufacturer = ? AND r.device = ? AND r.version = ? AND e.sha256 = ?",
                &[Arg::Text(manufacturer), Arg::Text(device), Arg::Text(version), Arg::Text(sha256)],
            )
            .await?
                > 0)
        })
        .await
    }
}

const VERSION_SELECT: &str = "SELECT v.id, o.name, p.name, v.version, v.release_date, v.end_of_support, v.installed_base, v.created_at \
     FROM product_version v JOIN product p ON p.id = v.product_id JOIN organisation o ON o.id = p.organisation_id";

fn version_info(row: &Row) -> Result<VersionInfo> {
    Ok(VersionInfo {
        id: row.i64(0)?,
        name: VersionRef {
            organisation: row.text(1)?,
            product: row.text(2)?,
            version: row.text(3)?,
        },
        release_date: row.opt_text(4)?,
        end_of_support: row.opt_text(5)?,
        installed_base: row.opt_i64(6)?,
        created_at: row.text(7)?,
    })
}
