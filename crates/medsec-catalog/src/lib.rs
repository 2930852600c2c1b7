//! The requirements and test catalogue for medical-device cybersecurity.
//!
//! ```text
//! data/frameworks.yaml          the frameworks we map, each with its scope
//! data/requirements/*.yaml      one file per framework: clause, summary in our words,
//!                               applicability, evidence, harmonised controls
//! data/controls.yaml            the harmonised controls (the crosswalk's hubs)
//! data/tests/*.yaml             the security test catalogue
//! policy/*.yaml                 test policies: rigour levels, class mapping, laboratory rule
//!
//! Device + threat model + policy ─► applicable requirements (with reasons)
//!                                  ─► test plan (tests, threats and requirements verified)
//! + recorded results            ─► coverage per framework; FMEA rows reopened by failures
//! ```
//!
//! The crate does no terminal I/O; only reading project catalogue and policy files
//! touches the file system.

pub mod condition;
pub mod coverage;
pub mod model;
pub mod plan;
pub mod policy;
pub mod requirements;
pub mod results;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use medsec_device::model::MarketId;
use medsec_device::vocabulary::VocabularyKind;
use sha2::{Digest, Sha256};

pub use condition::{Condition, DeviceFacts, Reason};
pub use model::{
    Framework, FrameworkKind, HarmonisedControl, Independence, Requirement, TestCase, TestKind,
    ThreatLink,
};
pub use policy::{PolicyError, TestPolicy};

static DATA: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/data");

/// The whole catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub frameworks: Vec<Framework>,
    /// Sorted by framework order, then as written.
    pub requirements: Vec<Requirement>,
    pub controls: Vec<HarmonisedControl>,
    pub tests: Vec<TestCase>,
    /// SHA-256 over every file read, in path order: names the catalogue a plan was
    /// made from.
    pub digest: String,
    files: BTreeMap<String, Vec<u8>>,
}

/// A problem found while checking the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub id: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.id, self.message)
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in self.0 {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalogue file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("catalogue file {file} is not valid: {message}")]
    Syntax { file: String, message: String },
    #[error("{} problem(s) in the catalogue:\n{}", problems.len(), ProblemList(problems))]
    Invalid { problems: Vec<Problem> },
}

impl Catalog {
    /// The built-in catalogue, checked.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::default();
        let mut files: Vec<(String, &[u8])> = Vec::new();
        collect(&DATA, &mut files);
        for (path, bytes) in files {
            let text = std::str::from_utf8(bytes).map_err(|e| CatalogError::Syntax {
                file: path.clone(),
                message: e.to_string(),
            })?;
            catalog.add_text(&path, text)?;
        }
        catalog.finish()
    }

    /// Adds a project's own files from a directory laid out like `data/`
    /// (`frameworks.yaml`, `controls.yaml`, `requirements/*.yaml`, `tests/*.yaml`), then
    /// checks the whole catalogue again.
    pub fn with_dir(mut self, dir: &Path) -> Result<Catalog, CatalogError> {
        let mut paths = Vec::new();
        for (sub, top) in [("", true), ("requirements", false), ("tests", false)] {
            let folder = if sub.is_empty() {
                dir.to_path_buf()
            } else {
                dir.join(sub)
            };
            if !top && !folder.is_dir() {
                continue;
            }
            let entries = std::fs::read_dir(&folder).map_err(|source| CatalogError::Io {
                path: folder.clone(),
                source,
            })?;
            for entry in entries {
                let entry = entry.map_err(|source| CatalogError::Io {
                    path: folder.clone(),
                    source,
                })?;
                let path = entry.path();
                let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
                if is_yaml && path.is_file() {
                    let relative = if sub.is_empty() {
                        entry.file_name().to_string_lossy().into_owned()
                    } else {
                        format!("{sub}/{}", entry.file_name().to_string_lossy())
                    };
                    paths.push((relative, path));
                }
            }
        }
        paths.sort();
        for (relative, path) in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| CatalogError::Io {
                path: path.clone(),
                source,
            })?;
            let name = format!("{}/{relative}", dir.display());
            self.add_text_as(&relative, &name, &text)?;
        }
        self.finish()
    }

    /// Adds one file given as text (`relative` says its kind: `frameworks.yaml`,
    /// `controls.yaml`, `requirements/NAME.yaml` or `tests/NAME.yaml`) and checks the whole
    /// catalogue again.
    pub fn with_file(mut self, relative: &str, text: &str) -> Result<Catalog, CatalogError> {
        self.add_text(relative, text)?;
        self.finish()
    }

    fn add_text(&mut self, relative: &str, text: &str) -> Result<(), CatalogError> {
        self.add_text_as(relative, relative, text)
    }

    /// Reads one file; `relative` says what kind of file it is, `name` is shown in
    /// messages.
    fn add_text_as(&mut self, relative: &str, name: &str, text: &str) -> Result<(), CatalogError> {
        let syntax = |e: serde_saphyr::Error| CatalogError::Syntax {
            file: name.to_owned(),
            message: e.to_string(),
        };
        self.files.insert(name.to_owned(), text.as_bytes().to_vec());
        if relative == "frameworks.yaml" {
            let file: model::FrameworkFile = serde_saphyr::from_str(text).map_err(syntax)?;
            self.frameworks.extend(file.frameworks);
        } else if relative == "controls.yaml" {
            let file: model::ControlFile = serde_saphyr::from_str(text).map_err(syntax)?;
            self.controls.extend(file.controls);
        } else if relative.starts_with("requirements/") {
            let file: model::RequirementFile = serde_saphyr::from_str(text).map_err(syntax)?;
            for mut r in file.requirements {
                r.file = name.to_owned();
                r.framework = file.framework.clone();
                self.requirements.push(r);
            }
        } else if relative.starts_with("tests/") {
            let file: model::TestFile = serde_saphyr::from_str(text).map_err(syntax)?;
            for mut t in file.tests {
                t.file = name.to_owned();
                self.tests.push(t);
            }
        } else {
            return Err(CatalogError::Syntax {
                file: name.to_owned(),
                message: "not a catalogue file: expected frameworks.yaml, controls.yaml, \
                          requirements/*.yaml or tests/*.yaml"
                    .to_owned(),
            });
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Catalog, CatalogError> {
        let problems = self.validate();
        if !problems.is_empty() {
            return Err(CatalogError::Invalid { problems });
        }
        // Framework order is the order of frameworks.yaml; requirements keep their file
        // order within a framework.
        let order: BTreeMap<&str, usize> = self
            .frameworks
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.as_str(), i))
            .collect();
        let mut requirements = std::mem::take(&mut self.requirements);
        requirements.sort_by_key(|r| order.get(r.framework.as_str()).copied());
        self.requirements = requirements;
        self.tests.sort_by(|a, b| test_order(&a.id, &b.id));
        let mut hasher = Sha256::new();
        for (name, bytes) in &self.files {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(bytes);
            hasher.update([0]);
        }
        self.digest = hex(&hasher.finalize());
        Ok(self)
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    pub fn control(&self, id: &str) -> Option<&HarmonisedControl> {
        self.controls.iter().find(|c| c.id == id)
    }

    pub fn test(&self, id: &str) -> Option<&TestCase> {
        self.tests.iter().find(|t| t.id == id)
    }

    /// The crosswalk: for each harmonised control, every requirement it satisfies.
    pub fn crosswalk(&self) -> BTreeMap<&str, Vec<&Requirement>> {
        let mut map: BTreeMap<&str, Vec<&Requirement>> = self
            .controls
            .iter()
            .map(|c| (c.id.as_str(), Vec::new()))
            .collect();
        for r in &self.requirements {
            for c in &r.controls {
                if let Some(list) = map.get_mut(c.as_str()) {
                    list.push(r);
                }
            }
        }
        map
    }

    /// Every problem in the catalogue; empty when it is sound.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |file: &str, id: &str, message: String| {
            problems.push(Problem {
                file: file.to_owned(),
                id: id.to_owned(),
                message,
            })
        };
        let rules = builtin_rules();

        let mut seen = HashSet::new();
        for f in &self.frameworks {
            if !seen.insert(f.id.as_str()) {
                push("frameworks.yaml", &f.id, "duplicate framework id".into());
            }
            if f.sources.is_empty() {
                push("frameworks.yaml", &f.id, "no source named".into());
            }
            if let Some(c) = &f.applies {
                check_condition(c, &mut |m| push("frameworks.yaml", &f.id, m));
            }
        }
        let frameworks: HashSet<&str> = self.frameworks.iter().map(|f| f.id.as_str()).collect();

        let mut seen = HashSet::new();
        for c in &self.controls {
            if !seen.insert(c.id.as_str()) {
                push("controls.yaml", &c.id, "duplicate control id".into());
            }
            if !is_control_id(&c.id) {
                push("controls.yaml", &c.id, "a control id is HC-NN".into());
            }
        }
        let controls: HashSet<&str> = self.controls.iter().map(|c| c.id.as_str()).collect();

        let mut seen = HashSet::new();
        let requirement_ids: HashSet<&str> =
            self.requirements.iter().map(|r| r.id.as_str()).collect();
        for r in &self.requirements {
            let file = r.file.as_str();
            if !seen.insert(r.id.as_str()) {
                push(file, &r.id, "duplicate requirement id".into());
            }
            if !frameworks.contains(r.framework.as_str()) {
                push(
                    file,
                    &r.id,
                    format!("framework `{}` is not in frameworks.yaml", r.framework),
                );
            }
            match r.id.split_once(':') {
                Some((prefix, clause)) if prefix == r.framework && !clause.is_empty() => {}
                _ => push(
                    file,
                    &r.id,
                    format!(
                        "a requirement id is `{}:<clause>` (its file's framework)",
                        r.framework
                    ),
                ),
            }
            for (field, value) in [
                ("clause", &r.clause),
                ("title", &r.title),
                ("summary", &r.summary),
                ("source", &r.source),
            ] {
                if value.trim().is_empty() {
                    push(file, &r.id, format!("`{field}` is empty"));
                }
            }
            if r.summary.contains("UNVERIFIED") || r.clause.contains("UNVERIFIED") {
                push(
                    file,
                    &r.id,
                    "an unverified item may not enter the catalogue: find a source first".into(),
                );
            }
            if r.evidence.is_empty() {
                push(file, &r.id, "no evidence named".into());
            }
            if r.controls.is_empty() {
                push(file, &r.id, "no harmonised control satisfies it".into());
            }
            for c in &r.controls {
                if !controls.contains(c.as_str()) {
                    push(file, &r.id, format!("unknown harmonised control `{c}`"));
                }
            }
            for rel in &r.related {
                if !requirement_ids.contains(rel.as_str()) {
                    push(
                        file,
                        &r.id,
                        format!("related requirement `{rel}` is unknown"),
                    );
                }
                if rel == &r.id {
                    push(file, &r.id, "relates to itself".into());
                }
            }
            if let Some(c) = &r.applies {
                check_condition(c, &mut |m| push(file, &r.id, m));
            }
        }

        let mut seen = HashSet::new();
        let rule_cwe: BTreeSet<&str> = rules
            .iter()
            .flat_map(|c| c.rules.iter())
            .flat_map(|r| r.cwe.iter().map(String::as_str))
            .collect();
        let rule_capec: BTreeSet<&str> = rules
            .iter()
            .flat_map(|c| c.rules.iter())
            .flat_map(|r| r.capec.iter().map(String::as_str))
            .collect();
        for t in &self.tests {
            let file = t.file.as_str();
            if !seen.insert(t.id.as_str()) {
                push(file, &t.id, "duplicate test id".into());
            }
            if !is_test_id(&t.id) {
                push(file, &t.id, "a test id is T-NN".into());
            }
            if !(1..=4).contains(&t.min_rank) {
                push(file, &t.id, "min_rank is 1 to 4".into());
            }
            let mut last = t.independence;
            for (rank, independence) in &t.independence_from_rank {
                if !(1..=4).contains(rank) {
                    push(
                        file,
                        &t.id,
                        format!("independence_from_rank: rank {rank} is not 1 to 4"),
                    );
                }
                if *independence <= last {
                    push(
                        file,
                        &t.id,
                        format!("independence_from_rank: rank {rank} does not raise independence"),
                    );
                }
                last = *independence;
            }
            for rank in t.depth.keys() {
                if !(1..=4).contains(rank) {
                    push(file, &t.id, format!("depth: rank {rank} is not 1 to 4"));
                }
            }
            if t.controls.is_empty() {
                push(file, &t.id, "verifies no harmonised control".into());
            }
            for c in &t.controls {
                if !controls.contains(c.as_str()) {
                    push(file, &t.id, format!("unknown harmonised control `{c}`"));
                }
            }
            if t.sources.is_empty() {
                push(file, &t.id, "no source named".into());
            }
            for s in &t.sources {
                if !is_known_source(s, &requirement_ids) {
                    push(
                        file,
                        &t.id,
                        format!(
                            "source `{s}` has no known prefix (see sources.rs in the docs of `is_known_source`)"
                        ),
                    );
                }
            }
            if let Some(rules) = rules {
                for pattern in &t.threats.rules {
                    if !rules.rules.iter().any(|r| matches_pattern(pattern, &r.id)) {
                        push(
                            file,
                            &t.id,
                            format!("threat rule pattern `{pattern}` matches no rule"),
                        );
                    }
                }
            }
            for cwe in &t.threats.cwe {
                if !rule_cwe.contains(cwe.as_str()) {
                    push(
                        file,
                        &t.id,
                        format!("no threat rule names {cwe}, so the link finds nothing"),
                    );
                }
            }
            for capec in &t.threats.capec {
                if !rule_capec.contains(capec.as_str()) {
                    push(
                        file,
                        &t.id,
                        format!("no threat rule names {capec}, so the link finds nothing"),
                    );
                }
            }
            if let Some(c) = &t.applies {
                check_condition(c, &mut |m| push(file, &t.id, m));
            }
        }
        problems
    }
}

/// The built-in threat rules, parsed once: test links are checked against them.
fn builtin_rules() -> Option<&'static medsec_threat::Catalogue> {
    static RULES: std::sync::OnceLock<Option<medsec_threat::Catalogue>> =
        std::sync::OnceLock::new();
    RULES
        .get_or_init(|| medsec_threat::Catalogue::builtin().ok())
        .as_ref()
}

/// Files of the embedded directory, by relative path.
fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<(String, &'a [u8])>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if path.ends_with(".yaml") {
            out.push((path, file.contents()));
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
}

fn check_condition(condition: &Condition, push: &mut dyn FnMut(String)) {
    let mut terms = Vec::new();
    condition.terms(&mut terms);
    for (kind, term) in terms {
        match kind {
            "market" => {
                if market(&term).is_none() {
                    push(format!("unknown market `{term}`"));
                }
            }
            "class" => {
                let (m, class) = term.split_once(' ').unwrap_or((&term, ""));
                if let Some(market) = market(m)
                    && !market.classes().contains(&class)
                {
                    push(format!("`{class}` is not a class of {m}"));
                }
            }
            "security-level" => {
                if !matches!(term.as_str(), "1" | "2" | "3" | "4") {
                    push(format!("security level {term} is not 1 to 4"));
                }
            }
            vocabulary => {
                if let Some(kind) = VocabularyKind::parse(vocabulary)
                    && !kind.builtin().iter().any(|t| t.id == term)
                {
                    push(format!("unknown {} `{term}`", kind.singular()));
                }
            }
        }
    }
}

pub fn market(id: &str) -> Option<MarketId> {
    [
        MarketId::EuMdr,
        MarketId::EuIvdr,
        MarketId::Fda,
        MarketId::HealthCanada,
    ]
    .into_iter()
    .find(|m| m.as_str() == id)
}

fn is_control_id(id: &str) -> bool {
    id.strip_prefix("HC-")
        .is_some_and(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_test_id(id: &str) -> bool {
    id.strip_prefix("T-")
        .is_some_and(|n| n.len() >= 2 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Test ids sort by number (`T-9` would come before `T-10`; ids are zero-padded anyway).
fn test_order(a: &str, b: &str) -> std::cmp::Ordering {
    let num = |s: &str| s.strip_prefix("T-").and_then(|n| n.parse::<u32>().ok());
    num(a).cmp(&num(b)).then_with(|| a.cmp(b))
}

/// A threat rule pattern: an exact id, or a prefix ending in `*`.
pub fn matches_pattern(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// Where a test may come from. A source is either a requirement id of the catalogue
/// (`iec81001-5-1:5.7.3`, `fda-premarket-2023:V.C`) or starts with one of these
/// prefixes, each naming a public catalogue of tests or attacks.
pub const SOURCE_PREFIXES: &[(&str, &str)] = &[
    ("WSTG-", "OWASP Web Security Testing Guide test id"),
    (
        "MASVS-",
        "OWASP Mobile Application Security Verification Standard v2 control",
    ),
    ("MASTG", "OWASP Mobile Application Security Testing Guide"),
    (
        "ISVS-",
        "OWASP IoT Security Verification Standard requirement group",
    ),
    (
        "ASVS-",
        "OWASP Application Security Verification Standard chapter",
    ),
    (
        "NIST-SP-800-115",
        "NIST SP 800-115, Technical Guide to Information Security Testing and Assessment",
    ),
    (
        "ENISA-",
        "ENISA Baseline Security Recommendations for IoT (2017) measure",
    ),
    ("CAPEC-", "MITRE CAPEC attack pattern"),
    ("CWE-", "MITRE CWE weakness"),
    (
        "MD-",
        "medical-device attack class of the threat fact sheet (threats-and-tests.md §A5)",
    ),
    ("ManiMed", "BSI ManiMed project report (2020)"),
    (
        "CLSMD-",
        "Singapore Cybersecurity Labelling Scheme for Medical Devices level",
    ),
    ("UL2900-2-1", "UL 2900-2-1 clause"),
    ("CVE-", "a published vulnerability that motivates the test"),
    (
        "SweynTooth",
        "SweynTooth BLE link-layer vulnerability family (FDA safety communication, 2020)",
    ),
];

pub fn is_known_source(source: &str, requirements: &HashSet<&str>) -> bool {
    requirements.contains(source) || SOURCE_PREFIXES.iter().any(|(p, _)| source.starts_with(p))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches_pattern("BLE-*", "BLE-S-001"));
        assert!(matches_pattern("BLE-S-001", "BLE-S-001"));
        assert!(!matches_pattern("BLE-S-001", "BLE-S-0011"));
        assert!(!matches_pattern("WIFI-*", "BLE-S-001"));
    }

    #[test]
    fn test_ids_sort_by_number() {
        let mut ids = vec!["T-10", "T-02", "T-100", "T-01"];
        ids.sort_by(|a, b| test_order(a, b));
        assert_eq!(ids, ["T-01", "T-02", "T-10", "T-100"]);
    }
}
