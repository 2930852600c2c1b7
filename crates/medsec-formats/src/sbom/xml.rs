//! CycloneDX XML: read with quick-xml's pull reader into a small element tree, then mapped
//! onto the JSON shape so that one set of wire structs and one validator serve both encodings.
//!
//! Safety: a document type declaration (`<!DOCTYPE`) is refused, so no external entity is
//! ever resolved and no entity can be defined, let alone expanded (XXE, "billion laughs").
//! Only the five predefined entities and character references are accepted. Nesting is
//! capped by [`Limits::max_depth`](super::Limits).
//!
//! The XML encoding differs from JSON in a few ways, mapped here (CycloneDX XML schemas
//! `bom-1.x.xsd`): the version is in the namespace `http://cyclonedx.org/schema/bom/1.x`, not
//! in a field; lists are wrapper elements (`<components><component/>…`); `bom-ref`, `type`,
//! hash `alg`, property `name` are attributes; the dependency graph nests `<dependency ref>`
//! elements. Elements of other namespaces are extensions the schema allows and are skipped.

use std::collections::HashMap;

use medsec_core::component::{Encoding, Original, SbomFormat};
use quick_xml::events::Event;
use serde_json::{Map, Value};

use super::cyclonedx::{self, wire};
use super::{Context, Problem, ProblemKind, Reading, SbomError, idx, join};

const NAMESPACE_PREFIX: &str = "http://cyclonedx.org/schema/bom/";

#[derive(Debug, Default)]
struct Elem {
    prefix: Option<String>,
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Elem>,
    text: String,
    offset: usize,
}

fn invalid(problem: Problem) -> SbomError {
    SbomError::Invalid {
        format: "XML".to_owned(),
        problems: vec![problem],
    }
}

fn syntax(ctx: &Context<'_>, offset: usize, message: impl Into<String>) -> SbomError {
    invalid(Problem::error(ProblemKind::Syntax, "", message).at(ctx.index, offset))
}

/// Parses the XML into a tree, refusing DTDs and unknown entities.
fn parse(ctx: &Context<'_>) -> Result<Elem, SbomError> {
    let mut reader = quick_xml::Reader::from_str(ctx.text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.trim_text(false);
    let mut stack: Vec<Elem> = Vec::new();
    let mut root: Option<Elem> = None;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(start);
            syntax(ctx, at, format!("the XML is not well-formed: {e}"))
        })?;
        match event {
            Event::DocType(_) => {
                return Err(invalid(
                    Problem::error(
                        ProblemKind::XmlDtd,
                        "",
                        "the XML has a document type declaration (<!DOCTYPE>); it is refused \
                         because DTDs can read local files (external entities) and expand \
                         without bound (entity expansion). CycloneDX XML needs none",
                    )
                    .at(ctx.index, start),
                ));
            }
            Event::Start(e) => {
                if stack.len() >= ctx.limits.max_depth {
                    return Err(invalid(
                        Problem::error(
                            ProblemKind::TooDeep,
                            "",
                            format!(
                                "the XML nests deeper than {} elements",
                                ctx.limits.max_depth
                            ),
                        )
                        .at(ctx.index, start),
                    ));
                }
                stack.push(element(ctx, &e, start)?);
            }
            // `<x/>` has no End event.
            Event::Empty(e) => close(element(ctx, &e, start)?, &mut stack, &mut root),
            Event::End(_) => {
                if let Some(elem) = stack.pop() {
                    close(elem, &mut stack, &mut root);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => {
                        let name = r.xml10_content();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_owned(),
                            None => {
                                return Err(entity_error(
                                    ctx,
                                    start,
                                    &format!("unknown entity &{name};"),
                                ));
                            }
                        }
                    }
                    Err(e) => return Err(entity_error(ctx, start, &e.to_string())),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(syntax(
            ctx,
            ctx.text.len(),
            format!(
                "the XML ends inside <{}>",
                stack.last().map_or("", |e| &e.name)
            ),
        ));
    }
    root.ok_or_else(|| syntax(ctx, 0, "the XML has no root element"))
}

fn element(
    ctx: &Context<'_>,
    e: &quick_xml::events::BytesStart<'_>,
    start: usize,
) -> Result<Elem, SbomError> {
    let qname = e.name();
    let full: &str = qname.as_ref();
    let (prefix, name) = match full.split_once(':') {
        Some((p, n)) => (Some(p.to_owned()), n.to_owned()),
        None => (None, full.to_owned()),
    };
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| syntax(ctx, start, format!("bad attribute: {err}")))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| entity_error(ctx, start, &err.to_string()))?;
        let key: &str = attr.key.as_ref();
        attrs.push((key.to_owned(), value.into_owned()));
    }
    Ok(Elem {
        prefix,
        name,
        attrs,
        offset: start,
        ..Elem::default()
    })
}

fn entity_error(ctx: &Context<'_>, offset: usize, detail: &str) -> SbomError {
    invalid(
        Problem::error(
            ProblemKind::XmlDtd,
            "",
            format!(
                "{detail}: only the predefined XML entities (&amp; &lt; &gt; &quot; &apos;) and \
                 character references are accepted"
            ),
        )
        .at(ctx.index, offset),
    )
}

fn close(elem: Elem, stack: &mut [Elem], root: &mut Option<Elem>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(elem),
        None => {
            if root.is_none() {
                *root = Some(elem);
            }
        }
    }
}

pub(crate) fn read(ctx: &Context<'_>, original: Original) -> Result<Reading, SbomError> {
    let mut root = parse(ctx)?;
    let prefix = root.prefix.clone();
    prune(&mut root, &prefix);
    let ns_attr = match &root.prefix {
        Some(p) => format!("xmlns:{p}"),
        None => "xmlns".to_owned(),
    };
    let namespace = root
        .attrs
        .iter()
        .find(|(k, _)| *k == ns_attr)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if root.name != "bom" {
        let hint = if root.name == "RDF" || namespace.contains("spdx") {
            " (SPDX RDF/XML is not read; use SPDX JSON or tag-value)"
        } else {
            ""
        };
        return Err(SbomError::UnknownFormat {
            reason: format!(
                "an XML document whose root element is <{}>{hint}",
                root.name
            ),
        });
    }
    let Some(version) = namespace.strip_prefix(NAMESPACE_PREFIX) else {
        return Err(SbomError::UnknownFormat {
            reason: format!(
                "a <bom> element whose namespace \"{namespace}\" is not {NAMESPACE_PREFIX}1.x"
            ),
        });
    };
    let minor = cyclonedx::minor_version(version)?;
    let mut conv = Converter {
        minor,
        positions: HashMap::new(),
    };
    let mut value = conv.object(&root, "");
    if let Value::Object(map) = &mut value {
        map.insert(
            "bomFormat".to_owned(),
            Value::String("CycloneDX".to_owned()),
        );
        map.insert("specVersion".to_owned(), Value::String(version.to_owned()));
        if let Some(Value::String(v)) = map.get("version")
            && let Ok(n) = v.trim().parse::<i64>()
        {
            map.insert("version".to_owned(), Value::from(n));
        }
    }
    let positions = conv.positions;
    let bom: wire::Bom = serde_json::from_value(value).map_err(|e| SbomError::Invalid {
        format: "CycloneDX XML".to_owned(),
        problems: vec![Problem::error(ProblemKind::Syntax, "", e.to_string())],
    })?;
    let reading = cyclonedx::convert(ctx, bom, Encoding::Xml, original, &|problems| {
        super::locate::apply_positions(ctx, problems, &positions)
    })?;
    debug_assert_eq!(reading.sbom.format, SbomFormat::CycloneDx);
    Ok(reading)
}

/// Drops elements of other namespaces: extensions the schema allows anywhere (`xs:any`).
fn prune(e: &mut Elem, prefix: &Option<String>) {
    e.children.retain(|c| &c.prefix == prefix);
    for c in &mut e.children {
        prune(c, prefix);
    }
}

struct Converter {
    minor: u8,
    positions: HashMap<String, usize>,
}

/// Wrapper elements whose children form a JSON array.
fn is_list(parent: &str, name: &str) -> bool {
    matches!(
        name,
        "components"
            | "services"
            | "hashes"
            | "licenses"
            | "properties"
            | "externalReferences"
            | "authors"
            | "ancestors"
            | "descendants"
            | "variants"
            | "patches"
            | "resolves"
            | "commits"
            | "endpoints"
            | "tags"
            | "lifecycles"
            | "references"
    ) || (name == "data" && parent == "service")
}

/// Children that are arrays in JSON even when they appear once.
fn is_repeated(parent: &str, name: &str) -> bool {
    matches!(
        (parent, name),
        (
            "supplier" | "manufacturer" | "manufacture" | "provider" | "organization",
            "url" | "contact"
        )
    )
}

impl Converter {
    fn record(&mut self, path: &str, offset: usize) {
        self.positions.entry(path.to_owned()).or_insert(offset);
    }

    fn text(e: &Elem) -> Value {
        Value::String(e.text.trim().to_owned())
    }

    fn attrs_into(&mut self, e: &Elem, map: &mut Map<String, Value>, path: &str) {
        for (k, v) in &e.attrs {
            if k == "xmlns" || k.starts_with("xmlns:") || k.contains(':') {
                continue;
            }
            let key = if k == "content-type" {
                "contentType"
            } else {
                k
            };
            self.record(&join(path, key), e.offset);
            map.insert(key.to_owned(), Value::String(v.clone()));
        }
    }

    /// Any element: leaf text, or an object of attributes and children.
    fn value(&mut self, parent: &str, e: &Elem, path: &str) -> Value {
        self.record(path, e.offset);
        match e.name.as_str() {
            "hash" => return self.with_text(e, path, "content"),
            "property" => return self.with_text(e, path, "value"),
            "text" if parent == "license" || parent == "diff" => {
                return self.with_text(e, path, "content");
            }
            "tools" if e.children.iter().all(|c| c.name == "tool") => {
                return self.list(e, path);
            }
            _ => {}
        }
        if is_list(parent, &e.name) {
            return self.list(e, path);
        }
        if e.children.is_empty() && e.attrs.iter().all(|(k, _)| k.starts_with("xmlns")) {
            return Self::text(e);
        }
        self.object(e, path)
    }

    fn with_text(&mut self, e: &Elem, path: &str, key: &str) -> Value {
        let mut map = Map::new();
        self.attrs_into(e, &mut map, path);
        map.insert(key.to_owned(), Self::text(e));
        Value::Object(map)
    }

    fn object(&mut self, e: &Elem, path: &str) -> Value {
        self.record(path, e.offset);
        let mut map = Map::new();
        self.attrs_into(e, &mut map, path);
        for child in e.children.iter() {
            if e.name == "bom" && child.name == "dependencies" {
                let deps = self.dependencies(child, "dependencies");
                map.insert("dependencies".to_owned(), deps);
                continue;
            }
            if is_repeated(&e.name, &child.name) {
                let key = child.name.clone();
                let n = map.get(&key).and_then(Value::as_array).map_or(0, Vec::len);
                let p = idx(&join(path, &key), n);
                let v = self.value(&e.name, child, &p);
                if let Value::Array(items) =
                    map.entry(key).or_insert_with(|| Value::Array(Vec::new()))
                {
                    items.push(v);
                }
                continue;
            }
            let p = join(path, &child.name);
            let v = self.value(&e.name, child, &p);
            // A repeated element that JSON has once is kept as the first; the validator
            // would not know where the second belongs.
            map.entry(child.name.clone()).or_insert(v);
        }
        Value::Object(map)
    }

    fn list(&mut self, e: &Elem, path: &str) -> Value {
        self.record(path, e.offset);
        let mut items = Vec::new();
        for (i, child) in e.children.iter().enumerate() {
            let p = idx(path, i);
            let v = match (e.name.as_str(), child.name.as_str()) {
                // `<licenses><license>…</license>` / `<licenses><expression>…</expression>`.
                ("licenses", "license") => {
                    // 1.6 `acknowledgement` is an attribute here and a field inside
                    // `license` in JSON: `object` puts it there.
                    let license = self.object(child, &join(&p, "license"));
                    let mut map = Map::new();
                    map.insert("license".to_owned(), license);
                    Value::Object(map)
                }
                ("licenses", "expression") => self.with_text(child, &p, "expression"),
                // 1.2–1.4 `<data><classification flow="inbound">PII</classification>`.
                ("data", "classification") => self.with_text(child, &p, "classification"),
                // 1.5+ `<data><dataflow flow="…"><classification>…</classification>`.
                ("data", "dataflow") => self.object(child, &p),
                ("tags" | "endpoints" | "references", _) => {
                    self.record(&p, child.offset);
                    Self::text(child)
                }
                _ => self.value(&e.name, child, &p),
            };
            items.push(v);
        }
        Value::Array(items)
    }

    /// `<dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies>`.
    fn dependencies(&mut self, e: &Elem, path: &str) -> Value {
        self.record(path, e.offset);
        let mut items = Vec::new();
        for (i, dep) in e.children.iter().enumerate() {
            let p = idx(path, i);
            self.record(&p, dep.offset);
            let mut map = Map::new();
            self.attrs_into(dep, &mut map, &p);
            let mut depends_on = Vec::new();
            let mut provides = Vec::new();
            for child in dep.children.iter() {
                let reference = child
                    .attrs
                    .iter()
                    .find(|(k, _)| k == "ref")
                    .map(|(_, v)| Value::String(v.clone()))
                    .unwrap_or(Value::Null);
                let (key, list) = if child.name == "provides" {
                    ("provides", &mut provides)
                } else {
                    ("dependsOn", &mut depends_on)
                };
                self.record(&idx(&join(&p, key), list.len()), child.offset);
                list.push(reference);
            }
            if !depends_on.is_empty() {
                map.insert("dependsOn".to_owned(), Value::Array(depends_on));
            }
            if !provides.is_empty() && self.minor >= 6 {
                map.insert("provides".to_owned(), Value::Array(provides));
            }
            items.push(Value::Object(map));
        }
        Value::Array(items)
    }
}
