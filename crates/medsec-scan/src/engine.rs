//! The pure part of a scan: component keys, candidate advisories, matches, and the
//! merge into one finding per component and vulnerability.

use std::collections::{BTreeMap, HashMap};

use medsec_core::component::{Component, ComponentKind, Sbom};
use medsec_match::{
    CandidateKey, ComponentQuery, Confidence, CpeProductMap, MatchContext, MatchStatus,
    component_keys_with, index_keys_with, match_component_with, most_severe,
};
use medsec_store::{StoredAdvisory, StoredScore, VulnerabilityFacts};
use rayon::prelude::*;

use crate::finding::{ComponentRef, Epss, Evidence, Finding, ScoreRef, Severity};

/// The components of an SBOM as the matcher sees them, with their lookup keys.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub components: Vec<PreparedComponent>,
}

#[derive(Debug, Clone)]
pub struct PreparedComponent {
    pub reference: ComponentRef,
    pub query: ComponentQuery,
    pub keys: Vec<CandidateKey>,
}

/// Builds the queries and keys of every component. Files and data entries (CycloneDX
/// `file`, `data`) are not software packages and are left out; so are components
/// without a name.
pub fn prepare(sbom: &Sbom, products: &CpeProductMap) -> Prepared {
    prepare_components(&sbom.components, products)
}

/// [`prepare`] for a list of components (a device's inline components, or an SBOM's
/// together with them); `index` in each reference is the position in `list`.
pub fn prepare_components(list: &[Component], products: &CpeProductMap) -> Prepared {
    let mut components = Vec::new();
    for (index, c) in list.iter().enumerate() {
        if matches!(c.kind, ComponentKind::File | ComponentKind::Data) || c.name.trim().is_empty() {
            continue;
        }
        let query = ComponentQuery::from(c);
        let keys = component_keys_with(&query, products);
        components.push(PreparedComponent {
            reference: ComponentRef {
                index,
                name: c.name.clone(),
                group: c.group.clone(),
                version: query.effective_version().map(str::to_string),
                purl: c.purl.as_ref().map(|p| p.to_string()),
                bom_ref: c.bom_ref.clone(),
            },
            query,
            keys,
        });
    }
    Prepared { components }
}

impl Prepared {
    /// Every distinct key, sorted: what to ask the store for.
    pub fn all_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .components
            .iter()
            .flat_map(|c| c.keys.iter().map(|k| k.key.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// The matches of one component with one vulnerability, before enrichment.
#[derive(Debug, Clone)]
pub struct Matched {
    pub component: usize,
    pub vulnerability: String,
    pub evidence: Vec<Evidence>,
    /// The first matched record's title (or the first sentence of its details).
    pub title: Option<String>,
}

/// Candidate records indexed by their match keys, built once and reused for many
/// SBOMs (a portfolio re-match matches every SBOM against one index).
#[derive(Debug, Default)]
pub struct CandidateIndex {
    records: Vec<StoredAdvisory>,
    /// Per record: its title, or the first sentence of its details.
    titles: Vec<Option<String>>,
    by_key: HashMap<String, Vec<usize>>,
    /// Records left out because their source withdrew or rejected them.
    withdrawn: usize,
}

impl CandidateIndex {
    /// Indexes the records. What matching never reads (references, notes, threats, the
    /// long description, kept as a one-line title) is dropped, so that a portfolio's
    /// hundred thousand candidates fit in memory.
    pub fn new(records: Vec<StoredAdvisory>, ctx: &MatchContext) -> Self {
        let mut index = CandidateIndex::default();
        index.extend(records, ctx);
        index
    }

    /// Adds records not in the index yet (loading in chunks keeps the peak low).
    pub fn extend(&mut self, records: Vec<StoredAdvisory>, ctx: &MatchContext) {
        for c in records {
            self.admit(c, None, ctx);
        }
    }

    /// Puts one record in `slot` (or a new one), with its keys and title, stripped of
    /// what matching never reads. A withdrawn or rejected record is left out: it speaks
    /// for nothing.
    fn admit(&mut self, mut c: StoredAdvisory, slot: Option<usize>, ctx: &MatchContext) {
        if c.advisory.withdrawn.is_some() {
            self.withdrawn += 1;
            return;
        }
        let i = slot.unwrap_or(self.records.len());
        for key in index_keys_with(&c.advisory, &ctx.registries) {
            let list = self.by_key.entry(key).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
        let a = &mut c.advisory;
        // NVD's match criteria ids name the criterion for NVD's own API; the criterion
        // itself is kept.
        for entry in &mut a.affected {
            if let medsec_core::advisory::Package::Cpe {
                match_criteria_id, ..
            } = &mut entry.what
            {
                *match_criteria_id = None;
            }
        }
        let title = a
            .title
            .clone()
            .or_else(|| a.details.as_deref().map(first_sentence));
        a.details = None;
        a.title = None;
        a.references = Vec::new();
        a.notes = Vec::new();
        a.threats = Vec::new();
        a.remediations = Vec::new();
        a.severities = Vec::new();
        a.aliases = Vec::new();
        a.related = Vec::new();
        a.cwes = Vec::new();
        a.known_exploited = None;
        if slot.is_some() {
            self.records[i] = c;
            self.titles[i] = title;
        } else {
            self.records.push(c);
            self.titles.push(title);
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records left out because their source withdrew or rejected them.
    pub fn withdrawn(&self) -> usize {
        self.withdrawn
    }

    /// Adds or replaces records (by source and record key), e.g. after an update; only
    /// the changed records' keys are computed. A replaced record's old keys stop
    /// leading to it; a record now withdrawn leaves the index.
    pub fn upsert(&mut self, records: Vec<StoredAdvisory>, ctx: &MatchContext) {
        let mut position: HashMap<(String, String), usize> = HashMap::new();
        for (i, r) in self.records.iter().enumerate() {
            position.insert((r.source.clone(), r.record_key.clone()), i);
        }
        for r in records {
            let slot = position
                .get(&(r.source.clone(), r.record_key.clone()))
                .copied();
            if let Some(i) = slot {
                for key in index_keys_with(&self.records[i].advisory, &ctx.registries) {
                    if let Some(list) = self.by_key.get_mut(&key) {
                        list.retain(|&x| x != i);
                    }
                }
            }
            self.admit(r, slot, ctx);
        }
    }
}

/// Matches every prepared component against the candidate records of the index.
/// Candidates are found through the advisory's own index keys, so a record is only
/// tried on the components that share a key with it.
pub fn match_indexed(
    prepared: &Prepared,
    index: &CandidateIndex,
    ctx: &MatchContext,
) -> Vec<Matched> {
    // Components are independent: matched on every core, collected in order.
    prepared
        .components
        .par_iter()
        .enumerate()
        .flat_map_iter(|(ci, pc)| match_component_indexed(ci, pc, index, ctx))
        .collect()
}

/// The matches of one prepared component (index `ci` in its [`Prepared`]).
pub fn match_component_indexed(
    ci: usize,
    pc: &PreparedComponent,
    index: &CandidateIndex,
    ctx: &MatchContext,
) -> Vec<Matched> {
    match_query_indexed(ci, &pc.query, &pc.keys, index, ctx)
}

/// The matches of one component given as its query and keys.
pub fn match_query_indexed(
    ci: usize,
    query: &ComponentQuery,
    keys: &[CandidateKey],
    index: &CandidateIndex,
    ctx: &MatchContext,
) -> Vec<Matched> {
    match_query_restricted(ci, query, keys, index, ctx, None)
}

/// [`match_query_indexed`] restricted to the records of some vulnerabilities: after
/// an update, a component's verdicts on unchanged vulnerabilities still hold, and only
/// the changed ones (all their records, changed or not) are decided again.
pub fn match_query_restricted(
    ci: usize,
    query: &ComponentQuery,
    keys: &[CandidateKey],
    index: &CandidateIndex,
    ctx: &MatchContext,
    only: Option<&std::collections::HashSet<String>>,
) -> Vec<Matched> {
    let mut tried: Vec<usize> = keys
        .iter()
        .filter_map(|k| index.by_key.get(&k.key))
        .flatten()
        .copied()
        .filter(|&i| only.is_none_or(|o| o.contains(&index.records[i].vulnerability)))
        .collect();
    tried.sort_unstable();
    tried.dedup();
    // Per vulnerability, in a stable order.
    let mut groups: BTreeMap<String, (Vec<Evidence>, Option<String>)> = BTreeMap::new();
    for i in tried {
        let record = &index.records[i];
        let matches = match_component_with(query, &record.advisory, keys, ctx);
        // One verdict per record: its most severe match (any configuration or entry
        // that says affected makes the record say affected).
        if let Some(m) = most_severe(&matches) {
            let group = groups.entry(record.vulnerability.clone()).or_default();
            if group.1.is_none() {
                group.1 = index.titles[i].clone();
            }
            group.0.push(Evidence {
                source: record.source.clone(),
                record: record.record_key.clone(),
                modified: record.modified.clone(),
                matched: m.clone(),
            });
        }
    }
    groups
        .into_iter()
        .map(|(vulnerability, (evidence, title))| Matched {
            component: ci,
            vulnerability,
            evidence,
            title,
        })
        .collect()
}

fn status_rank(s: MatchStatus) -> u8 {
    match s {
        MatchStatus::Affected => 4,
        MatchStatus::UnderInvestigation => 3,
        MatchStatus::Unknown => 2,
        MatchStatus::Fixed => 1,
        MatchStatus::NotAffected => 0,
    }
}

/// The verdict of several records: the records of the highest confidence decide
/// (a precise purl range outranks a CPE derived from a name); among them the most
/// severe status. The others that say something else are listed as disagreements.
pub fn verdict(evidence: &[Evidence]) -> (MatchStatus, Confidence, Vec<String>) {
    let Some(confidence) = evidence.iter().map(|e| e.matched.confidence).max() else {
        return (MatchStatus::Unknown, Confidence::Low, Vec::new());
    };
    let status = evidence
        .iter()
        .filter(|e| e.matched.confidence == confidence)
        .map(|e| e.matched.status)
        .max_by_key(|s| status_rank(*s))
        .unwrap_or(MatchStatus::Unknown);
    let disagreements = evidence
        .iter()
        .filter(|e| e.matched.status != status)
        .map(|e| {
            format!(
                "{} {} says {} ({} confidence{})",
                e.source,
                e.record,
                e.matched.status.as_str(),
                confidence_str(e.matched.confidence),
                if e.matched.confidence < confidence {
                    ", outranked by more precise records"
                } else {
                    ""
                }
            )
        })
        .collect();
    (status, confidence, disagreements)
}

/// The order in which scorers are trusted for the one severity shown: NVD's own
/// analysis first (the common reference point for Grype and Dependency-Track users),
/// then the CNA, CISA's ADP, an advisory publisher (CSAF), a database (OSV), NVD
/// secondary; within a scorer, the newest CVSS version. Every score stays in the
/// vulnerability's record; this only picks the one for the table and `--fail-on`.
fn scorer_rank(role: &str) -> u8 {
    match role {
        "nvd_primary" => 0,
        "cna" => 1,
        "adp" => 2,
        "publisher" => 3,
        "database" => 4,
        "nvd_secondary" => 5,
        _ => 6,
    }
}

fn version_rank(version: Option<&str>) -> u8 {
    match version {
        Some("4.0") => 0,
        Some("3.1") => 1,
        Some("3.0") => 2,
        Some("2.0") => 3,
        _ => 4,
    }
}

/// The severity of a vulnerability from its scores, and the score it came from.
pub fn severity_of(scores: &[StoredScore]) -> (Severity, Option<ScoreRef>) {
    let cvss = scores
        .iter()
        .filter(|s| s.kind == "cvss" && (s.base_score.is_some() || s.computed_score.is_some()))
        .min_by_key(|s| {
            (
                scorer_rank(&s.scorer_role),
                version_rank(s.version.as_deref()),
            )
        });
    if let Some(s) = cvss {
        let score = s.computed_score.or(s.base_score).unwrap_or_default();
        let severity = if s.version.as_deref() == Some("2.0") {
            Severity::of_v2_score(score)
        } else {
            Severity::of_score(score)
        };
        return (severity, Some(score_ref(s, Some(score))));
    }
    let qualitative = scores
        .iter()
        .filter_map(|s| {
            let sev: Severity = s.severity.as_deref()?.parse().ok()?;
            Some((s, sev))
        })
        .min_by_key(|(s, _)| scorer_rank(&s.scorer_role));
    match qualitative {
        Some((s, sev)) => (sev, Some(score_ref(s, None))),
        None => (Severity::Unknown, None),
    }
}

fn score_ref(s: &StoredScore, score: Option<f64>) -> ScoreRef {
    ScoreRef {
        kind: s.kind.clone(),
        version: s.version.clone(),
        vector: s.vector.clone(),
        score,
        source: format!("{} {}", s.source, s.record_key),
        scorer_role: match &s.scorer_name {
            Some(name) => format!("{} ({name})", s.scorer_role),
            None => s.scorer_role.clone(),
        },
    }
}

/// Turns matches into findings with severity, KEV and EPSS from the merged
/// vulnerabilities. Matches whose verdict is fixed or not affected are not findings;
/// their count is returned beside.
pub fn findings(
    prepared: &Prepared,
    matched: Vec<Matched>,
    vulnerabilities: &HashMap<String, VulnerabilityFacts>,
) -> (Vec<Finding>, usize) {
    let mut out = Vec::new();
    let mut cleared = 0;
    for m in matched {
        let (status, confidence, disagreements) = verdict(&m.evidence);
        if matches!(status, MatchStatus::Fixed | MatchStatus::NotAffected) {
            cleared += 1;
            continue;
        }
        let vuln = vulnerabilities.get(&m.vulnerability);
        let (severity, score) = vuln.map_or((Severity::Unknown, None), |v| severity_of(&v.scores));
        let mut aliases: Vec<String> = vuln
            .map(|v| {
                v.aliases
                    .iter()
                    .filter(|a| a.id != m.vulnerability)
                    .map(|a| a.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        aliases.sort();
        aliases.dedup();
        let epss = vuln.and_then(|v| {
            v.epss
                .iter()
                .max_by(|a, b| a.epss.total_cmp(&b.epss))
                .map(|e| Epss {
                    probability: e.epss,
                    percentile: e.percentile,
                })
        });
        let mut fixed_in: Vec<String> = m
            .evidence
            .iter()
            .flat_map(|e| e.matched.fixed_in.iter().cloned())
            .collect();
        // Commits from OSV GIT ranges are not versions a user can install.
        fixed_in.retain(|v| !is_commit_id(v));
        fixed_in.sort();
        fixed_in.dedup();
        let title = m.title;
        out.push(Finding {
            vulnerability: m.vulnerability,
            aliases,
            component: prepared.components[m.component].reference.clone(),
            status,
            confidence,
            severity,
            score,
            known_exploited: vuln.is_some_and(|v| !v.kev.is_empty()),
            epss,
            fixed_in,
            title,
            disagreements,
            evidence: m.evidence,
        });
    }
    sort_findings(&mut out);
    (out, cleared)
}

/// Most urgent first: affected before unknown, known exploited first, then severity,
/// confidence, EPSS; then by component and id for a stable order.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        status_rank(b.status)
            .cmp(&status_rank(a.status))
            .then(b.known_exploited.cmp(&a.known_exploited))
            .then(b.severity.cmp(&a.severity))
            .then(b.confidence.cmp(&a.confidence))
            .then(
                b.epss
                    .map(|e| e.probability)
                    .unwrap_or(0.0)
                    .total_cmp(&a.epss.map(|e| e.probability).unwrap_or(0.0)),
            )
            .then(a.component.index.cmp(&b.component.index))
            .then(a.vulnerability.cmp(&b.vulnerability))
    });
}

fn first_sentence(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let cut = line.find(". ").map_or(line.len(), |i| i + 1);
    let s = &line[..cut];
    if s.chars().count() > 160 {
        let mut t: String = s.chars().take(157).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

pub(crate) fn confidence_str(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

/// A full git commit id (40 hex digits, SHA-1; 64 for SHA-256 repositories).
fn is_commit_id(v: &str) -> bool {
    (v.len() == 40 || v.len() == 64) && v.bytes().all(|b| b.is_ascii_hexdigit())
}
