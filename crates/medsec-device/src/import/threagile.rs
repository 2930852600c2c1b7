//! threagile YAML → device file. The mapping is in the module docs of [`crate::import`].

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::report::{ImportError, ItemKind};
use super::yaml_in::{self, Located};
use super::{Draft, Imported, Options, one_line};
use crate::model::{
    Asset, AssetKind, Authentication, Direction, Element, ElementKind, Encryption, Flow, NeedLevel,
    PhysicalAccess, SecurityNeed, TrustLevel, TrustZone,
};

const TOOL: &str = "threagile";

/// Confidentiality rating → need.
pub fn confidentiality_need(rating: &str) -> Option<NeedLevel> {
    Some(match rating {
        "public" => NeedLevel::None,
        "internal" => NeedLevel::Low,
        "restricted" => NeedLevel::Medium,
        "confidential" | "strictly-confidential" => NeedLevel::High,
        _ => return None,
    })
}

/// Integrity or availability criticality → need. `archive` is the lowest rating but
/// still a need: mapping it to `none` would hide it.
pub fn criticality_need(rating: &str) -> Option<NeedLevel> {
    Some(match rating {
        "archive" | "operational" => NeedLevel::Low,
        "important" => NeedLevel::Medium,
        "critical" | "mission-critical" => NeedLevel::High,
        _ => return None,
    })
}

pub fn map_technology(name: &str) -> Option<&'static str> {
    Some(match name {
        "browser" => "web-ui",
        "mobile-app" => "mobile-app",
        "web-service-rest" => "rest-api",
        "database" | "identity-store-database" => "relational-database",
        "monitoring" => "logging",
        _ => return None,
    })
}

/// Protocol → (our protocol, encryption the protocol implies).
pub fn map_protocol(name: &str) -> Option<(&'static str, Encryption)> {
    use Encryption::*;
    Some(match name {
        "http" => ("http", None),
        "https" => ("https", TlsLegacy),
        "ws" => ("websocket", None),
        "wss" => ("websocket", TlsLegacy),
        "reverse-proxy-web-protocol" => ("http", None),
        "reverse-proxy-web-protocol-encrypted" => ("https", TlsLegacy),
        "mqtt" => ("mqtt", None),
        "jdbc" | "odbc" | "sql-access-protocol" => ("sql", None),
        "jdbc-encrypted" | "odbc-encrypted" | "sql-access-protocol-encrypted" => ("sql", TlsLegacy),
        "ssh" | "ssh-tunnel" | "scp" => ("ssh", Ssh),
        "sftp" => ("sftp", Ssh),
        "smtp" => ("smtp", None),
        "smtp-encrypted" => ("smtp", TlsLegacy),
        "ldap" => ("ldap", None),
        "ldaps" => ("ldap", TlsLegacy),
        "smb" => ("smb", None),
        "smb-encrypted" => ("smb", Proprietary),
        "local-file-access" => ("file", None),
        "in-process-library-call" => ("ipc", None),
        _ => return Option::None,
    })
}

/// Protocols we have no term for, and whether threagile counts them as encrypted.
fn unmapped_protocol_encrypted(name: &str) -> bool {
    matches!(
        name,
        "nosql-access-protocol-encrypted"
            | "binary-encrypted"
            | "text-encrypted"
            | "pop3-encrypted"
            | "imap-encrypted"
            | "ftps"
            | "iiop-encrypted"
            | "jrmp-encrypted"
    )
}

pub fn map_authentication(name: &str) -> Option<Authentication> {
    Some(match name {
        "none" => Authentication::None,
        "credentials" => Authentication::Password,
        "session-id" | "token" => Authentication::BearerToken,
        "client-certificate" => Authentication::MutualTls,
        "two-factor" => Authentication::Password,
        "externalized" => Authentication::Proprietary,
        _ => return None,
    })
}

struct Reader<'a> {
    doc: &'a Located,
}

impl Reader<'_> {
    /// A mapping at `path` (absent or null → empty).
    fn mapping<'v>(
        &self,
        value: Option<&'v Value>,
        path: &str,
    ) -> Result<Option<&'v Map<String, Value>>, ImportError> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => {
                Err(self
                    .doc
                    .error("medsec::import::structure", path, "expected a mapping here"))
            }
        }
    }

    fn string(
        &self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<String>, ImportError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.doc.error(
                "medsec::import::structure",
                &format!("{path}/{key}"),
                format!("'{key}' must be text"),
            )),
        }
    }

    fn strings(
        &self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Vec<String>, ImportError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.trim().to_owned()]),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_null())
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.trim().to_owned()),
                    _ => Err(self.doc.error(
                        "medsec::import::structure",
                        &format!("{path}/{key}/{i}"),
                        format!("items of '{key}' must be text"),
                    )),
                })
                .collect(),
            Some(_) => Err(self.doc.error(
                "medsec::import::structure",
                &format!("{path}/{key}"),
                format!("'{key}' must be a list"),
            )),
        }
    }

    fn flag(&self, map: &Map<String, Value>, key: &str) -> bool {
        map.get(key).and_then(Value::as_bool).unwrap_or(false)
    }
}

/// Import a threagile model.
pub fn import(text: &str, options: &Options) -> Result<Imported, ImportError> {
    let doc = yaml_in::parse(text)?;
    let r = Reader { doc: &doc };
    let Some(root) = doc.value.as_object() else {
        return Err(doc.error(
            "medsec::import::structure",
            "",
            "a threagile model is a YAML mapping (title, data_assets, technical_assets, …)",
        ));
    };
    if !root.contains_key("technical_assets") && !root.contains_key("threagile_version") {
        return Err(doc.error(
            "medsec::import::structure",
            "",
            "no 'technical_assets' and no 'threagile_version': this is not a threagile model",
        ));
    }
    let mut draft = Draft::new(TOOL, "threagile", "threagile");
    draft.device.device.name = r
        .string(root, "title", "")?
        .map(|t| one_line(&t))
        .unwrap_or_default();

    // Sections that have no place in the device format.
    for key in [
        "author",
        "contributors",
        "date",
        "business_criticality",
        "business_overview",
        "technical_overview",
        "management_summary_comment",
        "questions",
        "abuse_cases",
        "security_requirements",
        "tags_available",
        "shared_runtimes",
        "individual_risk_categories",
        "risk_tracking",
        "includes",
    ] {
        let Some(value) = root.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        let detail = match value {
            Value::Object(map) => {
                let keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
                format!(
                    "{} entr(y/ies): {}{}",
                    map.len(),
                    keys.join(", "),
                    if map.len() > 12 { ", …" } else { "" }
                )
            }
            Value::Array(items) => format!("{} item(s)", items.len()),
            other => one_line(&other.to_string()),
        };
        let why = match key {
            "risk_tracking" => "medsec tracks risk in its own FMEA register, by threat id",
            "individual_risk_categories" => "medsec derives threats from its rule catalogue",
            "shared_runtimes" => "the device format has no shared-runtime relation",
            _ => "the device format has no place for it",
        };
        draft.report.push(
            ItemKind::NotCarried,
            "medsec::import::not-carried",
            key,
            format!("{key}: {detail} ({why})"),
        );
    }
    for key in root.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) && !key.starts_with("diagram_tweak") {
            draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::not-carried",
                key.clone(),
                format!("unknown top-level key '{key}' ignored"),
            );
        }
    }

    // Data assets.
    let mut asset_ids: HashMap<String, String> = HashMap::new();
    if let Some(assets) = r.mapping(root.get("data_assets"), "data_assets")? {
        for (title, value) in assets {
            let path = format!("data_assets/{title}");
            let Some(map) = r.mapping(Some(value), &path)? else {
                continue;
            };
            let source_id = r.string(map, "id", &path)?.unwrap_or_else(|| title.clone());
            let id = draft.ids.claim(&source_id, "asset");
            if id != source_id {
                draft.report.push(
                    ItemKind::Mapped,
                    "medsec::import::renamed-id",
                    path.clone(),
                    format!("data asset id '{source_id}' became '{id}'"),
                );
            }
            asset_ids.insert(source_id, id.clone());
            let mut need = |property: &str,
                            map_fn: fn(&str) -> Option<NeedLevel>|
             -> Result<SecurityNeed, ImportError> {
                let rating = r.string(map, property, &path)?;
                let level = match rating.as_deref() {
                    None => {
                        draft.report.push(ItemKind::Assumed, "medsec::import::cia-mapped", path.clone(), format!("{property} of '{id}' has no rating: need 'high' assumed until assessed"));
                        NeedLevel::High
                    }
                    Some(rating) => map_fn(rating).ok_or_else(|| {
                        doc.error(
                            "medsec::import::structure",
                            &format!("{path}/{property}"),
                            format!("'{rating}' is not a threagile {property} rating"),
                        )
                    })?,
                };
                Ok(if level == NeedLevel::None {
                    SecurityNeed {
                        need: level,
                        harm: None,
                        severity: None,
                    }
                } else {
                    SecurityNeed {
                        need: level,
                        harm: Some(format!(
                            "TO BE ASSESSED: imported from threagile without a harm statement (threagile {property} rating: {})",
                            rating.as_deref().unwrap_or("none")
                        )),
                        severity: None,
                    }
                })
            };
            let confidentiality = need("confidentiality", confidentiality_need)?;
            let integrity = need("integrity", criticality_need)?;
            let availability = need("availability", criticality_need)?;
            let mut notes = Vec::new();
            if let Some(d) = r.string(map, "description", &path)? {
                notes.push(one_line(&d));
            }
            if let Some(j) = r.string(map, "justification_cia_rating", &path)? {
                notes.push(format!("threagile CIA justification: {}", one_line(&j)));
            }
            for key in ["usage", "origin", "owner", "quantity"] {
                if let Some(v) = r.string(map, key, &path)? {
                    notes.push(format!("threagile {key}: {}", one_line(&v)));
                }
            }
            draft.device.assets.push(Asset {
                id,
                name: one_line(title),
                kind: AssetKind::Data,
                description: (!notes.is_empty()).then(|| notes.join(". ")),
                confidentiality,
                integrity,
                availability,
                data_classes: Vec::new(),
            });
        }
        if !assets.is_empty() {
            draft.report.push(
                ItemKind::Mapped,
                "medsec::import::cia-mapped",
                "data_assets",
                "CIA ratings mapped to needs: confidentiality public→none, internal→low, restricted→medium, confidential/strictly-confidential→high; integrity and availability archive/operational→low, important→medium, critical/mission-critical→high",
            );
        }
    }

    // Trust boundaries → zones.
    let mut zone_of_asset: HashMap<String, String> = HashMap::new();
    let mut boundary_ids: HashMap<String, String> = HashMap::new();
    let mut nested: Vec<(String, Vec<String>, String)> = Vec::new();
    if let Some(boundaries) = r.mapping(root.get("trust_boundaries"), "trust_boundaries")? {
        for (title, value) in boundaries {
            let path = format!("trust_boundaries/{title}");
            let Some(map) = r.mapping(Some(value), &path)? else {
                continue;
            };
            let source_id = r.string(map, "id", &path)?.unwrap_or_else(|| title.clone());
            let id = draft.ids.claim(&source_id, "zone");
            boundary_ids.insert(source_id, id.clone());
            let kind = r.string(map, "type", &path)?.unwrap_or_default();
            let mut notes = Vec::new();
            if let Some(d) = r.string(map, "description", &path)? {
                notes.push(one_line(&d));
            }
            if !kind.is_empty() {
                notes.push(format!("threagile boundary type: {kind}"));
            }
            draft.device.trust_zones.push(TrustZone {
                id: id.clone(),
                name: one_line(title),
                parent: None,
                trust: TrustLevel::Low,
                description: (!notes.is_empty()).then(|| notes.join(". ")),
            });
            for asset in r.strings(map, "technical_assets_inside", &path)? {
                if let Some(previous) = zone_of_asset.get(&asset) {
                    draft.report.push(ItemKind::Assumed, "medsec::import::ambiguous-zone", path.clone(), format!("technical asset '{asset}' is inside two boundaries: kept in '{previous}'"));
                } else {
                    zone_of_asset.insert(asset, id.clone());
                }
            }
            nested.push((id, r.strings(map, "trust_boundaries_nested", &path)?, path));
        }
    }
    for (parent, children, path) in &nested {
        for child in children {
            let Some(child_id) = boundary_ids.get(child) else {
                draft.report.push(
                    ItemKind::NotCarried,
                    "medsec::import::dropped-reference",
                    path.clone(),
                    format!("nested boundary '{child}' does not exist"),
                );
                continue;
            };
            if let Some(zone) = draft
                .device
                .trust_zones
                .iter_mut()
                .find(|z| &z.id == child_id)
            {
                if zone.parent.is_some() || child_id == parent {
                    draft.report.push(ItemKind::NotCarried, "medsec::import::dropped-reference", path.clone(), format!("boundary '{child}' is nested in more than one boundary (or in itself): the first nesting kept"));
                } else {
                    zone.parent = Some(parent.clone());
                }
            }
        }
    }
    // A nesting cycle would fail the check: break it at the first zone found in one.
    break_cycles(&mut draft);

    // Technical assets → elements.
    let mut element_ids: HashMap<String, String> = HashMap::new();
    let mut outside: Option<String> = None;
    let empty = Map::new();
    let technical = r
        .mapping(root.get("technical_assets"), "technical_assets")?
        .unwrap_or(&empty);
    // Ids first, so links can point forward.
    let mut claimed = Vec::new();
    for (title, value) in technical {
        let path = format!("technical_assets/{title}");
        let Some(map) = r.mapping(Some(value), &path)? else {
            continue;
        };
        let source_id = r.string(map, "id", &path)?.unwrap_or_else(|| title.clone());
        let id = draft.ids.claim(&source_id, "element");
        if id != source_id {
            draft.report.push(
                ItemKind::Mapped,
                "medsec::import::renamed-id",
                path.clone(),
                format!("technical asset id '{source_id}' became '{id}'"),
            );
        }
        element_ids.insert(source_id.clone(), id.clone());
        claimed.push((title, map, path, source_id, id));
    }
    let mut links = Vec::new();
    for (title, map, path, source_id, id) in claimed {
        let kind = match r.string(map, "type", &path)?.as_deref() {
            Some("external-entity") => ElementKind::ExternalEntity,
            Some("process") => ElementKind::Process,
            Some("datastore") => ElementKind::DataStore,
            Some(other) => return Err(doc.error("medsec::import::structure", &format!("{path}/type"), format!("unknown technical asset type '{other}' (expected external-entity, process or datastore)"))),
            None => return Err(doc.error("medsec::import::structure", &path, "technical asset without 'type'")),
        };
        let zone = match zone_of_asset.get(&source_id) {
            Some(zone) => zone.clone(),
            None => {
                match &outside {
                    Some(zone) => zone.clone(),
                    None => {
                        let zone = draft.ids.claim("outside", "outside");
                        draft.device.trust_zones.push(TrustZone {
                        id: zone.clone(),
                        name: "Outside every threagile trust boundary".into(),
                        parent: None,
                        trust: TrustLevel::Untrusted,
                        description: Some("Made by the import for technical assets that no trust boundary holds.".into()),
                    });
                        outside = Some(zone.clone());
                        zone
                    }
                }
            }
        };
        let mut technologies = Vec::new();
        for technology in r
            .strings(map, "technology", &path)?
            .into_iter()
            .chain(r.strings(map, "technologies", &path)?)
        {
            let term = match map_technology(&technology) {
                Some(term) => term.to_owned(),
                None => draft.extension(true, &technology, ""),
            };
            if !technologies.contains(&term) {
                technologies.push(term);
            }
        }
        let mut assets = Vec::new();
        for key in ["data_assets_processed", "data_assets_stored"] {
            for asset in r.strings(map, key, &path)? {
                match asset_ids.get(&asset) {
                    Some(a) if !assets.contains(a) => assets.push(a.clone()),
                    Some(_) => {}
                    None => draft.report.push(
                        ItemKind::NotCarried,
                        "medsec::import::dropped-reference",
                        format!("{path}/{key}"),
                        format!("data asset '{asset}' does not exist"),
                    ),
                }
            }
        }
        let human = r.flag(map, "used_as_client_by_human");
        if human && kind != ElementKind::ExternalEntity {
            draft.report.push(ItemKind::Assumed, "medsec::import::assumed-human", path.clone(), format!("'{id}' is used by a human but is a {}: imported as a system (people are external entities)", kind.as_str()));
        }
        let mut notes = Vec::new();
        if let Some(d) = r.string(map, "description", &path)? {
            notes.push(one_line(&d));
        }
        let mut attributes = Vec::new();
        for key in [
            "usage",
            "size",
            "machine",
            "encryption",
            "owner",
            "confidentiality",
            "integrity",
            "availability",
            "internet",
            "multi_tenant",
            "redundant",
            "custom_developed_parts",
            "out_of_scope",
        ] {
            if let Some(v) = map.get(key).filter(|v| !v.is_null()) {
                let v = v
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string());
                attributes.push(format!("{key}={v}"));
            }
        }
        if !attributes.is_empty() {
            notes.push(format!("threagile: {}", attributes.join(", ")));
        }
        if let Some(j) = r.string(map, "justification_out_of_scope", &path)? {
            notes.push(format!("out of scope because: {}", one_line(&j)));
        }
        let tags = r.strings(map, "tags", &path)?;
        if !tags.is_empty() {
            notes.push(format!("threagile tags: {}", tags.join(", ")));
        }
        draft.device.elements.push(Element {
            id: id.clone(),
            name: one_line(title),
            kind,
            zone,
            description: (!notes.is_empty()).then(|| notes.join(". ")),
            technologies,
            assets,
            physical_access: PhysicalAccess::None,
            human: human && kind == ElementKind::ExternalEntity,
            software: None,
        });
        if let Some(link_map) = r.mapping(
            map.get("communication_links"),
            &format!("{path}/communication_links"),
        )? {
            for (link_title, link) in link_map {
                links.push((
                    id.clone(),
                    format!("{path}/communication_links/{link_title}"),
                    link_title.clone(),
                    link,
                ));
            }
        }
    }
    if !draft.device.elements.is_empty() {
        draft.report.push(ItemKind::Assumed, "medsec::import::assumed-physical-access", "technical_assets", "threagile records no physical access: every element says 'physical_access: none'; set it for each element a person can touch");
        draft.report.push(ItemKind::NotCarried, "medsec::import::not-carried", "technical_assets", "machine, internet exposure, encryption at rest, owner, CIA rating and other attributes of technical assets have no field in the device format: they are kept in each element's description");
    }

    // Communication links → flows.
    let mut authorization_noted = false;
    for (from, path, title, link) in links {
        let Some(map) = r.mapping(Some(link), &path)? else {
            continue;
        };
        let Some(target) = r.string(map, "target", &path)? else {
            return Err(doc.error(
                "medsec::import::structure",
                &path,
                "communication link without 'target'",
            ));
        };
        let Some(to) = element_ids.get(&target).cloned() else {
            draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::dropped-flow",
                format!("{path}/target"),
                format!(
                    "link '{title}' targets '{target}', which is not a technical asset: left out"
                ),
            );
            continue;
        };
        if to == from {
            draft.report.push(
                ItemKind::NotCarried,
                "medsec::import::dropped-flow",
                path.clone(),
                format!("link '{title}' goes from '{from}' to itself: left out"),
            );
            continue;
        }
        let id = draft.ids.claim(&format!("{from}-{title}"), "flow");
        let raw_protocol = r
            .string(map, "protocol", &path)?
            .unwrap_or_else(|| "unknown-protocol".into());
        let (protocol, mut encryption) = match map_protocol(&raw_protocol) {
            Some((p, e)) => (p.to_owned(), e),
            None => {
                let encrypted = unmapped_protocol_encrypted(&raw_protocol);
                (
                    draft.extension(false, &raw_protocol, ""),
                    if encrypted {
                        Encryption::Proprietary
                    } else {
                        Encryption::None
                    },
                )
            }
        };
        if encryption == Encryption::TlsLegacy {
            draft.report.push(ItemKind::Assumed, "medsec::import::assumed-encryption", path.clone(), format!("flow '{id}' ({raw_protocol}) is encrypted but the TLS version is unknown: 'tls-legacy' (the weakest) assumed; set tls12 or tls13 if that is what it uses"));
        } else if encryption == Encryption::Proprietary {
            draft.report.push(ItemKind::Assumed, "medsec::import::assumed-encryption", path.clone(), format!("flow '{id}' ({raw_protocol}) is encrypted by an unnamed scheme: 'proprietary' (strength to be argued) assumed"));
        }
        let vpn = r.flag(map, "vpn");
        if vpn && encryption == Encryption::None {
            encryption = Encryption::Vpn;
        }
        let raw_auth = r
            .string(map, "authentication", &path)?
            .unwrap_or_else(|| "none".into());
        let authentication = map_authentication(&raw_auth).ok_or_else(|| {
            doc.error(
                "medsec::import::structure",
                &format!("{path}/authentication"),
                format!("'{raw_auth}' is not a threagile authentication"),
            )
        })?;
        if raw_auth == "two-factor" {
            draft.report.push(ItemKind::Assumed, "medsec::import::assumed-authentication", path.clone(), format!("flow '{id}': two-factor authentication has no medsec value; 'password' (its weakest factor) assumed"));
        }
        let mut data = Vec::new();
        let sent = r.strings(map, "data_assets_sent", &path)?;
        let received = r.strings(map, "data_assets_received", &path)?;
        for asset in sent.iter().chain(received.iter()) {
            match asset_ids.get(asset) {
                Some(a) if !data.contains(a) => data.push(a.clone()),
                Some(_) => {}
                None => draft.report.push(
                    ItemKind::NotCarried,
                    "medsec::import::dropped-reference",
                    path.clone(),
                    format!("data asset '{asset}' does not exist"),
                ),
            }
        }
        let mut notes = Vec::new();
        if let Some(d) = r.string(map, "description", &path)? {
            notes.push(one_line(&d));
        }
        let mut attributes = vec![
            format!("protocol={raw_protocol}"),
            format!("authentication={raw_auth}"),
        ];
        if let Some(a) = r.string(map, "authorization", &path)? {
            attributes.push(format!("authorization={a}"));
            authorization_noted = true;
        }
        for key in ["vpn", "ip_filtered", "readonly", "usage"] {
            if let Some(v) = map.get(key).filter(|v| !v.is_null()) {
                let v = v
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string());
                attributes.push(format!("{key}={v}"));
            }
        }
        notes.push(format!("threagile: {}", attributes.join(", ")));
        draft.device.flows.push(Flow {
            id,
            name: Some(one_line(&title)),
            from,
            to,
            protocol,
            data,
            authentication,
            encryption,
            direction: if received.is_empty() {
                Direction::OneWay
            } else {
                Direction::Bidirectional
            },
            description: Some(notes.join(". ")),
        });
    }
    if authorization_noted {
        draft.report.push(ItemKind::NotCarried, "medsec::import::not-carried", "technical_assets", "authorization of communication links has no field in the device format: kept in each flow's description");
    }
    if !draft.device.trust_zones.is_empty() {
        draft.report.push(ItemKind::Assumed, "medsec::import::assumed-trust", "trust_boundaries", "threagile records no trust levels: zones from trust boundaries are 'low', the zone 'outside' every boundary is 'untrusted'; set the real levels");
    }
    // A model without technical assets would give a device file with nothing to
    // assess (found by fuzzing: a misspelt `technical_assets` key); say so instead.
    if draft.device.elements.is_empty() {
        return Err(doc.error(
            "medsec::import::empty",
            "",
            "the model has no technical assets: there is nothing to import (is the `technical_assets` key spelt right?)",
        ));
    }
    Ok(draft.finish(options, ""))
}

const KNOWN_KEYS: &[&str] = &[
    "threagile_version",
    "title",
    "author",
    "contributors",
    "date",
    "application_description",
    "business_criticality",
    "business_overview",
    "technical_overview",
    "management_summary_comment",
    "questions",
    "abuse_cases",
    "security_requirements",
    "tags_available",
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "shared_runtimes",
    "individual_risk_categories",
    "risk_tracking",
    "includes",
];

fn break_cycles(draft: &mut Draft) {
    let parents: HashMap<String, String> = draft
        .device
        .trust_zones
        .iter()
        .filter_map(|z| z.parent.clone().map(|p| (z.id.clone(), p)))
        .collect();
    let limit = draft.device.trust_zones.len();
    for zone in &mut draft.device.trust_zones {
        let mut current = zone.id.clone();
        for _ in 0..=limit {
            match parents.get(&current) {
                Some(next) if *next == zone.id => {
                    draft.report.push(
                        ItemKind::NotCarried,
                        "medsec::import::dropped-reference",
                        "trust_boundaries",
                        format!("boundaries nested in a cycle: '{}' made top-level", zone.id),
                    );
                    zone.parent = None;
                    break;
                }
                Some(next) => current = next.clone(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_map() {
        assert_eq!(confidentiality_need("public"), Some(NeedLevel::None));
        assert_eq!(
            confidentiality_need("strictly-confidential"),
            Some(NeedLevel::High)
        );
        assert_eq!(criticality_need("archive"), Some(NeedLevel::Low));
        assert_eq!(criticality_need("important"), Some(NeedLevel::Medium));
        assert_eq!(criticality_need("bogus"), None);
    }

    #[test]
    fn protocols_and_authentication_map() {
        assert_eq!(
            map_protocol("https"),
            Some(("https", Encryption::TlsLegacy))
        );
        assert_eq!(map_protocol("sftp"), Some(("sftp", Encryption::Ssh)));
        assert_eq!(map_protocol("jms"), None);
        assert_eq!(
            map_authentication("client-certificate"),
            Some(Authentication::MutualTls)
        );
        assert_eq!(
            map_authentication("two-factor"),
            Some(Authentication::Password)
        );
        assert_eq!(map_technology("browser"), Some("web-ui"));
        assert_eq!(map_technology("erp"), None);
    }
}
