//! Index keys: the strings under which an advisory is stored and a component looks for
//! candidate advisories. A key only narrows the search; [`crate::match_component`]
//! decides.
//!
//! # Key forms
//!
//! | key | from an advisory | from a component |
//! |---|---|---|
//! | `purl:TYPE/NAMESPACE/NAME` | `Package::Purl`, `Package::Ecosystem` (ecosystem mapped to a purl type, and its own purl), CSAF helper purls, CVE 5 `collectionURL` + `packageName` of a registry the caller names ([`Registries`]) | its purl; deb/rpm/apk `upstream` source package; CycloneDX `group` + name when the group looks like a Maven group id (derived) |
//! | `eco:ECOSYSTEM/NAME` | every `Package::Ecosystem` (release suffix `:12` dropped): the only key of an ecosystem with no purl type | — |
//! | `cpe:PART:VENDOR:PRODUCT` | NVD `cpeMatch` criteria, CSAF helper CPEs, CVE 5 `cpes` | its CPEs (with wildcard variants), and CPEs from the curated [`CpeProductMap`] (derived) |
//! | `vp:VENDOR/PRODUCT` | CVE 5 vendor + product, CSAF vendor + `product_name` branches | supplier + name (derived), `vendor_products` of a map entry (derived) |
//!
//! The purl part is the canonical purl (purl spec, per-type rules as [`medsec_core::purl`]
//! applies them: case folding of case-insensitive types, PyPI `_` → `-`, percent-encoding)
//! without `pkg:`, version, qualifiers and subpath.
//!
//! A CPE key holds part, vendor and product as the CPE 2.3 formatted string writes them
//! (NISTIR 7695 §6.2), lowercase (CPE comparison is case-insensitive, NISTIR 7696
//! §6.1.3.2). An attribute that is ANY, or holds a wildcard (`log4j*`), is written `*`:
//! such a criterion is found through the wildcard variants that
//! [`component_keys`] adds for every CPE (each of part, vendor and product replaced by
//! `*`, in every combination), so `cpe:2.3:a:*:zlib:…` is indexed as `cpe:a:*:zlib` and a
//! component with `cpe:2.3:a:zlib:zlib:…` looks that key up too.
//!
//! A `vp:` key is lowercase, trimmed, inner whitespace collapsed to one space; a vendor
//! of `n/a` (CVE 5's placeholder) or an empty one gives no key.
//!
//! No key is ever made from a component's bare name: a name gives a key only through
//! the curated map or together with the supplier.

use std::collections::BTreeSet;

use medsec_core::Purl;
use medsec_core::advisory::{Advisory, Package};
use medsec_core::component::{Component, ComponentKind};
use medsec_core::cpe::{Attribute, AttributeRelation, Cpe, Value, compare_attributes};
use serde::{Deserialize, Serialize};

use crate::Scheme;

/// The curated name → CPE map, compiled in.
const BUILTIN_CPE_PRODUCTS: &str = include_str!("../data/cpe-products.yaml");

/// Where a component's key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyOrigin {
    /// From the component's own purl or CPE, as the SBOM declared it.
    Declared,
    /// Derived by medsec (curated map, supplier + name, group + name): a match through it
    /// is reported at lower confidence.
    Derived,
}

/// One key a component is looked up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CandidateKey {
    pub key: String,
    pub origin: KeyOrigin,
    /// How the key was made, for the match's reasons.
    pub why: String,
}

/// What the matcher needs of an SBOM component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ComponentQuery {
    pub name: String,
    /// CycloneDX `group` (Maven group id, npm scope …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<Purl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<Cpe>,
    /// The supplier's name (CycloneDX `supplier.name`, else `publisher`/SPDX originator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// The component's kind, when the SBOM says (a library matched by an application CPE
    /// is reported at lower confidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl ComponentQuery {
    /// A query with a name only.
    pub fn named(name: impl Into<String>) -> Self {
        ComponentQuery {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The version to compare: the component's own, else its purl's.
    pub fn effective_version(&self) -> Option<&str> {
        self.version
            .as_deref()
            .or_else(|| self.purl.as_ref().and_then(|p| p.version()))
    }

    /// True when the component is known to be a library (CycloneDX `library`,
    /// `framework`; SPDX `LIBRARY` maps to the same kind).
    pub fn is_library(&self) -> bool {
        matches!(self.kind.as_deref(), Some("library" | "framework"))
    }
}

impl From<&Component> for ComponentQuery {
    fn from(c: &Component) -> Self {
        let supplier = c
            .supplier
            .as_ref()
            .and_then(|s| s.name.clone())
            .or_else(|| c.publisher.clone())
            .filter(|s| !s.trim().is_empty());
        let kind = match c.kind {
            ComponentKind::Unspecified => None,
            k => Some(k.as_str().to_owned()),
        };
        ComponentQuery {
            name: c.name.clone(),
            group: c.group.clone(),
            version: c.version.clone(),
            purl: c.purl.clone(),
            cpes: c.cpes.clone(),
            supplier,
            kind,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Key builders

/// `purl:TYPE/NAMESPACE/NAME` of a purl (version, qualifiers and subpath dropped).
pub fn purl_key(purl: &Purl) -> String {
    let canonical = purl.without_version().to_string();
    let body = canonical.strip_prefix("pkg:").unwrap_or(&canonical);
    format!("purl:{body}")
}

/// The key text of one CPE attribute: its formatted-string form, lowercase; ANY and any
/// value with a wildcard are `*` (see the module docs), NA is `-`.
fn cpe_attr_key(v: &Value) -> String {
    match v {
        Value::Any => "*".into(),
        Value::Na => "-".into(),
        Value::Str(s) if s.has_wildcards() => "*".into(),
        Value::Str(_) => {
            // Bind through the formatted string (NISTIR 7695 §6.2.2) so the key quotes
            // punctuation exactly as NVD writes criteria.
            let mut one = Cpe::new();
            if one.set(Attribute::Vendor, v.clone()).is_err() {
                return "*".into();
            }
            let fs = one.to_formatted_string();
            // cpe:2.3:*:VENDOR:*:…: the fourth field, found after the fixed prefix.
            let rest = fs.strip_prefix("cpe:2.3:*:").unwrap_or(&fs);
            rest.strip_suffix(":*:*:*:*:*:*:*:*:*")
                .unwrap_or(rest)
                .to_ascii_lowercase()
        }
    }
}

/// `cpe:PART:VENDOR:PRODUCT` of a CPE name.
pub fn cpe_key(cpe: &Cpe) -> String {
    format!(
        "cpe:{}:{}:{}",
        cpe_attr_key(cpe.get(Attribute::Part)),
        cpe_attr_key(cpe.get(Attribute::Vendor)),
        cpe_attr_key(cpe.get(Attribute::Product))
    )
}

/// The keys a component's CPE is looked up by: the exact key and every variant with
/// part, vendor and/or product replaced by `*` (to find criteria indexed with `*`).
pub fn cpe_lookup_keys(cpe: &Cpe) -> Vec<String> {
    let p = cpe_attr_key(cpe.get(Attribute::Part));
    let v = cpe_attr_key(cpe.get(Attribute::Vendor));
    let n = cpe_attr_key(cpe.get(Attribute::Product));
    let mut out = BTreeSet::new();
    for mask in 0..8u8 {
        let pick = |bit: u8, s: &String| {
            if mask & bit != 0 {
                "*".to_owned()
            } else {
                s.clone()
            }
        };
        out.insert(format!(
            "cpe:{}:{}:{}",
            pick(1, &p),
            pick(2, &v),
            pick(4, &n)
        ));
    }
    out.into_iter().collect()
}

/// Lowercase, trimmed, inner whitespace collapsed.
pub fn normalise_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `vp:VENDOR/PRODUCT`, or `None` when either is empty or the vendor is `n/a`.
pub fn vp_key(vendor: &str, product: &str) -> Option<String> {
    let v = normalise_name(vendor);
    let p = normalise_name(product);
    if v.is_empty() || p.is_empty() || v == "n/a" || p == "n/a" {
        return None;
    }
    Some(format!("vp:{v}/{p}"))
}

/// `eco:ECOSYSTEM/NAME` (the ecosystem without its `:release` suffix).
pub fn eco_key(ecosystem: &str, name: &str) -> Option<String> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
    let name = name.trim();
    (!base.is_empty() && !name.is_empty()).then(|| format!("eco:{base}/{name}"))
}

/// Splits a package name into purl namespace and name the way the type writes it.
fn split_name<'a>(ty: &str, name: &'a str) -> (Option<&'a str>, &'a str) {
    match ty {
        // Maven `group:artifact` (OSV, CVE 5 packageName).
        "maven" => match name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, name),
        },
        // npm `@scope/name`; Go module paths, Composer `vendor/package`, Swift URLs and
        // GitHub `owner/repo`: the namespace is everything before the last `/`.
        "npm" if !name.starts_with('@') => (None, name),
        "npm" | "golang" | "composer" | "swift" | "github" => match name.rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, name),
        },
        _ => (None, name),
    }
}

/// Builds a versionless purl; `None` when the type's rules reject it (e.g. a Go
/// `stdlib`, which has no namespace).
fn build_purl(ty: &str, namespace: Option<&str>, name: &str) -> Option<Purl> {
    let (ns_from_name, n) = split_name(ty, name.trim());
    let mut b = Purl::builder().ty(ty).name(n);
    if let Some(ns) = namespace.or(ns_from_name) {
        b = b.namespace(ns);
    }
    b.build().ok()
}

/// The purl type (and fixed namespace, for distributions) of an OSV ecosystem
/// (osv-schema `ecosystems.txt`; purl spec `PURL-TYPES.rst`). Distribution namespaces
/// are the os-release `ID`s SBOM tools write.
pub fn purl_type_of_ecosystem(ecosystem: &str) -> Option<(&'static str, Option<&'static str>)> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
    Some(match base {
        "Go" => ("golang", None),
        "PyPI" => ("pypi", None),
        "npm" => ("npm", None),
        "Maven" => ("maven", None),
        "NuGet" => ("nuget", None),
        "RubyGems" => ("gem", None),
        "Packagist" => ("composer", None),
        "Hex" => ("hex", None),
        "Pub" => ("pub", None),
        "Hackage" => ("hackage", None),
        "CRAN" => ("cran", None),
        "SwiftURL" => ("swift", None),
        "GitHub Actions" => ("github", None),
        "Bitnami" => ("bitnami", None),
        "ConanCenter" => ("conan", None),
        "Debian" => ("deb", Some("debian")),
        "Ubuntu" => ("deb", Some("ubuntu")),
        "Alpine" => ("apk", Some("alpine")),
        "Wolfi" => ("apk", Some("wolfi")),
        "Chainguard" => ("apk", Some("chainguard")),
        "Red Hat" => ("rpm", Some("redhat")),
        "Rocky Linux" => ("rpm", Some("rocky")),
        "AlmaLinux" => ("rpm", Some("almalinux")),
        "openSUSE" => ("rpm", Some("opensuse")),
        "SUSE" => ("rpm", Some("suse")),
        "Mageia" => ("rpm", Some("mageia")),
        "openEuler" => ("rpm", Some("openeuler")),
        "Photon OS" => ("rpm", Some("photon")),
        // The Rust registry's ecosystem: recognised through the ordering table, so this
        // crate spells that name in one place only.
        _ if Scheme::from_osv_ecosystem(base) == Some(Scheme::Cargo) => ("cargo", None),
        _ => return None,
    })
}

/// The purl of an OSV package, when its ecosystem has a purl type.
pub fn ecosystem_purl(ecosystem: &str, name: &str) -> Option<Purl> {
    let (ty, ns) = purl_type_of_ecosystem(ecosystem)?;
    build_purl(ty, ns, name)
}

/// CVE 5 `collectionURL`s the caller recognises as package registries, each with the
/// purl type of its packages.
///
/// medsec names no package registry host (see the project README), so none is compiled
/// in: the deployment lists the registries it trusts (`Registries::new().with(url,
/// "pypi")`). A CVE 5 package of an unknown collection is still found by its
/// vendor/product and CPE keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registries {
    entries: Vec<(String, String)>,
}

impl Registries {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a registry: collection URLs starting with `url_prefix` (compared without
    /// scheme, `www.` and trailing `/`, case-insensitively) hold packages of `purl_type`.
    pub fn with(mut self, url_prefix: &str, purl_type: &str) -> Self {
        self.entries
            .push((Self::normalise(url_prefix), purl_type.to_ascii_lowercase()));
        self
    }

    fn normalise(url: &str) -> String {
        let u = url.trim().to_ascii_lowercase();
        let u = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
        let u = u.strip_prefix("www.").unwrap_or(u);
        u.trim_end_matches('/').to_owned()
    }

    /// The purl type of a collection URL, if it is a listed registry.
    pub fn purl_type(&self, collection_url: &str) -> Option<&str> {
        let u = Self::normalise(collection_url);
        self.entries
            .iter()
            .find(|(p, _)| {
                u == *p
                    || u.strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .map(|(_, t)| t.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Advisory side

/// The keys under which an advisory must be found (deduplicated, sorted), with no
/// registries recognised for CVE 5 collections; see [`index_keys_with`].
pub fn index_keys(advisory: &Advisory) -> Vec<String> {
    index_keys_with(advisory, &Registries::default())
}

/// The keys under which an advisory must be found, recognising CVE 5 `collectionURL`s
/// of the given registries.
pub fn index_keys_with(advisory: &Advisory, registries: &Registries) -> Vec<String> {
    let mut keys = BTreeSet::new();
    for a in &advisory.affected {
        keys.extend(package_keys(&a.what, registries));
    }
    keys.into_iter().collect()
}

/// The keys of one `Affected` entry's package.
pub fn package_keys(package: &Package, registries: &Registries) -> Vec<String> {
    let mut keys = Vec::new();
    match package {
        Package::Purl { purl } => keys.push(purl_key(purl)),
        Package::Ecosystem {
            ecosystem,
            name,
            purl,
        } => {
            if let Some(p) = ecosystem_purl(ecosystem, name) {
                keys.push(purl_key(&p));
            }
            if let Some(p) = purl {
                keys.push(purl_key(p));
            }
            keys.extend(eco_key(ecosystem, name));
        }
        Package::Cpe { cpe, .. } => keys.push(cpe_key(cpe)),
        Package::VendorProduct(vp) => {
            if let (Some(v), Some(p)) = (&vp.vendor, &vp.product) {
                keys.extend(vp_key(v, p));
            }
            if let (Some(url), Some(name)) = (&vp.collection_url, &vp.package_name)
                && let Some(ty) = registries.purl_type(url)
                && let Some(p) = build_purl(ty, None, name)
            {
                keys.push(purl_key(&p));
            }
            keys.extend(vp.cpes.iter().map(cpe_key));
        }
        Package::CsafProduct(p) => {
            if let Some(h) = &p.helper {
                keys.extend(h.purl.as_ref().map(purl_key));
                keys.extend(h.cpe.as_ref().map(cpe_key));
            }
            let (vendor, product) = csaf_vendor_product(p);
            if let (Some(v), Some(pr)) = (vendor, product) {
                keys.extend(vp_key(v, pr));
            }
        }
        _ => {}
    }
    keys
}

/// The vendor and product name of a CSAF product: its own fields, else the branch path's
/// `vendor` and `product_name` steps (CSAF 2.0 §3.1.2.1 branch categories).
pub fn csaf_vendor_product(p: &medsec_core::advisory::CsafProduct) -> (Option<&str>, Option<&str>) {
    let step = |cat: &str| {
        p.branch_path
            .iter()
            .find(|s| s.category == cat)
            .map(|s| s.name.as_str())
    };
    (
        p.vendor.as_deref().or_else(|| step("vendor")),
        p.product_name.as_deref().or_else(|| step("product_name")),
    )
}

// ---------------------------------------------------------------------------------------
// Component side

/// One entry of the curated map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeProductEntry {
    /// Component names meaning this product, compared lowercase and trimmed.
    #[serde(default)]
    pub names: Vec<String>,
    /// Versionless purls meaning this product.
    #[serde(default)]
    pub purls: Vec<String>,
    /// `a`, `o` or `h`.
    #[serde(default = "default_part")]
    pub part: String,
    /// CPE 2.3 vendor, as in the formatted string.
    pub vendor: String,
    /// CPE 2.3 product, as in the formatted string.
    pub product: String,
    /// Where the vendor/product comes from.
    pub source: String,
    /// True when not checked against an NVD record.
    #[serde(default)]
    pub unverified: bool,
    /// CVE 5 spellings `vendor/product`.
    #[serde(default)]
    pub vendor_products: Vec<String>,
    /// True when the CPE names an application (a tool or daemon such as `haxx:curl`),
    /// not the library a component of the same name may be.
    #[serde(default)]
    pub application: bool,
}

fn default_part() -> String {
    "a".into()
}

#[derive(Deserialize)]
struct CpeProductFile {
    entries: Vec<CpeProductEntry>,
}

/// A map file that does not parse, or an entry whose CPE is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpeMapError {
    #[error("CPE product map: {0}")]
    Syntax(String),
    #[error("CPE product map entry {index} ({vendor}:{product}): {message}")]
    Entry {
        index: usize,
        vendor: String,
        product: String,
        message: String,
    },
}

/// A validated entry: its CPE and the purls it names.
#[derive(Debug, Clone, PartialEq)]
struct Loaded {
    entry: CpeProductEntry,
    cpe: Cpe,
    names: Vec<String>,
    purls: Vec<Purl>,
}

/// The curated component → CPE vendor/product map (`data/cpe-products.yaml`, compiled
/// in), extensible by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct CpeProductMap {
    entries: Vec<Loaded>,
}

impl Default for CpeProductMap {
    /// The built-in map. It is checked by a unit test; should it ever fail to load, the
    /// map is empty (no derived CPE keys) rather than a panic.
    fn default() -> Self {
        Self::builtin_shared().clone()
    }
}

static BUILTIN_MAP: std::sync::OnceLock<CpeProductMap> = std::sync::OnceLock::new();

impl CpeProductMap {
    /// The built-in map, parsed once per process.
    pub fn builtin_shared() -> &'static CpeProductMap {
        BUILTIN_MAP.get_or_init(|| Self::builtin().unwrap_or_else(|_| Self::empty()))
    }

    /// The entry whose CPE has this part, vendor and product (compared as NISTIR 7696
    /// does, case-insensitively).
    pub fn entry_for(&self, cpe: &Cpe) -> Option<&CpeProductEntry> {
        let same = |a: Attribute, l: &Loaded| {
            compare_attributes(l.cpe.get(a), cpe.get(a)) == AttributeRelation::Equal
        };
        self.entries
            .iter()
            .find(|l| {
                same(Attribute::Part, l)
                    && same(Attribute::Vendor, l)
                    && same(Attribute::Product, l)
            })
            .map(|l| &l.entry)
    }

    /// A map with no entries.
    pub fn empty() -> Self {
        CpeProductMap {
            entries: Vec::new(),
        }
    }

    /// The built-in map, or why it does not load.
    pub fn builtin() -> Result<Self, CpeMapError> {
        let mut m = Self::empty();
        m.extend_from_yaml(BUILTIN_CPE_PRODUCTS)?;
        Ok(m)
    }

    /// Adds the entries of a map file in the built-in format (`entries:` list). Either
    /// every entry is added or, on an error, none.
    pub fn extend_from_yaml(&mut self, text: &str) -> Result<(), CpeMapError> {
        let file: CpeProductFile =
            serde_saphyr::from_str(text).map_err(|e| CpeMapError::Syntax(e.to_string()))?;
        let base = self.entries.len();
        let mut loaded = Vec::with_capacity(file.entries.len());
        for (i, entry) in file.entries.into_iter().enumerate() {
            let err = |message: String| CpeMapError::Entry {
                index: base + i,
                vendor: entry.vendor.clone(),
                product: entry.product.clone(),
                message,
            };
            let text = format!(
                "cpe:2.3:{}:{}:{}:*:*:*:*:*:*:*:*",
                entry.part.trim(),
                entry.vendor.trim(),
                entry.product.trim()
            );
            let cpe = Cpe::from_formatted_string(&text).map_err(|e| err(e.to_string()))?;
            if !matches!(cpe.get(Attribute::Vendor), Value::Str(s) if !s.has_wildcards())
                || !matches!(cpe.get(Attribute::Product), Value::Str(s) if !s.has_wildcards())
            {
                return Err(err("vendor and product must be plain values".into()));
            }
            let purls = entry
                .purls
                .iter()
                .map(|p| {
                    Purl::parse_lenient(p)
                        .map(|p| p.without_version())
                        .map_err(|e| err(format!("purl {p:?}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if entry.names.is_empty() && purls.is_empty() {
                return Err(err("an entry needs names or purls".into()));
            }
            let names = entry.names.iter().map(|n| normalise_name(n)).collect();
            loaded.push(Loaded {
                entry,
                cpe,
                names,
                purls,
            });
        }
        self.entries.extend(loaded);
        Ok(())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in load order.
    pub fn entries(&self) -> impl Iterator<Item = (&CpeProductEntry, &Cpe)> {
        self.entries.iter().map(|l| (&l.entry, &l.cpe))
    }

    /// The entries that apply to a component: by versionless purl, or by exact name
    /// when the component has no purl of a registry type (a purl-less component, or a
    /// `generic`, `conan`, `yocto` or `github` purl, which name C/C++ sources).
    pub fn lookup(&self, component: &ComponentQuery) -> Vec<(&CpeProductEntry, &Cpe)> {
        let bare = component.purl.as_ref().map(Purl::without_version);
        let by_name = match &component.purl {
            None => true,
            Some(p) => matches!(p.ty(), "generic" | "conan" | "yocto" | "github"),
        };
        let name = normalise_name(&component.name);
        let name_in_purl = component.purl.as_ref().map(|p| normalise_name(p.name()));
        self.entries
            .iter()
            .filter(|l| {
                bare.as_ref().is_some_and(|b| l.purls.contains(b))
                    || (by_name
                        && (l.names.contains(&name)
                            || name_in_purl.as_ref().is_some_and(|n| l.names.contains(n))))
            })
            .map(|l| (&l.entry, &l.cpe))
            .collect()
    }
}

/// The candidate keys of a component, with the built-in [`CpeProductMap`].
pub fn component_keys(component: &ComponentQuery) -> Vec<CandidateKey> {
    component_keys_with(component, CpeProductMap::builtin_shared())
}

/// The candidate keys of a component (deduplicated by key, declared before derived).
pub fn component_keys_with(component: &ComponentQuery, map: &CpeProductMap) -> Vec<CandidateKey> {
    let mut out: Vec<CandidateKey> = Vec::new();
    let mut push = |key: String, origin: KeyOrigin, why: String| {
        match out.iter_mut().find(|k| k.key == key) {
            // A key both declared and derived counts as declared.
            Some(k) if origin == KeyOrigin::Declared => {
                k.origin = origin;
                k.why = why;
            }
            Some(_) => {}
            None => out.push(CandidateKey { key, origin, why }),
        }
    };
    if let Some(p) = &component.purl {
        push(
            purl_key(p),
            KeyOrigin::Declared,
            format!("the component's purl {p}"),
        );
        // Distribution advisories name the source package; SBOM tools write it as the
        // `upstream` qualifier of binary packages (`pkg:deb/debian/libssl3?upstream=openssl`).
        if matches!(p.ty(), "deb" | "rpm" | "apk")
            && let Some(up) = p.qualifier("upstream")
        {
            let src = source_package_name(p.ty(), up);
            if let Some(sp) = build_purl(p.ty(), p.namespace(), src) {
                push(
                    purl_key(&sp),
                    KeyOrigin::Declared,
                    format!("the source package {src:?} named by the purl's upstream qualifier"),
                );
            }
        }
    } else if let Some(g) = component.group.as_deref().map(str::trim)
        && looks_like_maven_group(g)
        && let Some(p) = build_purl("maven", Some(g), &component.name)
    {
        push(
            purl_key(&p),
            KeyOrigin::Derived,
            format!(
                "group {g:?} + name {:?}, read as a Maven coordinate (no purl declared)",
                component.name
            ),
        );
    }
    for cpe in &component.cpes {
        for k in cpe_lookup_keys(cpe) {
            push(k, KeyOrigin::Declared, format!("the component's CPE {cpe}"));
        }
    }
    for (entry, cpe) in map.lookup(component) {
        for k in cpe_lookup_keys(cpe) {
            push(
                k,
                KeyOrigin::Derived,
                format!(
                    "curated map: {:?} is CPE {}:{}:{} ({}{})",
                    component.name,
                    entry.part,
                    entry.vendor,
                    entry.product,
                    entry.source,
                    if entry.unverified { "; unverified" } else { "" }
                ),
            );
        }
        for vp in &entry.vendor_products {
            if let Some((v, p)) = vp.split_once('/')
                && let Some(k) = vp_key(v, p)
            {
                push(
                    k,
                    KeyOrigin::Derived,
                    format!("curated map: {:?} is vendor/product {vp}", component.name),
                );
            }
        }
    }
    if let Some(s) = &component.supplier
        && let Some(k) = vp_key(s, &component.name)
    {
        push(
            k,
            KeyOrigin::Derived,
            format!("supplier {s:?} + name {:?}", component.name),
        );
    }
    out.sort_by(|a, b| a.origin.cmp(&b.origin).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The source package name of an `upstream` qualifier: syft writes `openssl`,
/// `openssl@1.1.1n-0` (deb/apk) or a source RPM file name `openssl-3.0.7-24.el9.src.rpm`.
fn source_package_name<'a>(ty: &str, upstream: &'a str) -> &'a str {
    let up = upstream.split('@').next().unwrap_or(upstream).trim();
    if ty == "rpm"
        && let Some(stem) = up.strip_suffix(".src.rpm")
    {
        // NAME-VERSION-RELEASE: the name is what precedes the last two `-` fields.
        let mut it = stem.rsplitn(3, '-');
        let (_rel, _ver, name) = (it.next(), it.next(), it.next());
        return name.unwrap_or(stem);
    }
    up
}

/// A Maven group id is a reverse domain name: dotted, lowercase-led segments, no `/`
/// or `@` (Maven naming conventions guide).
fn looks_like_maven_group(g: &str) -> bool {
    g.contains('.')
        && !g.contains(['/', '@', ' '])
        && g.split('.').all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use medsec_core::advisory::{
        Affected, BranchStep, CsafProduct, Format, IdentificationHelper, Provenance, Source,
        Status, VendorProduct,
    };

    fn adv(packages: Vec<Package>) -> Advisory {
        let mut a = Advisory::new(
            "CVE-0000-0001",
            Source::Osv { database: None },
            Provenance {
                format: Format::Osv,
                spec_version: None,
                file: None,
                pointer: None,
            },
        );
        for what in packages {
            a.affected.push(Affected {
                what,
                status: Status::Affected,
                versions: vec![],
                ranges: vec![],
                default_status: None,
                platforms: vec![],
                configuration: None,
            });
        }
        a
    }

    fn eco(e: &str, n: &str) -> Package {
        Package::Ecosystem {
            ecosystem: e.into(),
            name: n.into(),
            purl: None,
        }
    }

    fn keys(c: &ComponentQuery) -> Vec<String> {
        component_keys(c).into_iter().map(|k| k.key).collect()
    }

    #[test]
    fn purl_keys_drop_version_and_qualifiers() {
        let p: Purl = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"
            .parse()
            .unwrap();
        assert_eq!(
            purl_key(&p),
            "purl:maven/org.apache.logging.log4j/log4j-core"
        );
        let p: Purl = "pkg:PyPI/Django_Rest@1.0".parse().unwrap();
        assert_eq!(purl_key(&p), "purl:pypi/django-rest");
    }

    #[test]
    fn ecosystems_map_to_purl_types() {
        let a = adv(vec![
            eco("Go", "github.com/gorilla/mux"),
            eco("PyPI", "Jinja2"),
            eco("npm", "@babel/core"),
            eco("Maven", "org.apache.logging.log4j:log4j-core"),
            eco("NuGet", "Newtonsoft.Json"),
            eco("RubyGems", "rails"),
            eco("Packagist", "symfony/http-kernel"),
            eco("Debian:12", "openssl"),
            eco("Alpine:v3.19", "curl"),
            eco("Ubuntu:22.04:LTS", "zlib"),
            eco("Rocky Linux:9", "openssl"),
            eco("Linux", "Kernel"),
            eco("Go", "stdlib"),
        ]);
        let k = index_keys(&a);
        for want in [
            "purl:golang/github.com/gorilla/mux",
            "purl:pypi/jinja2",
            "purl:npm/%40babel/core",
            "purl:maven/org.apache.logging.log4j/log4j-core",
            "purl:nuget/Newtonsoft.Json",
            "purl:gem/rails",
            "purl:composer/symfony/http-kernel",
            "purl:deb/debian/openssl",
            "purl:apk/alpine/curl",
            "purl:deb/ubuntu/zlib",
            "purl:rpm/rocky/openssl",
            "eco:Linux/Kernel",
            "eco:Go/stdlib",
            "eco:Debian/openssl",
        ] {
            assert!(k.contains(&want.to_owned()), "{want} missing from {k:?}");
        }
        // Unknown ecosystem and Go stdlib: no purl key.
        assert!(
            !k.iter()
                .any(|k| k.starts_with("purl:") && k.contains("stdlib"))
        );
        assert!(
            !k.iter()
                .any(|k| k.contains("Kernel") && k.starts_with("purl:"))
        );
        // Sorted and deduplicated.
        let mut sorted = k.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(k, sorted);
    }

    #[test]
    fn cpe_keys_lowercase_and_wildcards() {
        let c: Cpe = "cpe:2.3:a:Apache:Log4j:2.0:*:*:*:*:*:*:*".parse().unwrap();
        assert_eq!(cpe_key(&c), "cpe:a:apache:log4j");
        let c: Cpe = "cpe:2.3:a:*:zlib:*:*:*:*:*:*:*:*".parse().unwrap();
        assert_eq!(cpe_key(&c), "cpe:a:*:zlib");
        let c: Cpe = "cpe:2.3:a:apache:log4j*:*:*:*:*:*:*:*:*".parse().unwrap();
        assert_eq!(cpe_key(&c), "cpe:a:apache:*");
        let c: Cpe = "cpe:2.3:a:amazon:freertos\\+tcp:*:*:*:*:*:*:*:*"
            .parse()
            .unwrap();
        assert_eq!(cpe_key(&c), "cpe:a:amazon:freertos\\+tcp");
        let c: Cpe = "cpe:2.3:h:siemens:simatic_s7-1200:-:*:*:*:*:*:*:*"
            .parse()
            .unwrap();
        assert_eq!(cpe_key(&c), "cpe:h:siemens:simatic_s7-1200");
        // A component's CPE looks up every wildcard variant, so both are found.
        let comp: Cpe = "cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*".parse().unwrap();
        let lk = cpe_lookup_keys(&comp);
        assert_eq!(lk.len(), 8);
        assert!(lk.contains(&"cpe:a:zlib:zlib".to_owned()));
        assert!(lk.contains(&"cpe:a:*:zlib".to_owned()));
        assert!(lk.contains(&"cpe:*:zlib:zlib".to_owned()));
    }

    #[test]
    fn advisory_cpe_and_vendor_product_keys() {
        let vp = VendorProduct {
            vendor: Some("  Apache Software   Foundation ".into()),
            product: Some("Apache Log4j2".into()),
            collection_url: Some("https://python-index.invalid/project/protobuf/".into()),
            package_name: Some("protobuf".into()),
            cpes: vec!["cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*".parse().unwrap()],
            ..VendorProduct::default()
        };
        let na = VendorProduct {
            vendor: Some("n/a".into()),
            product: Some("something".into()),
            ..VendorProduct::default()
        };
        let a = adv(vec![
            Package::Cpe {
                cpe: "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"
                    .parse()
                    .unwrap(),
                match_criteria_id: None,
            },
            Package::VendorProduct(Box::new(vp)),
            Package::VendorProduct(Box::new(na)),
        ]);
        assert_eq!(
            index_keys(&a),
            vec![
                "cpe:a:apache:log4j",
                "cpe:o:linux:linux_kernel",
                "vp:apache software foundation/apache log4j2",
            ]
        );
        // With the collection named as a registry, the package is found by purl too.
        let regs = Registries::new().with("https://python-index.invalid", "pypi");
        assert!(index_keys_with(&a, &regs).contains(&"purl:pypi/protobuf".to_owned()));
        assert_eq!(
            regs.purl_type("http://WWW.python-index.invalid/project/x"),
            Some("pypi")
        );
        assert_eq!(regs.purl_type("https://python-index.invalidx/"), None);
    }

    #[test]
    fn csaf_product_keys() {
        let p = CsafProduct {
            product_id: "CSAFPID-0001".into(),
            name: "Baxter Welch Allyn Connex Spot Monitor 1.52".into(),
            branch_path: vec![
                BranchStep {
                    category: "vendor".into(),
                    name: "Baxter".into(),
                },
                BranchStep {
                    category: "product_name".into(),
                    name: "Welch Allyn  Connex Spot Monitor".into(),
                },
                BranchStep {
                    category: "product_version".into(),
                    name: "1.52".into(),
                },
            ],
            helper: Some(IdentificationHelper {
                purl: Some("pkg:generic/baxter/connex@1.52".parse().unwrap()),
                cpe: Some(
                    "cpe:2.3:h:baxter:connex_spot_monitor:1.52:*:*:*:*:*:*:*"
                        .parse()
                        .unwrap(),
                ),
                ..IdentificationHelper::default()
            }),
            ..CsafProduct::default()
        };
        let a = adv(vec![Package::CsafProduct(Box::new(p))]);
        assert_eq!(
            index_keys(&a),
            vec![
                "cpe:h:baxter:connex_spot_monitor",
                "purl:generic/baxter/connex",
                "vp:baxter/welch allyn connex spot monitor",
            ]
        );
    }

    #[test]
    fn component_purl_and_upstream_keys() {
        let c = ComponentQuery {
            purl: Some(
                "pkg:deb/debian/libssl3@3.0.11-1?upstream=openssl%403.0.11-1&distro=debian-12"
                    .parse()
                    .unwrap(),
            ),
            ..ComponentQuery::named("libssl3")
        };
        let k = component_keys(&c);
        assert_eq!(
            k.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
            vec!["purl:deb/debian/libssl3", "purl:deb/debian/openssl"]
        );
        assert!(k.iter().all(|k| k.origin == KeyOrigin::Declared));
        let c = ComponentQuery {
            purl: Some(
                "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?upstream=openssl-3.0.7-24.el9.src.rpm"
                    .parse()
                    .unwrap(),
            ),
            ..ComponentQuery::named("openssl-libs")
        };
        assert!(keys(&c).contains(&"purl:rpm/redhat/openssl".to_owned()));
    }

    #[test]
    fn maven_group_without_purl_is_derived() {
        let c = ComponentQuery {
            group: Some("org.apache.logging.log4j".into()),
            version: Some("2.14.1".into()),
            ..ComponentQuery::named("log4j-core")
        };
        let k = component_keys(&c);
        let m = k
            .iter()
            .find(|k| k.key == "purl:maven/org.apache.logging.log4j/log4j-core")
            .unwrap();
        assert_eq!(m.origin, KeyOrigin::Derived);
        // An npm-like group is not read as Maven.
        let c = ComponentQuery {
            group: Some("@babel".into()),
            ..ComponentQuery::named("core")
        };
        assert!(keys(&c).is_empty());
    }

    #[test]
    fn firmware_libraries_get_derived_cpe_keys() {
        for (name, key) in [
            ("OpenSSL", "cpe:a:openssl:openssl"),
            ("zlib", "cpe:a:zlib:zlib"),
            ("mbedtls", "cpe:a:arm:mbed_tls"),
            ("lwip", "cpe:a:lwip_project:lwip"),
            ("freertos", "cpe:a:amazon:freertos"),
            ("zephyr", "cpe:o:zephyrproject:zephyr"),
            ("busybox", "cpe:a:busybox:busybox"),
            ("linux-yocto", "cpe:o:linux:linux_kernel"),
            ("libcurl", "cpe:a:haxx:libcurl"),
            ("sqlite3", "cpe:a:sqlite:sqlite"),
            ("expat", "cpe:a:libexpat_project:libexpat"),
            ("libxml2", "cpe:a:xmlsoft:libxml2"),
            ("libpng", "cpe:a:libpng:libpng"),
            ("u-boot", "cpe:a:denx:u-boot"),
            ("wolfssl", "cpe:a:wolfssl:wolfssl"),
            ("bluez5", "cpe:a:bluez:bluez"),
            ("mynewt-nimble", "cpe:a:apache:nimble"),
        ] {
            let k = component_keys(&ComponentQuery::named(name));
            let hit = k.iter().find(|k| k.key == key);
            assert!(hit.is_some(), "{name}: {key} missing from {k:?}");
            assert_eq!(hit.unwrap().origin, KeyOrigin::Derived, "{name}");
            assert!(hit.unwrap().why.contains("curated map"), "{name}");
        }
        // A generic purl names a C source: the map applies by the purl's name.
        let c = ComponentQuery {
            purl: Some("pkg:generic/zlib@1.2.11".parse().unwrap()),
            ..ComponentQuery::named("zlib")
        };
        assert!(keys(&c).contains(&"cpe:a:zlib:zlib".to_owned()));
        // A registry purl does not take the name route (an npm "zlib" is not zlib).
        let c = ComponentQuery {
            purl: Some("pkg:npm/zlib@1.0.5".parse().unwrap()),
            ..ComponentQuery::named("zlib")
        };
        assert_eq!(keys(&c), vec!["purl:npm/zlib"]);
        // But a listed purl does.
        let c = ComponentQuery {
            purl: Some(
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
                    .parse()
                    .unwrap(),
            ),
            ..ComponentQuery::named("log4j-core")
        };
        assert!(keys(&c).contains(&"cpe:a:apache:log4j".to_owned()));
    }

    #[test]
    fn no_key_from_a_bare_name() {
        assert!(component_keys(&ComponentQuery::named("my-device-app")).is_empty());
        let c = ComponentQuery {
            supplier: Some(" ACME  Medical ".into()),
            ..ComponentQuery::named("Infusion Pump FW")
        };
        let k = component_keys(&c);
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].key, "vp:acme medical/infusion pump fw");
        assert_eq!(k[0].origin, KeyOrigin::Derived);
    }

    #[test]
    fn declared_cpe_beats_derived() {
        let c = ComponentQuery {
            cpes: vec![
                "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"
                    .parse()
                    .unwrap(),
            ],
            ..ComponentQuery::named("openssl")
        };
        let k = component_keys(&c);
        let e = k.iter().find(|k| k.key == "cpe:a:openssl:openssl").unwrap();
        assert_eq!(e.origin, KeyOrigin::Declared);
        // Declared keys sort first.
        assert_eq!(k[0].origin, KeyOrigin::Declared);
        assert!(
            k.iter()
                .any(|k| k.key == "vp:openssl/openssl" && k.origin == KeyOrigin::Derived)
        );
    }

    #[test]
    fn builtin_map_loads_and_extends() {
        let mut m = CpeProductMap::builtin().unwrap();
        let n = m.len();
        assert!(n >= 30);
        for (e, _) in m.entries() {
            assert!(
                !e.source.trim().is_empty(),
                "{}:{} has no source",
                e.vendor,
                e.product
            );
        }
        m.extend_from_yaml(
            "entries:\n  - names: [acme-rtos]\n    part: o\n    vendor: acme\n    product: acme_rtos\n    source: own\n",
        )
        .unwrap();
        assert_eq!(m.len(), n + 1);
        let k = component_keys_with(&ComponentQuery::named("ACME-RTOS"), &m);
        assert!(k.iter().any(|k| k.key == "cpe:o:acme:acme_rtos"));
        // Errors name the entry; nothing is added.
        let err = m
            .extend_from_yaml(
                "entries:\n  - names: [x]\n    vendor: 'a b'\n    product: x\n    source: s\n",
            )
            .unwrap_err();
        assert!(matches!(err, CpeMapError::Entry { index, .. } if index == n + 1));
        assert_eq!(m.len(), n + 1);
        assert!(matches!(
            m.extend_from_yaml("entries: [").unwrap_err(),
            CpeMapError::Syntax(_)
        ));
    }

    #[test]
    fn from_sbom_component() {
        let mut c = Component::new(ComponentKind::Library, "zlib");
        c.version = Some("1.2.11".into());
        c.supplier = Some(medsec_core::component::Organization::named("zlib project"));
        let q = ComponentQuery::from(&c);
        assert_eq!(q.supplier.as_deref(), Some("zlib project"));
        assert_eq!(q.kind.as_deref(), Some("library"));
        assert!(q.is_library());
        assert_eq!(q.effective_version(), Some("1.2.11"));
    }
}
