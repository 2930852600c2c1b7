//! `medsec key generate`, `medsec sign DIR`, `medsec verify DIR`: Ed25519 signatures
//! over a report folder (every file's path, size and SHA-256), so that whoever receives
//! the pack can check that nothing was changed, removed or added since it was signed.

use std::path::{Path, PathBuf};

use medsec_report::sign;

use crate::exit;

/// Key pairs for signing report folders.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Write a new Ed25519 key pair: NAME.pem (private, PKCS#8, readable by you only) and
    /// NAME.pub.pem (public, to give to whoever verifies).
    Generate {
        /// The private key file to write (e.g. keys/qa.pem); the public key goes beside
        /// it as .pub.pem. Existing files are never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Sign every file of a folder (a report folder) with an Ed25519 key.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The folder to sign; the signature is written into it as medsec-signature.json.
    pub folder: PathBuf,
    /// The private key (PKCS#8 PEM, from `medsec key generate` or OpenSSL).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Who signs, recorded in the signature (e.g. "QA, Northwind Medical").
    #[arg(long)]
    pub signer: Option<String>,
}

/// Check a signed folder against a public key you trust.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The signed folder.
    pub folder: PathBuf,
    /// The signer's public key (SubjectPublicKeyInfo PEM), obtained from the signer by a
    /// channel you trust, not from the folder.
    #[arg(long, value_name = "FILE")]
    pub public_key: PathBuf,
    /// Output: text or json.
    #[arg(long, default_value = "text")]
    pub format: String,
}

fn sign_error(e: sign::SignError) -> u8 {
    super::refuse("medsec::sign", e.to_string())
}

pub fn run_key(args: KeyArgs) -> miette::Result<u8> {
    let KeyCommand::Generate { out } = args.command;
    let public_path = public_path_of(&out);
    for path in [&out, &public_path] {
        if path.exists() {
            return Ok(super::refuse(
                "medsec::sign::exists",
                format!("{} exists; medsec never overwrites a key", path.display()),
            ));
        }
    }
    let (private, public) = match sign::generate_key() {
        Ok(pair) => pair,
        Err(e) => return Ok(sign_error(e)),
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            miette::miette!(
                code = "medsec::sign::write",
                "cannot create {}: {e}",
                parent.display()
            )
        })?;
    }
    write_private(&out, private.as_bytes())?;
    std::fs::write(&public_path, public.as_bytes()).map_err(|e| {
        miette::miette!(
            code = "medsec::sign::write",
            "cannot write {}: {e}",
            public_path.display()
        )
    })?;
    let key = match sign::read_public_key(&public_path) {
        Ok(k) => k,
        Err(e) => return Ok(sign_error(e)),
    };
    println!(
        "private key {} (keep it secret), public key {}; key id {}",
        out.display(),
        public_path.display(),
        sign::key_id(&key)
    );
    Ok(exit::OK)
}

/// `keys/qa.pem` → `keys/qa.pub.pem`.
fn public_path_of(private: &Path) -> PathBuf {
    let stem = private
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "key".into());
    private.with_file_name(format!("{stem}.pub.pem"))
}

/// Creates the private key file readable by its owner only, failing if it exists.
fn write_private(path: &Path, bytes: &[u8]) -> miette::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let io = |e: std::io::Error| {
        miette::miette!(
            code = "medsec::sign::write",
            "cannot write {}: {e}",
            path.display()
        )
    };
    let mut file = options.open(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

pub fn run_sign(args: SignArgs) -> miette::Result<u8> {
    let key = match sign::read_private_key(&args.key) {
        Ok(k) => k,
        Err(e) => return Ok(sign_error(e)),
    };
    if !args.folder.is_dir() {
        return Ok(super::refuse(
            "medsec::sign",
            format!("{} is not a folder", args.folder.display()),
        ));
    }
    match sign::sign_folder(
        &args.folder,
        &key,
        args.signer.as_deref(),
        jiff::Timestamp::now(),
    ) {
        Ok(file) => {
            println!(
                "signed {} files in {} with key {} ({})",
                file.manifest.files.len(),
                args.folder.display(),
                file.manifest.key_id,
                sign::SIGNATURE_FILE
            );
            Ok(exit::OK)
        }
        Err(e) => Ok(sign_error(e)),
    }
}

pub fn run_verify(args: VerifyArgs) -> miette::Result<u8> {
    let json = match args.format.as_str() {
        "text" => false,
        "json" => true,
        other => {
            return Ok(super::refuse(
                "medsec::usage",
                format!("--format {other}: use text or json"),
            ));
        }
    };
    let key = match sign::read_public_key(&args.public_key) {
        Ok(k) => k,
        Err(e) => return Ok(sign_error(e)),
    };
    let verification = match sign::verify_folder(&args.folder, &key) {
        Ok(v) => v,
        Err(e) => return Ok(sign_error(e)),
    };
    if json {
        crate::output::print_json(&verification)?;
    } else if verification.valid() {
        println!(
            "valid: {} files in {} signed {} by key {}{}",
            verification.files,
            args.folder.display(),
            verification.signed_at,
            verification.key_id,
            verification
                .signer
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        );
    } else {
        println!("NOT valid: {}", args.folder.display());
        for p in &verification.problems {
            println!("  {p}");
        }
    }
    // Exit 1, as for findings over a threshold: the folder is not what was signed.
    Ok(if verification.valid() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}
