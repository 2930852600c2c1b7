//! CVE JSON 5.x records (`dataType: CVE_RECORD`, `dataVersion` 5.0–5.2). Field names
//! follow `CVE_JSON_5.1_bundled.json` (CVEProject, schema in the corpus).

use medsec_core::advisory::{
    Advisory, Affected, Format, Package, Point, Provenance, RangeState, Reference, Remediation,
    Scorer, ScorerRole, Severity, SeverityKind, Source, Status, VendorProduct, VersionRange,
    VersionScheme, Withdrawn,
};
use medsec_core::cpe::Cpe;
use serde_json::Value;

use super::cvss::{Stated, severity};
use super::nvd::timestamp;
use super::{Context, Document, Problems, ReadError, codes, ptr, wire};

mod w {
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Record {
        pub data_version: Option<String>,
        pub cve_metadata: Option<Metadata>,
        pub containers: Option<Containers>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Metadata {
        pub cve_id: Option<String>,
        pub assigner_org_id: Option<String>,
        pub assigner_short_name: Option<String>,
        pub state: Option<String>,
        pub date_published: Option<String>,
        pub date_updated: Option<String>,
        pub date_rejected: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Containers {
        pub cna: Option<Container>,
        #[serde(default)]
        pub adp: Vec<Container>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Container {
        pub provider_metadata: Option<Provider>,
        pub title: Option<String>,
        #[serde(default)]
        pub descriptions: Vec<LangString>,
        #[serde(default)]
        pub affected: Vec<Affected>,
        #[serde(default)]
        pub problem_types: Vec<ProblemType>,
        #[serde(default)]
        pub references: Vec<Reference>,
        #[serde(default)]
        pub metrics: Vec<Metric>,
        #[serde(default)]
        pub solutions: Vec<LangString>,
        #[serde(default)]
        pub workarounds: Vec<LangString>,
        #[serde(default)]
        pub rejected_reasons: Vec<LangString>,
        pub date_public: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Provider {
        pub short_name: Option<String>,
        pub org_id: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct LangString {
        pub lang: Option<String>,
        pub value: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Affected {
        pub vendor: Option<String>,
        pub product: Option<String>,
        #[serde(rename = "collectionURL")]
        pub collection_url: Option<String>,
        pub package_name: Option<String>,
        #[serde(default)]
        pub cpes: Vec<String>,
        #[serde(default)]
        pub modules: Vec<String>,
        #[serde(default)]
        pub program_files: Vec<String>,
        #[serde(default)]
        pub platforms: Vec<String>,
        pub repo: Option<String>,
        pub default_status: Option<String>,
        #[serde(default)]
        pub versions: Vec<Version>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Version {
        pub version: Option<String>,
        pub status: Option<String>,
        pub version_type: Option<String>,
        pub less_than: Option<String>,
        pub less_than_or_equal: Option<String>,
        #[serde(default)]
        pub changes: Vec<Change>,
    }

    #[derive(Deserialize)]
    pub struct Change {
        pub at: String,
        pub status: String,
    }

    #[derive(Deserialize)]
    pub struct ProblemType {
        #[serde(default)]
        pub descriptions: Vec<ProblemDescription>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ProblemDescription {
        pub cwe_id: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Reference {
        pub url: String,
        pub name: Option<String>,
        #[serde(default)]
        pub tags: Vec<String>,
    }

    #[derive(Deserialize)]
    pub struct Metric {
        #[serde(rename = "cvssV4_0")]
        pub v40: Option<Cvss>,
        #[serde(rename = "cvssV3_1")]
        pub v31: Option<Cvss>,
        #[serde(rename = "cvssV3_0")]
        pub v30: Option<Cvss>,
        #[serde(rename = "cvssV2_0")]
        pub v20: Option<Cvss>,
        pub other: Option<Other>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Cvss {
        pub version: Option<String>,
        pub vector_string: String,
        pub base_score: Option<f64>,
        pub base_severity: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Other {
        #[serde(rename = "type")]
        pub ty: String,
        pub content: Value,
    }
}

pub fn read(value: &Value, ctx: &Context<'_>) -> Result<Document, ReadError> {
    let mut problems = Problems::new(ctx);
    let Some(record) = wire::<w::Record>(value, "", &mut problems) else {
        return problems.finish(Format::Cve5, None, None, Vec::new());
    };
    let spec_version = record.data_version.clone();
    match spec_version.as_deref() {
        Some(v) if v.starts_with("5.") => {}
        Some(v) => problems.error(
            codes::SPEC_VERSION,
            "/dataVersion",
            format!("dataVersion {v:?}; this reader knows CVE JSON 5.x"),
        ),
        None => problems.error(codes::MISSING, "/dataVersion", "no `dataVersion`"),
    }
    let advisory = convert(record, ctx, &spec_version, &mut problems);
    let id = advisory.as_ref().map(|a| a.id.clone());
    problems.finish(
        Format::Cve5,
        spec_version,
        id,
        advisory.into_iter().collect(),
    )
}

/// The conversion seam: one CVE 5 record → one advisory.
fn convert(
    record: w::Record,
    ctx: &Context<'_>,
    spec_version: &Option<String>,
    problems: &mut Problems<'_>,
) -> Option<Advisory> {
    let Some(meta) = record.cve_metadata else {
        problems.error(codes::MISSING, "/cveMetadata", "no `cveMetadata`");
        return None;
    };
    let Some(id) = meta.cve_id.clone() else {
        problems.error(codes::MISSING, "/cveMetadata/cveId", "no `cveId`");
        return None;
    };
    let state = meta.state.clone().unwrap_or_default();
    if state != "PUBLISHED" && state != "REJECTED" {
        problems.error(
            codes::BAD_VALUE,
            "/cveMetadata/state",
            format!("state {state:?}: CVE 5 records are PUBLISHED or REJECTED"),
        );
    }
    let mut a = Advisory::new(
        id,
        Source::Cve5 {
            state: state.clone(),
            assigner_org_id: meta.assigner_org_id.clone(),
            assigner_short_name: meta.assigner_short_name.clone(),
        },
        Provenance {
            format: Format::Cve5,
            spec_version: spec_version.clone(),
            file: ctx.file_name.clone(),
            pointer: None,
        },
    );
    a.published = timestamp(
        meta.date_published.as_deref(),
        "/cveMetadata/datePublished",
        false,
        problems,
    );
    a.modified = timestamp(
        meta.date_updated.as_deref(),
        "/cveMetadata/dateUpdated",
        false,
        problems,
    );
    let Some(containers) = record.containers else {
        problems.error(codes::MISSING, "/containers", "no `containers`");
        return Some(a);
    };
    if state == "REJECTED" {
        let reason = containers
            .cna
            .as_ref()
            .and_then(|c| c.rejected_reasons.first())
            .map(|r| r.value.clone());
        a.withdrawn = Some(Withdrawn {
            at: timestamp(
                meta.date_rejected.as_deref(),
                "/cveMetadata/dateRejected",
                false,
                problems,
            ),
            reason,
        });
    }
    match &containers.cna {
        Some(cna) => container(&mut a, cna, "/containers/cna", ScorerRole::Cna, problems),
        None => problems.error(codes::MISSING, "/containers/cna", "no CNA container"),
    }
    for (i, adp) in containers.adp.iter().enumerate() {
        container(
            &mut a,
            adp,
            &format!("/containers/adp/{i}"),
            ScorerRole::Adp,
            problems,
        );
    }
    Some(a)
}

fn container(
    a: &mut Advisory,
    c: &w::Container,
    base: &str,
    role: ScorerRole,
    problems: &mut Problems<'_>,
) {
    let scorer_name = c
        .provider_metadata
        .as_ref()
        .and_then(|p| p.short_name.clone().or(p.org_id.clone()));
    if a.title.is_none() {
        a.title = c.title.clone();
    }
    if a.details.is_none() {
        a.details = c
            .descriptions
            .iter()
            .find(|d| d.lang.as_deref().is_some_and(|l| l.starts_with("en")))
            .or(c.descriptions.first())
            .map(|d| d.value.clone());
    }
    if a.published.is_none() {
        a.published = c
            .date_public
            .as_deref()
            .and_then(|t| super::time::parse(t).ok());
    }
    for pt in &c.problem_types {
        for d in &pt.descriptions {
            if let Some(cwe) = &d.cwe_id {
                a.add_cwe(cwe);
            }
        }
    }
    for r in &c.references {
        if !a.references.iter().any(|x| x.url == r.url) {
            a.references.push(Reference {
                url: r.url.clone(),
                tags: r.tags.clone(),
                name: r.name.clone(),
            });
        }
    }
    for s in &c.solutions {
        a.remediations.push(Remediation {
            category: "vendor_fix".into(),
            details: s.value.clone(),
            product_ids: Vec::new(),
            url: None,
            date: None,
        });
    }
    for wk in &c.workarounds {
        a.remediations.push(Remediation {
            category: "workaround".into(),
            details: wk.value.clone(),
            product_ids: Vec::new(),
            url: None,
            date: None,
        });
    }
    for (i, m) in c.metrics.iter().enumerate() {
        let mp = ptr(&ptr(base, "metrics"), i);
        for (key, cv) in [
            ("cvssV4_0", &m.v40),
            ("cvssV3_1", &m.v31),
            ("cvssV3_0", &m.v30),
            ("cvssV2_0", &m.v20),
        ] {
            if let Some(cv) = cv {
                let p = ptr(&mp, key);
                a.severities.push(severity(
                    Stated {
                        version: cv.version.as_deref(),
                        vector: &cv.vector_string,
                        base_score: cv.base_score,
                        severity: cv.base_severity.as_deref(),
                        pointer: &p,
                        vector_key: "vectorString",
                    },
                    Scorer {
                        role,
                        name: scorer_name.clone(),
                    },
                    problems,
                ));
            }
        }
        if let Some(other) = &m.other {
            // `other` is free-form (the schema says: "content: any"); keep it as text.
            let rating = match &other.content {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("text")
                    .or_else(|| o.get("value"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| other.content.to_string()),
                v => v.to_string(),
            };
            a.severities.push(Severity {
                kind: SeverityKind::Qualitative {
                    scheme: Some(other.ty.clone()),
                    rating,
                },
                scored_by: Scorer {
                    role,
                    name: scorer_name.clone(),
                },
                products: Vec::new(),
            });
        }
    }
    for (i, af) in c.affected.iter().enumerate() {
        affected(a, af, &ptr(&ptr(base, "affected"), i), problems);
    }
}

fn status(text: &str, pointer: &str, problems: &mut Problems<'_>) -> Option<(Status, RangeState)> {
    match text {
        "affected" => Some((Status::Affected, RangeState::Affected)),
        "unaffected" => Some((Status::NotAffected, RangeState::Unaffected)),
        "unknown" => Some((Status::Unknown, RangeState::Unknown)),
        other => {
            problems.error(
                codes::BAD_VALUE,
                pointer,
                format!("status {other:?}: CVE 5 statuses are affected, unaffected, unknown"),
            );
            None
        }
    }
}

/// One CVE 5 product → one [`Affected`] per status its versions carry (the range
/// events carry their own states; the entry's status is that of its start).
fn affected(a: &mut Advisory, af: &w::Affected, base: &str, problems: &mut Problems<'_>) {
    let mut cpes = Vec::new();
    for (i, c) in af.cpes.iter().enumerate() {
        let parsed = if c.starts_with("cpe:/") {
            Cpe::from_uri(c)
        } else {
            Cpe::from_formatted_string(c)
        };
        match parsed {
            Ok(cpe) => cpes.push(cpe),
            Err(e) => problems.warn(
                codes::BAD_CPE,
                &ptr(&ptr(base, "cpes"), i),
                format!("invalid CPE {c:?} left out: {e}"),
            ),
        }
    }
    if af.vendor.is_none() && af.product.is_none() && af.package_name.is_none() {
        problems.error(
            codes::MISSING,
            base,
            "a product needs `vendor` and `product`, or `collectionURL` and `packageName`",
        );
    }
    let what = Package::VendorProduct(Box::new(VendorProduct {
        vendor: af.vendor.clone(),
        product: af.product.clone(),
        collection_url: af.collection_url.clone(),
        package_name: af.package_name.clone(),
        cpes,
        modules: af.modules.clone(),
        program_files: af.program_files.clone(),
        repo: af.repo.clone(),
    }));
    let default_status = af
        .default_status
        .as_deref()
        .and_then(|s| status(s, &ptr(base, "defaultStatus"), problems))
        .map(|(s, _)| s);
    let mut groups: Vec<Affected> = Vec::new();
    let group = |groups: &mut Vec<Affected>, st: Status| -> usize {
        if let Some(i) = groups.iter().position(|g| g.status == st) {
            return i;
        }
        groups.push(Affected {
            what: what.clone(),
            status: st,
            versions: Vec::new(),
            ranges: Vec::new(),
            default_status,
            platforms: af.platforms.clone(),
            configuration: None,
        });
        groups.len() - 1
    };
    for (i, v) in af.versions.iter().enumerate() {
        let vp = ptr(&ptr(base, "versions"), i);
        let Some(version) = v.version.as_deref() else {
            problems.error(codes::MISSING, &vp, "a version entry has no `version`");
            continue;
        };
        let Some((st, state)) = v
            .status
            .as_deref()
            .map(|s| (s, ptr(&vp, "status")))
            .and_then(|(s, p)| status(s, &p, problems))
            .or_else(|| {
                problems.error(codes::MISSING, &ptr(&vp, "status"), "no `status`");
                None
            })
        else {
            continue;
        };
        let g = group(&mut groups, st);
        let is_range = v.less_than.is_some() || v.less_than_or_equal.is_some();
        if !is_range {
            if !v.changes.is_empty() {
                problems.error(
                    codes::BAD_RANGE,
                    &ptr(&vp, "changes"),
                    "`changes` needs a range (`lessThan` or `lessThanOrEqual`)",
                );
            }
            groups[g].versions.push(version.to_owned());
            continue;
        }
        if v.less_than.is_some() && v.less_than_or_equal.is_some() {
            problems.error(
                codes::BAD_RANGE,
                &vp,
                "both `lessThan` and `lessThanOrEqual`",
            );
        }
        let scheme = match v.version_type.as_deref() {
            Some("semver") => VersionScheme::Semver,
            Some("git") => VersionScheme::Git,
            Some(other) => VersionScheme::Custom(other.to_owned()),
            None => {
                // The schema requires versionType with lessThan/lessThanOrEqual; keep the
                // range, say so.
                problems.warn(
                    codes::MISSING,
                    &vp,
                    "a range without `versionType`; its ordering is unspecified",
                );
                VersionScheme::Generic
            }
        };
        let mut r = VersionRange::new(scheme);
        r.repo = af.repo.clone().filter(|_| r.scheme == VersionScheme::Git);
        // CVE 5 schema, `version`: "…or the start of a range … 0 … the earliest".
        let start = if version == "0" {
            Point::Earliest
        } else {
            Point::At(version.to_owned())
        };
        r = r.with_event(start, state);
        for (ci, ch) in v.changes.iter().enumerate() {
            let cp = ptr(&ptr(&vp, "changes"), ci);
            if let Some((_, s)) = status(&ch.status, &ptr(&cp, "status"), problems) {
                r = r.with_event(Point::At(ch.at.clone()), s);
            }
        }
        match (v.less_than.as_deref(), v.less_than_or_equal.as_deref()) {
            (Some("*"), _) | (None, Some("*")) => {}
            (Some(l), _) => r = r.with_event(Point::At(l.to_owned()), RangeState::Outside),
            (None, Some(l)) => r = r.with_event(Point::After(l.to_owned()), RangeState::Outside),
            (None, None) => {}
        }
        groups[g].ranges.push(r);
    }
    if groups.is_empty() {
        // Only a default status (or nothing): the product as a whole is in it.
        groups.push(Affected {
            what,
            status: default_status.unwrap_or(Status::Unknown),
            versions: Vec::new(),
            ranges: Vec::new(),
            default_status,
            platforms: af.platforms.clone(),
            configuration: None,
        });
    }
    a.affected.extend(groups);
}
