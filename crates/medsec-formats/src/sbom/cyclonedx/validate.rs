//! The one seam from CycloneDX wire structs to the model: every rule of the declared spec
//! version is checked here and every problem collected with its path.
//!
//! The wire structs are consumed: each string the model keeps is moved out of them (a
//! string borrowed from the text is copied once, into the model). Paths
//! (`components[3].hashes[0].alg`) are built only for a problem: the validator passes a
//! [`Path`] of the parent and the key down and joins it into a string where a problem is
//! recorded.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;

use medsec_core::Purl;
use medsec_core::component::{
    Component, ComponentKind, Contact, Dependency, Encoding, ExternalReference, Hash, Licence,
    LicenceKind, Organization, Original, Property, Sbom, SbomFormat, Scope, Tool,
};
use medsec_core::cpe::Cpe;

use super::fields::{self, Table};
use super::wire;
use crate::sbom::{Context, ProblemKind, Problems, Reading, SbomError, is_rfc3339};

/// A path into the document, made of its parent and the last step, written out only for a
/// problem: `components[3].purl`.
#[derive(Debug, Clone, Copy)]
enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'static str),
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    fn key(&'p self, key: &'static str) -> Path<'p> {
        Path::Key(self, key)
    }

    fn index(&'p self, i: usize) -> Path<'p> {
        Path::Index(self, i)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// The bom-refs declared. Each ref's text is copied into one string, so that the lookups of
/// the dependencies (one or more per component) compare against refs that are close
/// together in memory rather than spread over the document (those comparisons missed the
/// cache: a twentieth of the reading); a ref is found by its hash (foldhash, randomly
/// seeded, rather than SipHash, which was a twelfth of the reading).
#[derive(Default)]
struct Refs {
    text: String,
    /// Hash of a ref → the last ref declared with that hash (held in the table itself, so
    /// that a lookup touches the table and the text only).
    by_hash: HashMap<u64, RefEntry, foldhash::fast::RandomState>,
    /// Every ref declared, in order, for the rare chains of refs with the same hash.
    entries: Vec<RefEntry>,
    declared: Vec<Declared>,
    hasher: foldhash::fast::RandomState,
}

/// A ref: its text in `Refs::text`, its index, the previous ref with the same hash.
#[derive(Debug, Clone, Copy)]
struct RefEntry {
    start: usize,
    end: usize,
    index: usize,
    previous: Option<usize>,
}

impl Refs {
    fn get(&self, r: &str) -> Option<&Declared> {
        let mut entry = self.by_hash.get(&self.hasher.hash_one(r)).copied();
        while let Some(e) = entry {
            if &self.text[e.start..e.end] == r {
                return Some(&self.declared[e.index]);
            }
            entry = e.previous.map(|p| self.entries[p]);
        }
        None
    }

    /// A ref not declared before.
    fn insert(&mut self, r: &str, declared: Declared) {
        let start = self.text.len();
        self.text.push_str(r);
        let index = self.entries.len();
        let hash = self.hasher.hash_one(r);
        let previous = self.by_hash.get(&hash).map(|e| e.index);
        let entry = RefEntry {
            start,
            end: self.text.len(),
            index,
            previous,
        };
        self.by_hash.insert(hash, entry);
        self.entries.push(entry);
        self.declared.push(declared);
    }
}

/// Where a bom-ref was first declared, for the message about a duplicate: the common places
/// without a string built for each.
#[derive(Debug)]
enum Declared {
    /// `components[i]`
    Listed(usize),
    /// `components[i].components[j]`
    Nested(usize, usize),
    Elsewhere(String),
}

impl Declared {
    fn of(path: Path<'_>) -> Self {
        match path {
            Path::Index(Path::Key(Path::Root, "components"), i) => Declared::Listed(i),
            Path::Index(
                Path::Key(Path::Index(Path::Key(Path::Root, "components"), i), "components"),
                j,
            ) => Declared::Nested(*i, j),
            other => Declared::Elsewhere(other.to_string()),
        }
    }
}

impl fmt::Display for Declared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Declared::Listed(i) => write!(f, "components[{i}]"),
            Declared::Nested(i, j) => write!(f, "components[{i}].components[{j}]"),
            Declared::Elsewhere(path) => f.write_str(path),
        }
    }
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

/// Validates a parsed document against its declared version and converts it.
pub(crate) fn convert(
    _ctx: &Context<'_>,
    mut bom: wire::Bom<'_>,
    encoding: Encoding,
    original: Original,
    positions: &dyn Fn(&mut [crate::sbom::Problem]),
) -> Result<Reading, SbomError> {
    let Some(spec_version) = bom.spec_version.take() else {
        let mut problems = Problems::new();
        bom_format(&bom, &mut problems);
        problems.error(
            ProblemKind::MissingField,
            "specVersion",
            "`specVersion` is required: it says which CycloneDX rules apply",
        );
        return problems.finish(
            Sbom::new(SbomFormat::CycloneDx, "", encoding, original),
            format_name(encoding),
            positions,
        );
    };
    let minor = super::minor_version(&spec_version)?;
    let present = Present {
        metadata: bom.metadata.is_some(),
        components: bom.components.is_some(),
    };
    let components = bom.components.take().unwrap_or_default();
    let mut stream = Stream::new(minor, bom.metadata.take(), components.len());
    // Each wire component is dropped as soon as it is converted.
    for (i, c) in components.into_iter().enumerate() {
        stream.component(i, c);
    }
    stream.finish(bom, present, spec_version, encoding, original, positions)
}

fn format_name(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Xml => "CycloneDX XML",
        _ => "CycloneDX JSON",
    }
}

fn bom_format(bom: &wire::Bom<'_>, problems: &mut Problems) {
    match bom.bom_format.as_deref() {
        Some("CycloneDX") => {}
        // XML has no bomFormat; the XML reader sets it from the namespace.
        Some(other) => problems.error(
            ProblemKind::BadValue,
            "bomFormat",
            format!("`bomFormat` is \"{other}\"; a CycloneDX document says \"CycloneDX\""),
        ),
        None => problems.error(
            ProblemKind::MissingField,
            "bomFormat",
            "`bomFormat` is required (\"CycloneDX\")",
        ),
    }
}

/// Which top-level fields the document had, of those taken out of the wire `Bom` before
/// `Stream::finish` sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Present {
    pub metadata: bool,
    pub components: bool,
}

/// A document converted in the order of its parts: `metadata` first, then each component
/// as it comes (the JSON fast path hands them over while it reads, so that no list of wire
/// components is built), then the rest in `finish`. Every problem and every effect is as
/// in document-independent order (the checks of the top level, metadata, components,
/// services, external references, properties, dependencies): the top-level checks are made
/// last but their problems put first.
pub(crate) struct Stream {
    v: Validator,
    sbom: Sbom,
}

impl Stream {
    /// `components`: how many are expected (0 if not known), to size the list once.
    pub(crate) fn new(minor: u8, metadata: Option<wire::Metadata<'_>>, components: usize) -> Self {
        // The spec version, encoding and original are set by `finish`.
        let placeholder = Original {
            bytes: Vec::new(),
            sha256: String::new(),
            size: 0,
        };
        let mut sbom = Sbom::new(SbomFormat::CycloneDx, "", Encoding::Json, placeholder);
        let mut v = Validator {
            minor,
            problems: Problems::new(),
            refs: Refs::default(),
            // Sized once where the count is known: growing a vector of large elements frees
            // ever larger blocks, and each such free makes glibc consolidate its small-block
            // bins.
            components: Vec::with_capacity(components),
        };
        if let Some(metadata) = metadata {
            v.metadata(metadata, &mut sbom);
        }
        Stream { v, sbom }
    }

    /// `components[i]`.
    pub(crate) fn component(&mut self, i: usize, c: wire::Component<'_>) {
        let list = Path::Root.key("components");
        self.v.component(c, list.index(i), Place::List(None));
    }

    /// Checks and converts the rest of the document (`bom` without its `specVersion`,
    /// `metadata` and `components`).
    pub(crate) fn finish(
        self,
        bom: wire::Bom<'_>,
        present: Present,
        spec_version: Cow<'_, str>,
        encoding: Encoding,
        original: Original,
        positions: &dyn Fn(&mut [crate::sbom::Problem]),
    ) -> Result<Reading, SbomError> {
        let Stream { mut v, mut sbom } = self;
        let body = std::mem::take(&mut v.problems.list);
        bom_format(&bom, &mut v.problems);
        v.top(&bom, present, &mut sbom);
        v.problems.list.extend(body);
        v.rest(bom, &mut sbom);
        sbom.spec_version = spec_version.into_owned();
        sbom.encoding = encoding;
        sbom.original = original;
        let Validator {
            problems,
            components,
            ..
        } = v;
        sbom.components = components;
        problems.finish(sbom, format_name(encoding), positions)
    }
}

struct Validator {
    minor: u8,
    problems: Problems,
    /// Every bom-ref declared, with where it was first declared.
    refs: Refs,
    components: Vec<Component>,
}

impl Validator {
    fn version(&self) -> String {
        format!("1.{}", self.minor)
    }

    /// Fields present in an object, checked against the version's table.
    fn fields<'n>(
        &mut self,
        table: Table,
        what: &str,
        path: Path<'_>,
        typed: impl IntoIterator<Item = (&'n str, bool)>,
        other: &'n wire::Other,
    ) {
        let present = typed
            .into_iter()
            .filter(|(_, is_some)| *is_some)
            .map(|(name, _)| name)
            .chain(other.keys().map(String::as_str));
        let mut bad = Vec::new();
        for name in present {
            if let Err(since) = fields::lookup(table, name, self.minor) {
                bad.push((name.to_owned(), since));
            }
        }
        if bad.is_empty() {
            return;
        }
        let path = path.to_string();
        for (name, since) in bad {
            let message = match since {
                Some(s) => format!(
                    "`{name}` is not a field of {what} in CycloneDX {}: it was added in 1.{s}",
                    self.version()
                ),
                None => format!(
                    "`{name}` is not a field of {what} in CycloneDX {}",
                    self.version()
                ),
            };
            self.problems
                .error(ProblemKind::UnknownField, join(&path, &name), message);
        }
    }

    /// A value from a closed vocabulary; `parent` and `key` make the path of a problem.
    fn enumerated(
        &mut self,
        table: Table,
        what: &str,
        parent: Path<'_>,
        key: &'static str,
        value: &str,
    ) -> bool {
        match fields::lookup(table, value, self.minor) {
            Ok(()) => true,
            Err(since) => {
                let added = since.map_or(String::new(), |s| format!(" (it was added in 1.{s})"));
                self.problems.error(
                    ProblemKind::BadValue,
                    parent.key(key).to_string(),
                    format!(
                        "\"{value}\" is not {what} in CycloneDX {}{added}; allowed: {}",
                        self.version(),
                        fields::allowed(table, self.minor)
                    ),
                );
                false
            }
        }
    }

    /// The checks of the top level (fields, serial number, version).
    fn top(&mut self, bom: &wire::Bom<'_>, present: Present, sbom: &mut Sbom) {
        self.fields(
            fields::BOM,
            "the BOM",
            Path::Root,
            [
                ("bomFormat", bom.bom_format.is_some()),
                // Taken by `convert`, which stops where it is absent.
                ("specVersion", true),
                ("serialNumber", bom.serial_number.is_some()),
                ("version", bom.version.is_some()),
                ("metadata", present.metadata),
                ("components", present.components),
                ("services", bom.services.is_some()),
                ("dependencies", bom.dependencies.is_some()),
                ("externalReferences", bom.external_references.is_some()),
                ("properties", bom.properties.is_some()),
            ],
            &bom.other,
        );
        if let Some(serial) = &bom.serial_number {
            self.serial_number(serial);
            sbom.serial_number = Some(serial.to_string());
        }
        if let Some(version) = bom.version {
            // `version` is an integer; 1.5 added `"minimum": 1`. Below 1 is wrong in any
            // version (the default is 1), but only an error where the schema says so.
            if version < 1 {
                let message = format!("`version` is {version}; BOM versions start at 1");
                if self.minor >= 5 {
                    self.problems
                        .error(ProblemKind::BadValue, "version", message);
                } else {
                    self.problems
                        .warning(ProblemKind::BadValue, "version", message);
                }
            } else {
                sbom.version = u64::try_from(version).ok();
            }
        }
    }

    /// What follows the components: services, external references, properties,
    /// dependencies.
    fn rest(&mut self, bom: wire::Bom<'_>, sbom: &mut Sbom) {
        let root = Path::Root;
        let services = root.key("services");
        for (i, s) in bom.services.iter().flatten().enumerate() {
            self.service(s, services.index(i));
        }
        let references = root.key("externalReferences");
        for (i, r) in bom.external_references.into_iter().flatten().enumerate() {
            self.external_reference(r, references.index(i));
        }
        if let Some(props) = bom.properties {
            self.properties(props, root.key("properties"));
        }
        let dependencies = root.key("dependencies");
        let list = bom.dependencies.unwrap_or_default();
        sbom.dependencies.reserve(list.len());
        for (i, d) in list.into_iter().enumerate() {
            if let Some(dep) = self.dependency(d, dependencies.index(i)) {
                sbom.dependencies.push(dep);
            }
        }
    }

    fn serial_number(&mut self, serial: &str) {
        // `serialNumber` pattern `^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
        // (bom-1.x.schema.json); RFC 4122 lets readers accept upper case, so that is a warning.
        let ok = |s: &str, upper: bool| {
            s.strip_prefix("urn:uuid:").is_some_and(|u| {
                let groups: Vec<&str> = u.split('-').collect();
                groups.len() == 5
                    && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
                        g.len() == n
                            && g.bytes().all(|b| {
                                b.is_ascii_digit()
                                    || (b'a'..=b'f').contains(&b)
                                    || (upper && (b'A'..=b'F').contains(&b))
                            })
                    })
            })
        };
        if ok(serial, false) {
        } else if ok(serial, true) {
            self.problems.warning(
                ProblemKind::BadValue,
                "serialNumber",
                "`serialNumber` has upper-case hex digits; the schema pattern wants lower case",
            );
        } else {
            self.problems.error(
                ProblemKind::BadValue,
                "serialNumber",
                format!(
                    "`serialNumber` \"{serial}\" is not a urn:uuid: (RFC 4122), e.g. \
                     urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
                ),
            );
        }
    }

    fn metadata(&mut self, m: wire::Metadata<'_>, sbom: &mut Sbom) {
        let root = Path::Root;
        let path = root.key("metadata");
        self.fields(
            fields::METADATA,
            "metadata",
            path,
            [
                ("timestamp", m.timestamp.is_some()),
                ("tools", m.tools.is_some()),
                ("authors", m.authors.is_some()),
                ("component", m.component.is_some()),
                ("manufacture", m.manufacture.is_some()),
                ("manufacturer", m.manufacturer.is_some()),
                ("supplier", m.supplier.is_some()),
                ("licenses", m.licenses.is_some()),
                ("properties", m.properties.is_some()),
            ],
            &m.other,
        );
        if let Some(ts) = m.timestamp {
            if !is_rfc3339(&ts) {
                self.problems.error(
                    ProblemKind::BadValue,
                    path.key("timestamp").to_string(),
                    format!(
                        "`timestamp` \"{ts}\" is not an RFC 3339 date-time \
                         (e.g. 2024-05-01T12:00:00Z)"
                    ),
                );
            }
            sbom.metadata.timestamp = Some(ts.into_owned());
        }
        if let Some(tools) = &m.tools {
            sbom.metadata.tools = self.tools(tools, path.key("tools"));
        }
        let authors = path.key("authors");
        for (i, a) in m.authors.into_iter().flatten().enumerate() {
            let contact = self.contact(a, authors.index(i));
            sbom.metadata.authors.push(contact);
        }
        if let Some(c) = m.component {
            sbom.metadata.component = self
                .component(*c, path.key("component"), Place::Subject)
                .map(Box::new);
        }
        if let Some(s) = m.supplier {
            sbom.metadata.supplier = Some(self.organization(s, path.key("supplier")));
        }
        // 1.6 renamed `manufacture` to `manufacturer`; both mean the same organisation.
        if let Some(o) = m.manufacturer {
            sbom.metadata.manufacturer = Some(self.organization(o, path.key("manufacturer")));
        } else if let Some(o) = m.manufacture {
            sbom.metadata.manufacturer = Some(self.organization(o, path.key("manufacture")));
        }
        if let Some(l) = m.licenses {
            sbom.metadata.licences = self.licenses(l, path.key("licenses"));
        }
        if let Some(p) = m.properties {
            sbom.metadata.properties = self.properties(p, path.key("properties"));
        }
    }

    fn tools(&mut self, value: &serde_json::Value, path: Path<'_>) -> Vec<Tool> {
        let mut out = Vec::new();
        match value {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = path.index(i);
                    match serde_json::from_value::<wire::Tool<'_>>(item.clone()) {
                        Ok(t) => {
                            self.fields(
                                fields::TOOL,
                                "a tool",
                                p,
                                [
                                    ("vendor", t.vendor.is_some()),
                                    ("name", t.name.is_some()),
                                    ("version", t.version.is_some()),
                                    ("hashes", t.hashes.is_some()),
                                    ("externalReferences", t.external_references.is_some()),
                                ],
                                &t.other,
                            );
                            self.hashes(t.hashes.unwrap_or_default(), p.key("hashes"));
                            out.push(Tool::new(owned(t.vendor), owned(t.name), owned(t.version)));
                        }
                        Err(e) => {
                            self.problems
                                .error(ProblemKind::Syntax, p.to_string(), e.to_string());
                        }
                    }
                }
            }
            serde_json::Value::Object(_) if self.minor >= 5 => {
                match serde_json::from_value::<wire::ToolsObject<'_>>(value.clone()) {
                    Ok(t) => {
                        self.fields(
                            fields::TOOLS_OBJECT,
                            "tools",
                            path,
                            [
                                ("components", t.components.is_some()),
                                ("services", t.services.is_some()),
                            ],
                            &t.other,
                        );
                        let components = path.key("components");
                        for (i, c) in t.components.into_iter().flatten().enumerate() {
                            if let Some(c) = self.component(c, components.index(i), Place::Aside) {
                                let vendor = c
                                    .supplier
                                    .as_ref()
                                    .and_then(|s| s.name.clone())
                                    .or(c.group.clone())
                                    .or(c.publisher.clone());
                                out.push(Tool::new(vendor, Some(c.name), c.version));
                            }
                        }
                        let services = path.key("services");
                        for (i, s) in t.services.into_iter().flatten().enumerate() {
                            self.service(&s, services.index(i));
                            out.push(Tool::new(None, owned(s.name), None));
                        }
                    }
                    Err(e) => self
                        .problems
                        .error(ProblemKind::Syntax, path.to_string(), e.to_string()),
                }
            }
            _ => self.problems.error(
                ProblemKind::BadValue,
                path.to_string(),
                if self.minor >= 5 {
                    "`tools` is an object with `components` and `services` (or, deprecated, an array of tools)"
                        .to_owned()
                } else {
                    format!("`tools` is an array of tools in CycloneDX {}", self.version())
                },
            ),
        }
        out
    }

    fn organization(&mut self, o: wire::Organization<'_>, path: Path<'_>) -> Organization {
        self.fields(
            fields::ORGANIZATION,
            "an organisation",
            path,
            [
                ("name", o.name.is_some()),
                ("url", o.url.is_some()),
                ("contact", o.contact.is_some()),
            ],
            &o.other,
        );
        let mut org = Organization::default();
        org.name = owned(o.name);
        org.urls = o
            .url
            .map(|urls| urls.into_iter().map(Cow::into_owned).collect())
            .unwrap_or_default();
        let contacts = path.key("contact");
        for (i, c) in o.contact.into_iter().flatten().enumerate() {
            let contact = self.contact(c, contacts.index(i));
            org.contacts.push(contact);
        }
        org
    }

    fn contact(&mut self, c: wire::Contact<'_>, path: Path<'_>) -> Contact {
        self.fields(
            fields::CONTACT,
            "a contact",
            path,
            [
                ("name", c.name.is_some()),
                ("email", c.email.is_some()),
                ("phone", c.phone.is_some()),
            ],
            &c.other,
        );
        Contact::new(owned(c.name), owned(c.email), owned(c.phone))
    }

    fn declare_ref(&mut self, r: &str, path: Path<'_>) {
        if r.is_empty() {
            // `refType` has `"minLength": 1` from 1.5; before, an empty ref is useless but legal.
            let message = "`bom-ref` is empty: nothing can refer to it";
            let at = path.key("bom-ref").to_string();
            if self.minor >= 5 {
                self.problems.error(ProblemKind::BadValue, at, message);
            } else {
                self.problems.warning(ProblemKind::BadValue, at, message);
            }
            return;
        }
        // "Every bom-ref MUST be unique within the BOM" (definitions.component.properties.bom-ref).
        if let Some(first) = self.refs.get(r) {
            let message =
                format!("bom-ref \"{r}\" is also declared at {first}; bom-refs must be unique");
            self.problems.error(
                ProblemKind::DuplicateRef,
                path.key("bom-ref").to_string(),
                message,
            );
        } else {
            self.refs.insert(r, Declared::of(path));
        }
    }

    /// Validates and converts a component; `place` says where it goes. The strings the model
    /// keeps are moved out of `c` (after every check that reads them).
    fn component(
        &mut self,
        c: wire::Component<'_>,
        path: Path<'_>,
        place: Place,
    ) -> Option<Component> {
        self.fields(
            fields::COMPONENT,
            "a component",
            path,
            [
                ("type", c.kind.is_some()),
                ("bom-ref", c.bom_ref.is_some()),
                ("supplier", c.supplier.is_some()),
                ("manufacturer", c.manufacturer.is_some()),
                ("author", c.author.is_some()),
                ("authors", c.authors.is_some()),
                ("publisher", c.publisher.is_some()),
                ("group", c.group.is_some()),
                ("name", c.name.is_some()),
                ("version", c.version.is_some()),
                ("description", c.description.is_some()),
                ("scope", c.scope.is_some()),
                ("hashes", c.hashes.is_some()),
                ("licenses", c.licenses.is_some()),
                ("copyright", c.copyright.is_some()),
                ("cpe", c.cpe.is_some()),
                ("purl", c.purl.is_some()),
                ("swid", c.swid.is_some()),
                ("pedigree", c.pedigree.is_some()),
                ("externalReferences", c.external_references.is_some()),
                ("properties", c.properties.is_some()),
                ("components", c.components.is_some()),
            ],
            &c.other,
        );
        // `definitions.component.required`: ["type", "name"], and in 1.2/1.3 also "version".
        let kind = match c.kind.as_deref() {
            None => {
                self.problems.error(
                    ProblemKind::MissingField,
                    path.key("type").to_string(),
                    "a component needs a `type` (library, application, firmware, ...)",
                );
                None
            }
            Some(t) => {
                if self.enumerated(fields::COMPONENT_TYPES, "a component type", path, "type", t) {
                    Some(component_kind(t))
                } else {
                    None
                }
            }
        };
        if c.name.is_none() {
            self.problems.error(
                ProblemKind::MissingField,
                path.key("name").to_string(),
                "a component needs a `name`",
            );
        }
        if c.version.is_none() && self.minor <= 3 {
            self.problems.error(
                ProblemKind::MissingField,
                path.key("version").to_string(),
                format!(
                    "a component needs a `version` in CycloneDX {} (optional only from 1.4)",
                    self.version()
                ),
            );
        }
        if let Some(r) = &c.bom_ref {
            self.declare_ref(r, path);
        }
        let scope = c.scope.as_deref().and_then(|s| {
            self.enumerated(fields::SCOPES, "a scope", path, "scope", s)
                .then_some(match s {
                    "optional" => Scope::Optional,
                    "excluded" => Scope::Excluded,
                    _ => Scope::Required,
                })
        });
        let hashes = self.hashes(c.hashes.unwrap_or_default(), path.key("hashes"));
        let licences = c
            .licenses
            .map(|l| self.licenses(l, path.key("licenses")))
            .unwrap_or_default();
        let purl = c.purl.as_deref().and_then(|p| {
            Purl::parse_lenient(p)
                .map_err(|e| {
                    self.problems.warning(
                        ProblemKind::BadPurl,
                        path.key("purl").to_string(),
                        format!(
                            "purl \"{p}\" is not valid ({e}); the component is kept without it"
                        ),
                    );
                })
                .ok()
        });
        let cpes = c
            .cpe
            .as_deref()
            .and_then(|s| {
                s.parse::<Cpe>()
                    .map_err(|e| {
                        self.problems.warning(
                            ProblemKind::BadCpe,
                            path.key("cpe").to_string(),
                            format!(
                                "CPE \"{s}\" is not valid ({e}); the component is kept without it"
                            ),
                        );
                    })
                    .ok()
            })
            .into_iter()
            .collect();
        if let Some(swid) = &c.swid {
            let p = path.key("swid");
            self.fields(
                fields::SWID,
                "swid",
                p,
                [
                    ("tagId", swid.tag_id.is_some()),
                    ("name", swid.name.is_some()),
                ],
                &swid.other,
            );
            // `definitions.swid.required`: ["tagId", "name"].
            for (field, present) in [
                ("tagId", swid.tag_id.is_some()),
                ("name", swid.name.is_some()),
            ] {
                if !present {
                    self.problems.error(
                        ProblemKind::MissingField,
                        p.key(field).to_string(),
                        format!("`swid` needs `{field}`"),
                    );
                }
            }
        }
        if let Some(pedigree) = c.pedigree {
            self.pedigree(*pedigree, path.key("pedigree"));
        }
        let references = path.key("externalReferences");
        let external_references = c
            .external_references
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, r)| self.external_reference(r, references.index(i)))
            .collect();
        let properties = c
            .properties
            .map(|p| self.properties(p, path.key("properties")))
            .unwrap_or_default();
        let supplier = c
            .supplier
            .map(|s| self.organization(s, path.key("supplier")));
        if let Some(m) = c.manufacturer {
            self.organization(*m, path.key("manufacturer"));
        }
        let authors_path = path.key("authors");
        let authors: Vec<String> = c
            .authors
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, a)| self.contact(a, authors_path.index(i)).name)
            .collect();
        let author = owned(c.author).or_else(|| (!authors.is_empty()).then(|| authors.join(", ")));

        let built = match (kind, c.name) {
            (Some(kind), Some(name)) => {
                let mut out = Component::new(kind, name.into_owned());
                out.bom_ref = owned(c.bom_ref);
                out.group = owned(c.group);
                out.version = owned(c.version);
                out.purl = purl;
                out.cpes = cpes;
                out.hashes = hashes;
                out.supplier = supplier;
                out.author = author;
                out.publisher = owned(c.publisher);
                out.licences = licences;
                out.copyright = owned(c.copyright);
                out.description = owned(c.description);
                out.scope = scope;
                out.properties = properties;
                out.external_references = external_references;
                Some(out)
            }
            _ => None,
        };
        // Nested components: flattened into the list, parent before children.
        let (built, child_place) = match place {
            // A listed component is moved into the list, not copied: no caller uses what
            // `component` returns for `Place::List`.
            Place::List(parent) => {
                let index = built.map(|mut b| {
                    b.parent = parent;
                    self.components.push(b);
                    self.components.len() - 1
                });
                (None, Place::List(index))
            }
            // Children of the subject are part of the product: they go into the list, with no
            // parent (the subject is not in the list).
            Place::Subject => (built, Place::List(None)),
            Place::Aside => (built, Place::Aside),
        };
        let children = path.key("components");
        for (i, child) in c.components.into_iter().flatten().enumerate() {
            self.component(child, children.index(i), child_place);
        }
        built
    }

    fn pedigree(&mut self, p: wire::Pedigree<'_>, path: Path<'_>) {
        self.fields(
            fields::PEDIGREE,
            "pedigree",
            path,
            [
                ("ancestors", p.ancestors.is_some()),
                ("descendants", p.descendants.is_some()),
                ("variants", p.variants.is_some()),
                ("patches", p.patches.is_some()),
            ],
            &p.other,
        );
        // Ancestors, descendants and variants are other components (not parts of this BOM's
        // product): validated, not listed.
        for (key, list) in [
            ("ancestors", p.ancestors),
            ("descendants", p.descendants),
            ("variants", p.variants),
        ] {
            let list_path = path.key(key);
            for (i, c) in list.into_iter().flatten().enumerate() {
                self.component(c, list_path.index(i), Place::Aside);
            }
        }
        let patches = path.key("patches");
        for (i, patch) in p.patches.iter().flatten().enumerate() {
            let pp = patches.index(i);
            self.fields(
                fields::PATCH,
                "a patch",
                pp,
                [
                    ("type", patch.kind.is_some()),
                    ("resolves", patch.resolves.is_some()),
                ],
                &patch.other,
            );
            match &patch.kind {
                Some(t) => {
                    self.enumerated(fields::PATCH_TYPES, "a patch type", pp, "type", t);
                }
                None => self.problems.error(
                    ProblemKind::MissingField,
                    pp.key("type").to_string(),
                    "a patch needs a `type`",
                ),
            }
            let resolves = pp.key("resolves");
            for (j, issue) in patch.resolves.iter().flatten().enumerate() {
                let ip = resolves.index(j);
                self.fields(
                    fields::ISSUE,
                    "an issue",
                    ip,
                    [("type", issue.kind.is_some())],
                    &issue.other,
                );
                match &issue.kind {
                    Some(t) => {
                        self.enumerated(fields::ISSUE_TYPES, "an issue type", ip, "type", t);
                    }
                    None => self.problems.error(
                        ProblemKind::MissingField,
                        ip.key("type").to_string(),
                        "an issue needs a `type`",
                    ),
                }
            }
        }
    }

    fn service(&mut self, s: &wire::Service<'_>, path: Path<'_>) {
        // Services are validated where it matters for the model (refs, names, data flows,
        // properties); their other fields are not checked.
        if s.name.is_none() {
            self.problems.error(
                ProblemKind::MissingField,
                path.key("name").to_string(),
                "a service needs a `name`",
            );
        }
        if let Some(r) = &s.bom_ref {
            self.declare_ref(r, path);
        }
        let data = path.key("data");
        for (i, d) in s.data.iter().flatten().enumerate() {
            let dp = data.index(i);
            match &d.flow {
                Some(f) => {
                    self.enumerated(fields::DATA_FLOWS, "a data flow", dp, "flow", f);
                }
                None => self.problems.error(
                    ProblemKind::MissingField,
                    dp.key("flow").to_string(),
                    "service data needs a `flow`",
                ),
            }
            if d.classification.is_none() {
                self.problems.error(
                    ProblemKind::MissingField,
                    dp.key("classification").to_string(),
                    "service data needs a `classification`",
                );
            }
        }
        if let Some(p) = &s.properties {
            self.check_properties(p, path.key("properties"));
        }
        let services = path.key("services");
        for (i, child) in s.services.iter().flatten().enumerate() {
            self.service(child, services.index(i));
        }
    }

    fn hashes(&mut self, hashes: Vec<wire::Hash<'_>>, path: Path<'_>) -> Vec<Hash> {
        let mut out = Vec::with_capacity(hashes.len());
        for (i, h) in hashes.into_iter().enumerate() {
            let p = path.index(i);
            self.fields(
                fields::HASH,
                "a hash",
                p,
                [("alg", h.alg.is_some()), ("content", h.content.is_some())],
                &h.other,
            );
            let (Some(alg), Some(content)) = (h.alg, h.content) else {
                self.problems.error(
                    ProblemKind::MissingField,
                    p.to_string(),
                    "a hash needs `alg` and `content`",
                );
                continue;
            };
            let alg_ok = self.enumerated(fields::HASH_ALGS, "a hash algorithm", p, "alg", &alg);
            // `hash-content` pattern: 32, 40, 64, 96 or 128 hex digits.
            let hex = all_hex_digits(&content);
            if !hex || ![32, 40, 64, 96, 128].contains(&content.len()) {
                self.problems.error(
                    ProblemKind::BadValue,
                    p.key("content").to_string(),
                    format!(
                        "hash content \"{}\" is not 32, 40, 64, 96 or 128 hex digits",
                        abbreviate(&content)
                    ),
                );
                continue;
            }
            if let Some(expected) = digest_hex_len(&alg).filter(|n| *n != content.len()) {
                self.problems.warning(
                    ProblemKind::BadValue,
                    p.key("content").to_string(),
                    format!(
                        "a {alg} digest has {expected} hex digits, this one {}",
                        content.len()
                    ),
                );
            }
            if alg_ok {
                out.push(Hash {
                    alg: alg.into_owned(),
                    value: content.into_owned(),
                });
            }
        }
        out
    }

    fn licenses(&mut self, choices: Vec<wire::LicenseChoice<'_>>, path: Path<'_>) -> Vec<Licence> {
        let mut out = Vec::with_capacity(choices.len());
        let expressions = choices.iter().filter(|c| c.expression.is_some()).count();
        // 1.5+ `licenseChoice`: "EITHER (list of SPDX licenses and/or named licenses) OR
        // (tuple of one SPDX License Expression)".
        if self.minor >= 5 && expressions > 0 && choices.len() > 1 {
            self.problems.error(
                ProblemKind::BadValue,
                path.to_string(),
                format!(
                    "`licenses` holds either licences or exactly one expression in CycloneDX {}; \
                     this one has {} entries, {expressions} of them expressions",
                    self.version(),
                    choices.len()
                ),
            );
        }
        for (i, choice) in choices.into_iter().enumerate() {
            let p = path.index(i);
            self.fields(
                fields::LICENSE_CHOICE,
                "a licence choice",
                p,
                [
                    ("license", choice.license.is_some()),
                    ("expression", choice.expression.is_some()),
                    ("acknowledgement", choice.acknowledgement.is_some()),
                ],
                &choice.other,
            );
            if let Some(a) = &choice.acknowledgement {
                self.enumerated(
                    fields::ACKNOWLEDGEMENTS,
                    "a licence acknowledgement",
                    p,
                    "acknowledgement",
                    a,
                );
            }
            match (choice.license, choice.expression) {
                (Some(_), Some(_)) | (None, None) => self.problems.error(
                    ProblemKind::BadValue,
                    p.to_string(),
                    "each `licenses` entry has exactly one of `license` and `expression`",
                ),
                (None, Some(expr)) => {
                    if spdx::Expression::parse_mode(&expr, spdx::ParseMode::LAX).is_err() {
                        self.problems.warning(
                            ProblemKind::BadLicence,
                            p.key("expression").to_string(),
                            format!("\"{expr}\" is not a valid SPDX licence expression"),
                        );
                    }
                    out.push(Licence::new(
                        LicenceKind::Expression,
                        expr.into_owned(),
                        owned(choice.acknowledgement),
                    ));
                }
                (Some(l), None) => {
                    if let Some(licence) = self.license(l, p.key("license")) {
                        out.push(licence);
                    }
                }
            }
        }
        out
    }

    fn license(&mut self, l: wire::License<'_>, path: Path<'_>) -> Option<Licence> {
        self.fields(
            fields::LICENSE,
            "a licence",
            path,
            [
                ("id", l.id.is_some()),
                ("name", l.name.is_some()),
                ("text", l.text.is_some()),
                ("url", l.url.is_some()),
                ("acknowledgement", l.acknowledgement.is_some()),
                ("properties", l.properties.is_some()),
            ],
            &l.other,
        );
        if let Some(a) = &l.acknowledgement {
            self.enumerated(
                fields::ACKNOWLEDGEMENTS,
                "a licence acknowledgement",
                path,
                "acknowledgement",
                a,
            );
        }
        if let Some(text) = &l.text {
            let tp = path.key("text");
            self.fields(
                fields::ATTACHMENT,
                "an attachment",
                tp,
                [
                    ("contentType", text.content_type.is_some()),
                    ("encoding", text.encoding.is_some()),
                    ("content", text.content.is_some()),
                ],
                &text.other,
            );
            // `attachment.encoding` enum: ["base64"].
            if let Some(enc) = text.encoding.as_deref().filter(|e| *e != "base64") {
                self.problems.error(
                    ProblemKind::BadValue,
                    tp.key("encoding").to_string(),
                    format!("attachment encoding \"{enc}\" is not allowed; the only one is base64"),
                );
            }
            if text.content.is_none() {
                self.problems.error(
                    ProblemKind::MissingField,
                    tp.key("content").to_string(),
                    "an attachment needs `content`",
                );
            }
        }
        if let Some(p) = &l.properties {
            self.check_properties(p, path.key("properties"));
        }
        match (l.id, l.name) {
            (Some(id), None) => {
                // `license.id` is an SPDX licence id (`spdx.schema.json` enum).
                if spdx::license_id(&id).is_none() && spdx::exception_id(&id).is_none() {
                    self.problems.error(
                        ProblemKind::BadLicence,
                        path.key("id").to_string(),
                        format!(
                            "\"{id}\" is not an SPDX licence id; use `name` for other licences"
                        ),
                    );
                    return None;
                }
                Some(Licence::new(
                    LicenceKind::Id,
                    id.into_owned(),
                    owned(l.acknowledgement),
                ))
            }
            (None, Some(name)) => Some(Licence::new(
                LicenceKind::Name,
                name.into_owned(),
                owned(l.acknowledgement),
            )),
            (Some(_), Some(_)) => {
                self.problems.error(
                    ProblemKind::BadValue,
                    path.to_string(),
                    "a licence has either `id` or `name`, not both",
                );
                None
            }
            (None, None) => {
                self.problems.error(
                    ProblemKind::MissingField,
                    path.to_string(),
                    "a licence needs an `id` (SPDX) or a `name`",
                );
                None
            }
        }
    }

    /// Properties that the model keeps.
    fn properties(&mut self, props: Vec<wire::Property<'_>>, path: Path<'_>) -> Vec<Property> {
        let mut out = Vec::with_capacity(props.len());
        for (i, p) in props.into_iter().enumerate() {
            if self.check_property(&p, path.index(i))
                && let Some(name) = p.name
            {
                out.push(Property {
                    name: name.into_owned(),
                    value: owned(p.value),
                });
            }
        }
        out
    }

    /// Properties that are only validated (a service's, a licence's).
    fn check_properties(&mut self, props: &[wire::Property<'_>], path: Path<'_>) {
        for (i, p) in props.iter().enumerate() {
            self.check_property(p, path.index(i));
        }
    }

    /// Whether the property has a name (the problems recorded if not).
    fn check_property(&mut self, p: &wire::Property<'_>, path: Path<'_>) -> bool {
        self.fields(
            fields::PROPERTY,
            "a property",
            path,
            [("name", p.name.is_some()), ("value", p.value.is_some())],
            &p.other,
        );
        if p.name.is_some() {
            return true;
        }
        // `property.required`: ["name"] from 1.6; before, a nameless property is legal but
        // says nothing.
        let at = path.key("name").to_string();
        if self.minor >= 6 {
            self.problems
                .error(ProblemKind::MissingField, at, "a property needs a `name`");
        } else {
            self.problems.warning(
                ProblemKind::MissingField,
                at,
                "a property without a `name` carries nothing; it is left out",
            );
        }
        false
    }

    fn external_reference(
        &mut self,
        r: wire::ExternalReference<'_>,
        path: Path<'_>,
    ) -> Option<ExternalReference> {
        self.fields(
            fields::EXTERNAL_REFERENCE,
            "an external reference",
            path,
            [
                ("url", r.url.is_some()),
                ("type", r.kind.is_some()),
                ("comment", r.comment.is_some()),
                ("hashes", r.hashes.is_some()),
            ],
            &r.other,
        );
        self.hashes(r.hashes.unwrap_or_default(), path.key("hashes"));
        let kind_ok = match &r.kind {
            Some(t) => self.enumerated(
                fields::EXTERNAL_REFERENCE_TYPES,
                "an external reference type",
                path,
                "type",
                t,
            ),
            None => {
                self.problems.error(
                    ProblemKind::MissingField,
                    path.key("type").to_string(),
                    "an external reference needs a `type`",
                );
                false
            }
        };
        let Some(url) = r.url else {
            self.problems.error(
                ProblemKind::MissingField,
                path.key("url").to_string(),
                "an external reference needs a `url`",
            );
            return None;
        };
        kind_ok.then(|| {
            ExternalReference::new(
                r.kind.map(Cow::into_owned).unwrap_or_default(),
                url.into_owned(),
                owned(r.comment),
            )
        })
    }

    fn dependency(&mut self, d: wire::Dependency<'_>, path: Path<'_>) -> Option<Dependency> {
        self.fields(
            fields::DEPENDENCY,
            "a dependency",
            path,
            [
                ("ref", d.reference.is_some()),
                ("dependsOn", d.depends_on.is_some()),
                ("provides", d.provides.is_some()),
            ],
            &d.other,
        );
        let reference = match d.reference {
            None => {
                self.problems.error(
                    ProblemKind::MissingField,
                    path.key("ref").to_string(),
                    "a dependency needs a `ref`",
                );
                None
            }
            Some(r) if r.is_empty() => {
                self.problems.error(
                    ProblemKind::BadValue,
                    path.key("ref").to_string(),
                    "a dependency's `ref` is empty",
                );
                None
            }
            Some(r) => {
                self.check_ref(&r, path.key("ref"));
                Some(r.into_owned())
            }
        };
        let depends = path.key("dependsOn");
        let list = d.depends_on.unwrap_or_default();
        let mut depends_on = Vec::with_capacity(list.len());
        for (i, r) in list.into_iter().enumerate() {
            self.check_ref(&r, depends.index(i));
            depends_on.push(r.into_owned());
        }
        let provides = path.key("provides");
        for (i, r) in d.provides.iter().flatten().enumerate() {
            self.check_ref(r, provides.index(i));
        }
        reference.map(|reference| Dependency {
            reference,
            depends_on,
        })
    }

    fn check_ref(&mut self, r: &str, path: Path<'_>) {
        // A BOM-Link (`urn:cdx:serial/version#ref`) names an element of another BOM.
        if r.starts_with("urn:cdx:") || self.refs.get(r).is_some() {
            return;
        }
        self.problems.error(
            ProblemKind::DanglingRef,
            path.to_string(),
            format!("\"{r}\" is not the bom-ref of any component or service in this BOM"),
        );
    }
}

/// `a.b` where `a` may be empty (the root).
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Where a validated component goes.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// Into `Sbom::components`, nested in the component at this index.
    List(Option<usize>),
    /// `metadata.component`.
    Subject,
    /// Nowhere: tools, pedigree. Validated only.
    Aside,
}

fn component_kind(t: &str) -> ComponentKind {
    match t {
        "application" => ComponentKind::Application,
        "framework" => ComponentKind::Framework,
        "library" => ComponentKind::Library,
        "container" => ComponentKind::Container,
        "platform" => ComponentKind::Platform,
        "operating-system" => ComponentKind::OperatingSystem,
        "device" => ComponentKind::Device,
        "device-driver" => ComponentKind::DeviceDriver,
        "firmware" => ComponentKind::Firmware,
        "file" => ComponentKind::File,
        "machine-learning-model" => ComponentKind::MachineLearningModel,
        "data" => ComponentKind::Data,
        "cryptographic-asset" => ComponentKind::CryptographicAsset,
        _ => ComponentKind::Other,
    }
}

/// `s.bytes().all(|b| b.is_ascii_hexdigit())`, without the early exit so that it is
/// vectorised (it was most of the time spent on hashes).
fn all_hex_digits(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| {
        let lower = b | 0x20;
        ok & (b.wrapping_sub(b'0') < 10 || lower.wrapping_sub(b'a') < 6)
    })
}

/// Hex digits of a digest, for the algorithms with a fixed size (BLAKE3 has none).
fn digest_hex_len(alg: &str) -> Option<usize> {
    Some(match alg {
        "MD5" => 32,
        "SHA-1" => 40,
        "SHA-256" | "SHA3-256" | "BLAKE2b-256" => 64,
        "SHA-384" | "SHA3-384" | "BLAKE2b-384" => 96,
        "SHA-512" | "SHA3-512" | "BLAKE2b-512" => 128,
        _ => return None,
    })
}

fn abbreviate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digits_as_the_standard_library_tells_them() {
        for b in 0..=u8::MAX {
            let s = [b'a', b, b'0'];
            let s = String::from_utf8_lossy(&s);
            assert_eq!(
                all_hex_digits(&s),
                s.bytes().all(|b| b.is_ascii_hexdigit()),
                "{b:#x}"
            );
        }
    }

    #[test]
    fn refs_are_found_by_their_text() {
        let mut refs = Refs::default();
        refs.insert("a", Declared::Listed(0));
        refs.insert("pkg:npm/x@1", Declared::Nested(1, 2));
        refs.insert("", Declared::Elsewhere("metadata.component".to_owned()));
        assert_eq!(
            refs.get("a").map(ToString::to_string).as_deref(),
            Some("components[0]")
        );
        assert_eq!(
            refs.get("pkg:npm/x@1").map(ToString::to_string).as_deref(),
            Some("components[1].components[2]")
        );
        assert!(refs.get("").is_some());
        assert!(refs.get("b").is_none());
        assert!(refs.get("pkg:npm/x@").is_none());
    }
}
