//! OSV 1.x records, JSON or YAML (the pypa advisory database writes YAML). Field names
//! and rules follow the OSV schema (`validation/schema.json`, ossf/osv-schema, in the
//! corpus) and its specification text.

use medsec_core::advisory::{
    Advisory, Affected, Format, Package, Point, Provenance, RangeState, Reference, Scorer,
    ScorerRole, Severity, SeverityKind, Source, Status, VersionRange, VersionScheme, Withdrawn,
};
use medsec_core::purl::Purl;
use serde_json::Value;

use super::cvss::{Stated, severity};
use super::nvd::timestamp;
use super::{Context, Document, Problems, ReadError, codes, ptr, wire};

mod w {
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Deserialize)]
    pub struct Record {
        pub schema_version: Option<String>,
        pub id: Option<String>,
        pub modified: Option<String>,
        pub published: Option<String>,
        pub withdrawn: Option<String>,
        #[serde(default)]
        pub aliases: Vec<String>,
        #[serde(default)]
        pub related: Vec<String>,
        #[serde(default)]
        pub upstream: Vec<String>,
        pub summary: Option<String>,
        pub details: Option<String>,
        #[serde(default)]
        pub severity: Vec<SeverityEntry>,
        #[serde(default)]
        pub affected: Vec<Affected>,
        #[serde(default)]
        pub references: Vec<Reference>,
        pub database_specific: Option<Value>,
    }

    #[derive(Deserialize)]
    pub struct SeverityEntry {
        #[serde(rename = "type")]
        pub ty: String,
        pub score: String,
    }

    #[derive(Deserialize)]
    pub struct Affected {
        pub package: Option<PackageW>,
        #[serde(default)]
        pub severity: Vec<SeverityEntry>,
        #[serde(default)]
        pub ranges: Vec<Range>,
        #[serde(default)]
        pub versions: Vec<String>,
    }

    #[derive(Deserialize)]
    pub struct PackageW {
        pub ecosystem: Option<String>,
        pub name: Option<String>,
        pub purl: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Range {
        #[serde(rename = "type")]
        pub ty: Option<String>,
        pub repo: Option<String>,
        #[serde(default)]
        pub events: Vec<Event>,
    }

    #[derive(Deserialize)]
    pub struct Event {
        pub introduced: Option<String>,
        pub fixed: Option<String>,
        pub last_affected: Option<String>,
        pub limit: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Reference {
        #[serde(rename = "type")]
        pub ty: Option<String>,
        pub url: String,
    }
}

pub fn read(value: &Value, ctx: &Context<'_>) -> Result<Document, ReadError> {
    let mut problems = Problems::new(ctx);
    let Some(record) = wire::<w::Record>(value, "", &mut problems) else {
        return problems.finish(Format::Osv, None, None, Vec::new());
    };
    let spec_version = record.schema_version.clone();
    if let Some(v) = &spec_version
        && !v.starts_with("1.")
    {
        problems.error(
            codes::SPEC_VERSION,
            "/schema_version",
            format!("schema_version {v:?}; this reader knows OSV 1.x"),
        );
    }
    let advisory = convert(record, ctx, &spec_version, &mut problems);
    let id = advisory.as_ref().map(|a| a.id.clone());
    problems.finish(
        Format::Osv,
        spec_version,
        id,
        advisory.into_iter().collect(),
    )
}

/// The conversion seam: one OSV record → one advisory.
fn convert(
    r: w::Record,
    ctx: &Context<'_>,
    spec_version: &Option<String>,
    problems: &mut Problems<'_>,
) -> Option<Advisory> {
    let Some(id) = r.id.clone().filter(|i| !i.trim().is_empty()) else {
        problems.error(codes::MISSING, "/id", "an OSV record needs an `id`");
        return None;
    };
    let database = id.split_once('-').map(|(prefix, _)| prefix.to_owned());
    let mut a = Advisory::new(
        id,
        Source::Osv { database },
        Provenance {
            format: Format::Osv,
            spec_version: spec_version.clone(),
            file: ctx.file_name.clone(),
            pointer: None,
        },
    );
    // OSV requires `modified` (schema: "required": ["id", "modified"]).
    a.modified = timestamp(r.modified.as_deref(), "/modified", true, problems);
    a.published = timestamp(r.published.as_deref(), "/published", false, problems);
    if let Some(w) = &r.withdrawn {
        a.withdrawn = Some(Withdrawn {
            at: timestamp(Some(w), "/withdrawn", false, problems),
            reason: None,
        });
    }
    for alias in &r.aliases {
        a.add_alias(alias);
    }
    for rel in r.related.iter().chain(&r.upstream) {
        if !a.related.contains(rel) {
            a.related.push(rel.clone());
        }
    }
    a.title = r.summary.clone();
    a.details = r.details.clone();
    let scorer = || Scorer {
        role: ScorerRole::Database,
        name: a_source_db(&r).clone(),
    };
    for (i, s) in r.severity.iter().enumerate() {
        let sev = osv_severity(s, &format!("/severity/{i}"), scorer(), problems);
        a.severities.push(sev);
    }
    qualitative(&mut a, r.database_specific.as_ref(), scorer());
    if let Some(Value::Array(cwes)) = r.database_specific.as_ref().and_then(|d| d.get("cwe_ids")) {
        for c in cwes.iter().filter_map(Value::as_str) {
            a.add_cwe(c);
        }
    }
    for rf in &r.references {
        a.references.push(Reference {
            url: rf.url.clone(),
            tags: rf.ty.iter().cloned().collect(),
            name: None,
        });
    }
    for (i, af) in r.affected.iter().enumerate() {
        let base = format!("/affected/{i}");
        for (si, s) in af.severity.iter().enumerate() {
            let sev = osv_severity(s, &format!("{base}/severity/{si}"), scorer(), problems);
            a.severities.push(sev);
        }
        if let Some(entry) = affected(af, &base, problems) {
            a.affected.push(entry);
        }
    }
    Some(a)
}

fn a_source_db(r: &w::Record) -> Option<String> {
    r.id.as_deref()
        .and_then(|i| i.split_once('-'))
        .map(|(p, _)| p.to_owned())
}

/// GHSA-style `database_specific.severity` (`HIGH`, `MODERATE` …).
fn qualitative(a: &mut Advisory, db: Option<&Value>, scored_by: Scorer) {
    if let Some(rating) = db.and_then(|d| d.get("severity")).and_then(Value::as_str) {
        a.severities.push(Severity {
            kind: SeverityKind::Qualitative {
                scheme: scored_by.name.clone(),
                rating: rating.to_owned(),
            },
            scored_by,
            products: Vec::new(),
        });
    }
}

fn osv_severity(
    s: &w::SeverityEntry,
    pointer: &str,
    scored_by: Scorer,
    problems: &mut Problems<'_>,
) -> Severity {
    // OSV severity types: CVSS_V2, CVSS_V3, CVSS_V4 carry a vector; Ubuntu a rating.
    let version = match s.ty.as_str() {
        "CVSS_V2" => Some("2.0"),
        "CVSS_V3" => None, // 3.0 or 3.1, the vector's prefix says which
        "CVSS_V4" => Some("4.0"),
        _ => {
            return Severity {
                kind: SeverityKind::Qualitative {
                    scheme: Some(s.ty.clone()),
                    rating: s.score.clone(),
                },
                scored_by,
                products: Vec::new(),
            };
        }
    };
    let sev = severity(
        Stated {
            version,
            vector: &s.score,
            base_score: None,
            severity: None,
            pointer,
            vector_key: "score",
        },
        scored_by,
        problems,
    );
    if s.ty == "CVSS_V3"
        && let SeverityKind::Cvss(c) = &sev.kind
        && !c.version.starts_with("3.")
        && c.computed_base_score.is_some()
    {
        problems.error(
            codes::CVSS_VERSION_MISMATCH,
            &ptr(pointer, "score"),
            format!("type CVSS_V3 but the vector is CVSS {}", c.version),
        );
    }
    sev
}

fn affected(af: &w::Affected, base: &str, problems: &mut Problems<'_>) -> Option<Affected> {
    let ecosystem = af.package.as_ref().and_then(|p| p.ecosystem.clone());
    let what = match &af.package {
        Some(p) => {
            let purl = match p.purl.as_deref() {
                None => None,
                Some(text) => match text.parse::<Purl>() {
                    Ok(purl) => Some(purl),
                    Err(e) => {
                        problems.error(
                            codes::BAD_PURL,
                            &format!("{base}/package/purl"),
                            format!("invalid purl {text:?}: {e}"),
                        );
                        None
                    }
                },
            };
            match (p.ecosystem.clone(), p.name.clone()) {
                (Some(ecosystem), Some(name)) => Package::Ecosystem {
                    ecosystem,
                    name,
                    purl,
                },
                _ => {
                    problems.error(
                        codes::MISSING,
                        &format!("{base}/package"),
                        "a package needs `ecosystem` and `name`",
                    );
                    return None;
                }
            }
        }
        None => {
            // The schema allows no package for GIT-only entries: the repository is the
            // identity then.
            match af.ranges.iter().find_map(|r| r.repo.clone()) {
                Some(url) => Package::Repository { url },
                None => {
                    problems.error(
                        codes::MISSING,
                        &format!("{base}/package"),
                        "an affected entry without `package` must have a GIT range with `repo`",
                    );
                    return None;
                }
            }
        }
    };
    let mut ranges = Vec::new();
    for (ri, r) in af.ranges.iter().enumerate() {
        let rp = format!("{base}/ranges/{ri}");
        if let Some(range) = range(r, ecosystem.as_deref(), &rp, problems) {
            ranges.push(range);
        }
    }
    Some(Affected {
        what,
        status: Status::Affected,
        versions: af.versions.clone(),
        ranges,
        default_status: None,
        platforms: Vec::new(),
        configuration: None,
    })
}

fn range(
    r: &w::Range,
    ecosystem: Option<&str>,
    rp: &str,
    problems: &mut Problems<'_>,
) -> Option<VersionRange> {
    let scheme = match r.ty.as_deref() {
        Some("SEMVER") => VersionScheme::Semver,
        Some("GIT") => VersionScheme::Git,
        Some("ECOSYSTEM") => match ecosystem {
            Some(e) => VersionScheme::Ecosystem(e.to_owned()),
            None => {
                problems.error(
                    codes::BAD_RANGE,
                    &ptr(rp, "type"),
                    "an ECOSYSTEM range needs the package's ecosystem",
                );
                return None;
            }
        },
        Some(other) => {
            problems.error(
                codes::BAD_VALUE,
                &ptr(rp, "type"),
                format!("range type {other:?}: OSV range types are SEMVER, ECOSYSTEM and GIT"),
            );
            return None;
        }
        None => {
            problems.error(codes::MISSING, &ptr(rp, "type"), "a range needs a `type`");
            return None;
        }
    };
    let mut out = VersionRange::new(scheme.clone());
    if scheme == VersionScheme::Git {
        match &r.repo {
            Some(repo) => out.repo = Some(repo.clone()),
            None => problems.error(codes::MISSING, &ptr(rp, "repo"), "a GIT range needs `repo`"),
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    let (mut introduced, mut fixed, mut last) = (false, false, false);
    for (ei, e) in r.events.iter().enumerate() {
        let ep = ptr(&ptr(rp, "events"), ei);
        let given = [
            ("introduced", &e.introduced),
            ("fixed", &e.fixed),
            ("last_affected", &e.last_affected),
            ("limit", &e.limit),
        ];
        let set: Vec<_> = given.iter().filter(|(_, v)| v.is_some()).collect();
        let [(kind, Some(version))] = set.as_slice() else {
            problems.error(
                codes::BAD_RANGE,
                &ep,
                "an event has exactly one of introduced, fixed, last_affected, limit",
            );
            continue;
        };
        // OSV sorts events by version and does not say which of two events at one
        // version applies (osv-linter flags it, "nondistinct"). The model's rule, the
        // later one in the list, reads real records as meant (PYSEC-2022-236: fixed
        // 3.1.1, then introduced 3.1.1 for the next branch), so this is a warning.
        if seen.contains(&version.as_str()) {
            problems.warn(
                codes::BAD_RANGE,
                &ep,
                format!(
                    "version {version:?} appears in two events of this range; the later one applies there"
                ),
            );
        }
        seen.push(version);
        let v = version.clone();
        match *kind {
            "introduced" => {
                introduced = true;
                let point = if v == "0" {
                    Point::Earliest
                } else {
                    Point::At(v)
                };
                out = out.with_event(point, RangeState::Affected);
            }
            "fixed" => {
                fixed = true;
                out = out.with_event(Point::At(v), RangeState::Unaffected);
            }
            "last_affected" => {
                last = true;
                out = out.with_event(Point::After(v), RangeState::Unaffected);
            }
            _ => {
                if scheme != VersionScheme::Git {
                    problems.error(
                        codes::BAD_RANGE,
                        &ep,
                        "`limit` events are for GIT ranges only",
                    );
                }
                out.limits.push(v);
            }
        }
    }
    // OSV schema: "events must contain an introduced object"; "last_affected and fixed
    // events are mutually exclusive".
    if !introduced {
        problems.error(
            codes::BAD_RANGE,
            &ptr(rp, "events"),
            "the range has no `introduced` event, so where it starts is unknown",
        );
    }
    if fixed && last {
        problems.error(
            codes::BAD_RANGE,
            &ptr(rp, "events"),
            "a range has both `fixed` and `last_affected` events (the OSV schema forbids it)",
        );
    }
    Some(out)
}
