//! Reading and checking a device file: YAML → JSON Schema → typed model → meaning.
//! Every stage collects all it finds, so one run of `medsec check` lists every error.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, FileReport, did_you_mean};
use crate::located::{self, LocatedDocument};
use crate::model::{Device, ElementKind, NeedLevel, Stride};
use crate::sbom::{self, SbomSummary};
use crate::schema::{allowed_keys, device_schema, subschema_at};
use crate::vocabulary::{Vocabulary, VocabularyKind};

/// The format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// Largest device file accepted; real ones are tens of kilobytes.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A device file that passed the checks (it may still carry warnings).
#[derive(Debug, Clone)]
pub struct LoadedDevice {
    pub device: Device,
    pub path: PathBuf,
    pub report: FileReport,
    /// Summary of each element's SBOM, by element id.
    pub sboms: HashMap<String, SbomSummary>,
}

/// Why a device could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes; device files are limited to {MAX_FILE_BYTES} bytes")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{path} is not UTF-8 text")]
    NotUtf8 { path: PathBuf },
    #[error("{} has {} error(s)", .0.file.display(), .0.error_count())]
    Invalid(Box<FileReport>),
}

/// Accept a device file or a folder that holds `device.yaml`.
pub fn resolve_device_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("device.yaml")
    } else {
        path.to_path_buf()
    }
}

/// Read and check a device file. Errors come back as a report of every problem found.
pub fn load(path: &Path) -> Result<LoadedDevice, LoadError> {
    let path = resolve_device_path(path);
    let io = |source| LoadError::Io {
        path: path.clone(),
        source,
    };
    let meta = std::fs::metadata(&path).map_err(io)?;
    // A device such as /dev/zero has no length and never ends; a FIFO may never deliver.
    if !meta.is_file() {
        return Err(io(std::io::Error::other("not a regular file")));
    }
    let size = meta.len();
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path, size });
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(&path).map_err(io)?, MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = bytes.len() as u64;
        return Err(LoadError::TooLarge { path, size });
    }
    let text = String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8 { path: path.clone() })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    check_text(&path, &base, Arc::new(text))
}

/// Check the text of a device file; `base` is the folder that SBOM paths are relative to.
pub fn check_text(path: &Path, base: &Path, text: Arc<String>) -> Result<LoadedDevice, LoadError> {
    let mut report = FileReport::new(path, text.clone());
    let (document, problems) = match located::parse(&text) {
        Ok(parsed) => parsed,
        Err(problem) => {
            report.push(
                Diagnostic::error(problem.code, problem.message).with_help_opt(problem.help),
                problem.span,
            );
            return Err(LoadError::Invalid(Box::new(report)));
        }
    };
    for problem in problems {
        report.push(
            Diagnostic::error(problem.code, problem.message).with_help_opt(problem.help),
            problem.span,
        );
    }

    let faults = check_schema(&document, &mut report);
    let (value, map) = if faults.is_empty() {
        (document.value.clone(), PointerMap::default())
    } else {
        match prune(&document.value, &faults) {
            Some(pruned) => pruned,
            None => {
                report.sort();
                return Err(LoadError::Invalid(Box::new(report)));
            }
        }
    };
    let device: Device = match serde_json::from_value(value) {
        Ok(device) => device,
        Err(error) => {
            if !report.has_errors() {
                // The schema is generated from the same types, so this means a gap
                // between them: report it rather than panic.
                report.push(
                    Diagnostic::error("medsec::device::shape", error.to_string()),
                    document.span_of(""),
                );
            }
            report.sort();
            return Err(LoadError::Invalid(Box::new(report)));
        }
    };
    let mut semantic = Semantic {
        device: &device,
        document: &document,
        report: &mut report,
        map: &map,
    };
    semantic.run();
    let sboms = check_software(&device, &document, &map, base, &mut report);
    report.sort();
    if report.has_errors() {
        return Err(LoadError::Invalid(Box::new(report)));
    }
    Ok(LoadedDevice {
        device,
        path: path.to_path_buf(),
        report,
        sboms,
    })
}

fn check_schema(document: &LocatedDocument, report: &mut FileReport) -> Vec<SchemaFault> {
    let mut faults = Vec::new();
    let schema = device_schema();
    let validator = match jsonschema::validator_for(&schema) {
        Ok(validator) => validator,
        Err(error) => {
            report.push(
                Diagnostic::error("medsec::internal", format!("device schema: {error}")),
                0..0,
            );
            faults.push(SchemaFault::Other(String::new()));
            return faults;
        }
    };
    if let Some(version) = document.value.get("medsec").and_then(Value::as_u64)
        && version != u64::from(FORMAT_VERSION)
    {
        report.push(
            Diagnostic::error(
                "medsec::device::format-version",
                format!("format version {version} is not supported by this medsec"),
            )
            .with_help(format!("this medsec reads 'medsec: {FORMAT_VERSION}'"))
            .at("/medsec"),
            document.span_of("/medsec"),
        );
    }
    let mut seen = HashSet::new();
    for error in validator.iter_errors(&document.value) {
        let pointer = error.instance_path().as_str().to_owned();
        // oneOf/anyOf report once per branch path; one message per place is enough.
        if !seen.insert((pointer.clone(), error.kind().keyword().to_owned())) {
            continue;
        }
        if document.alias_pointers.contains(&pointer) {
            // Already reported as an alias; only leave it out of the second pass.
            faults.push(SchemaFault::Other(pointer));
            continue;
        }
        if let Some(choices) = choices_at(&schema, error.schema_path().as_str())
            && error.instance().is_string()
        {
            let given = error.instance().as_str().unwrap_or_default();
            let help = did_you_mean(given, choices.iter().map(String::as_str))
                .unwrap_or_else(|| format!("choose one of: {}", choices.join(", ")));
            report.push(
                Diagnostic::error(
                    "medsec::device::bad-value",
                    format!("'{given}' is not an allowed value here"),
                )
                .with_help(help)
                .at(pointer.clone()),
                document.span_of(&pointer),
            );
            faults.push(SchemaFault::Other(pointer));
            continue;
        }
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let allowed = subschema_at(&schema, &pointer)
                    .map(allowed_keys)
                    .unwrap_or_default();
                for key in unexpected {
                    let key_pointer = format!("{pointer}/{}", located::escape_segment(key));
                    faults.push(SchemaFault::UnknownKey(key_pointer.clone()));
                    let help = did_you_mean(key, allowed.iter().copied())
                        .unwrap_or_else(|| format!("allowed here: {}", allowed.join(", ")));
                    report.push(
                        Diagnostic::error(
                            "medsec::device::unknown-key",
                            format!("unknown key '{key}'"),
                        )
                        .with_help(help)
                        .at(key_pointer.clone()),
                        document.key_span_of(&key_pointer),
                    );
                }
            }
            ValidationErrorKind::Required { property } => {
                faults.push(SchemaFault::Other(pointer.clone()));
                let name = property.as_str().unwrap_or_default();
                report.push(
                    Diagnostic::error(
                        "medsec::device::missing-key",
                        format!("missing required key '{name}'"),
                    )
                    .with_help(format!("add '{name}:' to this mapping"))
                    .at(pointer.clone()),
                    document.key_span_of(&pointer),
                );
            }
            ValidationErrorKind::Enum { options } => {
                faults.push(SchemaFault::Other(pointer.clone()));
                let choices: Vec<&str> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let given = error.instance().as_str().unwrap_or_default().to_owned();
                let help = did_you_mean(&given, choices.iter().copied())
                    .unwrap_or_else(|| format!("choose one of: {}", choices.join(", ")));
                report.push(
                    Diagnostic::error(
                        "medsec::device::bad-value",
                        format!("{} is not an allowed value here", error.instance()),
                    )
                    .with_help(help)
                    .at(pointer.clone()),
                    document.span_of(&pointer),
                );
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    jsonschema::error::TypeKind::Single(single) => single.to_string(),
                    jsonschema::error::TypeKind::Multiple(set) => format!("{set:?}").to_lowercase(),
                };
                if expected == "string"
                    && !error.instance().is_object()
                    && !error.instance().is_array()
                {
                    faults.push(SchemaFault::StringExpected(pointer.clone()));
                } else {
                    faults.push(SchemaFault::Other(pointer.clone()));
                }
                let mut help = format!("write a value of type {expected}");
                if expected.contains("string") && error.instance().is_number() {
                    help = format!(
                        "quote it (\"{}\") so YAML reads it as text, not a number",
                        error.instance()
                    );
                }
                report.push(
                    Diagnostic::error(
                        "medsec::device::wrong-type",
                        format!("{} is not of type {expected}", describe(error.instance())),
                    )
                    .with_help(help)
                    .at(pointer.clone()),
                    document.span_of(&pointer),
                );
            }
            ValidationErrorKind::Pattern { pattern } => {
                faults.push(SchemaFault::Other(pointer.clone()));
                report.push(
                    Diagnostic::error(
                        "medsec::device::bad-id",
                        format!("{} is not a valid id", error.instance()),
                    )
                    .with_help(format!(
                        "ids use lower-case letters, digits, '-' and '.', starting with a letter or digit ({pattern})"
                    ))
                    .at(pointer.clone()),
                    document.span_of(&pointer),
                );
            }
            _ => {
                faults.push(SchemaFault::Other(pointer.clone()));
                report.push(
                    Diagnostic::error("medsec::device::schema", error.to_string())
                        .at(pointer.clone()),
                    document.span_of(&pointer),
                );
            }
        }
    }
    faults
}

/// The allowed strings when the failing keyword is a `oneOf`/`anyOf` of constants (how
/// schemars writes an enum whose variants carry descriptions) or an `enum`.
fn choices_at(schema: &Value, schema_path: &str) -> Option<Vec<String>> {
    let node = schema.pointer(schema_path)?;
    let branches = node.as_array()?;
    let mut choices = Vec::new();
    for branch in branches {
        if let Some(constant) = branch.get("const").and_then(Value::as_str) {
            choices.push(constant.to_owned());
        } else if let Some(values) = branch.get("enum").and_then(Value::as_array) {
            choices.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
        } else {
            return None;
        }
    }
    (!choices.is_empty()).then_some(choices)
}

/// What a schema error means for the second pass (see [`prune`]).
#[derive(Debug, Clone)]
enum SchemaFault {
    /// A key the schema does not know: dropped for the second pass.
    UnknownKey(String),
    /// A scalar where text is expected: its text is used for the second pass.
    StringExpected(String),
    /// Anything else: the list item around it is left out of the second pass.
    Other(String),
}

/// Schema errors stop a typed read, yet the user wants every error in one run. So we
/// take out what the schema rejected (dropping unknown keys, reading misplaced scalars
/// as text, leaving out list items that are broken) and check the meaning of the rest.
/// Positions are mapped back to the original file; references to left-out items are
/// not reported, since the item itself already is. `None` when a fault sits outside
/// any list item, where nothing sensible can be left out.
fn prune(value: &Value, faults: &[SchemaFault]) -> Option<(Value, PointerMap)> {
    let mut pruned = value.clone();
    let mut removals: HashMap<String, Vec<usize>> = HashMap::new();
    let mut suppressed = HashSet::new();
    for fault in faults {
        match fault {
            SchemaFault::UnknownKey(pointer) => {
                let (parent, key) = pointer.rsplit_once('/')?;
                let key = key.replace("~1", "/").replace("~0", "~");
                if let Some(Value::Object(map)) = pruned.pointer_mut(parent)
                    && let Some(removed) = map.remove(&key)
                {
                    collect_ids(&removed, &mut suppressed);
                }
            }
            SchemaFault::StringExpected(pointer) => {
                let node = pruned.pointer_mut(pointer)?;
                let text = match &*node {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                *node = Value::String(text);
            }
            SchemaFault::Other(pointer) => {
                let (array, index) = nearest_list_item(&pruned, pointer)?;
                removals.entry(array).or_default().push(index);
            }
        }
    }
    // Remove from the deepest lists first so that outer indices stay valid.
    let mut arrays: Vec<(String, Vec<usize>)> = removals.into_iter().collect();
    arrays.sort_by_key(|(pointer, _)| std::cmp::Reverse(pointer.matches('/').count()));
    let mut map = PointerMap::default();
    for (array, mut indices) in arrays {
        indices.sort_unstable();
        indices.dedup();
        if let Some(Value::Array(items)) = pruned.pointer_mut(&array) {
            for &index in indices.iter().rev() {
                if index < items.len() {
                    collect_ids(&items.remove(index), &mut suppressed);
                }
            }
        }
        map.removed.insert(array, indices);
    }
    map.suppressed_ids = suppressed;
    map.pruned = true;
    Some((pruned, map))
}

/// Every `id` inside a removed node: references to them are not reported again.
fn collect_ids(node: &Value, ids: &mut HashSet<String>) {
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(map) => {
                if let Some(id) = map.get("id").and_then(Value::as_str) {
                    ids.insert(id.to_owned());
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
}

/// The list and index of the innermost list item that contains `pointer`.
fn nearest_list_item(root: &Value, pointer: &str) -> Option<(String, usize)> {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut best = None;
    let mut node = root;
    let mut path = String::new();
    for segment in segments {
        match node {
            Value::Array(items) => {
                let index: usize = segment.parse().ok()?;
                best = Some((path.clone(), index));
                node = items.get(index)?;
            }
            Value::Object(map) => {
                let key = segment.replace("~1", "/").replace("~0", "~");
                node = map.get(&key)?;
            }
            _ => break,
        }
        path.push('/');
        path.push_str(segment);
    }
    best
}

/// Maps pointers into a pruned document back to the original one.
#[derive(Debug, Default)]
struct PointerMap {
    /// Original pointer of a list → original indices removed from it.
    removed: HashMap<String, Vec<usize>>,
    /// Ids of removed items: references to them are not reported again.
    suppressed_ids: HashSet<String>,
    /// True when anything was left out or changed for the second pass.
    pruned: bool,
}

impl PointerMap {
    fn original(&self, pruned: &str) -> String {
        if self.removed.is_empty() {
            return pruned.to_owned();
        }
        let mut original = String::new();
        for segment in pruned.split('/').skip(1) {
            let mapped = match (self.removed.get(&original), segment.parse::<usize>()) {
                (Some(removed), Ok(mut index)) => {
                    // The n-th kept item is the n-th original index not removed.
                    for gone in removed {
                        if *gone <= index {
                            index += 1;
                        }
                    }
                    index.to_string()
                }
                _ => segment.to_owned(),
            };
            original.push('/');
            original.push_str(&mapped);
        }
        original
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "an empty value".into(),
        Value::Object(_) => "a mapping".into(),
        Value::Array(_) => "a list".into(),
        other => other.to_string(),
    }
}

/// What an id names, for messages and for reference checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdKind {
    Asset,
    Zone,
    Boundary,
    Element,
    Flow,
    Control,
}

impl IdKind {
    fn noun(self) -> &'static str {
        match self {
            IdKind::Asset => "asset",
            IdKind::Zone => "trust zone",
            IdKind::Boundary => "boundary",
            IdKind::Element => "element",
            IdKind::Flow => "flow",
            IdKind::Control => "control",
        }
    }

    fn section(self) -> &'static str {
        match self {
            IdKind::Asset => "assets",
            IdKind::Zone => "trust_zones",
            IdKind::Boundary => "boundaries",
            IdKind::Element => "elements",
            IdKind::Flow => "flows",
            IdKind::Control => "controls",
        }
    }
}

struct Semantic<'a> {
    device: &'a Device,
    document: &'a LocatedDocument,
    report: &'a mut FileReport,
    map: &'a PointerMap,
}

impl Semantic<'_> {
    fn error(
        &mut self,
        code: &'static str,
        pointer: String,
        message: String,
        help: Option<String>,
    ) {
        self.emit(
            Diagnostic::error(code, message).with_help_opt(help),
            &pointer,
        );
    }

    fn warning(
        &mut self,
        code: &'static str,
        pointer: String,
        message: String,
        help: Option<String>,
    ) {
        self.emit(
            Diagnostic::warning(code, message).with_help_opt(help),
            &pointer,
        );
    }

    /// Place a diagnostic at a pointer of the (possibly pruned) document, mapped back to
    /// the user's file.
    fn emit(&mut self, diagnostic: Diagnostic, pointer: &str) {
        let pointer = self.map.original(pointer);
        let span = self.document.span_of(&pointer);
        self.report.push(diagnostic.at(pointer), span);
    }

    fn run(&mut self) {
        let ids = self.collect_ids();
        self.check_markets();
        self.check_vocabularies();
        self.check_assets();
        self.check_zones(&ids);
        self.check_elements(&ids);
        self.check_flows(&ids);
        self.check_controls(&ids);
        // With items left out after schema errors, "unused" warnings would be false.
        if !self.map.pruned {
            self.check_usage();
        }
    }

    /// Ids share one namespace, so a control's target or a report reference is never ambiguous.
    fn collect_ids(&mut self) -> HashMap<String, IdKind> {
        let device = self.device;
        let mut ids: HashMap<String, IdKind> = HashMap::new();
        let mut first_seen: HashMap<String, String> = HashMap::new();
        let sections: [(IdKind, Vec<&str>); 6] = [
            (
                IdKind::Asset,
                device.assets.iter().map(|a| a.id.as_str()).collect(),
            ),
            (
                IdKind::Zone,
                device.trust_zones.iter().map(|z| z.id.as_str()).collect(),
            ),
            (
                IdKind::Boundary,
                device.boundaries.iter().map(|b| b.id.as_str()).collect(),
            ),
            (
                IdKind::Element,
                device.elements.iter().map(|e| e.id.as_str()).collect(),
            ),
            (
                IdKind::Flow,
                device.flows.iter().map(|f| f.id.as_str()).collect(),
            ),
            (
                IdKind::Control,
                device.controls.iter().map(|c| c.id.as_str()).collect(),
            ),
        ];
        for (kind, list) in sections {
            for (index, id) in list.into_iter().enumerate() {
                let pointer = format!("/{}/{index}/id", kind.section());
                if let Some(previous) = first_seen.get(id) {
                    let previous = self.map.original(previous);
                    let message = format!("id '{id}' is already used at {previous}");
                    self.error(
                        "medsec::device::duplicate-id",
                        pointer,
                        message,
                        Some("ids must be unique across assets, zones, boundaries, elements, flows and controls".into()),
                    );
                } else {
                    first_seen.insert(id.to_owned(), pointer);
                    ids.insert(id.to_owned(), kind);
                }
            }
        }
        ids
    }

    /// Check that `id` names something of kind `want`.
    fn reference(
        &mut self,
        ids: &HashMap<String, IdKind>,
        id: &str,
        want: &[IdKind],
        pointer: String,
    ) {
        if self.map.suppressed_ids.contains(id) {
            return;
        }
        match ids.get(id) {
            Some(kind) if want.contains(kind) => {}
            Some(kind) => {
                let expected: Vec<&str> = want.iter().map(|k| k.noun()).collect();
                let message = format!(
                    "'{id}' is a {}, but a {} is expected here",
                    kind.noun(),
                    expected.join(" or ")
                );
                self.error("medsec::device::wrong-reference", pointer, message, None);
            }
            None => {
                let candidates = ids
                    .iter()
                    .filter(|(_, kind)| want.contains(kind))
                    .map(|(candidate, _)| candidate.as_str());
                let expected: Vec<&str> = want.iter().map(|k| k.noun()).collect();
                let sections: Vec<&str> = want.iter().map(|k| k.section()).collect();
                let help = did_you_mean(id, candidates)
                    .unwrap_or_else(|| format!("declare it under '{}'", sections.join("' or '")));
                let message = format!("no {} has the id '{id}'", expected.join(" or "));
                self.error(
                    "medsec::device::unknown-reference",
                    pointer,
                    message,
                    Some(help),
                );
            }
        }
    }

    fn check_markets(&mut self) {
        let mut seen = HashSet::new();
        for (index, market) in self.device.device.markets.iter().enumerate() {
            let allowed = market.market.classes();
            if !allowed.contains(&market.class.as_str()) {
                let message = format!(
                    "'{}' is not a class under {}",
                    market.class,
                    market.market.as_str()
                );
                let help =
                    did_you_mean(&market.class, allowed.iter().copied()).unwrap_or_else(|| {
                        format!(
                            "{} classes are {}",
                            market.market.as_str(),
                            allowed.join(", ")
                        )
                    });
                self.error(
                    "medsec::device::bad-class",
                    format!("/device/markets/{index}/class"),
                    message,
                    Some(help),
                );
            }
            if !seen.insert(market.market) {
                self.error(
                    "medsec::device::duplicate-market",
                    format!("/device/markets/{index}/market"),
                    format!("market {} is listed twice", market.market.as_str()),
                    Some("a device version has one class per market".into()),
                );
            }
        }
        if self.device.device.markets.is_empty() {
            self.error(
                "medsec::device::no-market",
                "/device/markets".into(),
                "no market is given".into(),
                Some("add at least one market with the device's class, e.g. '- {market: eu-mdr, class: IIb}'".into()),
            );
        }
        if self.device.device.categories.is_empty() {
            self.error(
                "medsec::device::no-category",
                "/device/categories".into(),
                "no product category is given".into(),
                Some("see 'medsec vocabulary categories'".into()),
            );
        }
    }

    fn vocabulary(&self, kind: VocabularyKind) -> Vocabulary<'_> {
        let extension = &self.device.vocabulary;
        let entries = match kind {
            VocabularyKind::Categories => &extension.categories,
            VocabularyKind::Functionalities => &extension.functionalities,
            VocabularyKind::Technologies => &extension.technologies,
            VocabularyKind::Protocols => &extension.protocols,
        };
        Vocabulary {
            kind,
            extension_ids: entries.iter().map(|e| e.id.as_str()).collect(),
        }
    }

    fn term(&mut self, kind: VocabularyKind, id: &str, pointer: String) {
        let vocabulary = self.vocabulary(kind);
        if vocabulary.contains(id) {
            return;
        }
        let help = did_you_mean(id, vocabulary.ids()).unwrap_or_else(|| {
            format!(
                "see 'medsec vocabulary {0}', or add it under 'vocabulary: {0}:' with a description",
                kind.as_str()
            )
        });
        self.error(
            "medsec::device::unknown-term",
            pointer,
            format!("unknown {} '{id}'", kind.singular()),
            Some(help),
        );
    }

    fn check_vocabularies(&mut self) {
        let device = self.device;
        for kind in VocabularyKind::ALL {
            let entries = match kind {
                VocabularyKind::Categories => &device.vocabulary.categories,
                VocabularyKind::Functionalities => &device.vocabulary.functionalities,
                VocabularyKind::Technologies => &device.vocabulary.technologies,
                VocabularyKind::Protocols => &device.vocabulary.protocols,
            };
            let mut seen = HashSet::new();
            for (index, entry) in entries.iter().enumerate() {
                let pointer = format!("/vocabulary/{}/{index}/id", kind.as_str());
                if kind.builtin().iter().any(|term| term.id == entry.id) {
                    self.warning(
                        "medsec::device::redefined-term",
                        pointer,
                        format!("'{}' is already a built-in {}", entry.id, kind.singular()),
                        Some("remove this entry; the built-in term is used".into()),
                    );
                } else if !seen.insert(entry.id.as_str()) {
                    self.error(
                        "medsec::device::duplicate-term",
                        pointer,
                        format!("'{}' is added twice", entry.id),
                        None,
                    );
                }
            }
        }
        for (index, id) in device.device.categories.iter().enumerate() {
            self.term(
                VocabularyKind::Categories,
                id,
                format!("/device/categories/{index}"),
            );
        }
        for (index, id) in device.functionalities.iter().enumerate() {
            self.term(
                VocabularyKind::Functionalities,
                id,
                format!("/functionalities/{index}"),
            );
        }
        for (index, id) in device.technologies.iter().enumerate() {
            self.term(
                VocabularyKind::Technologies,
                id,
                format!("/technologies/{index}"),
            );
        }
        for (e, element) in device.elements.iter().enumerate() {
            for (index, id) in element.technologies.iter().enumerate() {
                self.term(
                    VocabularyKind::Technologies,
                    id,
                    format!("/elements/{e}/technologies/{index}"),
                );
            }
        }
        for (f, flow) in device.flows.iter().enumerate() {
            self.term(
                VocabularyKind::Protocols,
                &flow.protocol,
                format!("/flows/{f}/protocol"),
            );
        }
    }

    fn check_assets(&mut self) {
        for (index, asset) in self.device.assets.iter().enumerate() {
            let needs = [
                ("confidentiality", &asset.confidentiality),
                ("integrity", &asset.integrity),
                ("availability", &asset.availability),
            ];
            for (property, need) in needs {
                if need.need == NeedLevel::None {
                    continue;
                }
                let pointer = format!("/assets/{index}/{property}");
                if need.severity.is_none() {
                    self.error(
                        "medsec::device::missing-severity",
                        pointer.clone(),
                        format!("{property} of '{}' is needed but has no severity", asset.id),
                        Some("add 'severity:' (negligible, minor, serious, critical or catastrophic): the FMEA takes the harm's severity from here".into()),
                    );
                }
                if need.harm.as_deref().is_none_or(|h| h.trim().is_empty()) {
                    self.error(
                        "medsec::device::missing-harm",
                        pointer,
                        format!(
                            "{property} of '{}' is needed but no harm is described",
                            asset.id
                        ),
                        Some("add 'harm:' saying what happens to the patient if it is lost".into()),
                    );
                }
            }
        }
    }

    fn check_zones(&mut self, ids: &HashMap<String, IdKind>) {
        let device = self.device;
        let parents: HashMap<&str, &str> = device
            .trust_zones
            .iter()
            .filter_map(|z| z.parent.as_deref().map(|p| (z.id.as_str(), p)))
            .collect();
        for (index, zone) in device.trust_zones.iter().enumerate() {
            if let Some(parent) = &zone.parent {
                self.reference(
                    ids,
                    parent,
                    &[IdKind::Zone],
                    format!("/trust_zones/{index}/parent"),
                );
                // Walk up; a chain longer than the number of zones is a cycle.
                let mut current = zone.id.as_str();
                for _ in 0..=device.trust_zones.len() {
                    match parents.get(current) {
                        Some(next) if *next == zone.id => {
                            self.error(
                                "medsec::device::zone-cycle",
                                format!("/trust_zones/{index}/parent"),
                                format!("trust zone '{}' is nested inside itself", zone.id),
                                Some("a zone's parents must end at a top-level zone".into()),
                            );
                            break;
                        }
                        Some(next) => current = next,
                        None => break,
                    }
                }
            }
        }
        for (index, boundary) in device.boundaries.iter().enumerate() {
            for (side, zone) in boundary.between.iter().enumerate() {
                self.reference(
                    ids,
                    zone,
                    &[IdKind::Zone],
                    format!("/boundaries/{index}/between/{side}"),
                );
            }
            if let [a, b] = boundary.between.as_slice()
                && a == b
            {
                self.error(
                    "medsec::device::boundary-same-zone",
                    format!("/boundaries/{index}/between"),
                    format!(
                        "boundary '{}' separates zone '{a}' from itself",
                        boundary.id
                    ),
                    None,
                );
            }
        }
        if device.trust_zones.is_empty() {
            self.error(
                "medsec::device::no-zone",
                "/trust_zones".into(),
                "no trust zone is declared".into(),
                Some("every element sits in a trust zone; declare at least one".into()),
            );
        }
    }

    fn check_elements(&mut self, ids: &HashMap<String, IdKind>) {
        for (index, element) in self.device.elements.iter().enumerate() {
            self.reference(
                ids,
                &element.zone,
                &[IdKind::Zone],
                format!("/elements/{index}/zone"),
            );
            for (a, asset) in element.assets.iter().enumerate() {
                self.reference(
                    ids,
                    asset,
                    &[IdKind::Asset],
                    format!("/elements/{index}/assets/{a}"),
                );
            }
            if element.human && element.kind != ElementKind::ExternalEntity {
                self.error(
                    "medsec::device::human-not-external",
                    format!("/elements/{index}/human"),
                    format!(
                        "'{}' is a person but its kind is {}",
                        element.id,
                        element.kind.as_str()
                    ),
                    Some("people are external entities: set 'kind: external-entity'".into()),
                );
            }
        }
        if self.device.elements.is_empty() {
            self.warning(
                "medsec::device::no-elements",
                "/elements".into(),
                "the data-flow model has no elements".into(),
                Some(
                    "threats are found per element and per flow; describe the device's parts"
                        .into(),
                ),
            );
        }
    }

    fn check_flows(&mut self, ids: &HashMap<String, IdKind>) {
        for (index, flow) in self.device.flows.iter().enumerate() {
            self.reference(
                ids,
                &flow.from,
                &[IdKind::Element],
                format!("/flows/{index}/from"),
            );
            self.reference(
                ids,
                &flow.to,
                &[IdKind::Element],
                format!("/flows/{index}/to"),
            );
            for (d, asset) in flow.data.iter().enumerate() {
                self.reference(
                    ids,
                    asset,
                    &[IdKind::Asset],
                    format!("/flows/{index}/data/{d}"),
                );
            }
            if flow.from == flow.to {
                self.error(
                    "medsec::device::flow-loop",
                    format!("/flows/{index}/to"),
                    format!("flow '{}' goes from '{}' to itself", flow.id, flow.to),
                    Some("model the internal parts as separate elements".into()),
                );
            }
        }
    }

    fn check_controls(&mut self, ids: &HashMap<String, IdKind>) {
        let kinds: HashMap<&str, ElementKind> = self
            .device
            .elements
            .iter()
            .map(|e| (e.id.as_str(), e.kind))
            .collect();
        let zone_of: HashMap<&str, &str> = self
            .device
            .elements
            .iter()
            .map(|e| (e.id.as_str(), e.zone.as_str()))
            .collect();
        let crossing: HashSet<&str> = self
            .device
            .flows
            .iter()
            .filter(|f| zone_of.get(f.from.as_str()) != zone_of.get(f.to.as_str()))
            .map(|f| f.id.as_str())
            .collect();
        for (index, control) in self.device.controls.iter().enumerate() {
            if control.mitigates.is_empty() {
                self.error(
                    "medsec::device::control-without-target",
                    format!("/controls/{index}/mitigates"),
                    format!("control '{}' mitigates nothing", control.id),
                    Some("add '- target: <element or flow id>' with the STRIDE categories it addresses".into()),
                );
            }
            for (m, mitigation) in control.mitigates.iter().enumerate() {
                let pointer = format!("/controls/{index}/mitigates/{m}");
                self.reference(
                    ids,
                    &mitigation.target,
                    &[IdKind::Element, IdKind::Flow],
                    format!("{pointer}/target"),
                );
                let applicable = match (
                    ids.get(&mitigation.target),
                    kinds.get(mitigation.target.as_str()),
                ) {
                    (Some(IdKind::Flow), _) if crossing.contains(mitigation.target.as_str()) => {
                        Some((
                            "a data flow crossing a trust boundary",
                            CROSSING_FLOW_STRIDE,
                        ))
                    }
                    (Some(IdKind::Flow), _) => Some(("a data flow", FLOW_STRIDE)),
                    (_, Some(kind)) => Some((kind.as_str(), stride_per_element(*kind))),
                    _ => None,
                };
                if mitigation.stride.is_empty() {
                    self.error(
                        "medsec::device::control-without-stride",
                        format!("{pointer}/stride"),
                        "no STRIDE category is given".into(),
                        None,
                    );
                }
                let Some((what, applicable)) = applicable else {
                    continue;
                };
                for (s, category) in mitigation.stride.iter().enumerate() {
                    if !applicable.contains(category) {
                        self.warning(
                            "medsec::device::stride-not-applicable",
                            format!("{pointer}/stride/{s}"),
                            format!(
                                "{} does not apply to {what} in STRIDE-per-element",
                                category.as_str()
                            ),
                            Some(format!(
                                "for {what} the categories are: {}",
                                applicable
                                    .iter()
                                    .map(|c| c.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                        );
                    }
                }
            }
        }
    }

    /// Declared things nothing uses are usually a slip; warn, do not fail.
    fn check_usage(&mut self) {
        let device = self.device;
        let used_assets: HashSet<&str> = device
            .elements
            .iter()
            .flat_map(|e| e.assets.iter())
            .chain(device.flows.iter().flat_map(|f| f.data.iter()))
            .map(String::as_str)
            .collect();
        for (index, asset) in device.assets.iter().enumerate() {
            if !used_assets.contains(asset.id.as_str()) {
                self.warning(
                    "medsec::device::unused-asset",
                    format!("/assets/{index}/id"),
                    format!(
                        "asset '{}' is held by no element and carried by no flow",
                        asset.id
                    ),
                    Some("list it under an element's 'assets' or a flow's 'data'".into()),
                );
            }
        }
        let connected: HashSet<&str> = device
            .flows
            .iter()
            .flat_map(|f| [f.from.as_str(), f.to.as_str()])
            .collect();
        for (index, element) in device.elements.iter().enumerate() {
            if !connected.contains(element.id.as_str()) {
                self.warning(
                    "medsec::device::isolated-element",
                    format!("/elements/{index}/id"),
                    format!("element '{}' has no data flow", element.id),
                    Some("add the flows it takes part in, or remove it".into()),
                );
            }
        }
        let used_zones: HashSet<&str> = device
            .elements
            .iter()
            .map(|e| e.zone.as_str())
            .chain(
                device
                    .trust_zones
                    .iter()
                    .filter_map(|z| z.parent.as_deref()),
            )
            .collect();
        for (index, zone) in device.trust_zones.iter().enumerate() {
            if !used_zones.contains(zone.id.as_str()) {
                self.warning(
                    "medsec::device::empty-zone",
                    format!("/trust_zones/{index}/id"),
                    format!("trust zone '{}' holds no element and no zone", zone.id),
                    Some("place an element in it ('zone:') or remove it".into()),
                );
            }
        }
    }
}

/// STRIDE per element, after Shostack, *Threat Modeling: Designing for Security* (2014),
/// chapter 3: which categories apply to each kind of data-flow element.
pub fn stride_per_element(kind: ElementKind) -> &'static [Stride] {
    match kind {
        ElementKind::ExternalEntity => &[Stride::Spoofing, Stride::Repudiation],
        ElementKind::Process => &[
            Stride::Spoofing,
            Stride::Tampering,
            Stride::Repudiation,
            Stride::InformationDisclosure,
            Stride::DenialOfService,
            Stride::ElevationOfPrivilege,
        ],
        // Repudiation applies to data stores that hold logs; we allow it for all.
        ElementKind::DataStore => &[
            Stride::Tampering,
            Stride::Repudiation,
            Stride::InformationDisclosure,
            Stride::DenialOfService,
        ],
    }
}

/// STRIDE for data flows (same source as [`stride_per_element`]).
pub const FLOW_STRIDE: &[Stride] = &[
    Stride::Tampering,
    Stride::InformationDisclosure,
    Stride::DenialOfService,
];

/// STRIDE for a flow that crosses a trust boundary. STRIDE per interaction (Shostack,
/// 2014, chapter 3) also considers spoofing of the sender there, and the threat engine
/// raises such threats, so a control may claim to mitigate them.
pub const CROSSING_FLOW_STRIDE: &[Stride] = &[
    Stride::Spoofing,
    Stride::Tampering,
    Stride::InformationDisclosure,
    Stride::DenialOfService,
];

fn check_software(
    device: &Device,
    document: &LocatedDocument,
    map: &PointerMap,
    base: &Path,
    report: &mut FileReport,
) -> HashMap<String, SbomSummary> {
    let mut summaries = HashMap::new();
    for (index, element) in device.elements.iter().enumerate() {
        let Some(software) = &element.software else {
            continue;
        };
        let pointer = map.original(&format!("/elements/{index}/software"));
        if software.sbom.is_none() && software.components.is_empty() {
            report.push(
                Diagnostic::error(
                    "medsec::device::empty-software",
                    format!(
                        "software of '{}' names neither an SBOM nor components",
                        element.id
                    ),
                )
                .with_help("add 'sbom: <path>' or a 'components:' list, or remove 'software:'")
                .at(pointer.clone()),
                document.span_of(&pointer),
            );
        }
        for (c, component) in software.components.iter().enumerate() {
            let component_pointer = format!("{pointer}/components/{c}");
            if let Some(purl) = &component.purl
                && let Err(error) = purl.parse::<medsec_core::Purl>()
            {
                let at = format!("{component_pointer}/purl");
                report.push(
                    Diagnostic::error(
                        "medsec::device::bad-purl",
                        format!("'{purl}' is not a valid package URL: {error}"),
                    )
                    .with_help("a purl looks like pkg:TYPE/NAMESPACE/NAME@VERSION, e.g. pkg:generic/zlib@1.2.13")
                    .at(at.clone()),
                    document.span_of(&at),
                );
            }
            if let Some(cpe) = &component.cpe {
                let parsed = if cpe.starts_with("cpe:/") {
                    medsec_core::cpe::Cpe::from_uri(cpe)
                } else {
                    medsec_core::cpe::Cpe::from_formatted_string(cpe)
                };
                if let Err(error) = parsed {
                    let at = format!("{component_pointer}/cpe");
                    report.push(
                        Diagnostic::error(
                            "medsec::device::bad-cpe",
                            format!("'{cpe}' is not a valid CPE name: {error}"),
                        )
                        .with_help("use the CPE 2.3 formatted string, e.g. cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*")
                        .at(at.clone()),
                        document.span_of(&at),
                    );
                }
            }
        }
        let Some(relative) = &software.sbom else {
            continue;
        };
        let at = format!("{pointer}/sbom");
        match sbom::summarise(&base.join(relative)) {
            Ok(summary) => {
                summaries.insert(element.id.clone(), summary);
            }
            Err(problem) => {
                report.push(
                    Diagnostic::error("medsec::device::bad-sbom", format!("SBOM '{relative}': {problem}"))
                        .with_help("the path is relative to the device file; medsec reads CycloneDX (JSON, XML) and SPDX (JSON, tag-value)")
                        .at(at.clone()),
                    document.span_of(&at),
                );
            }
        }
    }
    summaries
}
