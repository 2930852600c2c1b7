//! Golden diagrams of the four examples, and the properties every output must keep:
//! well-formed XML, every element id and flow label present, the same bytes each run,
//! and labels that cannot break out of their syntax.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use medsec_device::Device;
use medsec_diagram::{Format, ThreatCounts, render, to_dot, to_mermaid, to_svg};

const EXAMPLES: [&str; 4] = [
    "insulin-pump",
    "patient-monitor",
    "cardiac-implant",
    "ivd-analyser",
];

fn example(name: &str) -> Device {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    medsec_device::load(&path).unwrap().device
}

/// Parse the whole document with quick-xml; any well-formedness error fails. Returns
/// the text of each element (text events and entity references joined).
fn parse_xml(text: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut texts = Vec::new();
    let mut current = String::new();
    let mut depth = 0i64;
    let flush = |current: &mut String, texts: &mut Vec<String>| {
        if !current.is_empty() {
            texts.push(std::mem::take(current));
        }
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(_) => {
                flush(&mut current, &mut texts);
                depth += 1;
            }
            Event::End(_) => {
                flush(&mut current, &mut texts);
                depth -= 1;
            }
            Event::Empty(_) => flush(&mut current, &mut texts),
            Event::Text(t) => current.push_str(&t.html_content()),
            Event::GeneralRef(r) => {
                let name = r.html_content().into_owned();
                let c = match name.as_str() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => r.resolve_char_ref().unwrap().expect("known entity"),
                };
                current.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced elements");
    texts
}

#[test]
fn golden_svg_mermaid_dot() {
    let counts = ThreatCounts::new();
    for name in EXAMPLES {
        let device = example(name);
        insta::assert_snapshot!(format!("{name}.svg"), to_svg(&device, &counts));
        insta::assert_snapshot!(format!("{name}.mmd"), to_mermaid(&device, &counts));
        insta::assert_snapshot!(format!("{name}.dot"), to_dot(&device, &counts));
    }
}

#[test]
fn svg_is_xml_and_shows_every_element_and_flow() {
    for name in EXAMPLES {
        let device = example(name);
        let svg = to_svg(&device, &ThreatCounts::new());
        let texts = parse_xml(&svg);
        let all = texts.join("\n");
        assert!(svg.contains("<title id=\"diagram-title\">"));
        assert!(all.contains("Legend"));
        for element in &device.elements {
            assert!(
                texts.iter().any(|t| t == &element.id),
                "{name}: element {} not drawn",
                element.id
            );
        }
        for flow in &device.flows {
            let label = format!("{} · {}", flow.id, flow.protocol);
            assert!(texts.contains(&label), "{name}: flow label {label} missing");
        }
        for zone in &device.trust_zones {
            assert!(all.contains(&zone.id), "{name}: zone {} missing", zone.id);
        }
        for boundary in &device.boundaries {
            assert!(
                all.contains(&boundary.id),
                "{name}: boundary {} missing",
                boundary.id
            );
        }
        // Self-contained: no external references of any kind.
        assert!(!svg.contains("href"), "{name}: external reference");
        assert!(!svg.contains("<script"), "{name}: script");
        assert!(!svg.contains("@import"), "{name}: imported font");
    }
}

#[test]
fn output_is_deterministic() {
    for name in EXAMPLES {
        let device = example(name);
        for format in [Format::Svg, Format::Mermaid, Format::Dot] {
            let counts = ThreatCounts::from([("cloud-api".to_owned(), 4)]);
            assert_eq!(
                render(&device, format, &counts),
                render(&device.clone(), format, &counts.clone()),
                "{name} {}",
                format.as_str()
            );
        }
    }
}

#[test]
fn unprotected_crossings_are_marked() {
    let device = example("insulin-pump");
    let svg = to_svg(&device, &ThreatCounts::new());
    let crossings = medsec_device::summary::boundary_crossings(&device);
    let unprotected = crossings
        .iter()
        .filter(|c| !c.authenticated && !c.encrypted)
        .count();
    assert!(unprotected > 0, "the example has unprotected crossings");
    assert_eq!(
        svg.matches("marker-end=\"url(#end-unprotected)\"").count(),
        unprotected + 1, // + the legend's sample
    );
    assert!(svg.contains("no auth, no encryption"));
}

#[test]
fn threat_counts_show_only_when_given() {
    let device = example("insulin-pump");
    let none = to_svg(&device, &ThreatCounts::new());
    assert!(!none.contains("threat-count"));
    assert!(!to_mermaid(&device, &ThreatCounts::new()).contains("threats:"));
    let counts = ThreatCounts::from([
        ("pump-firmware".to_owned(), 17),
        ("cloud-api".to_owned(), 3),
    ]);
    let svg = to_svg(&device, &counts);
    parse_xml(&svg);
    assert_eq!(svg.matches("class=\"threat-count\"").count(), 2);
    assert!(svg.contains("17 threat(s) on pump-firmware"));
    assert!(to_mermaid(&device, &counts).contains("threats: 17"));
    assert!(to_dot(&device, &counts).contains("threats: 3"));
}

fn hostile() -> Device {
    let mut device = example("insulin-pump");
    device.device.name = "Evil <script>alert(\"x\")</script> & ' ]] --> \u{1} #1 |".into();
    device.elements[0].name =
        "a \"quoted\" <b>name</b> & \\ backslash\nnewline |pipe| `tick`".into();
    device.trust_zones[0].name = "zone } { ]\"[ end".into();
    device.flows[0].protocol = "x\"y".into();
    device
}

#[test]
fn hostile_text_is_escaped() {
    let device = hostile();
    let counts = ThreatCounts::new();
    let svg = to_svg(&device, &counts);
    let texts = parse_xml(&svg);
    assert!(
        texts.iter().any(|t| t.contains("<script>")),
        "text kept, as text"
    );
    assert!(!svg.contains("<script>"));

    let mermaid = to_mermaid(&device, &counts);
    for line in mermaid.lines() {
        // Every double quote in a line belongs to a label delimiter pair.
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
    }
    assert!(!mermaid.contains("<script>"));

    let dot = to_dot(&device, &counts);
    check_dot_strings(&dot);
}

/// Every DOT line has balanced, properly escaped double-quoted strings.
fn check_dot_strings(dot: &str) {
    for line in dot.lines() {
        let mut in_string = false;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match (in_string, c) {
                (true, '\\') => {
                    chars.next();
                }
                (_, '"') => in_string = !in_string,
                _ => {}
            }
        }
        assert!(!in_string, "unterminated string: {line}");
    }
    assert_eq!(
        dot.matches('{').count() - dot.matches("\"{").count(),
        dot.matches('}').count() - dot.matches("}\"").count(),
    );
}

#[test]
fn mermaid_and_dot_nest_zones() {
    let device = example("insulin-pump");
    let counts = ThreatCounts::new();
    let mermaid = to_mermaid(&device, &counts);
    assert!(mermaid.contains("flowchart LR"));
    assert_eq!(
        mermaid
            .lines()
            .filter(|l| l.trim_start().starts_with("subgraph "))
            .count(),
        device.trust_zones.len()
    );
    assert_eq!(
        mermaid.lines().filter(|l| l.trim() == "end").count(),
        device.trust_zones.len()
    );
    // pump-therapy-core sits inside pump: deeper indentation.
    let indent = |needle: &str| {
        let line = mermaid.lines().find(|l| l.contains(needle)).unwrap();
        line.len() - line.trim_start().len()
    };
    assert!(indent("subgraph z_pump_therapy_core") > indent("subgraph z_pump["));

    let dot = to_dot(&device, &counts);
    assert!(dot.starts_with("// Generated by medsec"));
    assert!(dot.contains("digraph \"data-flow\" {"));
    assert_eq!(
        dot.matches("subgraph \"cluster_").count(),
        device.trust_zones.len()
    );
    check_dot_strings(&dot);
}

/// If Graphviz is installed, it must accept our DOT (it is not required: CI does not
/// install it, and the parsing checks above hold without it).
#[test]
fn graphviz_accepts_the_dot_when_available() {
    let Some(dot) = find_program("dot") else {
        eprintln!("graphviz 'dot' not found; skipped");
        return;
    };
    for device in EXAMPLES.map(example).into_iter().chain([hostile()]) {
        let text = to_dot(&device, &ThreatCounts::from([("patient".to_owned(), 2)]));
        let mut child = std::process::Command::new(&dot)
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "dot rejected the output: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}

#[test]
fn broken_models_are_drawn_without_panicking() {
    let mut device = example("cardiac-implant");
    device.elements[0].zone = "no-such-zone".into();
    device.flows[0].to = "no-such-element".into();
    let first = device.trust_zones[0].id.clone();
    let second = device.trust_zones[1].id.clone();
    device.trust_zones[0].parent = Some(second);
    device.trust_zones[1].parent = Some(first);
    for format in [Format::Svg, Format::Mermaid, Format::Dot] {
        let text = render(&device, format, &ThreatCounts::new());
        assert!(!text.is_empty());
    }
    parse_xml(&to_svg(&device, &ThreatCounts::new()));
    let empty: Device = serde_json_free_empty(&device);
    parse_xml(&to_svg(&empty, &ThreatCounts::new()));
}

fn serde_json_free_empty(device: &Device) -> Device {
    let mut empty = device.clone();
    empty.elements.clear();
    empty.flows.clear();
    empty.trust_zones.clear();
    empty.boundaries.clear();
    empty
}
