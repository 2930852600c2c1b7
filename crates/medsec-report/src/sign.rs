//! Signed report folders (issue 11): an Ed25519 signature over a manifest of every file
//! in the folder (path, size, SHA-256), written beside them as `medsec-signature.json`.
//! `verify` recomputes the manifest from the folder and checks the signature against a
//! public key the verifier trusts, so a changed, removed or added file is caught, and a
//! signature made with another key is refused.
//!
//! Keys are PKCS#8 (private) and SubjectPublicKeyInfo (public) PEM files, as OpenSSL
//! writes and reads them (`openssl pkey -in key.pem -pubout` gives the public key of a
//! medsec private key). The signed bytes are the manifest serialised as compact JSON in
//! a fixed field order, with the files sorted by path; the signature is over exactly
//! those bytes (RFC 8032 Ed25519, no pre-hashing).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The file the signature is written to, inside the signed folder. It is not part of
/// the manifest (it holds it).
pub const SIGNATURE_FILE: &str = "medsec-signature.json";
/// The format tag of the signature file.
pub const FORMAT: &str = "medsec-signature/1";
/// Folders deeper than this are refused rather than walked (a report folder has one
/// level, `figures/`).
const MAX_DEPTH: usize = 8;
/// More files than this are refused (a report folder has a few dozen).
const MAX_FILES: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a PKCS#8 PEM Ed25519 private key: {reason}")]
    PrivateKey { path: PathBuf, reason: String },
    #[error("{path} is not a PEM Ed25519 public key (SubjectPublicKeyInfo): {reason}")]
    PublicKey { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Folder { path: PathBuf, reason: String },
    #[error("{path} is not a medsec signature file: {reason}")]
    SignatureFile { path: PathBuf, reason: String },
    #[error("no random source for a new key: {0}")]
    Random(String),
}

/// One file of the folder, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedFile {
    /// Relative to the folder, `/`-separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What is signed. Field order is the serialisation order, and so part of the format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub algorithm: String,
    /// The signer's public key, raw 32 bytes in hex (informative: verification uses the
    /// key the verifier trusts).
    pub public_key: String,
    /// SHA-256 of the raw public key, hex: names the key in messages.
    pub key_id: String,
    /// Who signed, in their words (optional).
    #[serde(default)]
    pub signer: Option<String>,
    /// RFC 3339.
    pub signed_at: String,
    /// Sorted by path.
    pub files: Vec<SignedFile>,
}

/// The signature file: the manifest and the signature over its canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureFile {
    pub manifest: Manifest,
    /// Ed25519 signature over `canonical(manifest)`, hex.
    pub signature: String,
}

/// The bytes the signature covers.
pub fn canonical(manifest: &Manifest) -> Vec<u8> {
    // A struct of strings, numbers and a list serialises without failure and in field
    // order; the fallback is never taken but keeps this infallible.
    serde_json::to_vec(manifest).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A new key pair as PEM texts: (private PKCS#8, public SPKI).
pub fn generate_key() -> Result<(String, String), SignError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| SignError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| SignError::Random(format!("encoding the key: {e}")))?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| SignError::Random(format!("encoding the public key: {e}")))?;
    Ok((private.to_string(), public))
}

pub fn read_private_key(path: &Path) -> Result<SigningKey, SignError> {
    let text = std::fs::read_to_string(path).map_err(|source| SignError::Read {
        path: path.to_owned(),
        source,
    })?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| SignError::PrivateKey {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

pub fn read_public_key(path: &Path) -> Result<VerifyingKey, SignError> {
    let text = std::fs::read_to_string(path).map_err(|source| SignError::Read {
        path: path.to_owned(),
        source,
    })?;
    VerifyingKey::from_public_key_pem(&text).map_err(|e| SignError::PublicKey {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

pub fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// Every regular file under `folder` except the signature file, sorted by path. Symbolic
/// links are refused: what they point at could change without the folder changing.
pub fn files_of(folder: &Path) -> Result<Vec<SignedFile>, SignError> {
    fn walk(
        root: &Path,
        dir: &Path,
        depth: usize,
        out: &mut Vec<SignedFile>,
    ) -> Result<(), SignError> {
        if depth > MAX_DEPTH {
            return Err(SignError::Folder {
                path: dir.to_owned(),
                reason: format!("nested deeper than {MAX_DEPTH} folders"),
            });
        }
        let read = |source| SignError::Read {
            path: dir.to_owned(),
            source,
        };
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(read)?
            .collect::<Result<_, _>>()
            .map_err(read)?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let kind = entry.file_type().map_err(|source| SignError::Read {
                path: path.clone(),
                source,
            })?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let Some(rel_text) = rel.to_str() else {
                return Err(SignError::Folder {
                    path: path.clone(),
                    reason: "a file name that is not UTF-8".into(),
                });
            };
            let rel_text = rel_text.replace('\\', "/");
            if kind.is_symlink() {
                return Err(SignError::Folder {
                    path,
                    reason: "a symbolic link; sign the files themselves".into(),
                });
            } else if kind.is_dir() {
                walk(root, &path, depth + 1, out)?;
            } else if kind.is_file() {
                if depth == 0 && rel_text == SIGNATURE_FILE {
                    continue;
                }
                if out.len() >= MAX_FILES {
                    return Err(SignError::Folder {
                        path: root.to_owned(),
                        reason: format!("more than {MAX_FILES} files"),
                    });
                }
                let bytes = std::fs::read(&path).map_err(|source| SignError::Read {
                    path: path.clone(),
                    source,
                })?;
                out.push(SignedFile {
                    path: rel_text,
                    bytes: bytes.len() as u64,
                    sha256: hex(&Sha256::digest(&bytes)),
                });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(folder, folder, 0, &mut out)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Signs every file of `folder` and writes the signature file into it (replacing an
/// earlier one). Returns what was written.
pub fn sign_folder(
    folder: &Path,
    key: &SigningKey,
    signer: Option<&str>,
    signed_at: jiff::Timestamp,
) -> Result<SignatureFile, SignError> {
    let files = files_of(folder)?;
    if files.is_empty() {
        return Err(SignError::Folder {
            path: folder.to_owned(),
            reason: "no file to sign".into(),
        });
    }
    let public = key.verifying_key();
    let manifest = Manifest {
        format: FORMAT.into(),
        algorithm: "Ed25519".into(),
        public_key: hex(public.as_bytes()),
        key_id: key_id(&public),
        signer: signer.map(str::to_owned),
        signed_at: signed_at.to_string(),
        files,
    };
    let signature: Signature = key.sign(&canonical(&manifest));
    let file = SignatureFile {
        manifest,
        signature: hex(&signature.to_bytes()),
    };
    let path = folder.join(SIGNATURE_FILE);
    let text = serde_json::to_string_pretty(&file).unwrap_or_default();
    std::fs::write(&path, format!("{text}\n")).map_err(|source| SignError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(file)
}

/// What verification found. `problems` is empty when the folder is exactly what was
/// signed, by the trusted key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub key_id: String,
    pub signer: Option<String>,
    pub signed_at: String,
    pub files: usize,
    pub problems: Vec<String>,
}

impl Verification {
    pub fn valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `folder` against its signature file and the `trusted` public key.
pub fn verify_folder(folder: &Path, trusted: &VerifyingKey) -> Result<Verification, SignError> {
    let path = folder.join(SIGNATURE_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| SignError::Read {
        path: path.clone(),
        source,
    })?;
    let file: SignatureFile =
        serde_json::from_str(&text).map_err(|e| SignError::SignatureFile {
            path: path.clone(),
            reason: format!("line {}, column {}: {e}", e.line(), e.column()),
        })?;
    let manifest = &file.manifest;
    let mut problems = Vec::new();
    if manifest.format != FORMAT || manifest.algorithm != "Ed25519" {
        problems.push(format!(
            "unknown signature format {} / {}; this medsec reads {FORMAT} / Ed25519",
            manifest.format, manifest.algorithm
        ));
    }
    let trusted_id = key_id(trusted);
    if manifest.key_id != trusted_id || manifest.public_key != hex(trusted.as_bytes()) {
        problems.push(format!(
            "signed with key {} but the trusted key is {trusted_id}",
            manifest.key_id
        ));
    }
    let signature = unhex(&file.signature)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    match signature {
        None => problems.push("the signature is not 64 bytes of hex".into()),
        Some(signature) => {
            if trusted.verify(&canonical(manifest), &signature).is_err() {
                problems.push(
                    "the signature does not match the manifest under the trusted key (the manifest was altered, or another key signed it)".into(),
                );
            }
        }
    }
    let now = files_of(folder)?;
    let mut signed = manifest.files.iter().peekable();
    let mut present = now.iter().peekable();
    // Both lists are sorted by path: one merge pass finds changed, missing and added
    // files.
    loop {
        match (signed.peek(), present.peek()) {
            (None, None) => break,
            (Some(s), Some(p)) if s.path == p.path => {
                if s.sha256 != p.sha256 || s.bytes != p.bytes {
                    problems.push(format!("{}: changed since it was signed", s.path));
                }
                signed.next();
                present.next();
            }
            (Some(s), Some(p)) if s.path < p.path => {
                problems.push(format!("{}: signed but missing", s.path));
                signed.next();
            }
            (Some(s), None) => {
                problems.push(format!("{}: signed but missing", s.path));
                signed.next();
            }
            (_, Some(p)) => {
                problems.push(format!("{}: not signed (added after signing)", p.path));
                present.next();
            }
        }
    }
    Ok(Verification {
        key_id: manifest.key_id.clone(),
        signer: manifest.signer.clone(),
        signed_at: manifest.signed_at.clone(),
        files: manifest.files.len(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.html"), "<p>report</p>").unwrap();
        std::fs::create_dir(dir.path().join("figures")).unwrap();
        std::fs::write(dir.path().join("figures/a.svg"), "<svg/>").unwrap();
        dir
    }

    fn keys() -> (SigningKey, VerifyingKey) {
        let (private, public) = generate_key().unwrap();
        (
            SigningKey::from_pkcs8_pem(&private).unwrap(),
            VerifyingKey::from_public_key_pem(&public).unwrap(),
        )
    }

    fn at() -> jiff::Timestamp {
        "2025-01-15T09:30:00Z".parse().unwrap()
    }

    #[test]
    fn a_signed_folder_verifies() {
        let dir = folder();
        let (key, public) = keys();
        let file = sign_folder(dir.path(), &key, Some("QA"), at()).unwrap();
        assert_eq!(file.manifest.files.len(), 2);
        assert_eq!(file.manifest.files[0].path, "figures/a.svg");
        let v = verify_folder(dir.path(), &public).unwrap();
        assert!(v.valid(), "{:?}", v.problems);
        assert_eq!(v.signer.as_deref(), Some("QA"));
    }

    #[test]
    fn changed_missing_and_added_files_are_caught() {
        let dir = folder();
        let (key, public) = keys();
        sign_folder(dir.path(), &key, None, at()).unwrap();
        std::fs::write(dir.path().join("report.html"), "<p>rep0rt</p>").unwrap();
        std::fs::remove_file(dir.path().join("figures/a.svg")).unwrap();
        std::fs::write(dir.path().join("extra.txt"), "x").unwrap();
        let v = verify_folder(dir.path(), &public).unwrap();
        assert_eq!(
            v.problems,
            [
                "extra.txt: not signed (added after signing)",
                "figures/a.svg: signed but missing",
                "report.html: changed since it was signed",
            ]
        );
    }

    #[test]
    fn another_key_or_an_edited_manifest_is_refused() {
        let dir = folder();
        let (key, _) = keys();
        let (_, other) = keys();
        sign_folder(dir.path(), &key, None, at()).unwrap();
        let v = verify_folder(dir.path(), &other).unwrap();
        assert!(v.problems.iter().any(|p| p.contains("trusted key is")));
        assert!(v.problems.iter().any(|p| p.contains("does not match")));

        // Editing a file and its recorded hash together breaks the signature.
        let (key, public) = keys();
        let mut file = sign_folder(dir.path(), &key, None, at()).unwrap();
        std::fs::write(dir.path().join("report.html"), "forged").unwrap();
        file.manifest.files[1].sha256 = hex(&Sha256::digest(b"forged"));
        file.manifest.files[1].bytes = 6;
        std::fs::write(
            dir.path().join(SIGNATURE_FILE),
            serde_json::to_string(&file).unwrap(),
        )
        .unwrap();
        let v = verify_folder(dir.path(), &public).unwrap();
        assert_eq!(
            v.problems,
            [
                "the signature does not match the manifest under the trusted key (the manifest was altered, or another key signed it)"
            ]
        );
    }

    #[test]
    fn bad_key_and_signature_files_are_errors_not_panics() {
        let dir = folder();
        std::fs::write(dir.path().join("key.pem"), "not a key").unwrap();
        assert!(matches!(
            read_private_key(&dir.path().join("key.pem")),
            Err(SignError::PrivateKey { .. })
        ));
        assert!(matches!(
            read_public_key(&dir.path().join("key.pem")),
            Err(SignError::PublicKey { .. })
        ));
        std::fs::write(dir.path().join(SIGNATURE_FILE), "{\"manifest\": 3}").unwrap();
        let (_, public) = keys();
        assert!(matches!(
            verify_folder(dir.path(), &public),
            Err(SignError::SignatureFile { .. })
        ));
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1: the empty message.
        let secret =
            unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
        let key = SigningKey::from_bytes(&<[u8; 32]>::try_from(secret).unwrap());
        assert_eq!(
            hex(key.verifying_key().as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex(&key.sign(b"").to_bytes()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }
}
