//! Whether one advisory affects one SBOM component, why, and how sure medsec is.
//!
//! [`match_component`] looks at every [`Affected`] entry of the advisory that shares a
//! key with the component (see [`crate::keys`]) and returns one [`ComponentMatch`] per
//! entry (per NVD configuration for CPE criteria), whatever the outcome: `not_affected`
//! and `unknown` results are kept, so a report can show what was checked and a VEX
//! statement can cite it. Nothing is dropped silently.
//!
//! # Routes
//!
//! - **purl / OSV ecosystem**: the keys must be equal; the version is placed by
//!   [`affects`] in the package's own ordering.
//! - **CPE (NVD)**: the configurations are evaluated exactly: every `cpeMatch` is true,
//!   false or unknown for the product; nodes combine with AND/OR and `negate` (NVD CVE
//!   API 2.0, "configurations"). A vulnerable criterion is compared with the component's
//!   CPEs by NISTIR 7696 name comparison (§6.2: every attribute but the version must be
//!   SUPERSET or EQUAL), the version by [`affects`]. A platform criterion
//!   (`vulnerable: false`, "running on/with") is decided from
//!   [`MatchContext::platform_cpes`] when the caller gives them; otherwise it is
//!   unknown, and an affected application is reported "only when running on X" at lower
//!   confidence.
//! - **CSAF product**: by the identification helper's purl, then its CPE, then vendor +
//!   product name (CSAF 2.0 §3.1.2.1 branch categories `vendor`, `product_name`)
//!   against supplier + name; versions from `product_version` exactly,
//!   `product_version_range` by its range, free text through
//!   [`crate::interpret_range_text`]. Product status maps to the match status.
//! - **CVE 5 vendor/product**: normalised vendor + product (or the registry purl, or a
//!   listed CPE); versions and `defaultStatus` by [`affects`].
//!
//! # Confidence
//!
//! Each route starts at a base confidence: **High** for a declared purl or CPE,
//! **Medium** for a CSAF helper CPE, a vendor + product name, or a CVE 5 product. Each
//! of these lowers it by one step (never below Low), and is listed in
//! [`ComponentMatch::assumptions`]: a key or CPE derived by medsec rather than declared
//! by the SBOM; an application CPE reached through a derived key for a component the SBOM
//! calls a library; a criterion with version `*` and no bounds (every version); a
//! component version that is unspecified; a version comparison resting on the generic
//! order's assumption ([`Verdict::assumption`]); a free-text range read by medsec; a
//! platform the product may not have; a CPE attribute the criterion names and the
//! component's CPE leaves open.

use std::collections::BTreeSet;

use medsec_core::advisory::{
    Advisory, Affected, ConfigNode, CsafProduct, Operator, Package, Point, RangeState, Status,
    VersionRange,
};
use medsec_core::cpe::{Attribute, AttributeRelation, Cpe, Value, compare_attributes};
use serde::{Deserialize, Serialize};

use crate::keys::{
    CandidateKey, ComponentQuery, CpeProductMap, KeyOrigin, Registries, cpe_key,
    csaf_vendor_product, normalise_name, package_keys, purl_key, vp_key,
};
use crate::range_text::interpret_range_text;
use crate::{Answer, Verdict, affects};

/// What the match says about the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Affected,
    NotAffected,
    Fixed,
    UnderInvestigation,
    Unknown,
}

impl MatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Affected => "affected",
            MatchStatus::NotAffected => "not_affected",
            MatchStatus::Fixed => "fixed",
            MatchStatus::UnderInvestigation => "under_investigation",
            MatchStatus::Unknown => "unknown",
        }
    }

    /// The match status of an advisory status (CSAF `first_affected`/`last_affected` are
    /// affected versions, `first_fixed` fixed, `recommended` a version not affected).
    pub fn of(status: Status) -> Self {
        match status {
            Status::Affected | Status::FirstAffected | Status::LastAffected => Self::Affected,
            Status::NotAffected | Status::Recommended => Self::NotAffected,
            Status::Fixed | Status::FirstFixed => Self::Fixed,
            Status::UnderInvestigation => Self::UnderInvestigation,
            _ => Self::Unknown,
        }
    }
}

impl std::fmt::Display for MatchStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the match is that the advisory's product is this component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    /// One step lower (Low stays Low).
    pub fn lower(self) -> Self {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

/// Which kind of advisory entry matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Purl,
    Ecosystem,
    Cpe,
    CsafProduct,
    VendorProduct,
}

/// One finding: this advisory entry and this component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentMatch {
    pub advisory_id: String,
    pub status: MatchStatus,
    pub confidence: Confidence,
    pub via: Via,
    /// Index in [`Advisory::affected`] of the entry that decided.
    pub affected_index: usize,
    /// The NVD configuration evaluated, for CPE matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<usize>,
    /// The key that found the entry.
    pub key: String,
    pub key_origin: KeyOrigin,
    /// Human sentences: which entry, which range or CPE, and why this status.
    pub reasons: Vec<String>,
    /// Versions the advisory names as fixed for this product (OSV `fixed`, CVE 5
    /// `unaffected` changes, CSAF `fixed`/`first_fixed` products).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_in: Vec<String>,
    /// Everything that lowered the confidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
}

/// What the caller knows about the product beyond the component.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchContext {
    /// Every platform (operating system, hardware, runtime) the product has. Empty means
    /// "not known": NVD platform criteria are then unknown and an application match is
    /// reported "only when running on X". When given, platform criteria are decided
    /// exactly against this list (a platform not in it is absent).
    pub platform_cpes: Vec<Cpe>,
    /// Registries whose CVE 5 `collectionURL` packages are matched by purl.
    pub registries: Registries,
    /// The curated map the derived keys came from (`None`: the built-in one); it says
    /// which derived CPEs name applications rather than libraries.
    pub cpe_products: Option<CpeProductMap>,
}

/// [`match_component_with`] without platform knowledge.
pub fn match_component(
    component: &ComponentQuery,
    advisory: &Advisory,
    keys: &[CandidateKey],
) -> Vec<ComponentMatch> {
    match_component_with(component, advisory, keys, &MatchContext::default())
}

/// Every match of the advisory's entries with the component. `keys` are the component's
/// candidate keys ([`crate::component_keys`]): entries sharing none are not considered,
/// and CPEs derived by the curated map enter through them.
pub fn match_component_with(
    component: &ComponentQuery,
    advisory: &Advisory,
    keys: &[CandidateKey],
    ctx: &MatchContext,
) -> Vec<ComponentMatch> {
    let mut out = Vec::new();
    let cpes = component_cpes(component, keys);
    out.extend(match_configurations(component, advisory, &cpes, ctx));
    for (i, entry) in advisory.affected.iter().enumerate() {
        let m = match &entry.what {
            Package::Purl { .. } | Package::Ecosystem { .. } => {
                match_package(component, advisory, i, entry, keys, ctx)
            }
            Package::VendorProduct(_) => {
                match_vendor_product(component, advisory, i, entry, keys, &cpes, ctx)
            }
            Package::CsafProduct(p) => match_csaf(component, advisory, i, entry, p, keys, &cpes),
            _ => None,
        };
        out.extend(m);
    }
    out
}

/// The most severe match: affected before unknown/under investigation before fixed and
/// not affected, then by confidence. A summary for tables; the full list stays the record.
pub fn most_severe(matches: &[ComponentMatch]) -> Option<&ComponentMatch> {
    let rank = |s: MatchStatus| match s {
        MatchStatus::Affected => 4,
        MatchStatus::UnderInvestigation => 3,
        MatchStatus::Unknown => 2,
        MatchStatus::Fixed => 1,
        MatchStatus::NotAffected => 0,
    };
    matches
        .iter()
        .max_by_key(|m| (rank(m.status), m.confidence))
}

// ---------------------------------------------------------------------------------------
// Shared pieces

/// A match being built: confidence lowered step by step, each step with its reason.
struct Draft {
    status: MatchStatus,
    confidence: Confidence,
    reasons: Vec<String>,
    assumptions: Vec<String>,
}

impl Draft {
    fn new(status: MatchStatus, base: Confidence) -> Self {
        Draft {
            status,
            confidence: base,
            reasons: Vec::new(),
            assumptions: Vec::new(),
        }
    }

    fn lower(&mut self, why: impl Into<String>) {
        self.confidence = self.confidence.lower();
        self.assumptions.push(why.into());
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        self,
        advisory: &Advisory,
        via: Via,
        index: usize,
        configuration: Option<usize>,
        key: &CandidateKey,
        fixed_in: Vec<String>,
    ) -> ComponentMatch {
        ComponentMatch {
            advisory_id: advisory.id.clone(),
            status: self.status,
            confidence: self.confidence,
            via,
            affected_index: index,
            configuration,
            key: key.key.clone(),
            key_origin: key.origin,
            reasons: self.reasons,
            fixed_in,
            assumptions: self.assumptions,
        }
    }
}

/// The component key among `entry_keys`, a declared one first.
fn shared_key<'a>(entry_keys: &[String], keys: &'a [CandidateKey]) -> Option<&'a CandidateKey> {
    let hits = keys.iter().filter(|k| entry_keys.contains(&k.key));
    let mut best: Option<&CandidateKey> = None;
    for k in hits {
        if best.is_none_or(|b| k.origin < b.origin) {
            best = Some(k);
        }
    }
    best
}

/// An entry's decision for one version, as a match status.
struct Decision {
    status: MatchStatus,
    verdict: Option<Verdict>,
    reason: String,
    unspecified: bool,
}

fn is_unspecified(v: Option<&str>) -> bool {
    v.is_none_or(|v| matches!(v.trim(), "" | "*" | "-"))
}

/// Decides the status of `version` in one entry: whether the version is one the entry
/// speaks of (its versions and ranges, probed as "affected"), then the entry's status for
/// it, else its default status, else fixed (a range said unaffected) or not affected.
fn decide(entry: &Affected, version: Option<&str>) -> Decision {
    if entry.versions.is_empty() && entry.ranges.is_empty() {
        return Decision {
            status: MatchStatus::of(entry.status),
            verdict: None,
            reason: format!(
                "the entry lists no versions or ranges, so it is about every version: {}",
                entry.status
            ),
            unspecified: false,
        };
    }
    let Some(v) = version.filter(|v| !is_unspecified(Some(v))) else {
        return Decision {
            status: if entry.status == Status::UnderInvestigation {
                MatchStatus::UnderInvestigation
            } else {
                MatchStatus::Unknown
            },
            verdict: None,
            reason: format!(
                "the component's version is unspecified ({:?}), so the entry's versions and ranges cannot place it",
                version.unwrap_or("")
            ),
            unspecified: true,
        };
    };
    // Probe with status affected: "is the version one this entry is about?"; the entry's
    // own status is applied after (CSAF entries hold fixed and not-affected products).
    let probe = Affected {
        status: Status::Affected,
        default_status: None,
        ..entry.clone()
    };
    let verdict = affects(&probe, v);
    let (status, reason) = match verdict.affected {
        Answer::Yes => (
            MatchStatus::of(entry.status),
            format!(
                "version {v} is covered by the entry ({}); the entry's status is {}",
                verdict.reason, entry.status
            ),
        ),
        Answer::Unknown => (
            if entry.status == Status::UnderInvestigation {
                MatchStatus::UnderInvestigation
            } else {
                MatchStatus::Unknown
            },
            format!(
                "whether version {v} is covered is unknown: {}",
                verdict.reason
            ),
        ),
        Answer::No => match entry.default_status {
            Some(d) => (
                MatchStatus::of(d),
                format!(
                    "version {v} is in none of the entry's versions or ranges ({}); the default status is {d}",
                    verdict.reason
                ),
            ),
            None if verdict
                .evaluations
                .iter()
                .any(|e| e.state == RangeState::Unaffected) =>
            {
                (
                    MatchStatus::Fixed,
                    format!("version {v} is fixed: {}", verdict.reason),
                )
            }
            None => (
                MatchStatus::NotAffected,
                format!("version {v} is not affected: {}", verdict.reason),
            ),
        },
    };
    Decision {
        status,
        verdict: Some(verdict),
        reason,
        unspecified: false,
    }
}

/// Applies a decision to a draft: reason, and the lowering for an unspecified version
/// or an assumed comparison.
fn apply(d: &mut Draft, dec: &Decision) {
    d.reasons.push(dec.reason.clone());
    if dec.unspecified {
        d.lower("the component's version is unspecified");
    }
    if let Some(a) = dec.verdict.as_ref().and_then(|v| v.assumption.as_ref()) {
        d.lower(format!("the version comparison is not certain: {a}"));
    }
}

/// Versions at which a range turns unaffected (OSV `fixed`, CVE 5 `unaffected`).
fn fixed_versions(ranges: &[VersionRange]) -> Vec<String> {
    let mut out = Vec::new();
    for r in ranges {
        for e in &r.events {
            if e.state == RangeState::Unaffected
                && let Point::At(v) = &e.point
                && !out.contains(v)
            {
                out.push(v.clone());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// purl / ecosystem

fn match_package(
    component: &ComponentQuery,
    advisory: &Advisory,
    index: usize,
    entry: &Affected,
    keys: &[CandidateKey],
    ctx: &MatchContext,
) -> Option<ComponentMatch> {
    let entry_keys = package_keys(&entry.what, &ctx.registries);
    let key = shared_key(&entry_keys, keys)?;
    let (via, what) = match &entry.what {
        Package::Purl { purl } => (Via::Purl, format!("purl {purl}")),
        Package::Ecosystem {
            ecosystem, name, ..
        } => (Via::Ecosystem, format!("{ecosystem} package {name:?}")),
        _ => return None,
    };
    let dec = decide(entry, component.effective_version());
    let mut d = Draft::new(dec.status, Confidence::High);
    d.reasons.push(format!(
        "{} entry {index} is about {what}, found by key {} ({})",
        advisory.id, key.key, key.why
    ));
    if key.origin == KeyOrigin::Derived {
        d.lower(format!(
            "the key {} was derived by medsec, not declared by the SBOM",
            key.key
        ));
    }
    apply(&mut d, &dec);
    Some(d.finish(
        advisory,
        via,
        index,
        None,
        key,
        fixed_versions(&entry.ranges),
    ))
}

// ---------------------------------------------------------------------------------------
// CPE

/// A CPE of the component, declared or derived.
struct CompCpe {
    cpe: Cpe,
    key: CandidateKey,
}

/// The component's declared CPEs, then the CPEs of its derived `cpe:` keys (only keys
/// naming part, vendor and product; wildcard variants are lookups, not names).
fn component_cpes(component: &ComponentQuery, keys: &[CandidateKey]) -> Vec<CompCpe> {
    let mut out: Vec<CompCpe> = component
        .cpes
        .iter()
        .map(|c| CompCpe {
            cpe: c.clone(),
            key: CandidateKey {
                key: cpe_key(c),
                origin: KeyOrigin::Declared,
                why: format!("the component's CPE {c}"),
            },
        })
        .collect();
    for k in keys.iter().filter(|k| k.origin == KeyOrigin::Derived) {
        let Some(body) = k.key.strip_prefix("cpe:") else {
            continue;
        };
        let parts: Vec<&str> = body.split(':').collect();
        // Escaped colons would split further; such names stay out of derived matching.
        let [p, v, n] = parts.as_slice() else {
            continue;
        };
        if [p, v, n].iter().any(|s| **s == "*" || **s == "-")
            || out.iter().any(|c| c.key.key == k.key)
        {
            continue;
        }
        let version = component
            .effective_version()
            .filter(|v| !is_unspecified(Some(v)))
            .and_then(|v| Value::literal(v).ok())
            .unwrap_or(Value::Any);
        let Ok(mut cpe) =
            Cpe::from_formatted_string(&format!("cpe:2.3:{p}:{v}:{n}:*:*:*:*:*:*:*:*"))
        else {
            continue;
        };
        if cpe.set(Attribute::Version, version).is_err() {
            continue;
        }
        out.push(CompCpe {
            cpe,
            key: k.clone(),
        });
    }
    out
}

/// NISTIR 7696 name comparison of a criterion (source) with a component CPE (target),
/// version left to the range check: every other attribute SUPERSET or EQUAL. A target
/// attribute left ANY where the criterion names a value is accepted as an assumption
/// (the SBOM did not say); NA in the criterion against ANY is accepted silently.
fn name_matches(criterion: &Cpe, target: &Cpe) -> Option<Vec<String>> {
    let mut open = Vec::new();
    for a in Attribute::ALL {
        if a == Attribute::Version {
            continue;
        }
        let (s, t) = (criterion.get(a), target.get(a));
        match compare_attributes(s, t) {
            AttributeRelation::Superset | AttributeRelation::Equal => {}
            AttributeRelation::Subset if *t == Value::Any => {
                if *s != Value::Na {
                    open.push(format!(
                        "the criterion requires {a} {s}; the component's CPE leaves it open"
                    ));
                }
            }
            _ => return None,
        }
    }
    Some(open)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn not(self) -> Self {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    fn combine(op: Operator, items: impl Iterator<Item = Truth>, negate: bool) -> Truth {
        let items: Vec<Truth> = items.collect();
        let r = match op {
            Operator::And if items.contains(&Truth::False) => Truth::False,
            Operator::And if items.iter().all(|t| *t == Truth::True) => Truth::True,
            Operator::Or if items.contains(&Truth::True) => Truth::True,
            Operator::Or if items.iter().all(|t| *t == Truth::False) => Truth::False,
            _ => Truth::Unknown,
        };
        if negate { r.not() } else { r }
    }

    fn rank(self) -> u8 {
        match self {
            Truth::True => 2,
            Truth::Unknown => 1,
            Truth::False => 0,
        }
    }
}

/// One criterion against one CPE.
struct CpeEval {
    truth: Truth,
    open: Vec<String>,
    every_version: bool,
    decision_reason: String,
    verdict: Option<Verdict>,
    unspecified: bool,
}

/// A criterion with version `*` and no bounds: the reader made it one range from the
/// earliest version (see the mapping table in `medsec_core::advisory`).
fn is_every_version(entry: &Affected, criterion: &Cpe) -> bool {
    *criterion.get(Attribute::Version) == Value::Any
        && entry.versions.is_empty()
        && entry.ranges.len() == 1
        && entry.ranges[0].events.len() == 1
        && entry.ranges[0].events[0].point == Point::Earliest
        && entry.ranges[0].events[0].state == RangeState::Affected
}

fn eval_cpe(
    entry: &Affected,
    criterion: &Cpe,
    target: &Cpe,
    fallback_version: Option<&str>,
) -> Option<CpeEval> {
    let open = name_matches(criterion, target)?;
    let every_version = is_every_version(entry, criterion);
    let version: Option<String> = match target.get(Attribute::Version) {
        Value::Str(s) if !s.has_wildcards() => Some(s.unquoted()),
        Value::Na => Some("-".into()),
        _ => fallback_version.map(str::to_owned),
    };
    // NA against NA: both say the product has no version (NISTIR 7696: EQUAL).
    if *criterion.get(Attribute::Version) == Value::Na && version.as_deref() == Some("-") {
        return Some(CpeEval {
            truth: Truth::True,
            open,
            every_version,
            decision_reason: "criterion and CPE both state no version (NA)".into(),
            verdict: None,
            unspecified: false,
        });
    }
    if every_version {
        return Some(CpeEval {
            truth: Truth::True,
            open,
            every_version,
            decision_reason: "the criterion's version is * with no bounds: every version".into(),
            verdict: None,
            unspecified: false,
        });
    }
    let probe = Affected {
        status: Status::Affected,
        default_status: None,
        ..entry.clone()
    };
    let unspecified = is_unspecified(version.as_deref());
    let (truth, reason, verdict) = if unspecified {
        (
            Truth::Unknown,
            format!(
                "the version is unspecified ({:?}), so the criterion's versions cannot place it",
                version.as_deref().unwrap_or("")
            ),
            None,
        )
    } else {
        let v = version.as_deref().unwrap_or("");
        let verdict = affects(&probe, v);
        let t = match verdict.affected {
            Answer::Yes => Truth::True,
            Answer::No => Truth::False,
            Answer::Unknown => Truth::Unknown,
        };
        (t, format!("version {v}: {}", verdict.reason), Some(verdict))
    };
    Some(CpeEval {
        truth,
        open,
        every_version,
        decision_reason: reason,
        verdict,
        unspecified,
    })
}

fn criterion_of(entry: &Affected) -> Option<&Cpe> {
    match &entry.what {
        Package::Cpe { cpe, .. } => Some(cpe),
        _ => None,
    }
}

/// The truth of a criterion from the caller's platform list: `Unknown` when none given.
fn platform_truth(entry: &Affected, criterion: &Cpe, ctx: &MatchContext) -> Truth {
    if ctx.platform_cpes.is_empty() {
        return Truth::Unknown;
    }
    ctx.platform_cpes
        .iter()
        .filter_map(|p| eval_cpe(entry, criterion, p, None))
        .map(|e| e.truth)
        .max_by_key(|t| t.rank())
        .unwrap_or(Truth::False)
}

fn match_configurations(
    component: &ComponentQuery,
    advisory: &Advisory,
    cpes: &[CompCpe],
    ctx: &MatchContext,
) -> Vec<ComponentMatch> {
    if cpes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let version = component.effective_version();
    // Configurations as the record gives them, plus each CPE entry outside any
    // configuration as a configuration of its own.
    let mut configs: Vec<(Option<usize>, Operator, bool, Vec<ConfigNode>)> = advisory
        .configurations
        .iter()
        .enumerate()
        .map(|(ci, c)| (Some(ci), c.operator, c.negate, c.nodes.clone()))
        .collect();
    for (i, e) in advisory.affected.iter().enumerate() {
        if criterion_of(e).is_some()
            && e.configuration.is_none()
            && !advisory
                .configurations
                .iter()
                .any(|c| c.nodes.iter().any(|n| n.matches.contains(&i)))
        {
            configs.push((
                None,
                Operator::Or,
                false,
                vec![ConfigNode {
                    operator: Operator::Or,
                    negate: false,
                    matches: vec![i],
                }],
            ));
        }
    }
    for (ci, op, negate, nodes) in configs {
        // The vulnerable criteria the component's CPEs name, with the best evaluation.
        let mut named: Vec<(usize, CpeEval, &CompCpe)> = Vec::new();
        for node in &nodes {
            for &i in &node.matches {
                let Some(entry) = advisory.affected.get(i) else {
                    continue;
                };
                let Some(criterion) = criterion_of(entry) else {
                    continue;
                };
                if MatchStatus::of(entry.status) != MatchStatus::Affected {
                    continue;
                }
                let best = cpes
                    .iter()
                    .filter_map(|c| eval_cpe(entry, criterion, &c.cpe, version).map(|e| (e, c)))
                    .max_by_key(|(e, c)| (e.truth.rank(), c.key.origin == KeyOrigin::Declared));
                if let Some((e, c)) = best {
                    named.push((i, e, c));
                }
            }
        }
        if named.is_empty() {
            continue;
        }
        // The truth of every entry of the configuration for this product.
        let mut open_platforms: Vec<String> = Vec::new();
        let mut absent: Vec<String> = Vec::new();
        let node_truths = nodes.iter().map(|node| {
            let has_named = node.matches.iter().any(|i| named.iter().any(|n| n.0 == *i));
            // Under a top-level OR, a node without the component is an alternative
            // about other products: it cannot make this component affected.
            if !has_named && op == Operator::Or {
                return Truth::False;
            }
            let items: Vec<Truth> = node
                .matches
                .iter()
                .map(|&i| {
                    if let Some((_, e, _)) = named.iter().find(|n| n.0 == i) {
                        return e.truth;
                    }
                    let Some(entry) = advisory.affected.get(i) else {
                        return Truth::Unknown;
                    };
                    let Some(criterion) = criterion_of(entry) else {
                        return Truth::Unknown;
                    };
                    let vulnerable = MatchStatus::of(entry.status) == MatchStatus::Affected;
                    // Another product in the component's own OR node is an alternative,
                    // not a requirement.
                    if vulnerable && has_named && node.operator == Operator::Or {
                        return Truth::False;
                    }
                    let t = platform_truth(entry, criterion, ctx);
                    match t {
                        Truth::Unknown => open_platforms.push(criterion.to_string()),
                        Truth::False => absent.push(criterion.to_string()),
                        Truth::True => {}
                    }
                    t
                })
                .collect();
            Truth::combine(node.operator, items.into_iter(), node.negate)
        });
        let node_truths: Vec<Truth> = node_truths.collect();
        let config_truth = Truth::combine(op, node_truths.into_iter(), negate);
        named.sort_by_key(|(i, e, c)| (std::cmp::Reverse(e.truth.rank()), c.key.origin, *i));
        let Some((index, eval, comp)) = named.first() else {
            continue;
        };
        let index = *index;
        let Some(entry) = advisory.affected.get(index) else {
            continue;
        };
        let Some(criterion) = criterion_of(entry) else {
            continue;
        };
        let where_ = match ci {
            Some(c) => format!("configuration {c}"),
            None => "a criterion outside any configuration".into(),
        };
        let status = match (config_truth, eval.truth) {
            (Truth::True, _) => MatchStatus::Affected,
            (Truth::Unknown, Truth::True) => MatchStatus::Affected,
            (Truth::Unknown, _) => MatchStatus::Unknown,
            (Truth::False, _) => MatchStatus::NotAffected,
        };
        let mut d = Draft::new(status, Confidence::High);
        d.reasons.push(format!(
            "{} {where_}: criterion {criterion} (entry {index}) matches {} by NISTIR 7696 name comparison",
            advisory.id, comp.key.why
        ));
        d.reasons.push(eval.decision_reason.clone());
        match (config_truth, eval.truth) {
            (Truth::True, _) => d.reasons.push(format!("{where_} holds for the product")),
            (Truth::Unknown, Truth::True) => {
                let platforms = dedup(&open_platforms).join(", ");
                d.reasons
                    .push(format!("affected only when running on/with {platforms}"));
                d.lower(format!(
                    "the configuration also needs {platforms}, which the component cannot show (no platform CPEs given)"
                ));
            }
            (Truth::False, Truth::True) => d.reasons.push(format!(
                "{where_} does not hold: the product lacks {}",
                if absent.is_empty() {
                    "a required part".to_owned()
                } else {
                    dedup(&absent).join(", ")
                }
            )),
            (Truth::False, _) => {
                for (i, e, _) in named.iter().skip(1) {
                    d.reasons.push(format!("entry {i}: {}", e.decision_reason));
                }
            }
            (Truth::Unknown, _) => {}
        }
        if comp.key.origin == KeyOrigin::Derived {
            d.lower(format!(
                "the CPE {} was derived by medsec ({}), not declared by the SBOM",
                comp.cpe, comp.key.why
            ));
            let map = ctx
                .cpe_products
                .as_ref()
                .unwrap_or_else(|| CpeProductMap::builtin_shared());
            if component.is_library() && map.entry_for(&comp.cpe).is_some_and(|e| e.application) {
                d.lower(format!(
                    "an application CPE matched a component the SBOM calls a {}: the same product name may not mean the same code",
                    component.kind.as_deref().unwrap_or("library")
                ));
            }
        }
        if eval.every_version && status == MatchStatus::Affected {
            d.lower("the criterion's version is * with no bounds: it names every version");
        }
        if eval.unspecified {
            d.lower("the component's version is unspecified");
        }
        if let Some(a) = eval.verdict.as_ref().and_then(|v| v.assumption.as_ref()) {
            d.lower(format!("the version comparison is not certain: {a}"));
        }
        for o in &eval.open {
            d.lower(o.clone());
        }
        let key = comp.key.clone();
        out.push(d.finish(advisory, Via::Cpe, index, ci, &key, Vec::new()));
    }
    out
}

fn dedup(v: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.iter().filter(|s| seen.insert(*s)).cloned().collect()
}

// ---------------------------------------------------------------------------------------
// CVE 5 vendor/product

fn match_vendor_product(
    component: &ComponentQuery,
    advisory: &Advisory,
    index: usize,
    entry: &Affected,
    keys: &[CandidateKey],
    cpes: &[CompCpe],
    ctx: &MatchContext,
) -> Option<ComponentMatch> {
    let Package::VendorProduct(vp) = &entry.what else {
        return None;
    };
    let entry_keys = package_keys(&entry.what, &ctx.registries);
    let (key, base, route) =
        if let Some(k) = shared_key(&entry_keys, keys).filter(|k| k.key.starts_with("purl:")) {
            let base = if k.origin == KeyOrigin::Declared {
                Confidence::High
            } else {
                Confidence::Medium
            };
            (
                k.clone(),
                base,
                format!("package {:?} of {:?}", vp.package_name, vp.collection_url),
            )
        } else if let Some((c, comp)) = vp.cpes.iter().find_map(|c| {
            cpes.iter()
                .find(|comp| name_matches(c, &comp.cpe).is_some())
                .map(|comp| (c, comp))
        }) {
            (comp.key.clone(), Confidence::Medium, format!("CPE {c}"))
        } else {
            let k = shared_key(&entry_keys, keys).filter(|k| k.key.starts_with("vp:"))?;
            (
                k.clone(),
                Confidence::Medium,
                format!(
                    "vendor {:?} and product {:?}",
                    vp.vendor.as_deref().unwrap_or(""),
                    vp.product.as_deref().unwrap_or("")
                ),
            )
        };
    let dec = decide(entry, component.effective_version());
    let mut d = Draft::new(dec.status, base);
    d.reasons.push(format!(
        "{} entry {index} names {route}, found by key {} ({})",
        advisory.id, key.key, key.why
    ));
    if key.origin == KeyOrigin::Derived && base == Confidence::High {
        d.lower(format!("the key {} was derived by medsec", key.key));
    }
    apply(&mut d, &dec);
    Some(d.finish(
        advisory,
        Via::VendorProduct,
        index,
        None,
        &key,
        fixed_versions(&entry.ranges),
    ))
}

// ---------------------------------------------------------------------------------------
// CSAF

/// A listed CSAF version that is really a range or a wildcard (`2.X`, `2.3.6 and below`).
/// A version with spaces (`1.3.1 Build 13`) stays an exact version.
fn listed_needs_reading(v: &str) -> bool {
    let t = v.trim().to_lowercase();
    const WORDS: [&str; 14] = [
        "all", "versions", "prior", "before", "earlier", "below", "and", "or", "through", "to",
        "later", "above", "after", "between",
    ];
    t.contains(['<', '>', '|', '*'])
        || t.split('.').any(|s| s == "x")
        || t.split_whitespace().any(|w| WORDS.contains(&w))
}

fn match_csaf(
    component: &ComponentQuery,
    advisory: &Advisory,
    index: usize,
    entry: &Affected,
    p: &CsafProduct,
    keys: &[CandidateKey],
    cpes: &[CompCpe],
) -> Option<ComponentMatch> {
    let helper = p.helper.as_ref();
    let helper_purl = helper.and_then(|h| h.purl.as_ref());
    let helper_cpe = helper.and_then(|h| h.cpe.as_ref());
    let (vendor, product) = csaf_vendor_product(p);
    // Route: helper purl, helper CPE, vendor + product name.
    let purl_hit = helper_purl.and_then(|hp| {
        let k = purl_key(hp);
        keys.iter()
            .filter(|c| c.key == k)
            .min_by_key(|c| c.origin)
            .cloned()
    });
    let (key, mut draft_base, route) = if let Some(k) = purl_hit {
        let base = if k.origin == KeyOrigin::Declared {
            Confidence::High
        } else {
            Confidence::Medium
        };
        let hp = helper_purl.map(ToString::to_string).unwrap_or_default();
        (k, base, format!("the identification helper's purl {hp}"))
    } else if let Some((hc, comp)) = helper_cpe.and_then(|hc| {
        cpes.iter()
            .filter(|c| name_matches(hc, &c.cpe).is_some())
            .min_by_key(|c| c.key.origin)
            .map(|c| (hc, c))
    }) {
        (
            comp.key.clone(),
            Confidence::Medium,
            format!("the identification helper's CPE {hc}"),
        )
    } else {
        let k = vp_key(vendor?, product?)?;
        let hit = keys
            .iter()
            .filter(|c| c.key == k)
            .min_by_key(|c| c.origin)
            .cloned()?;
        (
            hit,
            Confidence::Medium,
            format!(
                "vendor {:?} and product {:?}",
                vendor.unwrap_or(""),
                product.unwrap_or("")
            ),
        )
    };
    let mut notes: Vec<String> = Vec::new();
    let mut lowered: Vec<String> = Vec::new();
    // The versions this product stands for: listed versions (wildcards and English read
    // as ranges), ranges (free text read where possible), else the helper's version, else
    // a range written into the product's full name ("X: versions prior to 1.52").
    let mut probe = entry.clone();
    let mut versions = Vec::new();
    for v in &entry.versions {
        if listed_needs_reading(v)
            && let Some(r) = interpret_range_text(v)
        {
            lowered.push(format!(
                "the version text {v:?} was read by medsec as the range {r}"
            ));
            probe.ranges.push(r);
        } else {
            versions.push(v.clone());
        }
    }
    probe.versions = versions;
    for r in probe.ranges.iter_mut() {
        if r.uninterpreted
            && let Some(text) = r.text.clone()
        {
            match interpret_range_text(&text) {
                Some(read) => {
                    lowered.push(format!(
                        "the range text {text:?} was read by medsec as {read}"
                    ));
                    *r = read;
                }
                None => notes.push(format!(
                    "the range text {text:?} has no reading medsec knows (dates, conditions and product codes stay uninterpreted)"
                )),
            }
        }
    }
    if probe.versions.is_empty() && probe.ranges.is_empty() {
        if let Some(v) = helper_purl.and_then(|h| h.version()) {
            notes.push(format!(
                "the product's version {v} comes from its helper purl"
            ));
            probe.versions.push(v.to_owned());
        } else if let Some(Value::Str(s)) = helper_cpe.map(|c| c.get(Attribute::Version)) {
            notes.push(format!(
                "the product's version {} comes from its helper CPE",
                s.unquoted()
            ));
            probe.versions.push(s.unquoted());
        } else if let Some((_, tail)) = p.name.rsplit_once(": ")
            && let Some(r) = interpret_range_text(tail)
        {
            lowered.push(format!(
                "the product name {:?} states no version branch; its tail {tail:?} was read as {r}",
                p.name
            ));
            probe.ranges.push(r);
        }
    }
    let dec = decide(&probe, component.effective_version());
    if key.origin == KeyOrigin::Derived && draft_base == Confidence::High {
        draft_base = Confidence::Medium;
        lowered.insert(0, format!("the key {} was derived by medsec", key.key));
    }
    let mut d = Draft::new(dec.status, draft_base);
    d.reasons.push(format!(
        "{} product {:?} ({}, {}) is matched by {route}, found by key {} ({})",
        advisory.id, p.name, p.product_id, entry.status, key.key, key.why
    ));
    d.reasons.extend(notes);
    for l in lowered {
        d.lower(l);
    }
    apply(&mut d, &dec);
    for f in advisory
        .flags
        .iter()
        .filter(|f| f.product_ids.contains(&p.product_id))
    {
        d.reasons
            .push(format!("CSAF flag for this product: {}", f.label));
    }
    // Fixed versions of the same vendor/product elsewhere in the advisory.
    let me = (vendor.map(normalise_name), product.map(normalise_name));
    let mut fixed = fixed_versions(&entry.ranges);
    for other in &advisory.affected {
        if let Package::CsafProduct(o) = &other.what
            && matches!(other.status, Status::Fixed | Status::FirstFixed)
        {
            let (ov, op) = csaf_vendor_product(o);
            if (ov.map(normalise_name), op.map(normalise_name)) == me && me.1.is_some() {
                for v in &other.versions {
                    if !fixed.contains(v) {
                        fixed.push(v.clone());
                    }
                }
            }
        }
    }
    Some(d.finish(advisory, Via::CsafProduct, index, None, &key, fixed))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::keys::component_keys;
    use medsec_core::advisory::{
        BranchStep, Configuration, Flag, Format, IdentificationHelper, Provenance, Source,
        VendorProduct, VersionScheme,
    };

    fn advisory(id: &str) -> Advisory {
        Advisory::new(
            id,
            Source::Nvd {
                source_identifier: None,
                status: None,
            },
            Provenance {
                format: Format::Nvd2,
                spec_version: None,
                file: None,
                pointer: None,
            },
        )
    }

    fn entry(what: Package, status: Status) -> Affected {
        Affected {
            what,
            status,
            versions: vec![],
            ranges: vec![],
            default_status: None,
            platforms: vec![],
            configuration: None,
        }
    }

    fn cpe(s: &str) -> Cpe {
        s.parse().unwrap()
    }

    fn crit(s: &str, status: Status, ranges: Vec<VersionRange>, versions: Vec<&str>) -> Affected {
        Affected {
            ranges,
            versions: versions.into_iter().map(String::from).collect(),
            ..entry(
                Package::Cpe {
                    cpe: cpe(s),
                    match_criteria_id: None,
                },
                status,
            )
        }
    }

    fn below(v: &str) -> VersionRange {
        VersionRange::new(VersionScheme::Generic)
            .with_event(Point::Earliest, RangeState::Affected)
            .with_event(Point::At(v.into()), RangeState::Outside)
    }

    fn every() -> VersionRange {
        VersionRange::new(VersionScheme::Generic).with_event(Point::Earliest, RangeState::Affected)
    }

    fn run(c: &ComponentQuery, a: &Advisory) -> Vec<ComponentMatch> {
        match_component(c, a, &component_keys(c))
    }

    fn run_ctx(c: &ComponentQuery, a: &Advisory, ctx: &MatchContext) -> Vec<ComponentMatch> {
        match_component_with(c, a, &component_keys(c), ctx)
    }

    fn purl_comp(p: &str) -> ComponentQuery {
        let purl: medsec_core::Purl = p.parse().unwrap();
        ComponentQuery {
            purl: Some(purl.clone()),
            ..ComponentQuery::named(purl.name())
        }
    }

    fn osv_pypi() -> Advisory {
        let mut a = advisory("PYSEC-0000-1");
        a.affected.push(Affected {
            ranges: vec![
                VersionRange::new(VersionScheme::Ecosystem("PyPI".into()))
                    .with_event(Point::Earliest, RangeState::Affected)
                    .with_event(Point::At("2.0".into()), RangeState::Unaffected),
            ],
            ..entry(
                Package::Ecosystem {
                    ecosystem: "PyPI".into(),
                    name: "Jinja2".into(),
                    purl: None,
                },
                Status::Affected,
            )
        });
        a
    }

    #[test]
    fn ecosystem_route_statuses_and_fixed_in() {
        let a = osv_pypi();
        let m = run(&purl_comp("pkg:pypi/jinja2@1.5"), &a);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::High);
        assert_eq!(m[0].via, Via::Ecosystem);
        assert_eq!(m[0].affected_index, 0);
        assert_eq!(m[0].key, "purl:pypi/jinja2");
        assert_eq!(m[0].fixed_in, vec!["2.0"]);
        assert!(m[0].assumptions.is_empty());
        let m = run(&purl_comp("pkg:pypi/jinja2@2.0.1"), &a);
        assert_eq!(m[0].status, MatchStatus::Fixed);
        assert_eq!(m[0].confidence, Confidence::High);
        // No version: kept, unknown, one step lower.
        let m = run(&purl_comp("pkg:pypi/jinja2"), &a);
        assert_eq!(m[0].status, MatchStatus::Unknown);
        assert_eq!(m[0].confidence, Confidence::Medium);
        // Another package: nothing.
        assert!(run(&purl_comp("pkg:pypi/flask@1.0"), &a).is_empty());
    }

    #[test]
    fn purl_route_with_assumed_order_and_git() {
        let mut a = advisory("X-1");
        a.affected.push(Affected {
            ranges: vec![below("1.5")],
            ..entry(
                Package::Purl {
                    purl: "pkg:generic/acme/fw".parse().unwrap(),
                },
                Status::Affected,
            )
        });
        a.affected.push(Affected {
            ranges: vec![
                VersionRange::new(VersionScheme::Git)
                    .with_event(Point::At("abc123".into()), RangeState::Affected),
            ],
            ..entry(
                Package::Purl {
                    purl: "pkg:generic/acme/fw".parse().unwrap(),
                },
                Status::Affected,
            )
        });
        let m = run(&purl_comp("pkg:generic/acme/fw@1.5-foo"), &a);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].via, Via::Purl);
        assert_eq!(m[0].status, MatchStatus::NotAffected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert!(
            m[0].assumptions[0].contains("not certain"),
            "{:?}",
            m[0].assumptions
        );
        // A GIT range cannot be evaluated here: unknown, reported, not dropped.
        assert_eq!(m[1].status, MatchStatus::Unknown);
        assert_eq!(m[1].affected_index, 1);
        assert!(
            m[1].reasons.iter().any(|r| r.contains("GIT")),
            "{:?}",
            m[1].reasons
        );
    }

    #[test]
    fn derived_maven_key_is_medium() {
        let mut a = advisory("GHSA-x");
        a.affected.push(Affected {
            ranges: vec![
                VersionRange::new(VersionScheme::Ecosystem("Maven".into()))
                    .with_event(Point::At("2.0".into()), RangeState::Affected)
                    .with_event(Point::At("2.15.0".into()), RangeState::Unaffected),
            ],
            ..entry(
                Package::Ecosystem {
                    ecosystem: "Maven".into(),
                    name: "org.apache.logging.log4j:log4j-core".into(),
                    purl: None,
                },
                Status::Affected,
            )
        });
        let c = ComponentQuery {
            group: Some("org.apache.logging.log4j".into()),
            version: Some("2.14.1".into()),
            ..ComponentQuery::named("log4j-core")
        };
        let m = run(&c, &a);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert_eq!(m[0].key_origin, KeyOrigin::Derived);
    }

    /// ESP-IDF on ESP32, the shape of CVE-2020-13595: AND over an application and a
    /// hardware platform.
    fn running_on() -> Advisory {
        let mut a = advisory("CVE-RUNNING-ON");
        a.affected.push(crit(
            "cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*",
            Status::Affected,
            vec![
                VersionRange::new(VersionScheme::Generic)
                    .with_event(Point::At("4.0.0".into()), RangeState::Affected)
                    .with_event(Point::After("4.2".into()), RangeState::Outside),
            ],
            vec![],
        ));
        a.affected.push(crit(
            "cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*",
            Status::NotAffected,
            vec![],
            vec!["-"],
        ));
        for e in &mut a.affected {
            e.configuration = Some(0);
        }
        a.configurations.push(Configuration {
            operator: Operator::And,
            negate: false,
            nodes: vec![
                ConfigNode {
                    operator: Operator::Or,
                    negate: false,
                    matches: vec![0],
                },
                ConfigNode {
                    operator: Operator::Or,
                    negate: false,
                    matches: vec![1],
                },
            ],
        });
        a
    }

    fn esp_idf(v: &str) -> ComponentQuery {
        ComponentQuery {
            cpes: vec![cpe(&format!(
                "cpe:2.3:a:espressif:esp-idf:{v}:*:*:*:*:*:*:*"
            ))],
            version: Some(v.into()),
            ..ComponentQuery::named("esp-idf")
        }
    }

    #[test]
    fn running_on_platform_without_context_is_lower() {
        let m = run(&esp_idf("4.1"), &running_on());
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert_eq!(m[0].via, Via::Cpe);
        assert_eq!(m[0].configuration, Some(0));
        assert!(
            m[0].reasons
                .iter()
                .any(|r| r.contains("only when running on/with cpe:2.3:h:espressif:esp32:-")),
            "{:?}",
            m[0].reasons
        );
        // Outside the range: not affected whatever the platform.
        let m = run(&esp_idf("4.3"), &running_on());
        assert_eq!(m[0].status, MatchStatus::NotAffected);
    }

    #[test]
    fn running_on_platform_decided_with_context() {
        let on_esp32 = MatchContext {
            platform_cpes: vec![cpe("cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*")],
            ..MatchContext::default()
        };
        let m = run_ctx(&esp_idf("4.1"), &running_on(), &on_esp32);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::High);
        assert!(m[0].assumptions.is_empty(), "{:?}", m[0].assumptions);
        let on_other = MatchContext {
            platform_cpes: vec![cpe("cpe:2.3:h:espressif:esp8266:-:*:*:*:*:*:*:*")],
            ..MatchContext::default()
        };
        let m = run_ctx(&esp_idf("4.1"), &running_on(), &on_other);
        assert_eq!(m[0].status, MatchStatus::NotAffected);
        assert_eq!(m[0].confidence, Confidence::High);
        assert!(
            m[0].reasons
                .iter()
                .any(|r| r.contains("lacks cpe:2.3:h:espressif:esp32"))
        );
    }

    #[test]
    fn negated_platform_node() {
        // Vulnerable unless running on the platform (NVD `negate: true` node).
        let mut a = running_on();
        a.configurations[0].nodes[1].negate = true;
        let on_esp32 = MatchContext {
            platform_cpes: vec![cpe("cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*")],
            ..MatchContext::default()
        };
        assert_eq!(
            run_ctx(&esp_idf("4.1"), &a, &on_esp32)[0].status,
            MatchStatus::NotAffected
        );
        let on_other = MatchContext {
            platform_cpes: vec![cpe("cpe:2.3:h:acme:board:-:*:*:*:*:*:*:*")],
            ..MatchContext::default()
        };
        assert_eq!(
            run_ctx(&esp_idf("4.1"), &a, &on_other)[0].status,
            MatchStatus::Affected
        );
    }

    #[test]
    fn every_version_criterion_and_na_version() {
        let mut a = advisory("CVE-EVERY");
        a.affected.push(crit(
            "cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*",
            Status::Affected,
            vec![every()],
            vec![],
        ));
        a.affected.push(crit(
            "cpe:2.3:a:acme:gadget:-:*:*:*:*:*:*:*",
            Status::Affected,
            vec![],
            vec!["-"],
        ));
        let w = ComponentQuery {
            cpes: vec![cpe("cpe:2.3:a:acme:widget:3.0:*:*:*:*:*:*:*")],
            ..ComponentQuery::named("widget")
        };
        let m = run(&w, &a);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert!(m[0].assumptions[0].contains("every version"));
        // NA criterion: a versioned component cannot be placed (NISTIR 7696: NA and a
        // value are disjoint); reported unknown, not dropped.
        let g = ComponentQuery {
            cpes: vec![cpe("cpe:2.3:a:acme:gadget:3.0:*:*:*:*:*:*:*")],
            ..ComponentQuery::named("gadget")
        };
        let m = run(&g, &a);
        assert_eq!(m[0].status, MatchStatus::Unknown);
        // A component that also states NA matches exactly.
        let g = ComponentQuery {
            cpes: vec![cpe("cpe:2.3:a:acme:gadget:-:*:*:*:*:*:*:*")],
            ..ComponentQuery::named("gadget")
        };
        let m = run(&g, &a);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::High);
    }

    #[test]
    fn derived_cpe_and_library_patterns() {
        let mut a = advisory("CVE-ZLIB");
        a.affected.push(crit(
            "cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*",
            Status::Affected,
            vec![
                VersionRange::new(VersionScheme::Generic)
                    .with_event(Point::Earliest, RangeState::Affected)
                    .with_event(Point::After("1.2.12".into()), RangeState::Outside),
            ],
            vec![],
        ));
        a.affected.push(crit(
            "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*",
            Status::Affected,
            vec![below("8.4.0")],
            vec![],
        ));
        let zlib = ComponentQuery {
            version: Some("1.2.11".into()),
            kind: Some("library".into()),
            ..ComponentQuery::named("zlib")
        };
        let m = run(&zlib, &a);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert_eq!(m[0].key_origin, KeyOrigin::Derived);
        assert!(m[0].assumptions[0].contains("derived"));
        // "curl" as a library meets the curl tool's CPE: derived and application.
        let curl = ComponentQuery {
            version: Some("8.0.1".into()),
            kind: Some("library".into()),
            ..ComponentQuery::named("curl")
        };
        let m = run(&curl, &a);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Low);
        assert!(
            m[0].assumptions
                .iter()
                .any(|s| s.contains("application CPE"))
        );
        // Without a version: unknown, low.
        let m = run(&ComponentQuery::named("zlib"), &a);
        assert_eq!(m[0].status, MatchStatus::Unknown);
        assert_eq!(m[0].confidence, Confidence::Low);
    }

    #[test]
    fn open_update_attribute_is_an_assumption() {
        let mut a = advisory("CVE-UPD");
        a.affected.push(crit(
            "cpe:2.3:a:openssl:openssl:1.0.1:beta1:*:*:*:*:*:*",
            Status::Affected,
            vec![],
            vec!["1.0.1"],
        ));
        let c = ComponentQuery {
            cpes: vec![cpe("cpe:2.3:a:openssl:openssl:1.0.1:*:*:*:*:*:*:*")],
            ..ComponentQuery::named("openssl")
        };
        let m = run(&c, &a);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert!(m[0].assumptions.iter().any(|s| s.contains("update")));
        // A different update is disjoint: no match at all.
        let c = ComponentQuery {
            cpes: vec![cpe("cpe:2.3:a:openssl:openssl:1.0.1:beta2:*:*:*:*:*:*")],
            ..ComponentQuery::named("openssl")
        };
        assert!(run(&c, &a).is_empty());
    }

    fn csaf_product(
        id: &str,
        vendor: &str,
        product: &str,
        version: Option<(&str, &str)>,
    ) -> CsafProduct {
        let mut branch_path = vec![
            BranchStep {
                category: "vendor".into(),
                name: vendor.into(),
            },
            BranchStep {
                category: "product_name".into(),
                name: product.into(),
            },
        ];
        if let Some((cat, v)) = version {
            branch_path.push(BranchStep {
                category: cat.into(),
                name: v.into(),
            });
        }
        CsafProduct {
            product_id: id.into(),
            name: format!("{vendor} {product}"),
            branch_path,
            vendor: Some(vendor.into()),
            product_name: Some(product.into()),
            ..CsafProduct::default()
        }
    }

    fn csaf_entry(
        p: CsafProduct,
        status: Status,
        versions: Vec<&str>,
        ranges: Vec<VersionRange>,
    ) -> Affected {
        Affected {
            versions: versions.into_iter().map(String::from).collect(),
            ranges,
            ..entry(Package::CsafProduct(Box::new(p)), status)
        }
    }

    fn uninterpreted(text: &str) -> VersionRange {
        let mut r = VersionRange::new(VersionScheme::Generic);
        r.text = Some(text.into());
        r.uninterpreted = true;
        r
    }

    fn pump(v: &str) -> ComponentQuery {
        ComponentQuery {
            supplier: Some("ACME Medical".into()),
            version: Some(v.into()),
            ..ComponentQuery::named("Infusion Pump")
        }
    }

    #[test]
    fn csaf_vendor_product_statuses() {
        let mut a = advisory("CVE-CSAF");
        let p = |id, v| csaf_product(id, "ACME Medical", "Infusion Pump", v);
        a.affected.push(csaf_entry(
            p("P1", Some(("product_version_range", "<= 4.1"))),
            Status::Affected,
            vec![],
            vec![below("4.2")],
        ));
        a.affected.push(csaf_entry(
            p("P2", Some(("product_version", "4.2"))),
            Status::Fixed,
            vec!["4.2"],
            vec![],
        ));
        a.affected.push(csaf_entry(
            p("P3", Some(("product_version", "5.0"))),
            Status::UnderInvestigation,
            vec!["5.0"],
            vec![],
        ));
        a.flags.push(Flag {
            label: "vulnerable_code_not_present".into(),
            product_ids: vec!["P4".into()],
            date: None,
        });
        a.affected.push(csaf_entry(
            p("P4", Some(("product_version", "6.0"))),
            Status::NotAffected,
            vec!["6.0"],
            vec![],
        ));
        let m = run(&pump("4.0"), &a);
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert_eq!(m[0].via, Via::CsafProduct);
        assert_eq!(m[0].key, "vp:acme medical/infusion pump");
        assert_eq!(m[0].fixed_in, vec!["4.2"]);
        // P2..P4 are about other versions.
        assert!(m[1..].iter().all(|m| m.status == MatchStatus::NotAffected));
        let by = |v: &str| {
            let m = run(&pump(v), &a);
            m.into_iter()
                .find(|m| m.status != MatchStatus::NotAffected || m.affected_index == 3)
        };
        assert_eq!(by("4.2").unwrap().status, MatchStatus::Fixed);
        assert_eq!(by("5.0").unwrap().status, MatchStatus::UnderInvestigation);
        let na = by("6.0").unwrap();
        assert_eq!(na.status, MatchStatus::NotAffected);
        assert!(
            na.reasons
                .iter()
                .any(|r| r.contains("vulnerable_code_not_present"))
        );
        // Another supplier: nothing.
        let other = ComponentQuery {
            supplier: Some("Other".into()),
            ..pump("4.0")
        };
        assert!(run(&other, &a).is_empty());
    }

    #[test]
    fn csaf_range_text_read_or_reported() {
        let mut a = advisory("CVE-CSAF-TEXT");
        let p = |id| csaf_product(id, "ACME Medical", "Infusion Pump", None);
        a.affected.push(csaf_entry(
            p("P1"),
            Status::Affected,
            vec![],
            vec![uninterpreted("< 1.8.4 Service Pack 01")],
        ));
        let m = run(&pump("1.8.3"), &a);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Low);
        assert!(m[0].assumptions[0].contains("read by medsec"));
        let m = run(&pump("1.8.4 Service Pack 01"), &a);
        assert_eq!(m[0].status, MatchStatus::NotAffected);
        let mut b = advisory("CVE-CSAF-DATE");
        b.affected.push(csaf_entry(
            p("P1"),
            Status::Affected,
            vec![],
            vec![uninterpreted("distributed  < april 1, 2018")],
        ));
        let m = run(&pump("1.0"), &b);
        assert_eq!(m[0].status, MatchStatus::Unknown);
        assert!(
            m[0].reasons
                .iter()
                .any(|r| r.contains("\"distributed  < april 1, 2018\""))
        );
        // A listed "version" that is a range.
        let mut c = advisory("CVE-CSAF-LISTED");
        c.affected.push(csaf_entry(
            p("P1"),
            Status::Affected,
            vec!["2.3.6 and  below"],
            vec![],
        ));
        assert_eq!(run(&pump("2.3.6"), &c)[0].status, MatchStatus::Affected);
        assert_eq!(run(&pump("2.3.7"), &c)[0].status, MatchStatus::NotAffected);
        // A listed version with spaces stays exact, at the route's confidence.
        let mut d = advisory("CVE-CSAF-BUILD");
        d.affected.push(csaf_entry(
            p("P1"),
            Status::Affected,
            vec!["1.3.1 Build 13"],
            vec![],
        ));
        let m = run(&pump("1.3.1 Build 13"), &d);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
    }

    #[test]
    fn csaf_helper_routes() {
        let mut a = advisory("CVE-HELPER");
        let mut p = csaf_product("P1", "ACME", "Gateway", None);
        p.helper = Some(IdentificationHelper {
            purl: Some("pkg:generic/acme/gateway@2.1".parse().unwrap()),
            ..IdentificationHelper::default()
        });
        a.affected
            .push(csaf_entry(p, Status::Affected, vec![], vec![]));
        let mut q = csaf_product("P2", "ACME", "Monitor", None);
        q.helper = Some(IdentificationHelper {
            cpe: Some(cpe("cpe:2.3:o:acme:monitor_firmware:3.0:*:*:*:*:*:*:*")),
            ..IdentificationHelper::default()
        });
        a.affected
            .push(csaf_entry(q, Status::Affected, vec![], vec![]));
        let m = run(&purl_comp("pkg:generic/acme/gateway@2.1"), &a);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::High);
        assert_eq!(
            run(&purl_comp("pkg:generic/acme/gateway@2.2"), &a)[0].status,
            MatchStatus::NotAffected
        );
        let mon = ComponentQuery {
            cpes: vec![cpe("cpe:2.3:o:acme:monitor_firmware:3.0:*:*:*:*:*:*:*")],
            version: Some("3.0".into()),
            ..ComponentQuery::named("monitor firmware")
        };
        let m = run(&mon, &a);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].confidence, Confidence::Medium);
        assert_eq!(m[0].affected_index, 1);
    }

    #[test]
    fn cve5_vendor_product_with_default_status() {
        let mut a = advisory("CVE-5");
        a.affected.push(Affected {
            ranges: vec![
                VersionRange::new(VersionScheme::Custom("custom".into()))
                    .with_event(Point::At("1.0".into()), RangeState::Affected)
                    .with_event(Point::At("1.4".into()), RangeState::Outside),
            ],
            default_status: Some(Status::NotAffected),
            ..entry(
                Package::VendorProduct(Box::new(VendorProduct {
                    vendor: Some("ACME Medical".into()),
                    product: Some("Infusion  Pump".into()),
                    ..VendorProduct::default()
                })),
                Status::Affected,
            )
        });
        let m = run(&pump("1.2"), &a);
        assert_eq!(m[0].status, MatchStatus::Affected);
        assert_eq!(m[0].via, Via::VendorProduct);
        // `custom` names no ordering: the comparison is an assumption, one step lower.
        assert_eq!(m[0].confidence, Confidence::Low);
        let m = run(&pump("1.4"), &a);
        assert_eq!(m[0].status, MatchStatus::NotAffected);
        assert!(m[0].reasons.iter().any(|r| r.contains("default status")));
    }

    #[test]
    fn serialises_for_json_output() {
        let m = run(&purl_comp("pkg:pypi/jinja2@1.5"), &osv_pypi());
        let v = serde_json::to_value(&m[0]).unwrap();
        assert_eq!(v["status"], "affected");
        assert_eq!(v["confidence"], "high");
        assert_eq!(v["via"], "ecosystem");
        assert_eq!(v["key_origin"], "declared");
        assert_eq!(v["fixed_in"][0], "2.0");
        assert!(v.get("configuration").is_none());
        assert_eq!(most_severe(&m).unwrap().status, MatchStatus::Affected);
    }
}
