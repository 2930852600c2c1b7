//! Writing a [`Device`] as a device.yaml. Every string is a double-quoted scalar with
//! JSON-style escapes (plus escapes for the characters YAML does not allow raw), so no
//! name from an imported file can change the YAML structure or be read as a number,
//! a boolean or null.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{Device, SecurityNeed};

/// A double-quoted YAML scalar.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Controls, C1 controls, NEL and the Unicode line/paragraph separators (line
            // breaks to YAML 1.1 readers), the BOM and non-characters: escaped.
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The serde name of a unit enum value ("mutual-tls").
fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The device as YAML text, preceded by `header` lines written as comments.
pub fn write_device(device: &Device, header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        for part in line.lines() {
            let _ = writeln!(out, "# {part}");
        }
    }
    let _ = writeln!(out, "medsec: {}", device.medsec);
    let d = &device.device;
    let _ = writeln!(out, "\ndevice:");
    let _ = writeln!(out, "  name: {}", quote(&d.name));
    let _ = writeln!(out, "  manufacturer: {}", quote(&d.manufacturer));
    let _ = writeln!(out, "  version: {}", quote(&d.version));
    if let Some(udi) = &d.udi_di {
        let _ = writeln!(out, "  udi_di: {}", quote(udi));
    }
    let _ = writeln!(out, "  intended_use: {}", quote(&d.intended_use));
    let _ = writeln!(out, "  categories: {}", list(&d.categories));
    if d.markets.is_empty() {
        let _ = writeln!(out, "  markets: []");
    } else {
        let _ = writeln!(out, "  markets:");
        for m in &d.markets {
            let _ = writeln!(
                out,
                "    - {{ market: {}, class: {} }}",
                quote(m.market.as_str()),
                quote(&m.class)
            );
        }
    }

    let v = &device.vocabulary;
    if !v.is_empty() {
        let _ = writeln!(out, "\nvocabulary:");
        for (key, entries) in [
            ("technologies", &v.technologies),
            ("functionalities", &v.functionalities),
            ("protocols", &v.protocols),
            ("categories", &v.categories),
        ] {
            if entries.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {key}:");
            for entry in entries {
                let _ = writeln!(out, "    - id: {}", quote(&entry.id));
                let _ = writeln!(out, "      description: {}", quote(&entry.description));
            }
        }
    }

    let _ = writeln!(out, "\nfunctionalities: {}", list(&device.functionalities));
    let _ = writeln!(out, "technologies: {}", list(&device.technologies));

    section(&mut out, "assets", device.assets.is_empty());
    for a in &device.assets {
        let _ = writeln!(out, "  - id: {}", quote(&a.id));
        let _ = writeln!(out, "    name: {}", quote(&a.name));
        let _ = writeln!(out, "    kind: {}", quote(&name(&a.kind)));
        if let Some(description) = &a.description {
            let _ = writeln!(out, "    description: {}", quote(description));
        }
        for (property, need) in [
            ("confidentiality", &a.confidentiality),
            ("integrity", &a.integrity),
            ("availability", &a.availability),
        ] {
            write_need(&mut out, property, need);
        }
    }

    section(&mut out, "trust_zones", device.trust_zones.is_empty());
    for z in &device.trust_zones {
        let _ = writeln!(out, "  - id: {}", quote(&z.id));
        let _ = writeln!(out, "    name: {}", quote(&z.name));
        if let Some(parent) = &z.parent {
            let _ = writeln!(out, "    parent: {}", quote(parent));
        }
        let _ = writeln!(out, "    trust: {}", quote(&name(&z.trust)));
        if let Some(description) = &z.description {
            let _ = writeln!(out, "    description: {}", quote(description));
        }
    }

    if !device.boundaries.is_empty() {
        section(&mut out, "boundaries", false);
        for b in &device.boundaries {
            let _ = writeln!(out, "  - id: {}", quote(&b.id));
            let _ = writeln!(out, "    name: {}", quote(&b.name));
            let _ = writeln!(out, "    between: {}", list(&b.between));
            if let Some(description) = &b.description {
                let _ = writeln!(out, "    description: {}", quote(description));
            }
        }
    }

    section(&mut out, "elements", device.elements.is_empty());
    for e in &device.elements {
        let _ = writeln!(out, "  - id: {}", quote(&e.id));
        let _ = writeln!(out, "    name: {}", quote(&e.name));
        let _ = writeln!(out, "    kind: {}", quote(e.kind.as_str()));
        let _ = writeln!(out, "    zone: {}", quote(&e.zone));
        if let Some(description) = &e.description {
            let _ = writeln!(out, "    description: {}", quote(description));
        }
        if !e.technologies.is_empty() {
            let _ = writeln!(out, "    technologies: {}", list(&e.technologies));
        }
        if !e.assets.is_empty() {
            let _ = writeln!(out, "    assets: {}", list(&e.assets));
        }
        let _ = writeln!(
            out,
            "    physical_access: {}",
            quote(&name(&e.physical_access))
        );
        if e.human {
            let _ = writeln!(out, "    human: true");
        }
    }

    section(&mut out, "flows", device.flows.is_empty());
    for f in &device.flows {
        let _ = writeln!(out, "  - id: {}", quote(&f.id));
        if let Some(n) = &f.name {
            let _ = writeln!(out, "    name: {}", quote(n));
        }
        let _ = writeln!(out, "    from: {}", quote(&f.from));
        let _ = writeln!(out, "    to: {}", quote(&f.to));
        let _ = writeln!(out, "    protocol: {}", quote(&f.protocol));
        if !f.data.is_empty() {
            let _ = writeln!(out, "    data: {}", list(&f.data));
        }
        let _ = writeln!(
            out,
            "    authentication: {}",
            quote(&name(&f.authentication))
        );
        let _ = writeln!(out, "    encryption: {}", quote(&name(&f.encryption)));
        let _ = writeln!(out, "    direction: {}", quote(&name(&f.direction)));
        if let Some(description) = &f.description {
            let _ = writeln!(out, "    description: {}", quote(description));
        }
    }

    if !device.controls.is_empty() {
        section(&mut out, "controls", false);
        for c in &device.controls {
            let _ = writeln!(out, "  - id: {}", quote(&c.id));
            let _ = writeln!(out, "    name: {}", quote(&c.name));
            if let Some(description) = &c.description {
                let _ = writeln!(out, "    description: {}", quote(description));
            }
            let _ = writeln!(out, "    mitigates:");
            for m in &c.mitigates {
                let stride: Vec<String> = m.stride.iter().map(|s| s.as_str().to_owned()).collect();
                let _ = writeln!(
                    out,
                    "      - {{ target: {}, stride: {} }}",
                    quote(&m.target),
                    list(&stride)
                );
            }
        }
    }
    out
}

fn section(out: &mut String, key: &str, empty: bool) {
    if empty {
        let _ = writeln!(out, "\n{key}: []");
    } else {
        let _ = writeln!(out, "\n{key}:");
    }
}

fn write_need(out: &mut String, property: &str, need: &SecurityNeed) {
    let _ = writeln!(out, "    {property}:");
    let _ = writeln!(out, "      need: {}", quote(&name(&need.need)));
    if let Some(harm) = &need.harm {
        let _ = writeln!(out, "      harm: {}", quote(harm));
    }
    if let Some(severity) = need.severity {
        let _ = writeln!(out, "      severity: {}", quote(severity.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_yaml_cannot_hold() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("x\u{85}y\u{2028}"), "\"x\\u0085y\\u2028\"");
        assert_eq!(quote("true"), "\"true\"");
    }
}
