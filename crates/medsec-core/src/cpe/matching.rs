//! CPE name matching (NISTIR 7696).
//!
//! The source is the name that may hold wildcards (for example the CPE of a vulnerability
//! record); the target is the name being tested (for example the CPE of a component). A
//! target value with wildcards makes the attribute relation UNDEFINED (NISTIR 7696 §6.1.2,
//! Table 6-2, rows 4, 8, 11 and 14).

use super::value::{AvString, Unit};
use super::{Attribute, Cpe, Value};

/// The relation of a source attribute value to a target attribute value
/// (NISTIR 7696 §6.1.1, Table 6-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeRelation {
    /// The source denotes a proper superset of the target.
    Superset,
    /// The source denotes a proper subset of the target.
    Subset,
    /// Both denote the same set.
    Equal,
    /// The sets have no member in common.
    Disjoint,
    /// Not defined: the target holds wildcards.
    Undefined,
}

/// Compares one attribute (NISTIR 7696 §6.1.3.2, `compare`): values are compared
/// case-insensitively; the checks run in the order of the specification's pseudocode.
pub fn compare_attributes(source: &Value, target: &Value) -> AttributeRelation {
    use AttributeRelation as R;
    if let Value::Str(t) = target
        && t.has_wildcards()
    {
        return R::Undefined;
    }
    match (source, target) {
        (Value::Any, Value::Any) | (Value::Na, Value::Na) => R::Equal,
        (Value::Str(s), Value::Str(t)) if eq_ignore_case(s, t) => R::Equal,
        (Value::Any, _) => R::Superset,
        (_, Value::Any) => R::Subset,
        (Value::Na, _) | (_, Value::Na) => R::Disjoint,
        (Value::Str(s), Value::Str(t)) => compare_strings(s, t),
    }
}

fn eq_ignore_case(s: &AvString, t: &AvString) -> bool {
    s.as_wfn().eq_ignore_ascii_case(t.as_wfn())
}

/// How many target characters a wildcard run at one end of the source admits.
#[derive(Clone, Copy)]
enum Ends {
    /// No wildcard: exactly zero characters.
    None,
    /// `*`: any number.
    Star,
    /// `n` times `?`: at most `n`, as the reference pseudocode of NISTIR 7696 §6.1.3.2
    /// (`compareStrings`: `begins < index` and `leftover > ends` reject only *more*
    /// characters than there are question marks) does it.
    Questions(usize),
}

impl Ends {
    fn admits(self, n: usize) -> bool {
        match self {
            Self::None => n == 0,
            Self::Star => true,
            Self::Questions(q) => n <= q,
        }
    }
}

/// compareStrings (NISTIR 7696 §6.1.3.2): SUPERSET if the source (wildcards at its ends)
/// matches the target (no wildcards), else DISJOINT. Works on logical characters, so the
/// quoting never needs counting.
fn compare_strings(source: &AvString, target: &AvString) -> AttributeRelation {
    let src: Vec<Unit> = source.units().collect();
    let tgt: Vec<u8> = target
        .units()
        .map(|u| match u {
            Unit::Lit(b) => b.to_ascii_lowercase(),
            // Unreachable: targets with wildcards are UNDEFINED before we get here.
            Unit::Star => b'*',
            Unit::Question => b'?',
        })
        .collect();
    let (lead, lead_len) = ends(&src);
    let (trail, trail_len) = ends_rev(&src[lead_len..]);
    let middle: Vec<u8> = src[lead_len..src.len() - trail_len]
        .iter()
        .map(|u| match u {
            Unit::Lit(b) => b.to_ascii_lowercase(),
            Unit::Star => b'*',
            Unit::Question => b'?',
        })
        .collect();
    if middle.len() <= tgt.len() {
        for start in 0..=tgt.len() - middle.len() {
            let leftover = tgt.len() - start - middle.len();
            if tgt[start..start + middle.len()] == middle[..]
                && lead.admits(start)
                && trail.admits(leftover)
            {
                return AttributeRelation::Superset;
            }
        }
    }
    AttributeRelation::Disjoint
}

fn ends(units: &[Unit]) -> (Ends, usize) {
    match units.first() {
        Some(Unit::Star) => (Ends::Star, 1),
        _ => {
            let q = units.iter().take_while(|u| **u == Unit::Question).count();
            (
                if q == 0 {
                    Ends::None
                } else {
                    Ends::Questions(q)
                },
                q,
            )
        }
    }
}

fn ends_rev(units: &[Unit]) -> (Ends, usize) {
    match units.last() {
        Some(Unit::Star) => (Ends::Star, 1),
        _ => {
            let q = units
                .iter()
                .rev()
                .take_while(|u| **u == Unit::Question)
                .count();
            (
                if q == 0 {
                    Ends::None
                } else {
                    Ends::Questions(q)
                },
                q,
            )
        }
    }
}

/// The result of CPE_Name_Compare (NISTIR 7696 §6.2): one relation per attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameComparison {
    relations: [AttributeRelation; 11],
}

impl NameComparison {
    /// The relation of one attribute.
    pub fn get(&self, a: Attribute) -> AttributeRelation {
        self.relations[a.index()]
    }

    /// All attribute relations in WFN order.
    pub fn iter(&self) -> impl Iterator<Item = (Attribute, AttributeRelation)> + '_ {
        Attribute::ALL
            .into_iter()
            .zip(self.relations.iter().copied())
    }

    /// CPE_DISJOINT: some attribute is DISJOINT.
    pub fn is_disjoint(&self) -> bool {
        self.relations.contains(&AttributeRelation::Disjoint)
    }

    /// CPE_EQUAL: every attribute is EQUAL.
    pub fn is_equal(&self) -> bool {
        self.relations
            .iter()
            .all(|r| *r == AttributeRelation::Equal)
    }

    /// CPE_SUBSET: every attribute is SUBSET or EQUAL.
    pub fn is_subset(&self) -> bool {
        self.relations
            .iter()
            .all(|r| matches!(r, AttributeRelation::Subset | AttributeRelation::Equal))
    }

    /// CPE_SUPERSET: every attribute is SUPERSET or EQUAL.
    pub fn is_superset(&self) -> bool {
        self.relations
            .iter()
            .all(|r| matches!(r, AttributeRelation::Superset | AttributeRelation::Equal))
    }

    /// One name-level relation: DISJOINT if any attribute is, else EQUAL, SUPERSET or SUBSET
    /// when the set relations say so, else UNDEFINED (mixed, or an undefined attribute).
    pub fn relation(&self) -> AttributeRelation {
        if self.is_disjoint() {
            AttributeRelation::Disjoint
        } else if self.is_equal() {
            AttributeRelation::Equal
        } else if self.is_superset() {
            AttributeRelation::Superset
        } else if self.is_subset() {
            AttributeRelation::Subset
        } else {
            AttributeRelation::Undefined
        }
    }
}

pub(crate) fn compare_names(source: &Cpe, target: &Cpe) -> NameComparison {
    NameComparison {
        relations: std::array::from_fn(|i| compare_attributes(&source.attrs[i], &target.attrs[i])),
    }
}
