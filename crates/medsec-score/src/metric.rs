//! Metric tables shared by every version, and the one generic parser that fills them.
//! The parser does no allocation unless it reports an error.

use crate::{CvssError, Version};
use serde::Serialize;

/// The metric group a metric belongs to (names as each specification uses them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Base,
    /// v2.0 and v3.x.
    Temporal,
    /// v4.0 (replaces temporal).
    Threat,
    Environmental,
    /// v4.0, does not change the score.
    Supplemental,
}

/// One value a metric can take.
#[derive(Debug, Clone, Copy)]
pub struct ValueDef {
    pub abbr: &'static str,
    pub name: &'static str,
    /// What the value means, in a short phrase of our own.
    pub meaning: &'static str,
}

/// One metric of a version. For optional metrics `values[0]` is "Not Defined" (X / ND).
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    pub abbr: &'static str,
    pub name: &'static str,
    pub group: Group,
    pub mandatory: bool,
    pub values: &'static [ValueDef],
}

pub(crate) const fn v(abbr: &'static str, name: &'static str, meaning: &'static str) -> ValueDef {
    ValueDef {
        abbr,
        name,
        meaning,
    }
}

/// How a version's vectors are read.
pub(crate) struct Syntax<const N: usize> {
    pub version: Version,
    pub defs: &'static [MetricDef; N],
    /// Whether the specification prescribes the order of the table (v2.0, v4.0).
    pub ordered: bool,
    /// Maps a metric abbreviation to its index in `defs`.
    pub index_of: fn(&[u8]) -> Option<usize>,
}

const ABSENT: u8 = u8::MAX;

/// Parses `body` (the part after the prefix, starting at byte `base` of the whole
/// vector `full`) into value indices, one per metric, "not defined" (0) for absent
/// optional metrics.
pub(crate) fn parse_body<const N: usize>(
    syntax: &Syntax<N>,
    full: &str,
    body: &str,
    base: usize,
) -> Result<[u8; N], CvssError> {
    let mut vals = [ABSENT; N];
    // Offsets are only needed to report duplicates; u32 keeps the array small.
    let mut offs = [0u32; N];
    let mut last: Option<usize> = None;
    let bytes = body.as_bytes();
    let mut start = 0usize;
    loop {
        let end = match bytes[start..].iter().position(|&b| b == b'/') {
            Some(p) => start + p,
            None => bytes.len(),
        };
        let comp = &bytes[start..end];
        let offset = base + start;
        let colon = comp.iter().position(|&b| b == b':');
        let Some(colon) = colon else {
            return Err(CvssError::Malformed {
                component: String::from_utf8_lossy(comp).into_owned(),
                offset,
            });
        };
        let key = &comp[..colon];
        let val = &comp[colon + 1..];
        if key.is_empty() || val.is_empty() || val.contains(&b':') {
            return Err(CvssError::Malformed {
                component: String::from_utf8_lossy(comp).into_owned(),
                offset,
            });
        }
        let Some(idx) = (syntax.index_of)(key) else {
            return Err(CvssError::UnknownMetric {
                metric: String::from_utf8_lossy(key).into_owned(),
                offset,
                version: syntax.version,
            });
        };
        if vals[idx] != ABSENT {
            return Err(CvssError::DuplicateMetric {
                metric: String::from_utf8_lossy(key).into_owned(),
                offset,
                first_offset: offs[idx] as usize,
            });
        }
        if syntax.ordered {
            if let Some(prev) = last {
                if idx < prev {
                    return Err(CvssError::OutOfOrder {
                        metric: String::from_utf8_lossy(key).into_owned(),
                        offset,
                        after: syntax.defs[prev].abbr.to_string(),
                        version: syntax.version,
                    });
                }
            }
            last = Some(idx);
        }
        let def = &syntax.defs[idx];
        let Some(vi) = def.values.iter().position(|d| d.abbr.as_bytes() == val) else {
            return Err(CvssError::BadValue {
                metric: def.abbr.to_string(),
                value: String::from_utf8_lossy(val).into_owned(),
                offset: offset + colon + 1,
                expected: def
                    .values
                    .iter()
                    .map(|d| d.abbr)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        // Value lists have at most six entries.
        vals[idx] = vi as u8;
        offs[idx] = u32::try_from(offset).unwrap_or(u32::MAX);
        if end == bytes.len() {
            break;
        }
        start = end + 1;
        if start == bytes.len() {
            // A trailing '/' leaves an empty component.
            return Err(CvssError::Malformed {
                component: String::new(),
                offset: base + start,
            });
        }
    }
    for (i, def) in syntax.defs.iter().enumerate() {
        if vals[i] == ABSENT {
            if def.mandatory {
                return Err(CvssError::MissingMetric {
                    metric: def.abbr,
                    offset: full.len(),
                    version: syntax.version,
                });
            }
            vals[i] = 0;
        }
    }
    Ok(vals)
}

/// Writes the metrics in the specification's order, leaving out optional ones that are
/// not defined.
pub(crate) fn write_body<const N: usize>(
    defs: &'static [MetricDef; N],
    vals: &[u8; N],
    out: &mut String,
) {
    let mut first = true;
    for (def, &val) in defs.iter().zip(vals.iter()) {
        if !def.mandatory && val == 0 {
            continue;
        }
        if !first {
            out.push('/');
        }
        first = false;
        out.push_str(def.abbr);
        out.push(':');
        out.push_str(def.values[usize::from(val)].abbr);
    }
}

/// One line of a vector's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricExplanation {
    pub group: Group,
    /// Abbreviation as in the vector, e.g. `AV`.
    pub metric: &'static str,
    /// Full name, e.g. `Attack Vector`.
    pub metric_name: &'static str,
    /// Value abbreviation, e.g. `N`.
    pub value: &'static str,
    /// Value name, e.g. `Network`.
    pub value_name: &'static str,
    /// What the value means, in a short phrase.
    pub meaning: &'static str,
}

pub(crate) fn explain<const N: usize>(
    defs: &'static [MetricDef; N],
    vals: &[u8; N],
) -> Vec<MetricExplanation> {
    defs.iter()
        .zip(vals.iter())
        .filter(|(def, val)| def.mandatory || **val != 0)
        .map(|(def, &val)| {
            let vd = &def.values[usize::from(val)];
            MetricExplanation {
                group: def.group,
                metric: def.abbr,
                metric_name: def.name,
                value: vd.abbr,
                value_name: vd.name,
                meaning: vd.meaning,
            }
        })
        .collect()
}
