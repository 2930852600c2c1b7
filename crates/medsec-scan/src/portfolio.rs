//! Many SBOMs at once (a product portfolio): components shared between SBOMs are
//! matched once, in parallel, and each SBOM's verdicts are assembled from its
//! components'. This is what a full re-match after a store update runs. To keep a
//! million components in memory, a component is kept as its query and the ids of its
//! lookup keys; the keys themselves (with their explanations) are recomputed when the
//! component is matched.

use std::collections::{HashMap, HashSet};

use medsec_core::component::Sbom;
use medsec_match::{
    ComponentQuery, Confidence, CpeProductMap, MatchContext, MatchStatus, component_keys_with,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::engine::{CandidateIndex, Matched, match_query_restricted, prepare, verdict};

/// A component's identity for deduplication: a digest of everything the matcher
/// reads, so that two components with the same digest match the same way.
fn identity(q: &ComponentQuery) -> [u8; 16] {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field(&q.name);
    field(q.group.as_deref().unwrap_or("\u{0}"));
    field(q.version.as_deref().unwrap_or("\u{0}"));
    field(&q.purl.as_ref().map(|p| p.to_string()).unwrap_or_default());
    for c in &q.cpes {
        field(&c.to_string());
    }
    field("|");
    field(q.supplier.as_deref().unwrap_or("\u{0}"));
    field(q.kind.as_deref().unwrap_or("\u{0}"));
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

struct Entry {
    query: ComponentQuery,
    keys: Box<[u32]>,
}

/// The distinct components of many SBOMs, and which SBOM has which.
pub struct Portfolio {
    products: CpeProductMap,
    entries: Vec<Entry>,
    ids: HashMap<[u8; 16], u32>,
    key_ids: HashMap<String, u32>,
    key_names: Vec<String>,
    /// Per SBOM: its name and its distinct components (ids into `entries`).
    sboms: Vec<(String, Vec<u32>)>,
}

/// The compact verdict of one component and one vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub vulnerability: String,
    pub status: MatchStatus,
    pub confidence: Confidence,
}

impl Portfolio {
    pub fn new(products: CpeProductMap) -> Self {
        Portfolio {
            products,
            entries: Vec::new(),
            ids: HashMap::new(),
            key_ids: HashMap::new(),
            key_names: Vec::new(),
            sboms: Vec::new(),
        }
    }

    /// Adds an SBOM; its components join the distinct set.
    pub fn add(&mut self, name: impl Into<String>, sbom: &Sbom) {
        let prepared = prepare(sbom, &self.products);
        let mut mine = Vec::with_capacity(prepared.components.len());
        for c in prepared.components {
            let digest = identity(&c.query);
            let id = match self.ids.get(&digest) {
                Some(id) => *id,
                None => {
                    let id = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
                    let keys: Box<[u32]> = c
                        .keys
                        .iter()
                        .map(|k| match self.key_ids.get(&k.key) {
                            Some(kid) => *kid,
                            None => {
                                let kid = u32::try_from(self.key_names.len()).unwrap_or(u32::MAX);
                                self.key_ids.insert(k.key.clone(), kid);
                                self.key_names.push(k.key.clone());
                                kid
                            }
                        })
                        .collect();
                    self.entries.push(Entry {
                        query: c.query,
                        keys,
                    });
                    self.ids.insert(digest, id);
                    id
                }
            };
            mine.push(id);
        }
        mine.sort_unstable();
        mine.dedup();
        self.sboms.push((name.into(), mine));
    }

    pub fn sboms(&self) -> &[(String, Vec<u32>)] {
        &self.sboms
    }

    /// Distinct components.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every component in the SBOMs, counting repeats.
    pub fn component_count(&self) -> usize {
        self.sboms.iter().map(|(_, c)| c.len()).sum()
    }

    /// Every distinct lookup key, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = self.key_names.clone();
        keys.sort();
        keys
    }

    /// The components with at least one of these keys.
    pub fn components_with_keys(&self, keys: &HashSet<String>) -> Vec<u32> {
        let wanted: HashSet<u32> = keys
            .iter()
            .filter_map(|k| self.key_ids.get(k).copied())
            .collect();
        (0..self.entries.len())
            .filter(|&i| self.entries[i].keys.iter().any(|k| wanted.contains(k)))
            .filter_map(|i| u32::try_from(i).ok())
            .collect()
    }

    /// Matches the given components (all when `None`) against the index, on every core,
    /// keeping only the verdicts.
    pub fn match_components(
        &self,
        which: Option<&[u32]>,
        index: &CandidateIndex,
        ctx: &MatchContext,
    ) -> HashMap<u32, Vec<Verdict>> {
        self.match_restricted(which, None, index, ctx)
    }

    fn match_restricted(
        &self,
        which: Option<&[u32]>,
        only: Option<&HashSet<String>>,
        index: &CandidateIndex,
        ctx: &MatchContext,
    ) -> HashMap<u32, Vec<Verdict>> {
        let all: Vec<u32>;
        let ids = match which {
            Some(ids) => ids,
            None => {
                all = (0..self.entries.len())
                    .filter_map(|i| u32::try_from(i).ok())
                    .collect();
                &all
            }
        };
        ids.par_iter()
            .filter_map(|&id| {
                let e = &self.entries[id as usize];
                let keys = component_keys_with(&e.query, &self.products);
                let matched =
                    match_query_restricted(id as usize, &e.query, &keys, index, ctx, only);
                (!matched.is_empty()).then(|| (id, verdicts(&matched)))
            })
            .collect()
    }

    /// After the index took an update: decides again, for every component that shares a
    /// key with a changed record or had a verdict on a changed vulnerability, only the
    /// changed vulnerabilities; the other verdicts stand. Returns how many verdicts
    /// appeared, changed or went away, and the components looked at.
    pub fn rematch_changed(
        &self,
        changed_keys: &HashSet<String>,
        changed_vulnerabilities: &HashSet<String>,
        index: &CandidateIndex,
        ctx: &MatchContext,
        results: &mut HashMap<u32, Vec<Verdict>>,
    ) -> (usize, usize) {
        let mut redo: HashSet<u32> = self
            .components_with_keys(changed_keys)
            .into_iter()
            .collect();
        for (id, verdicts) in results.iter() {
            if verdicts
                .iter()
                .any(|v| changed_vulnerabilities.contains(&v.vulnerability))
            {
                redo.insert(*id);
            }
        }
        let mut redo: Vec<u32> = redo.into_iter().collect();
        redo.sort_unstable();
        let fresh = self.match_restricted(Some(&redo), Some(changed_vulnerabilities), index, ctx);
        let mut changes = 0;
        for id in &redo {
            let old = results.remove(id).unwrap_or_default();
            let (kept, before): (Vec<Verdict>, Vec<Verdict>) = old
                .into_iter()
                .partition(|v| !changed_vulnerabilities.contains(&v.vulnerability));
            let now = fresh.get(id).cloned().unwrap_or_default();
            let before: HashMap<&str, &Verdict> = before
                .iter()
                .map(|v| (v.vulnerability.as_str(), v))
                .collect();
            let now_names: HashSet<&str> = now.iter().map(|v| v.vulnerability.as_str()).collect();
            changes += now
                .iter()
                .filter(|v| before.get(v.vulnerability.as_str()) != Some(v))
                .count();
            changes += before.keys().filter(|k| !now_names.contains(*k)).count();
            let mut merged = kept;
            merged.extend(now);
            if !merged.is_empty() {
                results.insert(*id, merged);
            }
        }
        (changes, redo.len())
    }
}

/// The verdicts of matches (fixed and not-affected ones included, so that a change to
/// "fixed" shows as a change).
pub fn verdicts(matched: &[Matched]) -> Vec<Verdict> {
    matched
        .iter()
        .map(|m| {
            let (status, confidence, _) = verdict(&m.evidence);
            Verdict {
                vulnerability: m.vulnerability.clone(),
                status,
                confidence,
            }
        })
        .collect()
}
