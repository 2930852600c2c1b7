//! `medsec account`: local accounts, their roles and API tokens, for an operator to
//! start a server's users (issue 10). Passwords are read from standard input or the
//! MEDSEC_PASSWORD environment variable, never from an argument (arguments show in the
//! process list and the shell history).

use std::io::BufRead;

use clap::Subcommand;
use medsec_store::accounts::Role;
use medsec_store::audit::Actor;

use super::refuse as bad;
use super::store::{StoreArgs, runtime, store_error};
use crate::exit;
use crate::output::print;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: AccountCommand,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account (or reuse it) and give it a role in an organisation (created
    /// when new). The password comes from MEDSEC_PASSWORD or the first line of
    /// standard input.
    Add(AddArgs),
    /// Create an API token of an organisation with a role; the secret is printed once.
    Token(TokenArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    pub email: String,
    /// The organisation (its exact name).
    #[arg(long = "org")]
    pub organisation: String,
    /// admin, engineer, assessor or viewer.
    #[arg(long)]
    pub role: String,
    /// Why (kept in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    #[arg(long = "org")]
    pub organisation: String,
    /// admin, engineer, assessor or viewer.
    #[arg(long)]
    pub role: String,
    /// What the token is for (`ci`, `dependency-track plugin` …).
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub reason: Option<String>,
}

/// The same attribution as every other command's changes (`cli:USER`).
fn actor_name() -> String {
    super::store::cli_actor()
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

fn role(text: &str) -> Result<Role, u8> {
    Role::parse(text.trim()).ok_or_else(|| {
        bad(
            "medsec::account::role",
            format!("--role `{text}`: use admin, engineer, assessor or viewer"),
        )
    })
}

fn password() -> Result<String, String> {
    if let Ok(p) = std::env::var("MEDSEC_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        return Err("no password: set MEDSEC_PASSWORD or write it on standard input".into());
    }
    Ok(p)
}

pub fn run(args: Args) -> miette::Result<u8> {
    match args.command {
        AccountCommand::Add(a) => run_add(a, &args.store),
        AccountCommand::Token(t) => run_token(t, &args.store),
    }
}

fn run_add(args: AddArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let role = match role(&args.role) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let email = args.email.trim().to_lowercase();
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Ok(bad(
            "medsec::account::email",
            format!("--email `{}` is not an e-mail address", args.email),
        ));
    }
    let organisation = args.organisation.trim();
    if organisation.is_empty() {
        return Ok(bad("medsec::account::org", "--org is empty".into()));
    }
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let actor_text = actor_name();
    let actor = Actor {
        name: &actor_text,
        reason: args.reason.as_deref(),
    };
    let existing = rt
        .block_on(store.account_by_email(&email))
        .map_err(store_error)?;
    let (account, created) = match existing {
        Some((a, _)) => (a, false),
        None => {
            let password = match password() {
                Ok(p) => p,
                Err(e) => return Ok(bad("medsec::account::password", e)),
            };
            if let Err(e) = medsec_server::auth::check_password_strength(&password) {
                return Ok(bad("medsec::account::password", e));
            }
            let hash = medsec_server::auth::hash_password(&password)
                .map_err(|e| miette::miette!("argon2: {e}"))?;
            match rt
                .block_on(store.account_create(&email, &hash, actor, &now()))
                .map_err(store_error)?
            {
                Some(a) => (a, true),
                None => return Ok(bad("medsec::account::exists", format!("{email} exists"))),
            }
        }
    };
    let (org, _) = rt
        .block_on(store.organisation_ensure(organisation, actor, &now()))
        .map_err(store_error)?;
    rt.block_on(store.membership_set(account.id, org.id, role, actor, &now()))
        .map_err(store_error)?;
    rt.block_on(store.close());
    print(&format!(
        "{} account {} ({}); {} in {} (organisation {})\n",
        if created { "Created" } else { "Kept" },
        account.email,
        account.id,
        role.as_str(),
        org.name,
        org.id
    ))
    .map_err(crate::output::io_error)?;
    Ok(exit::OK)
}

fn run_token(args: TokenArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let role = match role(&args.role) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let name = args.name.trim();
    if name.is_empty() {
        return Ok(bad("medsec::account::token", "--name is empty".into()));
    }
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let actor_text = actor_name();
    let actor = Actor {
        name: &actor_text,
        reason: args.reason.as_deref(),
    };
    let (org, _) = rt
        .block_on(store.organisation_ensure(args.organisation.trim(), actor, &now()))
        .map_err(store_error)?;
    let secret = medsec_server::auth::new_token_secret();
    let info = rt
        .block_on(store.token_create(
            &medsec_server::auth::secret_hash(&secret),
            name,
            org.id,
            role,
            actor,
            &now(),
        ))
        .map_err(store_error)?;
    rt.block_on(store.close());
    eprintln!(
        "Token {} `{}` ({} in {}): the secret is printed once, on standard output.",
        info.id,
        info.name,
        role.as_str(),
        org.name
    );
    print(&format!("{secret}\n")).map_err(crate::output::io_error)?;
    Ok(exit::OK)
}
