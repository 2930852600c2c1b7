//! NVD CVE API 2.0 JSON: a response page (`vulnerabilities[].cve`), a `{ "cve": … }`
//! item, or a bare `cve` object as the fkie-cad feeds store it.
//! Field names follow `cve_api_json_2.0.schema` (NVD, schema in the corpus).

use medsec_core::advisory::{
    Advisory, Affected, ConfigNode, Configuration, Format, KnownExploited, Operator, Package,
    Point, Provenance, RangeState, Reference, Scorer, ScorerRole, Source, Status, VersionRange,
    VersionScheme, Withdrawn,
};
use medsec_core::cpe::{Attribute, Cpe, Value as CpeValue};
use serde_json::Value;

use super::cvss::{Stated, severity};
use super::{Context, Document, Problems, ReadError, codes, ptr, time, wire};

mod w {
    //! Wire structs. Optional where the schema lets NVD omit a field or where we
    //! report the absence ourselves (so that every problem is collected).
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Page {
        pub version: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Cve {
        pub id: Option<String>,
        pub source_identifier: Option<String>,
        pub published: Option<String>,
        pub last_modified: Option<String>,
        pub vuln_status: Option<String>,
        #[serde(default)]
        pub descriptions: Vec<LangString>,
        #[serde(default)]
        pub metrics: Metrics,
        #[serde(default)]
        pub weaknesses: Vec<Weakness>,
        #[serde(default)]
        pub configurations: Vec<Config>,
        #[serde(default)]
        pub references: Vec<Reference>,
        pub cisa_exploit_add: Option<String>,
        pub cisa_action_due: Option<String>,
        pub cisa_required_action: Option<String>,
        pub cisa_vulnerability_name: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct LangString {
        pub lang: Option<String>,
        pub value: String,
    }

    #[derive(Deserialize, Default)]
    pub struct Metrics {
        #[serde(default, rename = "cvssMetricV40")]
        pub v40: Vec<Metric>,
        #[serde(default, rename = "cvssMetricV31")]
        pub v31: Vec<Metric>,
        #[serde(default, rename = "cvssMetricV30")]
        pub v30: Vec<Metric>,
        #[serde(default, rename = "cvssMetricV2")]
        pub v2: Vec<Metric>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Metric {
        pub source: Option<String>,
        #[serde(rename = "type")]
        pub ty: Option<String>,
        pub cvss_data: CvssData,
        /// v2 keeps its rating beside `cvssData`.
        pub base_severity: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CvssData {
        pub version: Option<String>,
        pub vector_string: String,
        pub base_score: Option<f64>,
        pub base_severity: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Weakness {
        #[serde(default)]
        pub description: Vec<LangString>,
    }

    #[derive(Deserialize)]
    pub struct Config {
        pub operator: Option<String>,
        #[serde(default)]
        pub negate: bool,
        #[serde(default)]
        pub nodes: Vec<Node>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Node {
        pub operator: Option<String>,
        #[serde(default)]
        pub negate: bool,
        #[serde(default)]
        pub cpe_match: Vec<CpeMatch>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CpeMatch {
        pub vulnerable: bool,
        pub criteria: String,
        pub match_criteria_id: Option<String>,
        pub version_start_including: Option<String>,
        pub version_start_excluding: Option<String>,
        pub version_end_including: Option<String>,
        pub version_end_excluding: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Reference {
        pub url: String,
        #[serde(default)]
        pub tags: Vec<String>,
    }
}

/// The fast path for the common case, an NVD API 2.0 response page: deserialised straight
/// from the text into wire structs, with no `serde_json::Value` tree in between (building,
/// walking and freeing that tree took two thirds of the time of a large page).
///
/// It gives an answer only where the general path ([`read`] over a `Value`) would give the
/// same one: the top level has `"format": "NVD_CVE"` and a `vulnerabilities` array (so that
/// detection says NVD), and every item and every `cve` deserialises. Anything else — a type
/// error, a missing `cve`, a duplicate key (which a `Value` resolves by keeping the last) —
/// returns `None` and the caller takes the general path, which reports every problem.
pub fn read_fast(text: &str, ctx: &Context<'_>) -> Option<Result<Document, ReadError>> {
    #[derive(serde::Deserialize)]
    struct FastPage<'a> {
        #[serde(borrow)]
        format: Option<std::borrow::Cow<'a, str>>,
        version: Option<String>,
        vulnerabilities: Option<Vec<FastItem>>,
    }
    #[derive(serde::Deserialize)]
    struct FastItem {
        cve: w::Cve,
    }
    let page: FastPage<'_> = serde_json::from_str(text).ok()?;
    if page.format.as_deref() != Some("NVD_CVE") {
        return None;
    }
    let items = page.vulnerabilities?;
    let mut problems = Problems::new(ctx);
    let mut spec_version = Some("2.0".to_owned());
    if let Some(v) = page.version {
        if v != "2.0" {
            problems.error(
                codes::SPEC_VERSION,
                "/version",
                format!("NVD API version {v:?}; this reader knows 2.0"),
            );
        }
        spec_version = Some(v);
    }
    let mut advisories = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let pointer = format!("/vulnerabilities/{i}/cve");
        advisories.push(convert(
            item.cve,
            &pointer,
            ctx,
            &spec_version,
            &mut problems,
        ));
    }
    let document_id = match advisories.as_slice() {
        [one] => Some(one.id.clone()),
        _ => None,
    };
    Some(problems.finish(Format::Nvd2, spec_version, document_id, advisories))
}

pub fn read(value: &Value, ctx: &Context<'_>) -> Result<Document, ReadError> {
    let mut problems = Problems::new(ctx);
    let mut advisories = Vec::new();
    let mut spec_version = Some("2.0".to_owned());
    let items: Vec<(String, &Value)> = if value.get("vulnerabilities").is_some() {
        let Some(page) = wire::<w::Page>(value, "", &mut problems) else {
            return problems.finish(Format::Nvd2, spec_version, None, advisories);
        };
        if let Some(v) = page.version.as_deref() {
            if v != "2.0" {
                problems.error(
                    codes::SPEC_VERSION,
                    "/version",
                    format!("NVD API version {v:?}; this reader knows 2.0"),
                );
            }
            spec_version = Some(v.to_owned());
        }
        let list = match value.get("vulnerabilities").and_then(Value::as_array) {
            Some(list) => list.as_slice(),
            None => {
                problems.error(
                    codes::WRONG_TYPE,
                    "/vulnerabilities",
                    "`vulnerabilities` must be an array",
                );
                &[]
            }
        };
        list.iter()
            .enumerate()
            .filter_map(|(i, item)| match item.get("cve") {
                Some(cve) => Some((format!("/vulnerabilities/{i}/cve"), cve)),
                None => {
                    problems.error(
                        codes::MISSING,
                        &format!("/vulnerabilities/{i}"),
                        "an item of `vulnerabilities` has no `cve`",
                    );
                    None
                }
            })
            .collect()
    } else if let Some(cve) = value.get("cve") {
        vec![("/cve".to_owned(), cve)]
    } else {
        vec![(String::new(), value)]
    };
    for (pointer, item) in items {
        if let Some(cve) = wire::<w::Cve>(item, &pointer, &mut problems) {
            advisories.push(convert(cve, &pointer, ctx, &spec_version, &mut problems));
        }
    }
    let document_id = match advisories.as_slice() {
        [one] => Some(one.id.clone()),
        _ => None,
    };
    problems.finish(Format::Nvd2, spec_version, document_id, advisories)
}

/// The conversion seam: one NVD `cve` object → one advisory.
fn convert(
    mut cve: w::Cve,
    base: &str,
    ctx: &Context<'_>,
    spec_version: &Option<String>,
    problems: &mut Problems<'_>,
) -> Advisory {
    let id = cve.id.clone().unwrap_or_default();
    if id.is_empty() {
        problems.error(codes::MISSING, &ptr(base, "id"), "the CVE has no `id`");
    }
    let mut a = Advisory::new(
        id,
        Source::Nvd {
            source_identifier: cve.source_identifier.clone(),
            status: cve.vuln_status.clone(),
        },
        Provenance {
            format: Format::Nvd2,
            spec_version: spec_version.clone(),
            file: ctx.file_name.clone(),
            pointer: Some(base.to_owned()).filter(|p| !p.is_empty()),
        },
    );
    a.published = timestamp(
        cve.published.as_deref(),
        &ptr(base, "published"),
        true,
        problems,
    );
    a.modified = timestamp(
        cve.last_modified.as_deref(),
        &ptr(base, "lastModified"),
        true,
        problems,
    );
    if cve.vuln_status.as_deref() == Some("Rejected") {
        a.withdrawn = Some(Withdrawn {
            at: a.modified,
            reason: Some("rejected (vulnStatus Rejected)".into()),
        });
    }
    // NVD descriptions: the English one is the record's text (NVD requires one "en").
    // Moved out, not copied: the wire struct is dropped after conversion.
    let details = cve
        .descriptions
        .iter()
        .position(|d| d.lang.as_deref() == Some("en"))
        .or((!cve.descriptions.is_empty()).then_some(0));
    a.details = details.map(|i| std::mem::take(&mut cve.descriptions[i].value));

    let metrics_ptr = ptr(base, "metrics");
    for (key, list) in [
        ("cvssMetricV40", &cve.metrics.v40),
        ("cvssMetricV31", &cve.metrics.v31),
        ("cvssMetricV30", &cve.metrics.v30),
        ("cvssMetricV2", &cve.metrics.v2),
    ] {
        for (i, m) in list.iter().enumerate() {
            let p = ptr(&ptr(&metrics_ptr, key), i);
            let role = match m.ty.as_deref() {
                Some("Primary") => ScorerRole::NvdPrimary,
                _ => ScorerRole::NvdSecondary,
            };
            let data_ptr = ptr(&p, "cvssData");
            a.severities.push(severity(
                Stated {
                    version: m.cvss_data.version.as_deref(),
                    vector: &m.cvss_data.vector_string,
                    base_score: m.cvss_data.base_score,
                    severity: m
                        .cvss_data
                        .base_severity
                        .as_deref()
                        .or(m.base_severity.as_deref()),
                    pointer: &data_ptr,
                    vector_key: "vectorString",
                },
                Scorer {
                    role,
                    name: m.source.clone(),
                },
                problems,
            ));
        }
    }
    for wk in &cve.weaknesses {
        for d in &wk.description {
            a.add_cwe(&d.value);
        }
    }
    for r in std::mem::take(&mut cve.references) {
        a.references.push(Reference {
            url: r.url,
            tags: r.tags,
            name: None,
        });
    }
    if cve.cisa_exploit_add.is_some() || cve.cisa_vulnerability_name.is_some() {
        a.known_exploited = Some(KnownExploited {
            date_added: cve.cisa_exploit_add.clone(),
            action_due: cve.cisa_action_due.clone(),
            required_action: cve.cisa_required_action.clone(),
            vulnerability_name: cve.cisa_vulnerability_name.clone(),
        });
    }

    for (ci, config) in cve.configurations.iter().enumerate() {
        let cp = ptr(&ptr(base, "configurations"), ci);
        let mut nodes = Vec::new();
        for (ni, node) in config.nodes.iter().enumerate() {
            let np = ptr(&ptr(&cp, "nodes"), ni);
            let mut matches = Vec::new();
            for (mi, m) in node.cpe_match.iter().enumerate() {
                let mp = ptr(&ptr(&np, "cpeMatch"), mi);
                if let Some(affected) = cpe_match(m, &mp, problems) {
                    matches.push(a.affected.len());
                    a.affected.push(Affected {
                        configuration: Some(ci),
                        ..affected
                    });
                }
            }
            nodes.push(ConfigNode {
                operator: operator(node.operator.as_deref(), &np, problems),
                negate: node.negate,
                matches,
            });
        }
        // A configuration without an operator has one node (the schema makes it
        // optional); OR is then the neutral reading.
        let op = match config.operator.as_deref() {
            None => Operator::Or,
            Some(o) => operator(Some(o), &cp, problems),
        };
        a.configurations.push(Configuration {
            operator: op,
            negate: config.negate,
            nodes,
        });
    }
    a
}

/// `base` is the pointer of the node or configuration; the pointer of its `operator` is
/// built only for a problem.
fn operator(op: Option<&str>, base: &str, problems: &mut Problems<'_>) -> Operator {
    match op {
        Some("AND") => Operator::And,
        Some("OR") => Operator::Or,
        Some(other) => {
            problems.error(
                codes::BAD_VALUE,
                &ptr(base, "operator"),
                format!("operator {other:?}: NVD operators are AND and OR"),
            );
            Operator::Or
        }
        None => {
            problems.error(
                codes::MISSING,
                &ptr(base, "operator"),
                "a node has no `operator`",
            );
            Operator::Or
        }
    }
}

/// One `cpeMatch` → one affected entry (see the mapping table in medsec-core).
fn cpe_match(m: &w::CpeMatch, pointer: &str, problems: &mut Problems<'_>) -> Option<Affected> {
    let cpe = match Cpe::from_formatted_string(&m.criteria) {
        Ok(c) => c,
        Err(e) => {
            problems.error(
                codes::BAD_CPE,
                &ptr(pointer, "criteria"),
                format!("invalid CPE 2.3 name {:?}: {e}", m.criteria),
            );
            return None;
        }
    };
    let bounded = m.version_start_including.is_some()
        || m.version_start_excluding.is_some()
        || m.version_end_including.is_some()
        || m.version_end_excluding.is_some();
    let mut versions = Vec::new();
    let mut ranges = Vec::new();
    // The version as text: `*` (ANY), `-` (NA), or the value string unquoted
    // (`16.10.3\\(3794\\)` in the criterion is version `16.10.3(3794)`).
    let version_value = match cpe.get(Attribute::Version) {
        CpeValue::Any => "*".to_owned(),
        CpeValue::Na => "-".to_owned(),
        CpeValue::Str(s) => s.unquoted(),
    };
    if bounded {
        if m.version_start_including.is_some() && m.version_start_excluding.is_some() {
            problems.error(
                codes::BAD_RANGE,
                pointer,
                "both versionStartIncluding and versionStartExcluding",
            );
        }
        if m.version_end_including.is_some() && m.version_end_excluding.is_some() {
            problems.error(
                codes::BAD_RANGE,
                pointer,
                "both versionEndIncluding and versionEndExcluding",
            );
        }
        if version_value != "*" {
            // NVD puts bounds only on criteria whose version is ANY; a concrete version
            // plus bounds has no single reading.
            problems.error(
                codes::BAD_RANGE,
                &ptr(pointer, "criteria"),
                format!(
                    "version bounds on a criterion with the concrete version {version_value:?}"
                ),
            );
        }
        let mut r = VersionRange::new(VersionScheme::Generic);
        match (&m.version_start_including, &m.version_start_excluding) {
            (Some(v), _) => r = r.with_event(Point::At(v.clone()), RangeState::Affected),
            (None, Some(v)) => r = r.with_event(Point::After(v.clone()), RangeState::Affected),
            (None, None) => r = r.with_event(Point::Earliest, RangeState::Affected),
        }
        match (&m.version_end_excluding, &m.version_end_including) {
            (Some(v), _) => r = r.with_event(Point::At(v.clone()), RangeState::Outside),
            (None, Some(v)) => r = r.with_event(Point::After(v.clone()), RangeState::Outside),
            (None, None) => {}
        }
        ranges.push(r);
    } else if version_value == "*" {
        ranges.push(
            VersionRange::new(VersionScheme::Generic)
                .with_event(Point::Earliest, RangeState::Affected),
        );
    } else {
        versions.push(version_value);
    }
    Some(Affected {
        what: Package::Cpe {
            cpe,
            match_criteria_id: m.match_criteria_id.clone(),
        },
        status: if m.vulnerable {
            Status::Affected
        } else {
            Status::NotAffected
        },
        versions,
        ranges,
        default_status: None,
        platforms: Vec::new(),
        configuration: None,
    })
}

pub(super) fn timestamp(
    text: Option<&str>,
    pointer: &str,
    required: bool,
    problems: &mut Problems<'_>,
) -> Option<jiff::Timestamp> {
    match text {
        None => {
            if required {
                problems.error(codes::MISSING, pointer, "a required timestamp is missing");
            }
            None
        }
        Some(t) => match time::parse(t) {
            Ok(ts) => Some(ts),
            Err(e) => {
                problems.error(codes::BAD_TIMESTAMP, pointer, e);
                None
            }
        },
    }
}
