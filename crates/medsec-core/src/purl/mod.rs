//! Package URL (purl): parse, build, normalise and serialise.
//!
//! Follows the purl specification (ECMA-427 / package-url/purl-spec) as its own test suite
//! defines it: `tests/spec/*.json` and `tests/types/*-test.json` (test schema 0.2) at purl-spec
//! commit 16f3d0e, and the per-type rules of `types/*-definition.json` (see [`types`]).
//!
//! # Why our own parser and not the `packageurl` crate
//!
//! STYLE.md suggested wrapping `packageurl` in a newtype. We ran the purl-spec suite against
//! `packageurl` 0.4.2 first: 62 of its 410 parse/validate cases failed (qualifier values not
//! percent-encoded as the canonical form requires, an unencoded npm scope `@babel/core`
//! rejected, no per-type rules: required/prohibited namespaces, case folding, chrome-extension
//! ids, julia's required `uuid`, cpan's `::`, git's multi-segment names). Per-type rules cannot
//! be bolted onto its canonical string from outside, so this module implements the
//! specification itself and passes the whole suite (see `tests/core/purl_spec.rs`).
//!
//! # Strict and lenient parsing
//!
//! [`Purl::from_str`] is strict: it rejects what the suite's `required` group rejects (for
//! example an uppercase qualifier key, `?Platform=java`). [`Purl::parse_lenient`] applies the
//! remediations of the suite's `recommended` group (lowercasing qualifier keys) and is what
//! ingestion of third-party SBOMs should use. Both produce the same normalised value.

mod encoding;
mod error;
pub mod types;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use error::{PurlComponent, PurlError, PurlErrorKind};
use types::Requirement;

/// A package URL in normalised form: type lowercase, per-type case folding applied,
/// components percent-decoded, qualifiers sorted by key with empty values dropped, subpath
/// without empty, `.` and `..` segments.
///
/// Two purls that identify the same package compare equal. [`fmt::Display`] prints the
/// canonical string; parsing it gives back an equal value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Strict,
    Lenient,
}

type Located<'a> = (usize, &'a str);

impl Purl {
    /// Starts building a purl from decoded components.
    pub fn builder() -> PurlBuilder {
        PurlBuilder::default()
    }

    /// Parses like [`FromStr`], but applies the remediations of the purl-spec `recommended`
    /// test group: qualifier keys are lowercased instead of rejected.
    pub fn parse_lenient(s: &str) -> Result<Self, PurlError> {
        parse(s, Mode::Lenient)
    }

    /// The package type, lowercase (`npm`, `maven`, ...).
    pub fn ty(&self) -> &str {
        &self.ty
    }

    /// The decoded namespace, segments joined by `/`.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The decoded name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The decoded version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The qualifiers, sorted by key; values decoded.
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }

    /// One qualifier's decoded value.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.get(key).map(String::as_str)
    }

    /// The decoded subpath, segments joined by `/`.
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }

    /// The `checksum` qualifier split into `(algorithm, value)` pairs: a comma-separated
    /// list of `algorithm:hex` (purl spec, known qualifiers: `checksum`).
    pub fn checksums(&self) -> impl Iterator<Item = (&str, &str)> {
        self.qualifier("checksum")
            .into_iter()
            .flat_map(|v| v.split(','))
            .filter_map(|c| c.split_once(':'))
    }

    /// The same package without version, qualifiers and subpath: what vulnerability
    /// databases key on.
    pub fn without_version(&self) -> Self {
        Self {
            ty: self.ty.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            version: None,
            qualifiers: BTreeMap::new(),
            subpath: None,
        }
    }
}

impl FromStr for Purl {
    type Err = PurlError;

    /// Strict parse (the purl-spec `required` behaviour).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s, Mode::Strict)
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(64);
        out.push_str("pkg:");
        out.push_str(&self.ty);
        out.push('/');
        if let Some(ns) = &self.namespace {
            push_segments(&mut out, ns);
            out.push('/');
        }
        if self.ty == "git" {
            // git names are repository paths (git-definition.json); their `/` separators
            // stay as they are, like the namespace's.
            push_segments(&mut out, &self.name);
        } else {
            encoding::encode_into(&mut out, &self.name);
        }
        if let Some(v) = &self.version {
            out.push('@');
            encoding::encode_into(&mut out, v);
        }
        let mut sep = '?';
        for (k, v) in &self.qualifiers {
            out.push(sep);
            sep = '&';
            out.push_str(k);
            out.push('=');
            encoding::encode_into(&mut out, v);
        }
        if let Some(sp) = &self.subpath {
            out.push('#');
            push_segments(&mut out, sp);
        }
        f.write_str(&out)
    }
}

fn push_segments(out: &mut String, path: &str) {
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        encoding::encode_into(out, seg);
    }
}

impl serde::Serialize for Purl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Purl {
    /// Strict, like [`FromStr`]: invalid purls are rejected while deserialising.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Builds a [`Purl`] from decoded components, applying the same validation and normalisation
/// as parsing.
#[derive(Debug, Clone, Default)]
pub struct PurlBuilder {
    ty: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    version: Option<String>,
    qualifiers: Vec<(String, String)>,
    subpath: Option<String>,
}

impl PurlBuilder {
    /// Sets the type.
    #[must_use]
    pub fn ty(mut self, ty: impl Into<String>) -> Self {
        self.ty = Some(ty.into());
        self
    }

    /// Sets the namespace (decoded; segments separated by `/`).
    #[must_use]
    pub fn namespace(mut self, ns: impl Into<String>) -> Self {
        self.namespace = Some(ns.into());
        self
    }

    /// Sets the name (decoded).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the version (decoded).
    #[must_use]
    pub fn version(mut self, v: impl Into<String>) -> Self {
        self.version = Some(v.into());
        self
    }

    /// Adds a qualifier (decoded value). Keys are not lowercased: an invalid key fails
    /// [`PurlBuilder::build`].
    #[must_use]
    pub fn qualifier(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.qualifiers.push((key.into(), value.into()));
        self
    }

    /// Sets the subpath (decoded; segments separated by `/`).
    #[must_use]
    pub fn subpath(mut self, sp: impl Into<String>) -> Self {
        self.subpath = Some(sp.into());
        self
    }

    /// Validates and normalises.
    pub fn build(self) -> Result<Purl, PurlError> {
        let ty_raw = self.ty.unwrap_or_default();
        let ty = validate_type(&ty_raw, None)?;
        let mut qualifiers = BTreeMap::new();
        for (k, v) in self.qualifiers {
            insert_qualifier(&mut qualifiers, k, v, Mode::Strict, None)?;
        }
        let namespace = match self.namespace {
            Some(ns) => normalise_namespace(ns.split('/').map(str::to_owned).collect(), None)?,
            None => None,
        };
        let name = self.name.unwrap_or_default();
        let raw = Raw {
            ty,
            namespace,
            name,
            version: self.version,
            qualifiers,
            subpath: self.subpath.as_deref().and_then(normalise_subpath),
        };
        finish(raw, &Offsets::default())
    }
}

/// Decoded components before per-type normalisation.
struct Raw {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

/// Where each component started in the parsed string, for errors found after decoding.
#[derive(Default)]
struct Offsets {
    namespace: Option<usize>,
    name: Option<usize>,
    version: Option<usize>,
    qualifiers: Option<usize>,
}

fn err(c: PurlComponent, at: Option<usize>, k: PurlErrorKind) -> PurlError {
    PurlError::new(c, at, k)
}

/// Parses per the purl spec, "How to parse a purl string in its components": subpath is split
/// off from the right at `#`, then qualifiers at `?`, then the scheme from the left at `:`.
fn parse(input: &str, mode: Mode) -> Result<Purl, PurlError> {
    use PurlComponent as C;
    use PurlErrorKind as K;

    let (head_end, subpath_raw): (usize, Option<Located>) = match input.rfind('#') {
        Some(i) => (i, Some((i + 1, &input[i + 1..]))),
        None => (input.len(), None),
    };
    let (head_end, qualifiers_raw): (usize, Option<Located>) = match input[..head_end].rfind('?') {
        Some(i) => (i, Some((i + 1, &input[i + 1..head_end]))),
        None => (head_end, None),
    };
    let head = &input[..head_end];
    let Some(colon) = head.find(':') else {
        return Err(err(C::Scheme, Some(0), K::MissingScheme));
    };
    let scheme = &head[..colon];
    if !scheme.eq_ignore_ascii_case("pkg") {
        return Err(err(C::Scheme, Some(0), K::WrongScheme(scheme.to_owned())));
    }
    // "pkg://" and "pkg:/" are accepted and the slashes ignored (purl spec, "scheme").
    let mut start = colon + 1;
    while head[start..].starts_with('/') {
        start += 1;
    }
    let body = &head[start..];
    let Some(slash) = body.find('/') else {
        if body.is_empty() {
            return Err(err(C::Type, Some(start), K::MissingType));
        }
        // No '/' at all: either "pkg:type" (no name) or no type at all; check the type
        // first so that "pkg:Name@1.0" reports its '@' as a bad type character.
        validate_type(body, Some(start))?;
        return Err(err(C::Name, Some(head_end), K::MissingName));
    };
    let ty = validate_type(&body[..slash], Some(start))?;
    let path_start = start + slash + 1;
    // Trailing '/' of the whole path are insignificant, but a '/' right before '@version'
    // leaves the name empty (swift-test.json: `pkg:swift/github.com/Alamofire/@5.4.3` fails).
    let mut path = head[path_start..].trim_end_matches('/');

    // The version follows the last '@' that has no '/' after it, so that an unencoded npm
    // scope (`@babel/core`) is not taken for a version (recommended test in npm-test.json).
    let mut version_raw: Option<Located> = None;
    if let Some(at) = path.rfind('@')
        && !path[at..].contains('/')
    {
        version_raw = Some((path_start + at + 1, &path[at + 1..]));
        path = &path[..at];
    }
    let trimmed_start = path.len() - path.trim_start_matches('/').len();
    let path_start = path_start + trimmed_start;
    let path = &path[trimmed_start..];
    if path.is_empty() || path.ends_with('/') {
        return Err(err(C::Name, Some(path_start + path.len()), K::MissingName));
    }

    // git: namespace is the host, name is the repository path (git-definition.json).
    let split_at = if ty == "git" {
        path.find('/')
    } else {
        path.rfind('/')
    };
    let (ns_raw, name_raw): (Option<Located>, Located) = match split_at {
        Some(i) => (
            Some((path_start, &path[..i])),
            (path_start + i + 1, &path[i + 1..]),
        ),
        None => (None, (path_start, path)),
    };

    let namespace = match ns_raw {
        Some((off, ns)) => {
            let mut segs = Vec::new();
            let mut seg_off = off;
            for seg in ns.split('/') {
                let d = encoding::decode(seg, seg_off, C::Namespace)?;
                if d.contains('/') {
                    return Err(err(C::Namespace, Some(seg_off), K::SlashInNamespaceSegment));
                }
                segs.push(d);
                seg_off += seg.len() + 1;
            }
            normalise_namespace(segs, Some(off))?
        }
        None => None,
    };
    let name = if ty == "git" {
        let mut segs = Vec::new();
        let mut seg_off = name_raw.0;
        for seg in name_raw.1.split('/') {
            segs.push(encoding::decode(seg, seg_off, C::Name)?);
            seg_off += seg.len() + 1;
        }
        segs.join("/")
    } else {
        encoding::decode(name_raw.1, name_raw.0, C::Name)?
    };
    let version = match version_raw {
        Some((off, v)) => Some(encoding::decode(v, off, C::Version)?),
        None => None,
    };

    let mut qualifiers = BTreeMap::new();
    if let Some((off, q)) = qualifiers_raw {
        let mut pair_off = off;
        for pair in q.split('&') {
            if !pair.is_empty() {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let value_off = pair_off + k.len() + 1;
                let value = encoding::decode(v, value_off, C::Qualifiers)?;
                insert_qualifier(&mut qualifiers, k.to_owned(), value, mode, Some(pair_off))?;
            }
            pair_off += pair.len() + 1;
        }
    }

    let subpath = match subpath_raw {
        Some((off, sp)) => {
            let mut segs = Vec::new();
            let mut seg_off = off;
            for seg in sp.split('/') {
                segs.push(encoding::decode(seg, seg_off, C::Subpath)?);
                seg_off += seg.len() + 1;
            }
            normalise_subpath(&segs.join("/"))
        }
        None => None,
    };

    let raw = Raw {
        ty,
        namespace,
        name,
        version,
        qualifiers,
        subpath,
    };
    let offsets = Offsets {
        namespace: ns_raw.map(|(o, _)| o),
        name: Some(name_raw.0),
        version: version_raw.map(|(o, _)| o),
        qualifiers: qualifiers_raw.map(|(o, _)| o),
    };
    finish(raw, &offsets)
}

/// Type: ASCII letters, digits, `.`, `+`, `-`; not starting with a digit; case-insensitive,
/// canonical lowercase; never percent-encoded (purl spec, "Rules for each purl component").
fn validate_type(ty: &str, offset: Option<usize>) -> Result<String, PurlError> {
    use PurlErrorKind as K;
    if ty.is_empty() {
        return Err(err(PurlComponent::Type, offset, K::MissingType));
    }
    for (i, c) in ty.char_indices() {
        if !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')) {
            return Err(err(
                PurlComponent::Type,
                offset.map(|o| o + i),
                K::InvalidTypeChar(c),
            ));
        }
    }
    if ty.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(err(PurlComponent::Type, offset, K::TypeStartsWithDigit));
    }
    Ok(ty.to_ascii_lowercase())
}

/// Qualifier key rules (purl spec, "qualifiers"): ASCII letters, digits, `.`, `-`, `_`; not
/// starting with a digit; not percent-encoded; unique. Strict mode also rejects uppercase, as
/// the `required` tests do (`gem-test.json`, `rpm-test.json`); lenient mode lowercases.
/// A pair with an empty value is the same as no pair.
fn insert_qualifier(
    map: &mut BTreeMap<String, String>,
    key: String,
    value: String,
    mode: Mode,
    offset: Option<usize>,
) -> Result<(), PurlError> {
    use PurlErrorKind as K;
    let key = match mode {
        Mode::Strict => key,
        Mode::Lenient => key.to_ascii_lowercase(),
    };
    let valid = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        });
    if !valid {
        return Err(err(
            PurlComponent::Qualifiers,
            offset,
            K::InvalidQualifierKey(key),
        ));
    }
    if map.contains_key(&key) {
        return Err(err(
            PurlComponent::Qualifiers,
            offset,
            K::DuplicateQualifier(key),
        ));
    }
    if !value.is_empty() {
        map.insert(key, value);
    }
    Ok(())
}

/// Drops empty segments; a segment must not contain `/` once decoded.
fn normalise_namespace(
    segs: Vec<String>,
    offset: Option<usize>,
) -> Result<Option<String>, PurlError> {
    let segs: Vec<String> = segs.into_iter().filter(|s| !s.is_empty()).collect();
    if segs.iter().any(|s| s.contains('/')) {
        return Err(err(
            PurlComponent::Namespace,
            offset,
            PurlErrorKind::SlashInNamespaceSegment,
        ));
    }
    Ok((!segs.is_empty()).then(|| segs.join("/")))
}

/// Subpath (purl spec, "subpath"): leading and trailing `/` stripped, empty, `.` and `..`
/// segments discarded. Applied to the decoded path so that `%2E%2E` cannot smuggle in `..`.
fn normalise_subpath(sp: &str) -> Option<String> {
    let segs: Vec<&str> = sp
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    (!segs.is_empty()).then(|| segs.join("/"))
}

/// Per-type rules, then assembly. Shared by parsing and building so both normalise alike.
fn finish(mut raw: Raw, at: &Offsets) -> Result<Purl, PurlError> {
    use PurlComponent as C;
    use PurlErrorKind as K;

    if raw.name.is_empty() {
        return Err(err(C::Name, at.name, K::MissingName));
    }
    if raw.version.as_deref() == Some("") {
        raw.version = None;
    }
    if raw.ty == "git" {
        // The namespace is the host, one segment; further segments belong to the
        // repository path, as parsing reads them (git-definition.json).
        if let Some((host, path)) = raw.namespace.as_deref().and_then(|n| n.split_once('/')) {
            raw.name = format!("{path}/{}", raw.name);
            raw.namespace = Some(host.to_owned());
        }
        let segs: Vec<&str> = raw.name.split('/').filter(|s| !s.is_empty()).collect();
        raw.name = segs.join("/");
        if raw.name.is_empty() {
            return Err(err(C::Name, at.name, K::MissingName));
        }
        if raw
            .namespace
            .as_deref()
            .is_some_and(types::git_host_is_case_insensitive)
        {
            raw.namespace = raw.namespace.map(|n| n.to_lowercase());
            raw.name = raw.name.to_lowercase();
        }
    }

    if let Some(rules) = types::rules(&raw.ty) {
        match (rules.namespace, &raw.namespace) {
            (Requirement::Required, None) => {
                return Err(err(C::Namespace, at.name, K::NamespaceRequired));
            }
            (Requirement::Prohibited, Some(_)) => {
                return Err(err(C::Namespace, at.namespace, K::NamespaceProhibited));
            }
            _ => {}
        }
        if rules.lowercase_namespace {
            raw.namespace = raw.namespace.map(|n| n.to_lowercase());
        }
        if rules.lowercase_name {
            raw.name = raw.name.to_lowercase();
        }
        if rules.lowercase_version {
            raw.version = raw.version.map(|v| v.to_lowercase());
        }
        for q in rules.required_qualifiers {
            if !raw.qualifiers.contains_key(*q) {
                return Err(err(
                    C::Qualifiers,
                    at.qualifiers,
                    K::MissingRequiredQualifier(q),
                ));
            }
        }
    }

    match raw.ty.as_str() {
        // pypi-definition.json: "Replace underscore _ with dash -".
        "pypi" => raw.name = raw.name.replace('_', "-"),
        "mlflow"
            if raw
                .qualifiers
                .get("repository_url")
                .is_some_and(|u| types::mlflow_is_databricks(u)) =>
        {
            raw.name = raw.name.to_lowercase();
        }
        "chrome-extension" => {
            if !types::is_chrome_extension_id(&raw.name) {
                return Err(err(
                    C::Name,
                    at.name,
                    K::TypeRule("a chrome-extension name is 32 letters a-p"),
                ));
            }
            if raw
                .version
                .as_deref()
                .is_some_and(|v| !types::is_chrome_extension_version(v))
            {
                return Err(err(
                    C::Version,
                    at.version,
                    K::TypeRule("a chrome-extension version is 1 to 4 dot-separated numbers"),
                ));
            }
        }
        // cpan-definition.json: "A distribution name shall not contain the string '::'".
        "cpan" if raw.name.contains("::") => {
            return Err(err(
                C::Name,
                at.name,
                K::TypeRule("a cpan name is a distribution name and must not contain '::'"),
            ));
        }
        "pub" if !types::is_pub_name(&raw.name) => {
            return Err(err(
                C::Name,
                at.name,
                K::TypeRule("a pub name holds only lowercase letters, digits and '_'"),
            ));
        }
        _ => {}
    }

    Ok(Purl {
        ty: raw.ty,
        namespace: raw.namespace,
        name: raw.name,
        version: raw.version,
        qualifiers: raw.qualifiers,
        subpath: raw.subpath,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn error_names_component_and_offset() {
        let e = "pkg:npm/foo@1.0?in%20production=true"
            .parse::<Purl>()
            .unwrap_err();
        assert_eq!(e.component, PurlComponent::Qualifiers);
        assert_eq!(e.offset, Some(16));
        assert!(e.to_string().contains("at byte 16"), "{e}");

        let e = "pkg:3nginx/nginx".parse::<Purl>().unwrap_err();
        assert_eq!(e.component, PurlComponent::Type);
        assert_eq!(e.offset, Some(4));

        let e = "pkg:npm/fo%zzo".parse::<Purl>().unwrap_err();
        assert_eq!((e.component, e.offset), (PurlComponent::Name, Some(10)));
    }

    #[test]
    fn serde_is_a_string() {
        let p: Purl = serde_json::from_str("\"pkg:npm/%40angular/core@1.0\"").unwrap();
        assert_eq!(p.namespace(), Some("@angular"));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            "\"pkg:npm/%40angular/core@1.0\""
        );
        assert!(serde_json::from_str::<Purl>("\"npm/x\"").is_err());
    }

    #[test]
    fn checksums_split() {
        let p: Purl = "pkg:generic/x?checksum=sha1:ab%2Csha256:cd"
            .parse()
            .unwrap();
        assert_eq!(
            p.checksums().collect::<Vec<_>>(),
            vec![("sha1", "ab"), ("sha256", "cd")]
        );
    }

    #[test]
    fn subpath_cannot_climb_even_when_encoded() {
        let p: Purl = "pkg:golang/a/b#x/%2E%2E/y/./z".parse().unwrap();
        assert_eq!(p.subpath(), Some("x/y/z"));
    }
}
