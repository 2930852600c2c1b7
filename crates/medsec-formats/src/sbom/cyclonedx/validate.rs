//! The one seam from CycloneDX wire structs to the model: every rule of the declared spec
//! version is checked here and every problem collected with its path.

use std::collections::HashMap;

use medsec_core::Purl;
use medsec_core::component::{
    Component, ComponentKind, Contact, Dependency, Encoding, ExternalReference, Hash, Licence,
    LicenceKind, Organization, Original, Property, Sbom, SbomFormat, Scope, Tool,
};
use medsec_core::cpe::Cpe;

use super::fields::{self, Table};
use super::wire;
use crate::sbom::{Context, ProblemKind, Problems, Reading, SbomError, idx, is_rfc3339, join};

/// Validates a parsed document against its declared version and converts it.
pub(crate) fn convert(
    _ctx: &Context<'_>,
    mut bom: wire::Bom,
    encoding: Encoding,
    original: Original,
    positions: &dyn Fn(&mut [crate::sbom::Problem]),
) -> Result<Reading, SbomError> {
    let format = match encoding {
        Encoding::Xml => "CycloneDX XML",
        _ => "CycloneDX JSON",
    };
    let mut problems = Problems::new();
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
    let Some(spec_version) = bom.spec_version.clone() else {
        problems.error(
            ProblemKind::MissingField,
            "specVersion",
            "`specVersion` is required: it says which CycloneDX rules apply",
        );
        return problems.finish(
            Sbom::new(SbomFormat::CycloneDx, "", encoding, original),
            format,
            positions,
        );
    };
    let minor = super::minor_version(&spec_version)?;
    let mut sbom = Sbom::new(SbomFormat::CycloneDx, spec_version, encoding, original);
    let mut v = Validator {
        minor,
        problems,
        refs: HashMap::new(),
        // Sized once: growing a vector of large elements frees ever larger blocks, and each
        // such free made glibc consolidate its small-block bins (a tenth of the time).
        components: Vec::with_capacity(bom.components.as_ref().map_or(0, Vec::len)),
    };
    v.bom(&mut bom, &mut sbom);
    let Validator {
        problems,
        components,
        ..
    } = v;
    sbom.components = components;
    problems.finish(sbom, format, positions)
}

struct Validator {
    minor: u8,
    problems: Problems,
    /// Every bom-ref declared, with the path where it was first declared.
    refs: HashMap<String, String>,
    components: Vec<Component>,
}

impl Validator {
    fn version(&self) -> String {
        format!("1.{}", self.minor)
    }

    /// Fields present in an object, checked against the version's table.
    fn fields<'a>(
        &mut self,
        table: Table,
        what: &str,
        path: &str,
        typed: impl IntoIterator<Item = (&'a str, bool)>,
        other: &wire::Other,
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
                .error(ProblemKind::UnknownField, join(path, &name), message);
        }
    }

    /// A value from a closed vocabulary.
    /// `parent` and `key` make the path, joined only for a problem (most values are fine,
    /// and building a path string for each one showed in profiles).
    fn enumerated(
        &mut self,
        table: Table,
        what: &str,
        parent: &str,
        key: &str,
        value: &str,
    ) -> bool {
        match fields::lookup(table, value, self.minor) {
            Ok(()) => true,
            Err(since) => {
                let path = join(parent, key);
                let added = since.map_or(String::new(), |s| format!(" (it was added in 1.{s})"));
                self.problems.error(
                    ProblemKind::BadValue,
                    path,
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

    fn bom(&mut self, bom: &mut wire::Bom, sbom: &mut Sbom) {
        self.fields(
            fields::BOM,
            "the BOM",
            "",
            [
                ("bomFormat", bom.bom_format.is_some()),
                ("specVersion", bom.spec_version.is_some()),
                ("serialNumber", bom.serial_number.is_some()),
                ("version", bom.version.is_some()),
                ("metadata", bom.metadata.is_some()),
                ("components", bom.components.is_some()),
                ("services", bom.services.is_some()),
                ("dependencies", bom.dependencies.is_some()),
                ("externalReferences", bom.external_references.is_some()),
                ("properties", bom.properties.is_some()),
            ],
            &bom.other,
        );
        if let Some(serial) = &bom.serial_number {
            self.serial_number(serial);
            sbom.serial_number = Some(serial.clone());
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
        if let Some(metadata) = &mut bom.metadata {
            self.metadata(metadata, sbom);
        }
        // Each wire component is dropped as soon as it is converted, so that its memory is
        // reused for the next ones; dropping them all at the end left millions of small free
        // blocks for glibc to consolidate (a fifth of the time).
        for (i, mut c) in bom.components.take().into_iter().flatten().enumerate() {
            self.component(&mut c, &idx("components", i), Place::List(None));
        }
        for (i, s) in bom.services.iter().flatten().enumerate() {
            self.service(s, &idx("services", i));
        }
        for (i, r) in bom.external_references.iter().flatten().enumerate() {
            self.external_reference(r, &idx("externalReferences", i));
        }
        if let Some(props) = &bom.properties {
            self.properties(props, "properties");
        }
        for (i, d) in bom.dependencies.iter().flatten().enumerate() {
            if let Some(dep) = self.dependency(d, &idx("dependencies", i)) {
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

    fn metadata(&mut self, m: &mut wire::Metadata, sbom: &mut Sbom) {
        let path = "metadata";
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
        if let Some(ts) = &m.timestamp {
            if !is_rfc3339(ts) {
                self.problems.error(
                    ProblemKind::BadValue,
                    join(path, "timestamp"),
                    format!(
                        "`timestamp` \"{ts}\" is not an RFC 3339 date-time \
                         (e.g. 2024-05-01T12:00:00Z)"
                    ),
                );
            }
            sbom.metadata.timestamp = Some(ts.clone());
        }
        if let Some(tools) = &m.tools {
            sbom.metadata.tools = self.tools(tools, &join(path, "tools"));
        }
        for (i, a) in m.authors.iter().flatten().enumerate() {
            sbom.metadata
                .authors
                .push(self.contact(a, &idx(&join(path, "authors"), i)));
        }
        if let Some(c) = &mut m.component {
            sbom.metadata.component = self
                .component(c, &join(path, "component"), Place::Subject)
                .map(Box::new);
        }
        if let Some(s) = &m.supplier {
            sbom.metadata.supplier = Some(self.organization(s, &join(path, "supplier")));
        }
        // 1.6 renamed `manufacture` to `manufacturer`; both mean the same organisation.
        if let Some(o) = &m.manufacturer {
            sbom.metadata.manufacturer = Some(self.organization(o, &join(path, "manufacturer")));
        } else if let Some(o) = &m.manufacture {
            sbom.metadata.manufacturer = Some(self.organization(o, &join(path, "manufacture")));
        }
        if let Some(l) = &m.licenses {
            sbom.metadata.licences = self.licenses(l, &join(path, "licenses"));
        }
        if let Some(p) = &m.properties {
            sbom.metadata.properties = self.properties(p, &join(path, "properties"));
        }
    }

    fn tools(&mut self, value: &serde_json::Value, path: &str) -> Vec<Tool> {
        let mut out = Vec::new();
        match value {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = idx(path, i);
                    match serde_json::from_value::<wire::Tool>(item.clone()) {
                        Ok(t) => {
                            self.fields(
                                fields::TOOL,
                                "a tool",
                                &p,
                                [
                                    ("vendor", t.vendor.is_some()),
                                    ("name", t.name.is_some()),
                                    ("version", t.version.is_some()),
                                    ("hashes", t.hashes.is_some()),
                                    ("externalReferences", t.external_references.is_some()),
                                ],
                                &t.other,
                            );
                            self.hashes(t.hashes.as_deref().unwrap_or_default(), &join(&p, "hashes"));
                            out.push(Tool::new(t.vendor, t.name, t.version));
                        }
                        Err(e) => self.problems.error(ProblemKind::Syntax, p, e.to_string()),
                    }
                }
            }
            serde_json::Value::Object(_) if self.minor >= 5 => {
                match serde_json::from_value::<wire::ToolsObject>(value.clone()) {
                    Ok(mut t) => {
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
                        for (i, c) in t.components.iter_mut().flatten().enumerate() {
                            if let Some(c) =
                                self.component(c, &idx(&join(path, "components"), i), Place::Aside)
                            {
                                let vendor = c
                                    .supplier
                                    .as_ref()
                                    .and_then(|s| s.name.clone())
                                    .or(c.group.clone())
                                    .or(c.publisher.clone());
                                out.push(Tool::new(vendor, Some(c.name), c.version));
                            }
                        }
                        for (i, s) in t.services.iter().flatten().enumerate() {
                            self.service(s, &idx(&join(path, "services"), i));
                            out.push(Tool::new(None, s.name.clone(), None));
                        }
                    }
                    Err(e) => self
                        .problems
                        .error(ProblemKind::Syntax, path, e.to_string()),
                }
            }
            _ => self.problems.error(
                ProblemKind::BadValue,
                path,
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

    fn organization(&mut self, o: &wire::Organization, path: &str) -> Organization {
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
        org.name = o.name.clone();
        org.urls = o.url.clone().unwrap_or_default();
        for (i, c) in o.contact.iter().flatten().enumerate() {
            let contact = self.contact(c, &idx(&join(path, "contact"), i));
            org.contacts.push(contact);
        }
        org
    }

    fn contact(&mut self, c: &wire::Contact, path: &str) -> Contact {
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
        Contact::new(c.name.clone(), c.email.clone(), c.phone.clone())
    }

    fn declare_ref(&mut self, r: &str, path: &str) {
        if r.is_empty() {
            // `refType` has `"minLength": 1` from 1.5; before, an empty ref is useless but legal.
            let message = "`bom-ref` is empty: nothing can refer to it";
            if self.minor >= 5 {
                self.problems
                    .error(ProblemKind::BadValue, join(path, "bom-ref"), message);
            } else {
                self.problems
                    .warning(ProblemKind::BadValue, join(path, "bom-ref"), message);
            }
            return;
        }
        // "Every bom-ref MUST be unique within the BOM" (definitions.component.properties.bom-ref).
        if let Some(first) = self.refs.get(r) {
            let message =
                format!("bom-ref \"{r}\" is also declared at {first}; bom-refs must be unique");
            self.problems
                .error(ProblemKind::DuplicateRef, join(path, "bom-ref"), message);
        } else {
            self.refs.insert(r.to_owned(), path.to_owned());
        }
    }

    /// Validates and converts a component; `place` says where it goes.
    /// Validates and converts a component; `place` says where it goes. The strings the model
    /// keeps are moved out of `c` (after every check that reads them), not copied.
    fn component(
        &mut self,
        c: &mut wire::Component,
        path: &str,
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
                    join(path, "type"),
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
                join(path, "name"),
                "a component needs a `name`",
            );
        }
        if c.version.is_none() && self.minor <= 3 {
            self.problems.error(
                ProblemKind::MissingField,
                join(path, "version"),
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
        let hashes = self.hashes(
            c.hashes.as_deref().unwrap_or_default(),
            &join(path, "hashes"),
        );
        let licences = c
            .licenses
            .as_ref()
            .map(|l| self.licenses(l, &join(path, "licenses")))
            .unwrap_or_default();
        let purl = c.purl.as_deref().and_then(|p| {
            Purl::parse_lenient(p)
                .map_err(|e| {
                    self.problems.warning(
                        ProblemKind::BadPurl,
                        join(path, "purl"),
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
                            join(path, "cpe"),
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
            let p = join(path, "swid");
            self.fields(
                fields::SWID,
                "swid",
                &p,
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
                        join(&p, field),
                        format!("`swid` needs `{field}`"),
                    );
                }
            }
        }
        if let Some(pedigree) = &mut c.pedigree {
            self.pedigree(pedigree, &join(path, "pedigree"));
        }
        let external_references = c
            .external_references
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, r)| {
                self.external_reference(r, &idx(&join(path, "externalReferences"), i))
            })
            .collect();
        let properties = c
            .properties
            .as_ref()
            .map(|p| self.properties(p, &join(path, "properties")))
            .unwrap_or_default();
        let supplier = c
            .supplier
            .as_ref()
            .map(|s| self.organization(s, &join(path, "supplier")));
        if let Some(m) = &c.manufacturer {
            self.organization(m, &join(path, "manufacturer"));
        }
        let authors: Vec<String> = c
            .authors
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, a)| self.contact(a, &idx(&join(path, "authors"), i)).name)
            .collect();
        let author = c
            .author
            .take()
            .or_else(|| (!authors.is_empty()).then(|| authors.join(", ")));

        let built = match (kind, c.name.take()) {
            (Some(kind), Some(name)) => {
                let mut out = Component::new(kind, name);
                out.bom_ref = c.bom_ref.take();
                out.group = c.group.take();
                out.version = c.version.take();
                out.purl = purl;
                out.cpes = cpes;
                out.hashes = hashes;
                out.supplier = supplier;
                out.author = author;
                out.publisher = c.publisher.take();
                out.licences = licences;
                out.copyright = c.copyright.take();
                out.description = c.description.take();
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
        for (i, child) in c.components.iter_mut().flatten().enumerate() {
            self.component(child, &idx(&join(path, "components"), i), child_place);
        }
        built
    }

    fn pedigree(&mut self, p: &mut wire::Pedigree, path: &str) {
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
            ("ancestors", &mut p.ancestors),
            ("descendants", &mut p.descendants),
            ("variants", &mut p.variants),
        ] {
            for (i, c) in list.iter_mut().flatten().enumerate() {
                self.component(c, &idx(&join(path, key), i), Place::Aside);
            }
        }
        for (i, patch) in p.patches.iter().flatten().enumerate() {
            let pp = idx(&join(path, "patches"), i);
            self.fields(
                fields::PATCH,
                "a patch",
                &pp,
                [
                    ("type", patch.kind.is_some()),
                    ("resolves", patch.resolves.is_some()),
                ],
                &patch.other,
            );
            match &patch.kind {
                Some(t) => {
                    self.enumerated(fields::PATCH_TYPES, "a patch type", &pp, "type", t);
                }
                None => self.problems.error(
                    ProblemKind::MissingField,
                    join(&pp, "type"),
                    "a patch needs a `type`",
                ),
            }
            for (j, issue) in patch.resolves.iter().flatten().enumerate() {
                let ip = idx(&join(&pp, "resolves"), j);
                self.fields(
                    fields::ISSUE,
                    "an issue",
                    &ip,
                    [("type", issue.kind.is_some())],
                    &issue.other,
                );
                match &issue.kind {
                    Some(t) => {
                        self.enumerated(fields::ISSUE_TYPES, "an issue type", &ip, "type", t);
                    }
                    None => self.problems.error(
                        ProblemKind::MissingField,
                        join(&ip, "type"),
                        "an issue needs a `type`",
                    ),
                }
            }
        }
    }

    fn service(&mut self, s: &wire::Service, path: &str) {
        // Services are validated where it matters for the model (refs, names, data flows,
        // properties); their other fields are not checked.
        if s.name.is_none() {
            self.problems.error(
                ProblemKind::MissingField,
                join(path, "name"),
                "a service needs a `name`",
            );
        }
        if let Some(r) = &s.bom_ref {
            self.declare_ref(r, path);
        }
        for (i, d) in s.data.iter().flatten().enumerate() {
            let dp = idx(&join(path, "data"), i);
            match &d.flow {
                Some(f) => {
                    self.enumerated(fields::DATA_FLOWS, "a data flow", &dp, "flow", f);
                }
                None => self.problems.error(
                    ProblemKind::MissingField,
                    join(&dp, "flow"),
                    "service data needs a `flow`",
                ),
            }
            if d.classification.is_none() {
                self.problems.error(
                    ProblemKind::MissingField,
                    join(&dp, "classification"),
                    "service data needs a `classification`",
                );
            }
        }
        if let Some(p) = &s.properties {
            self.properties(p, &join(path, "properties"));
        }
        for (i, child) in s.services.iter().flatten().enumerate() {
            self.service(child, &idx(&join(path, "services"), i));
        }
    }

    fn hashes(&mut self, hashes: &[wire::Hash], path: &str) -> Vec<Hash> {
        let mut out = Vec::new();
        for (i, h) in hashes.iter().enumerate() {
            let p = idx(path, i);
            self.fields(
                fields::HASH,
                "a hash",
                &p,
                [("alg", h.alg.is_some()), ("content", h.content.is_some())],
                &h.other,
            );
            let (Some(alg), Some(content)) = (&h.alg, &h.content) else {
                self.problems.error(
                    ProblemKind::MissingField,
                    p,
                    "a hash needs `alg` and `content`",
                );
                continue;
            };
            let alg_ok = self.enumerated(fields::HASH_ALGS, "a hash algorithm", &p, "alg", alg);
            // `hash-content` pattern: 32, 40, 64, 96 or 128 hex digits.
            let hex = content.bytes().all(|b| b.is_ascii_hexdigit());
            if !hex || ![32, 40, 64, 96, 128].contains(&content.len()) {
                self.problems.error(
                    ProblemKind::BadValue,
                    join(&p, "content"),
                    format!(
                        "hash content \"{}\" is not 32, 40, 64, 96 or 128 hex digits",
                        abbreviate(content)
                    ),
                );
                continue;
            }
            if let Some(expected) = digest_hex_len(alg).filter(|n| *n != content.len()) {
                self.problems.warning(
                    ProblemKind::BadValue,
                    join(&p, "content"),
                    format!(
                        "a {alg} digest has {expected} hex digits, this one {}",
                        content.len()
                    ),
                );
            }
            if alg_ok {
                out.push(Hash {
                    alg: alg.clone(),
                    value: content.clone(),
                });
            }
        }
        out
    }

    fn licenses(&mut self, choices: &[wire::LicenseChoice], path: &str) -> Vec<Licence> {
        let mut out = Vec::new();
        let expressions = choices.iter().filter(|c| c.expression.is_some()).count();
        // 1.5+ `licenseChoice`: "EITHER (list of SPDX licenses and/or named licenses) OR
        // (tuple of one SPDX License Expression)".
        if self.minor >= 5 && expressions > 0 && choices.len() > 1 {
            self.problems.error(
                ProblemKind::BadValue,
                path,
                format!(
                    "`licenses` holds either licences or exactly one expression in CycloneDX {}; \
                     this one has {} entries, {expressions} of them expressions",
                    self.version(),
                    choices.len()
                ),
            );
        }
        for (i, choice) in choices.iter().enumerate() {
            let p = idx(path, i);
            self.fields(
                fields::LICENSE_CHOICE,
                "a licence choice",
                &p,
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
                    &p,
                    "acknowledgement",
                    a,
                );
            }
            match (&choice.license, &choice.expression) {
                (Some(_), Some(_)) | (None, None) => self.problems.error(
                    ProblemKind::BadValue,
                    &p,
                    "each `licenses` entry has exactly one of `license` and `expression`",
                ),
                (None, Some(expr)) => {
                    if spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX).is_err() {
                        self.problems.warning(
                            ProblemKind::BadLicence,
                            join(&p, "expression"),
                            format!("\"{expr}\" is not a valid SPDX licence expression"),
                        );
                    }
                    out.push(Licence::new(
                        LicenceKind::Expression,
                        expr.clone(),
                        choice.acknowledgement.clone(),
                    ));
                }
                (Some(l), None) => {
                    if let Some(licence) = self.license(l, &join(&p, "license")) {
                        out.push(licence);
                    }
                }
            }
        }
        out
    }

    fn license(&mut self, l: &wire::License, path: &str) -> Option<Licence> {
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
            let tp = join(path, "text");
            self.fields(
                fields::ATTACHMENT,
                "an attachment",
                &tp,
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
                    join(&tp, "encoding"),
                    format!("attachment encoding \"{enc}\" is not allowed; the only one is base64"),
                );
            }
            if text.content.is_none() {
                self.problems.error(
                    ProblemKind::MissingField,
                    join(&tp, "content"),
                    "an attachment needs `content`",
                );
            }
        }
        if let Some(p) = &l.properties {
            self.properties(p, &join(path, "properties"));
        }
        match (&l.id, &l.name) {
            (Some(id), None) => {
                // `license.id` is an SPDX licence id (`spdx.schema.json` enum).
                if spdx::license_id(id).is_none() && spdx::exception_id(id).is_none() {
                    self.problems.error(
                        ProblemKind::BadLicence,
                        join(path, "id"),
                        format!(
                            "\"{id}\" is not an SPDX licence id; use `name` for other licences"
                        ),
                    );
                    return None;
                }
                Some(Licence::new(
                    LicenceKind::Id,
                    id.clone(),
                    l.acknowledgement.clone(),
                ))
            }
            (None, Some(name)) => Some(Licence::new(
                LicenceKind::Name,
                name.clone(),
                l.acknowledgement.clone(),
            )),
            (Some(_), Some(_)) => {
                self.problems.error(
                    ProblemKind::BadValue,
                    path,
                    "a licence has either `id` or `name`, not both",
                );
                None
            }
            (None, None) => {
                self.problems.error(
                    ProblemKind::MissingField,
                    path,
                    "a licence needs an `id` (SPDX) or a `name`",
                );
                None
            }
        }
    }

    fn properties(&mut self, props: &[wire::Property], path: &str) -> Vec<Property> {
        let mut out = Vec::new();
        for (i, p) in props.iter().enumerate() {
            let pp = idx(path, i);
            self.fields(
                fields::PROPERTY,
                "a property",
                &pp,
                [("name", p.name.is_some()), ("value", p.value.is_some())],
                &p.other,
            );
            match &p.name {
                Some(name) => out.push(Property {
                    name: name.clone(),
                    value: p.value.clone(),
                }),
                // `property.required`: ["name"] from 1.6; before, a nameless property is legal
                // but says nothing.
                None if self.minor >= 6 => self.problems.error(
                    ProblemKind::MissingField,
                    join(&pp, "name"),
                    "a property needs a `name`",
                ),
                None => self.problems.warning(
                    ProblemKind::MissingField,
                    join(&pp, "name"),
                    "a property without a `name` carries nothing; it is left out",
                ),
            }
        }
        out
    }

    fn external_reference(
        &mut self,
        r: &wire::ExternalReference,
        path: &str,
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
        self.hashes(
            r.hashes.as_deref().unwrap_or_default(),
            &join(path, "hashes"),
        );
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
                    join(path, "type"),
                    "an external reference needs a `type`",
                );
                false
            }
        };
        let Some(url) = &r.url else {
            self.problems.error(
                ProblemKind::MissingField,
                join(path, "url"),
                "an external reference needs a `url`",
            );
            return None;
        };
        kind_ok.then(|| {
            ExternalReference::new(
                r.kind.clone().unwrap_or_default(),
                url.clone(),
                r.comment.clone(),
            )
        })
    }

    fn dependency(&mut self, d: &wire::Dependency, path: &str) -> Option<Dependency> {
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
        let reference = match d.reference.as_deref() {
            None => {
                self.problems.error(
                    ProblemKind::MissingField,
                    join(path, "ref"),
                    "a dependency needs a `ref`",
                );
                None
            }
            Some("") => {
                self.problems.error(
                    ProblemKind::BadValue,
                    join(path, "ref"),
                    "a dependency's `ref` is empty",
                );
                None
            }
            Some(r) => {
                self.check_ref(r, &join(path, "ref"));
                Some(r.to_owned())
            }
        };
        let mut depends_on = Vec::new();
        for (key, list) in [("dependsOn", &d.depends_on), ("provides", &d.provides)] {
            for (i, r) in list.iter().flatten().enumerate() {
                self.check_ref(r, &idx(&join(path, key), i));
                if key == "dependsOn" {
                    depends_on.push(r.clone());
                }
            }
        }
        reference.map(|reference| Dependency {
            reference,
            depends_on,
        })
    }

    fn check_ref(&mut self, r: &str, path: &str) {
        // A BOM-Link (`urn:cdx:serial/version#ref`) names an element of another BOM.
        if r.starts_with("urn:cdx:") || self.refs.contains_key(r) {
            return;
        }
        self.problems.error(
            ProblemKind::DanglingRef,
            path,
            format!("\"{r}\" is not the bom-ref of any component or service in this BOM"),
        );
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
