//! The FDA premarket architecture views (V.B.2) of the four examples: well-formed
//! standalone SVG, the four kinds present, every element named in the global view, ids
//! unique across the views of one device and prefixed by their view, the same bytes each
//! run, golden SVGs of the insulin pump, and the explicit captions of a model with no
//! update path and no one-to-many path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use medsec_device::Device;
use medsec_diagram::{
    ArchitectureView, ComponentCounts, ThreatCounts, ViewKind, architecture_views,
    architecture_views_with_components,
};

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

/// What the parse of one SVG found.
#[derive(Default)]
struct Parsed {
    texts: Vec<String>,
    ids: Vec<String>,
    /// Every `url(#…)` and `aria-*` reference.
    references: Vec<String>,
    root: Option<String>,
    root_attributes: BTreeMap<String, String>,
    elements: BTreeSet<String>,
}

/// Parse the whole document with quick-xml; any well-formedness error fails.
fn parse(svg: &str) -> Parsed {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut parsed = Parsed::default();
    let mut current = String::new();
    let mut stack: Vec<String> = Vec::new();
    let attrs = |e: &quick_xml::events::BytesStart<'_>, parsed: &mut Parsed, root: bool| {
        let name = e.name().into_inner().to_owned();
        parsed.elements.insert(name.clone());
        if root {
            parsed.root = Some(name);
        }
        for attr in e.attributes() {
            let attr = attr.unwrap();
            let key = attr.key.into_inner().to_owned();
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .unwrap()
                .into_owned();
            if key == "id" {
                parsed.ids.push(value.clone());
            }
            if key.starts_with("aria-") {
                parsed
                    .references
                    .extend(value.split_whitespace().map(str::to_owned));
            }
            let mut rest = value.as_str();
            while let Some(start) = rest.find("url(#") {
                let tail = &rest[start + 5..];
                let end = tail.find(')').unwrap();
                parsed.references.push(tail[..end].to_owned());
                rest = &tail[end..];
            }
            if root {
                parsed.root_attributes.insert(key, value);
            }
        }
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let root = stack.is_empty();
                attrs(&e, &mut parsed, root);
                stack.push(e.name().into_inner().to_owned());
                if !current.is_empty() {
                    parsed.texts.push(std::mem::take(&mut current));
                }
            }
            Event::End(_) => {
                stack.pop();
                if !current.is_empty() {
                    parsed.texts.push(std::mem::take(&mut current));
                }
            }
            Event::Empty(e) => {
                let root = stack.is_empty();
                attrs(&e, &mut parsed, root);
            }
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
    assert!(stack.is_empty(), "unbalanced elements");
    parsed
}

fn check_standalone(view: &ArchitectureView) -> Parsed {
    let parsed = parse(&view.svg);
    let id = &view.id;
    assert_eq!(parsed.root.as_deref(), Some("svg"), "{id}: root");
    let attributes = &parsed.root_attributes;
    assert_eq!(
        attributes.get("xmlns").map(String::as_str),
        Some("http://www.w3.org/2000/svg"),
        "{id}: namespace"
    );
    assert!(attributes.contains_key("viewBox"), "{id}: viewBox");
    assert!(parsed.elements.contains("title"), "{id}: <title>");
    assert!(parsed.elements.contains("desc"), "{id}: <desc>");
    assert!(view.svg.contains(&format!("<title id=\"av-{id}-title\">")));
    // Self-contained: no external references, no scripts, no styles from elsewhere.
    for forbidden in [
        "href",
        "<script",
        "@import",
        "<foreignObject",
        "http://www.w3.org/1999",
    ] {
        assert!(!view.svg.contains(forbidden), "{id}: {forbidden}");
    }
    assert_eq!(
        view.svg.matches("://").count(),
        1,
        "{id}: only the namespace"
    );
    // Every id carries the view's prefix, and every reference points at an id here.
    let prefix = format!("av-{id}-");
    for element_id in &parsed.ids {
        assert!(element_id.starts_with(&prefix), "{id}: id {element_id}");
    }
    for reference in &parsed.references {
        assert!(
            parsed.ids.contains(reference),
            "{id}: reference to a missing id {reference}"
        );
    }
    assert!(!view.caption.is_empty(), "{id}: caption");
    assert!(view.caption.contains("V.B.2"), "{id}: cites the section");
    parsed
}

#[test]
fn views_of_the_examples_are_standalone_svg_with_unique_ids() {
    for name in EXAMPLES {
        let device = example(name);
        let views = architecture_views(&device, &ThreatCounts::new());
        let kinds: BTreeSet<&str> = views.iter().map(|v| v.kind.as_str()).collect();
        assert_eq!(
            kinds,
            BTreeSet::from([
                "global-system",
                "multi-patient-harm",
                "updatability",
                "security-use-case"
            ]),
            "{name}"
        );
        assert_eq!(views[0].id, "global-system");
        assert_eq!(views[1].id, "multi-patient-harm");
        assert_eq!(views[2].id, "updatability");
        let cases: Vec<&str> = views[3..].iter().map(|v| v.id.as_str()).collect();
        assert!(!cases.is_empty() && cases.len() <= medsec_diagram::views::MAX_USE_CASES);
        for (n, case) in cases.iter().enumerate() {
            assert_eq!(*case, format!("security-use-case-{}", n + 1), "{name}");
        }

        let mut all_ids: BTreeSet<String> = BTreeSet::new();
        for view in &views {
            let parsed = check_standalone(view);
            for id in parsed.ids {
                assert!(all_ids.insert(id.clone()), "{name}: id {id} used twice");
            }
        }

        // The global view names every element, zone and flow.
        let global = parse(&views[0].svg);
        for element in &device.elements {
            assert!(
                global.texts.iter().any(|t| t == &element.id),
                "{name}: element {} not in the global view",
                element.id
            );
        }
        let all = global.texts.join("\n");
        for zone in &device.trust_zones {
            assert!(all.contains(&zone.id), "{name}: zone {}", zone.id);
        }
        for flow in &device.flows {
            assert!(
                global.texts.iter().any(|t| t == &flow.id),
                "{name}: flow {} not in the global table",
                flow.id
            );
        }
        assert_eq!(
            views[0].svg.matches("class=\"flow\"").count(),
            device.flows.len(),
            "{name}: one line per flow"
        );
    }
}

#[test]
fn views_are_deterministic() {
    for name in EXAMPLES {
        let device = example(name);
        let counts = ThreatCounts::from([(device.elements[0].id.clone(), 4)]);
        let first = architecture_views(&device, &counts);
        let second = architecture_views(&device.clone(), &counts.clone());
        assert_eq!(first, second, "{name}");
        // Counts are drawn where given, and only then.
        let global = &first[0].svg;
        assert!(global.contains("class=\"threat-count\""), "{name}");
        assert!(global.contains("threats found on the element"), "{name}");
        let none = architecture_views(&device, &ThreatCounts::new());
        assert!(!none[0].svg.contains("threat-count"), "{name}");
    }
}

#[test]
fn golden_views_of_the_insulin_pump() {
    let device = example("insulin-pump");
    let components = ComponentCounts::from([("pump-firmware".to_owned(), 21)]);
    for view in architecture_views_with_components(&device, &ThreatCounts::new(), &components) {
        insta::assert_snapshot!(format!("insulin-pump.{}.svg", view.id), view.svg);
        insta::assert_snapshot!(format!("insulin-pump.{}.caption", view.id), view.caption);
    }
}

#[test]
fn insulin_pump_views_show_what_the_model_states() {
    let device = example("insulin-pump");
    let views = architecture_views(&device, &ThreatCounts::new());
    let view = |id: &str| views.iter().find(|v| v.id == id).unwrap();

    // Multi-patient: the cloud API serves every pump; the OTA download leaves it.
    let harm = view("multi-patient-harm");
    assert!(
        harm.caption
            .contains("cloud-api (cloud-service technology)"),
        "{}",
        harm.caption
    );
    assert!(harm.caption.contains("ota-download"));
    assert!(harm.caption.contains("catastrophic"));
    assert!(!harm.caption.contains("no one-to-many path"));
    let texts = parse(&harm.svg).texts;
    assert!(texts.iter().any(|t| t == "shared: cloud service"));

    // Updatability: the chain from the signing service to the bootloader.
    let update = view("updatability");
    assert!(
        update.caption.contains("They start at"),
        "{}",
        update.caption
    );
    assert!(update.caption.contains("signing-service"));
    for flow in [
        "release-publish",
        "release-fetch",
        "ota-download",
        "ota-to-pump",
        "boot-image",
    ] {
        assert!(parse(&update.svg).texts.iter().any(|t| t == flow), "{flow}");
    }
    // The portal runs software no update flow reaches; the app relays pump firmware.
    assert!(
        update.caption.contains("no update flow reaches web-portal"),
        "{}",
        update.caption
    );
    assert!(update.caption.contains("may only relay it"));
    // Keys are not update packages, though their name mentions firmware signing.
    assert!(!update.caption.contains("crypto-keys"));
    assert!(update.caption.contains("SBOM components are not counted"));

    // Use cases: four, catastrophic first, each crossing a boundary, controls named.
    let cases: Vec<&ArchitectureView> = views
        .iter()
        .filter(|v| v.kind == ViewKind::SecurityUseCase)
        .collect();
    assert_eq!(cases.len(), 4);
    for case in &cases {
        assert!(case.caption.contains("catastrophic"), "{}", case.caption);
    }
    let firmware = cases
        .iter()
        .find(|c| c.caption.contains("(firmware-image)"))
        .expect("a use case for the firmware image");
    assert!(
        firmware
            .caption
            .contains("from signing-service to pump-bootloader"),
        "{}",
        firmware.caption
    );
    assert!(
        parse(&firmware.svg)
            .texts
            .iter()
            .any(|t| t.contains("signed-firmware (T)"))
    );
}

#[test]
fn component_counts_are_shown_when_given() {
    let device = example("insulin-pump");
    let components = ComponentCounts::from([("pump-firmware".to_owned(), 21)]);
    let views = architecture_views_with_components(&device, &ThreatCounts::new(), &components);
    let update = views.iter().find(|v| v.id == "updatability").unwrap();
    let texts = parse(&update.svg).texts;
    assert!(
        texts
            .iter()
            .any(|t| t == "SBOM sbom/pump-firmware.cdx.json (21 components)")
    );
    // Inline components are counted without help.
    assert!(texts.iter().any(|t| t == "1 inline component(s)"));
}

/// The insulin pump cut down to the pump and the patient: no cloud, no app, no update
/// chain, no factory.
fn standalone_pump() -> Device {
    let mut device = example("insulin-pump");
    let keep_zones = ["patient-home", "pump", "pump-therapy-core"];
    device
        .elements
        .retain(|e| keep_zones.contains(&e.zone.as_str()) && e.id != "caregiver");
    let ids: BTreeSet<String> = device.elements.iter().map(|e| e.id.clone()).collect();
    device
        .flows
        .retain(|f| ids.contains(&f.from) && ids.contains(&f.to));
    device
        .flows
        .retain(|f| !f.data.iter().any(|d| d == "firmware-image"));
    device
}

#[test]
fn a_model_without_update_or_one_to_many_paths_says_so() {
    let device = standalone_pump();
    let views = architecture_views(&device, &ThreatCounts::new());
    for view in &views {
        check_standalone(view);
    }
    let harm = views.iter().find(|v| v.id == "multi-patient-harm").unwrap();
    assert!(
        harm.caption
            .contains("the model states no one-to-many path"),
        "{}",
        harm.caption
    );
    // The device is still drawn with its external connections.
    let texts = parse(&harm.svg).texts;
    assert!(texts.iter().any(|t| t == "pump-firmware"));
    assert!(texts.iter().any(|t| t == "patient-uses-pump"));

    let update = views.iter().find(|v| v.id == "updatability").unwrap();
    assert!(
        update.caption.contains("No update path is modelled"),
        "{}",
        update.caption
    );
    assert!(update.caption.contains("no update server is modelled"));
    assert!(update.caption.contains("declares remote-update"));
    assert!(
        update
            .caption
            .contains("no update flow reaches pump-firmware")
    );
    let texts = parse(&update.svg).texts;
    assert!(texts.iter().any(|t| t == "no update path modelled"));
}

#[test]
fn a_model_without_protected_crossings_has_an_explicit_use_case_view() {
    let mut device = standalone_pump();
    for flow in &mut device.flows {
        flow.data.clear();
    }
    let views = architecture_views(&device, &ThreatCounts::new());
    let last = views.last().unwrap();
    assert_eq!(last.id, "security-use-cases");
    assert_eq!(last.kind, ViewKind::SecurityUseCase);
    assert!(last.caption.contains("the model supports none"));
    check_standalone(last);
}

#[test]
fn flow_lines_do_not_cross_element_boxes() {
    let mut checked = 0;
    for name in EXAMPLES {
        let device = example(name);
        for view in architecture_views(&device, &ThreatCounts::new()) {
            if view.kind == ViewKind::SecurityUseCase {
                continue;
            }
            let boxes = element_boxes(&view.svg);
            let paths = flow_paths(&view.svg);
            assert!(!boxes.is_empty() && !paths.is_empty(), "{name} {}", view.id);
            checked += paths.len();
            for path in paths {
                for segment in path.windows(2) {
                    for (element, rect) in &boxes {
                        assert!(
                            !crosses(segment[0], segment[1], *rect),
                            "{name} {}: a flow crosses {element}",
                            view.id
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} flow lines checked");
    // The check itself: through a box fails, ending on its border does not.
    let rect = (10.0, 10.0, 20.0, 20.0);
    assert!(crosses((0.0, 15.0), (40.0, 15.0), rect));
    assert!(!crosses((0.0, 15.0), (10.0, 15.0), rect));
    assert!(!crosses((5.0, 0.0), (5.0, 40.0), rect));
}

fn numbers(text: &str, name: &str) -> f64 {
    let start = text.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    let end = start + text[start..].find('"').unwrap();
    text[start..end].parse().unwrap()
}

/// (element id attribute, first rect x, y, w, h) of every element group.
fn element_boxes(svg: &str) -> Vec<(String, (f64, f64, f64, f64))> {
    svg.lines()
        .filter(|l| l.starts_with("<g class=\"element "))
        .map(|line| {
            let id = line
                .split("id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let rect = &line[line.find("<rect ").unwrap()..];
            (
                id.to_owned(),
                (
                    numbers(rect, "x"),
                    numbers(rect, "y"),
                    numbers(rect, "width"),
                    numbers(rect, "height"),
                ),
            )
        })
        .collect()
}

fn flow_paths(svg: &str) -> Vec<Vec<(f64, f64)>> {
    svg.lines()
        .filter(|l| l.starts_with("<g class=\"flow\""))
        .map(|line| {
            let d = line
                .split(" d=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            d.split_whitespace()
                .map(|p| {
                    let (x, y) = p[1..].split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// Whether an axis-parallel segment passes through the inside of a rectangle (touching
/// its border, where a flow starts or ends, does not count).
fn crosses(a: (f64, f64), b: (f64, f64), (x, y, w, h): (f64, f64, f64, f64)) -> bool {
    let inset = 0.5;
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    x1 > x + inset && x0 < x + w - inset && y1 > y + inset && y0 < y + h - inset
}

#[test]
fn hostile_text_is_escaped() {
    let mut device = example("insulin-pump");
    device.device.name = "Evil <script>alert(\"x\")</script> & ' ]]> \u{1}".into();
    device.elements[0].name = "a \"quoted\" <b>name</b> & \\ backslash\nnewline".into();
    device.trust_zones[0].name = "zone } { ]\"[ end".into();
    device.assets[1].name = "<asset> & 'name'".into();
    device.flows[0].protocol = "x\"y<".into();
    for view in architecture_views(&device, &ThreatCounts::new()) {
        let parsed = check_standalone(&view);
        assert!(!view.svg.contains("<script>"));
        assert!(!view.svg.contains("<b>"));
        if view.id == "global-system" {
            assert!(
                parsed.texts.iter().any(|t| t.contains("<script>")),
                "text kept, as text"
            );
        }
    }
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
    for view in architecture_views(&device, &ThreatCounts::new()) {
        check_standalone(&view);
    }
    let global = &architecture_views(&device, &ThreatCounts::new())[0];
    assert!(
        global.caption.contains("unknown zone"),
        "{}",
        global.caption
    );
    assert!(global.caption.contains("not drawn"));

    let mut empty = device.clone();
    empty.elements.clear();
    empty.flows.clear();
    empty.trust_zones.clear();
    empty.boundaries.clear();
    for view in architecture_views(&empty, &ThreatCounts::new()) {
        check_standalone(&view);
    }
}
