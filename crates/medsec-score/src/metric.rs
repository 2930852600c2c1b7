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
    /// The same tables packed into integers for the allocation-free fast path.
    pub packed: Packed<N>,
}

/// Every valid `METRIC:VALUE` component of a version packed into a u64 (bytes
/// little-endian; all are at most 8 bytes long) in an open-addressing hash table, so the
/// hot path decodes a component with one load and one probe.
pub(crate) struct Packed<const N: usize> {
    /// Slot → packed component (0 = empty).
    tokens: [u64; SLOTS],
    /// Slot → (metric index, value index).
    meta: [(u8, u8); SLOTS],
    mandatory: [bool; N],
}

const SLOTS: usize = 512;

#[inline(always)]
const fn slot(token: u64) -> usize {
    (token.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 55) as usize
}

impl<const N: usize> Packed<N> {
    pub(crate) const fn new(defs: &[MetricDef; N]) -> Packed<N> {
        let mut tokens = [0u64; SLOTS];
        let mut meta = [(0u8, 0u8); SLOTS];
        let mut mandatory = [false; N];
        let mut i = 0;
        while i < N {
            mandatory[i] = defs[i].mandatory;
            let key = defs[i].abbr.as_bytes();
            let mut j = 0;
            while j < defs[i].values.len() {
                let val = defs[i].values[j].abbr.as_bytes();
                // Pack "KEY:VAL"; a definition longer than 8 bytes would fail const
                // evaluation here (index out of bounds), never at run time.
                let mut buf = [0u8; 8];
                let mut k = 0;
                while k < key.len() {
                    buf[k] = key[k];
                    k += 1;
                }
                buf[k] = b':';
                let mut m = 0;
                while m < val.len() {
                    buf[k + 1 + m] = val[m];
                    m += 1;
                }
                let token = u64::from_le_bytes(buf);
                let mut h = slot(token);
                while tokens[h] != 0 {
                    h = (h + 1) % SLOTS;
                }
                tokens[h] = token;
                meta[h] = (i as u8, j as u8);
                j += 1;
            }
            i += 1;
        }
        Packed {
            tokens,
            meta,
            mandatory,
        }
    }

    /// (metric index, value index) of a packed component.
    #[inline(always)]
    fn find(&self, token: u64) -> Option<(u8, u8)> {
        let mut h = slot(token);
        loop {
            let t = self.tokens[h];
            if t == token {
                return Some(self.meta[h]);
            }
            if t == 0 {
                return None;
            }
            h = (h + 1) % SLOTS;
        }
    }
}

const ABSENT: u8 = u8::MAX;
/// Longest body the fast path takes; longer ones go to the careful path.
const FAST_MAX: usize = 256;

/// Bytes of `x` equal to zero, as 0x80 in the lowest such byte (and maybe above it).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080
}

/// The hot path: `None` on any problem, and then [`parse_body_checked`] says what.
#[inline]
fn parse_body_fast<const N: usize>(syntax: &Syntax<N>, body: &[u8]) -> Option<[u8; N]> {
    let p = &syntax.packed;
    let n = body.len();
    if n == 0 || n > FAST_MAX || body[n - 1] == b'/' {
        return None;
    }
    // A copy padded with '/' then zeros, so 8-byte loads never run off the end.
    let mut buf = [0u8; FAST_MAX + 16];
    buf[..n].copy_from_slice(body);
    buf[n] = b'/';
    let mut vals = [ABSENT; N];
    let mut i = 0;
    let mut next_min = 0usize;
    while i < n {
        let mut w = [0u8; 8];
        w.copy_from_slice(&buf[i..i + 8]);
        let w = u64::from_le_bytes(w);
        let len = (zero_bytes(w ^ 0x2f2f_2f2f_2f2f_2f2f).trailing_zeros() / 8) as usize;
        if len == 0 || len >= 8 {
            return None;
        }
        let token = w & ((1u64 << (8 * len)) - 1);
        let (idx, vi) = p.find(token)?;
        let idx = usize::from(idx);
        if vals[idx] != ABSENT || idx < next_min {
            return None;
        }
        if syntax.ordered {
            next_min = idx + 1;
        }
        vals[idx] = vi;
        i += len + 1;
    }
    for (v, &mandatory) in vals.iter_mut().zip(p.mandatory.iter()) {
        if *v == ABSENT {
            if mandatory {
                return None;
            }
            *v = 0;
        }
    }
    Some(vals)
}

/// Parses `body` (the part after the prefix, starting at byte `base` of the whole
/// vector `full`) into value indices, one per metric, "not defined" (0) for absent
/// optional metrics.
pub(crate) fn parse_body<const N: usize>(
    syntax: &Syntax<N>,
    full: &str,
    body: &str,
    base: usize,
) -> Result<[u8; N], CvssError> {
    if let Some(vals) = parse_body_fast(syntax, body.as_bytes()) {
        return Ok(vals);
    }
    parse_body_checked(syntax, full, body, base)
}

/// The careful path: finds the first problem and reports it with its offset.
fn parse_body_checked<const N: usize>(
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
            if let Some(prev) = last
                && idx < prev
            {
                return Err(CvssError::OutOfOrder {
                    metric: String::from_utf8_lossy(key).into_owned(),
                    offset,
                    after: syntax.defs[prev].abbr.to_string(),
                    version: syntax.version,
                });
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The fast path may only accept what the careful path accepts, with the same result.
    fn agree<const N: usize>(syntax: &Syntax<N>, prefix: &str, seed: u64) {
        let mut s = seed;
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as usize
        };
        let junk = b"AVCINLHXSUMP:/()0";
        for _ in 0..20_000 {
            let mut parts = Vec::new();
            for d in syntax.defs.iter() {
                if d.mandatory || next() % 2 == 0 {
                    let v = d.values[next() % d.values.len()];
                    parts.push(format!("{}:{}", d.abbr, v.abbr));
                }
            }
            let mut body = parts.join("/").into_bytes();
            // Mutate some of them.
            for _ in 0..(next() % 3) {
                let pos = next() % (body.len() + 1);
                match next() % 3 {
                    0 => body.insert(pos, junk[next() % junk.len()]),
                    1 if pos < body.len() => {
                        body.remove(pos);
                    }
                    _ if pos < body.len() => body[pos] = junk[next() % junk.len()],
                    _ => {}
                }
            }
            let Ok(body) = String::from_utf8(body) else {
                continue;
            };
            let full = format!("{prefix}{body}");
            if let Some(fast) = parse_body_fast(syntax, body.as_bytes()) {
                let checked = parse_body_checked(syntax, &full, &body, prefix.len());
                assert_eq!(checked, Ok(fast), "{full}");
            }
        }
    }

    #[test]
    fn fast_and_checked_paths_agree() {
        agree(&crate::v2::SYNTAX, "", 1);
        agree(&crate::v3::SYNTAX_31, "CVSS:3.1/", 2);
        agree(&crate::v4::SYNTAX, "CVSS:4.0/", 3);
    }
}
