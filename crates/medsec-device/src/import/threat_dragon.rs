//! OWASP Threat Dragon v2 JSON → device file. The mapping is in the module docs of
//! [`crate::import`].

use std::collections::HashMap;

use serde_json::Value;

use super::report::{ImportError, ItemKind};
use super::{Draft, Imported, Options, one_line, stride};
use crate::model::{
    Authentication, Control, Direction, Element, ElementKind, Encryption, Flow, Mitigation,
    PhysicalAccess, TrustLevel, TrustZone,
};

const TOOL: &str = "OWASP Threat Dragon";

#[derive(Debug, Clone, Copy, PartialEq)]
struct Box2 {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Box2 {
    fn contains_point(&self, (px, py): (f64, f64)) -> bool {
        px >= self.x && px <= self.x + self.w && py >= self.y && py <= self.y + self.h
    }

    fn contains(&self, other: &Box2) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.w <= self.x + self.w
            && other.y + other.h <= self.y + self.h
    }

    fn area(&self) -> f64 {
        self.w * self.h
    }

    fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CellKind {
    Actor,
    Process,
    Store,
    Flow,
    BoundaryBox,
    BoundaryCurve,
    Text,
}

fn cell_kind(cell: &Value) -> Option<CellKind> {
    let data_type = cell
        .pointer("/data/type")
        .or_else(|| cell.get("type"))
        .and_then(Value::as_str);
    let by_type = match data_type {
        Some("tm.Actor") => Some(CellKind::Actor),
        Some("tm.Process") => Some(CellKind::Process),
        Some("tm.Store") => Some(CellKind::Store),
        Some("tm.Flow") => Some(CellKind::Flow),
        Some("tm.BoundaryBox") => Some(CellKind::BoundaryBox),
        Some("tm.Boundary") => Some(CellKind::BoundaryCurve),
        Some("tm.Text") => Some(CellKind::Text),
        _ => None,
    };
    by_type.or_else(|| match cell.get("shape").and_then(Value::as_str) {
        Some("actor") => Some(CellKind::Actor),
        Some("process") => Some(CellKind::Process),
        Some("store") => Some(CellKind::Store),
        Some("flow") => Some(CellKind::Flow),
        Some("trust-boundary-box") => Some(CellKind::BoundaryBox),
        // Threat Dragon itself writes the misspelt shape name.
        Some("trust-boundary-curve" | "trust-broundary-curve") => Some(CellKind::BoundaryCurve),
        Some("td-text-block") => Some(CellKind::Text),
        _ => None,
    })
}

fn text_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn cell_name(cell: &Value) -> Option<String> {
    text_at(cell, "/data/name")
        .or_else(|| text_at(cell, "/attrs/text/text"))
        .or_else(|| text_at(cell, "/attrs/label/text"))
        .or_else(|| text_at(cell, "/labels/0/attrs/label/text"))
        .or_else(|| text_at(cell, "/labels/0/attrs/text/text"))
        .map(one_line)
}

fn flag(cell: &Value, name: &str) -> bool {
    cell.pointer(&format!("/data/{name}"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn geometry(cell: &Value) -> Option<Box2> {
    let num = |p: &str| cell.pointer(p).and_then(Value::as_f64);
    let b = Box2 {
        x: num("/position/x")?,
        y: num("/position/y")?,
        w: num("/size/width")?,
        h: num("/size/height")?,
    };
    (b.w.is_finite() && b.h.is_finite() && b.w >= 0.0 && b.h >= 0.0).then_some(b)
}

/// The free-text protocol of a flow, mapped to our vocabulary (see the module docs).
pub fn map_protocol(text: &str) -> Option<&'static str> {
    let key: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "https" | "http/s" | "tls" | "httpovertls" | "https/tls" | "http(s)" => "https",
        "http" => "http",
        "ws" | "wss" | "websocket" | "websockets" => "websocket",
        "mqtt" | "mqtts" => "mqtt",
        "ssh" => "ssh",
        "sftp" => "sftp",
        "sql" | "jdbc" | "odbc" | "tds" => "sql",
        "ldap" | "ldaps" => "ldap",
        "smb" => "smb",
        "smtp" | "smtps" => "smtp",
        "amqp" | "amqps" => "amqp",
        "grpc" => "grpc",
        "dns" => "dns",
        "ntp" => "ntp",
        "syslog" => "syslog",
        "snmp" => "snmp",
        "ble" | "bluetoothle" | "bluetoothlowenergy" => "ble-gatt",
        "usb" => "usb",
        "hl7" | "mllp" | "hl7/mllp" => "hl7-mllp",
        "fhir" => "fhir-rest",
        "dicom" => "dicom-dimse",
        "ipc" => "ipc",
        "file" => "file",
        _ => return None,
    })
}

fn tls_like(protocol: &str) -> bool {
    matches!(
        protocol,
        "https" | "websocket" | "mqtt" | "ldap" | "smtp" | "amqp" | "grpc" | "sql" | "fhir-rest"
    )
}

/// A position on the diagram canvas.
type Point = (f64, f64);

struct Node {
    id: String,
    center: Option<(f64, f64)>,
}

/// Import a Threat Dragon v2 model.
pub fn import(text: &str, options: &Options) -> Result<Imported, ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        ImportError::new(
            "medsec::import::syntax",
            format!("not valid JSON: {}", strip_position(&e.to_string())),
        )
        .at_line(e.line(), e.column())
    })?;
    if !root.is_object() {
        return Err(ImportError::new(
            "medsec::import::structure",
            "a Threat Dragon model is a JSON object with 'summary' and 'detail'",
        )
        .at("/"));
    }
    let diagrams = root
        .pointer("/detail/diagrams")
        .ok_or_else(|| {
            ImportError::new(
                "medsec::import::structure",
                "no 'detail.diagrams': this is not a Threat Dragon model",
            )
            .at("/detail")
        })?
        .as_array()
        .ok_or_else(|| {
            ImportError::new("medsec::import::structure", "'diagrams' is not a list")
                .at("/detail/diagrams")
        })?;

    let mut draft = Draft::new(TOOL, "threat-dragon", "threat-dragon");
    draft.device.device.name = text_at(&root, "/summary/title")
        .map(one_line)
        .unwrap_or_default();
    if let Some(description) = text_at(&root, "/summary/description") {
        draft.device.device.intended_use = format!(
            "{}: the intended use is not in the Threat Dragon model. Its description reads: {}",
            super::TO_BE_COMPLETED,
            one_line(description)
        );
    }
    for (pointer, what) in [
        ("/summary/owner", "model owner"),
        ("/detail/reviewer", "reviewer"),
    ] {
        if let Some(value) = text_at(&root, pointer) {
            draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::not-carried",
                pointer,
                format!(
                    "{what} '{}' (the device format records no model authorship)",
                    one_line(value)
                ),
            );
        }
    }
    if let Some(contributors) = root
        .pointer("/detail/contributors")
        .and_then(Value::as_array)
        && !contributors.is_empty()
    {
        draft.report.push(
            ItemKind::NotCarried,
            "medsec::import::not-carried",
            "/detail/contributors",
            format!("{} contributor(s)", contributors.len()),
        );
    }

    let mut zone_count = 0;
    for (d, diagram) in diagrams.iter().enumerate() {
        let base = format!("/detail/diagrams/{d}");
        if diagram.get("diagramJson").is_some() {
            return Err(ImportError::new(
                "medsec::import::unsupported-version",
                "this is a Threat Dragon v1 model (diagramJson); open it in Threat Dragon 2 and save it to convert it",
            )
            .at(format!("{base}/diagramJson")));
        }
        let cells = diagram
            .get("cells")
            .ok_or_else(|| {
                ImportError::new("medsec::import::structure", "diagram has no 'cells'")
                    .at(base.clone())
            })?
            .as_array()
            .ok_or_else(|| {
                ImportError::new("medsec::import::structure", "'cells' is not a list")
                    .at(format!("{base}/cells"))
            })?;
        let title = text_at(diagram, "/title")
            .map(one_line)
            .unwrap_or_else(|| format!("diagram {d}"));
        import_diagram(&mut draft, cells, &base, &title, diagrams.len() > 1);
        zone_count = draft.device.trust_zones.len();
    }
    if zone_count > 0 {
        draft.report.push(
            ItemKind::Assumed,
            "medsec::import::assumed-trust",
            "",
            "Threat Dragon records no trust levels: zones from boundary boxes are 'low', the zone 'outside' every box is 'untrusted'; set the real levels",
        );
    }
    if !draft.device.flows.is_empty() {
        draft.report.push(
            ItemKind::Assumed,
            "medsec::import::assumed-authentication",
            "",
            format!(
                "Threat Dragon records no authentication on flows: all {} flow(s) say 'authentication: none'; set what each really uses",
                draft.device.flows.len()
            ),
        );
    }
    if !draft.device.elements.is_empty() {
        draft.report.push(
            ItemKind::Assumed,
            "medsec::import::assumed-physical-access",
            "",
            "Threat Dragon records no physical access: every element says 'physical_access: none'; set it for each element a person can touch",
        );
        draft.report.push(
            ItemKind::NotCarried,
            "medsec::import::no-assets",
            "",
            "Threat Dragon has no data assets: the device file has none, so no harm or severity is known; declare the assets with the patient harm of losing each property",
        );
    }
    // Diagrams without processes, stores or actors give a device with nothing to assess.
    if draft.device.elements.is_empty() {
        return Err(ImportError::new(
            "medsec::import::empty",
            "the diagrams have no process, store or actor: there is nothing to import",
        )
        .at("/detail/diagrams"));
    }
    Ok(draft.finish(options, ""))
}

/// serde_json appends "at line L column C"; the error carries those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message.to_owned(),
    }
}

fn import_diagram(draft: &mut Draft, cells: &[Value], base: &str, title: &str, several: bool) {
    // Trust boundary boxes → zones, nested by containment.
    let mut boxes: Vec<(usize, Box2, String)> = Vec::new();
    for (c, cell) in cells.iter().enumerate() {
        if cell_kind(cell) != Some(CellKind::BoundaryBox) {
            continue;
        }
        let pointer = format!("{base}/cells/{c}");
        match geometry(cell) {
            Some(geometry) => {
                let name = cell_name(cell)
                    .unwrap_or_else(|| format!("Trust boundary box {}", boxes.len() + 1));
                let id = draft.ids.claim(&name, "zone");
                boxes.push((c, geometry, id));
            }
            None => draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::dropped-cell",
                pointer,
                "trust boundary box without position and size: left out",
            ),
        }
    }
    // The parent of a box is the smallest other box that holds it whole.
    let parent_of = |index: usize| -> Option<usize> {
        let (_, geometry, _) = &boxes[index];
        boxes
            .iter()
            .enumerate()
            .filter(|(other, (_, g, _))| {
                *other != index
                    && g.contains(geometry)
                    && (g.area() > geometry.area()
                        || (g.area() == geometry.area() && *other < index))
            })
            .min_by(|a, b| a.1.1.area().total_cmp(&b.1.1.area()))
            .map(|(other, _)| other)
    };
    let parents: Vec<Option<usize>> = (0..boxes.len()).map(parent_of).collect();
    for (index, (c, _, id)) in boxes.iter().enumerate() {
        let cell = &cells[*c];
        let name = cell_name(cell).unwrap_or_else(|| format!("Trust boundary box {}", index + 1));
        let mut description = text_at(cell, "/data/description")
            .map(one_line)
            .unwrap_or_default();
        if several {
            description = format!("{description} (diagram '{title}')")
                .trim()
                .to_owned();
        }
        draft.device.trust_zones.push(TrustZone {
            id: id.clone(),
            name,
            parent: parents[index].map(|p| boxes[p].2.clone()),
            trust: TrustLevel::Low,
            description: (!description.is_empty()).then_some(description),
        });
        report_threats(draft, cell, &format!("{base}/cells/{c}"), None);
    }
    let mut outside: Option<String> = None;
    let mut outside_zone = |draft: &mut Draft| -> String {
        if let Some(id) = &outside {
            return id.clone();
        }
        let id = draft.ids.claim("outside", "outside");
        draft.device.trust_zones.push(TrustZone {
            id: id.clone(),
            name: format!("Outside every trust boundary box (diagram '{title}')"),
            parent: None,
            trust: TrustLevel::Untrusted,
            description: Some(
                "Made by the import for elements that no trust boundary box holds.".into(),
            ),
        });
        outside = Some(id.clone());
        id
    };

    // Elements.
    let mut nodes: HashMap<String, Node> = HashMap::new();
    for (c, cell) in cells.iter().enumerate() {
        let kind = match cell_kind(cell) {
            Some(CellKind::Actor) => ElementKind::ExternalEntity,
            Some(CellKind::Process) => ElementKind::Process,
            Some(CellKind::Store) => ElementKind::DataStore,
            _ => continue,
        };
        let pointer = format!("{base}/cells/{c}");
        let fallback = match kind {
            ElementKind::ExternalEntity => "actor",
            ElementKind::Process => "process",
            ElementKind::DataStore => "store",
        };
        let name = cell_name(cell).unwrap_or_else(|| format!("Unnamed {fallback}"));
        let id = draft.ids.claim(&name, fallback);
        let center = geometry(cell).map(|g| g.center());
        let zone = match center {
            Some(point) => {
                let holding: Vec<usize> = boxes
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, g, _))| g.contains_point(point))
                    .map(|(i, _)| i)
                    .collect();
                let smallest = holding
                    .iter()
                    .copied()
                    .min_by(|&a, &b| boxes[a].1.area().total_cmp(&boxes[b].1.area()));
                if let Some(smallest) = smallest {
                    // Boxes that overlap without one holding the other make the choice
                    // ambiguous: say so.
                    let ambiguous = holding
                        .iter()
                        .any(|&h| h != smallest && !boxes[h].1.contains(&boxes[smallest].1));
                    if ambiguous {
                        draft.report.push(
                            ItemKind::Assumed,
                            "medsec::import::ambiguous-zone",
                            pointer.clone(),
                            format!(
                                "element '{id}' lies in overlapping boundary boxes that do not nest: put in the smallest, '{}'",
                                boxes[smallest].2
                            ),
                        );
                    }
                    boxes[smallest].2.clone()
                } else {
                    outside_zone(draft)
                }
            }
            None => {
                draft.report.push(
                    ItemKind::Assumed,
                    "medsec::import::ambiguous-zone",
                    pointer.clone(),
                    format!("element '{id}' has no position: put in the zone outside every box"),
                );
                outside_zone(draft)
            }
        };
        let mut notes = Vec::new();
        if let Some(description) = text_at(cell, "/data/description") {
            notes.push(one_line(description));
        }
        if flag(cell, "outOfScope") {
            let reason = text_at(cell, "/data/reasonOutOfScope")
                .map(one_line)
                .unwrap_or_default();
            notes.push(format!(
                "Out of scope in Threat Dragon{}",
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                }
            ));
        }
        for (name, note) in [
            ("providesAuthentication", "provides authentication"),
            ("storesCredentials", "stores credentials or personal data"),
            ("isEncrypted", "encrypted at rest"),
            ("isSigned", "signed"),
            ("handlesCardPayment", "handles card payment"),
            ("handlesGoodsOrServices", "handles goods or services"),
            ("storesInventory", "stores inventory"),
        ] {
            if flag(cell, name) {
                notes.push(format!("Threat Dragon: {note}"));
            }
        }
        if let Some(level) = text_at(cell, "/data/privilegeLevel") {
            notes.push(format!(
                "Threat Dragon privilege level: {}",
                one_line(level)
            ));
        }
        let mut technologies = Vec::new();
        if flag(cell, "isWebApplication") {
            technologies.push("web-ui".to_owned());
        }
        if flag(cell, "isALog") {
            technologies.push("logging".to_owned());
        }
        if kind == ElementKind::ExternalEntity {
            draft.report.push(
                ItemKind::Assumed,
                "medsec::import::assumed-human",
                pointer.clone(),
                format!("actor '{id}': Threat Dragon does not say whether it is a person; imported as a system (set 'human: true' for people)"),
            );
        }
        draft.device.elements.push(Element {
            id: id.clone(),
            name,
            kind,
            zone,
            description: (!notes.is_empty()).then(|| notes.join(". ")),
            technologies,
            assets: Vec::new(),
            physical_access: PhysicalAccess::None,
            human: false,
            software: None,
        });
        report_threats(draft, cell, &pointer, Some(&id));
        if let Some(cell_id) = cell.get("id").and_then(Value::as_str) {
            nodes.insert(cell_id.to_owned(), Node { id, center });
        }
    }

    // Flows.
    let mut flow_lines: Vec<(String, Point, Point)> = Vec::new();
    for (c, cell) in cells.iter().enumerate() {
        if cell_kind(cell) != Some(CellKind::Flow) {
            continue;
        }
        let pointer = format!("{base}/cells/{c}");
        let name = cell_name(cell);
        let end = |side: &str| {
            cell.pointer(&format!("/{side}/cell"))
                .and_then(Value::as_str)
                .and_then(|id| nodes.get(id))
        };
        let (Some(from), Some(to)) = (end("source"), end("target")) else {
            draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::dropped-flow",
                pointer,
                format!(
                    "flow '{}' is not connected to an actor, process or store at both ends: left out",
                    name.as_deref().unwrap_or("unnamed")
                ),
            );
            continue;
        };
        if from.id == to.id {
            draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::dropped-flow",
                pointer,
                format!(
                    "flow '{}' goes from '{}' to itself: left out",
                    name.as_deref().unwrap_or("unnamed"),
                    from.id
                ),
            );
            continue;
        }
        let id = draft.ids.claim(name.as_deref().unwrap_or(""), "flow");
        let raw_protocol = text_at(cell, "/data/protocol")
            .map(one_line)
            .unwrap_or_default();
        let protocol = match map_protocol(&raw_protocol) {
            Some(p) => p.to_owned(),
            None if raw_protocol.is_empty() => {
                draft.extension(false, "unspecified", "no protocol given in the model")
            }
            None => draft.extension(false, &raw_protocol, ""),
        };
        let encrypted = flag(cell, "isEncrypted");
        let encryption = if !encrypted {
            Encryption::None
        } else if protocol == "ssh" || protocol == "sftp" {
            Encryption::Ssh
        } else if tls_like(&protocol) {
            draft.report.push(
                ItemKind::Assumed,
                "medsec::import::assumed-encryption",
                pointer.clone(),
                format!("flow '{id}' is encrypted but the TLS version is unknown: 'tls-legacy' (the weakest) assumed; set tls12 or tls13 if that is what it uses"),
            );
            Encryption::TlsLegacy
        } else {
            draft.report.push(
                ItemKind::Assumed,
                "medsec::import::assumed-encryption",
                pointer.clone(),
                format!("flow '{id}' is encrypted by an unnamed scheme: 'proprietary' (strength to be argued) assumed"),
            );
            Encryption::Proprietary
        };
        let mut notes = Vec::new();
        if let Some(description) = text_at(cell, "/data/description") {
            notes.push(one_line(description));
        }
        if flag(cell, "isPublicNetwork") {
            notes.push("Threat Dragon: crosses a public network".into());
        }
        if flag(cell, "outOfScope") {
            notes.push("Out of scope in Threat Dragon".into());
        }
        if !raw_protocol.is_empty()
            && map_protocol(&raw_protocol).is_some()
            && raw_protocol != protocol
        {
            notes.push(format!("Threat Dragon protocol: {raw_protocol}"));
        }
        if let (Some(a), Some(b)) = (from.center, to.center) {
            flow_lines.push((id.clone(), a, b));
        }
        draft.device.flows.push(Flow {
            id: id.clone(),
            name,
            from: from.id.clone(),
            to: to.id.clone(),
            protocol,
            data: Vec::new(),
            authentication: Authentication::None,
            encryption,
            direction: if flag(cell, "isBidirectional") {
                Direction::Bidirectional
            } else {
                Direction::OneWay
            },
            description: (!notes.is_empty()).then(|| notes.join(". ")),
        });
        report_threats(draft, cell, &pointer, Some(&id));
    }

    // Curves and text blocks: reported.
    for (c, cell) in cells.iter().enumerate() {
        let pointer = format!("{base}/cells/{c}");
        match cell_kind(cell) {
            Some(CellKind::BoundaryCurve) => {
                let points = curve_points(cell);
                let crossed: Vec<&str> = flow_lines
                    .iter()
                    .filter(|(_, a, b)| {
                        points
                            .windows(2)
                            .any(|w| segments_cross(*a, *b, w[0], w[1]))
                    })
                    .map(|(id, _, _)| id.as_str())
                    .collect();
                draft.report.push(
                    ItemKind::NotCarried,
                    "medsec::import::boundary-curve",
                    pointer,
                    format!(
                        "trust boundary curve '{}' is a line, not an area: medsec zones are areas, so it was not carried over; {}",
                        cell_name(cell).unwrap_or_else(|| "unnamed".into()),
                        if crossed.is_empty() {
                            "no imported flow crosses it".to_owned()
                        } else {
                            format!("the flows it crosses ({}) may have lost a boundary crossing: draw it as a box or add zones by hand", crossed.join(", "))
                        }
                    ),
                );
            }
            Some(CellKind::Text) => draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::not-carried",
                pointer,
                "text block (annotation only)",
            ),
            None => draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::dropped-cell",
                pointer,
                format!(
                    "cell of unknown type {}: left out",
                    cell.pointer("/data/type")
                        .or_else(|| cell.get("shape"))
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "(none)".into())
                ),
            ),
            _ => {}
        }
    }
}

fn curve_points(cell: &Value) -> Vec<(f64, f64)> {
    let point = |v: &Value| Some((v.get("x")?.as_f64()?, v.get("y")?.as_f64()?));
    let mut points = Vec::new();
    if let Some(p) = cell.get("source").and_then(point) {
        points.push(p);
    }
    if let Some(vertices) = cell.get("vertices").and_then(Value::as_array) {
        points.extend(vertices.iter().filter_map(point));
    }
    if let Some(p) = cell.get("target").and_then(point) {
        points.push(p);
    }
    points
}

fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    };
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    o1 * o2 < 0.0 && o3 * o4 < 0.0
}

/// Threats are listed; a mitigated STRIDE threat with a mitigation becomes a control.
fn report_threats(draft: &mut Draft, cell: &Value, pointer: &str, target: Option<&str>) {
    let Some(threats) = cell.pointer("/data/threats").and_then(Value::as_array) else {
        return;
    };
    for (t, threat) in threats.iter().enumerate() {
        let at = format!("{pointer}/data/threats/{t}");
        let field = |name: &str| {
            threat
                .get(name)
                .and_then(Value::as_str)
                .map(one_line)
                .unwrap_or_default()
        };
        let (title, kind, status, severity, mitigation) = (
            field("title"),
            field("type"),
            field("status"),
            field("severity"),
            field("mitigation"),
        );
        let category = stride(&kind);
        let on = target.unwrap_or("a trust boundary");
        draft.report.push(
            ItemKind::NotCarried,
            "medsec::import::threat-not-carried",
            at.clone(),
            format!(
                "threat '{title}' on {on} ({kind}, status {status}, severity {severity}): medsec derives threats from its rules, so it is not imported as a threat; compare with 'medsec threats'"
            ),
        );
        if let (Some(target), Some(category), true, false) = (
            target,
            category,
            status.eq_ignore_ascii_case("mitigated"),
            mitigation.is_empty(),
        ) {
            let id = draft
                .ids
                .claim(&format!("mitigation {title}"), "mitigation");
            draft.device.controls.push(Control {
                id: id.clone(),
                name: format!("Mitigation of: {}", if title.is_empty() { "untitled threat" } else { &title }),
                description: Some(format!(
                    "{mitigation} (imported from a Threat Dragon threat marked Mitigated; verify it is in place)"
                )),
                mitigates: vec![Mitigation {
                    target: target.to_owned(),
                    stride: vec![category],
                }],
                implements: Vec::new(),
            });
            draft.report.push(
                ItemKind::Mapped,
                "medsec::import::mitigation-as-control",
                at,
                format!(
                    "mitigated threat '{title}' became control '{id}' ({} on {target})",
                    category.as_str()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_map() {
        assert_eq!(map_protocol("HTTP/S"), Some("https"));
        assert_eq!(map_protocol(" Bluetooth LE "), Some("ble-gatt"));
        assert_eq!(map_protocol("CoAP"), None);
    }

    #[test]
    fn crossing_segments() {
        assert!(segments_cross(
            (0.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (10.0, 0.0)
        ));
        assert!(!segments_cross(
            (0.0, 0.0),
            (1.0, 1.0),
            (5.0, 0.0),
            (6.0, 0.0)
        ));
    }
}
