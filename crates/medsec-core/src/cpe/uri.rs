//! The URI binding, `cpe:/part:vendor:product:version:update:edition:language`
//! (NISTIR 7695 §6.1), with the packed edition `~edition~sw_edition~target_sw~target_hw~other`.

use super::error::{CpeError, CpeErrorKind};
use super::value::{AvString, char_at};
use super::{Attribute, Cpe, Value, check_attribute};

const PREFIX: &str = "cpe:/";

const URI_ATTRS: [Attribute; 7] = [
    Attribute::Part,
    Attribute::Vendor,
    Attribute::Product,
    Attribute::Version,
    Attribute::Update,
    Attribute::Edition,
    Attribute::Language,
];

const PACKED: [Attribute; 5] = [
    Attribute::Edition,
    Attribute::SwEdition,
    Attribute::TargetSw,
    Attribute::TargetHw,
    Attribute::Other,
];

/// bind_to_uri (NISTIR 7695 §6.1.2.2), trailing colons trimmed.
pub(crate) fn bind(cpe: &Cpe) -> String {
    let mut out = String::from(PREFIX);
    for (i, a) in URI_ATTRS.into_iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        if a == Attribute::Edition {
            let extended_any = PACKED[1..].iter().all(|a| *cpe.get(*a) == Value::Any);
            if extended_any {
                bind_value(&mut out, cpe.get(a));
            } else {
                for p in PACKED {
                    out.push('~');
                    bind_value(&mut out, cpe.get(p));
                }
            }
        } else {
            bind_value(&mut out, cpe.get(a));
        }
    }
    while out.ends_with(':') {
        out.pop();
    }
    out
}

/// bind_value_for_uri / transform_for_uri (NISTIR 7695 §6.1.2.2): ANY is empty, NA is `-`,
/// quoted characters percent-encoded (pct_encode), `?` is `%01`, `*` is `%02`.
fn bind_value(out: &mut String, v: &Value) {
    let s = match v {
        Value::Any => return,
        Value::Na => {
            out.push('-');
            return;
        }
        Value::Str(s) => s,
    };
    let start = out.len();
    let mut bytes = s.as_wfn().bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'\\' => {
                let q = bytes.next().unwrap_or(b'\\');
                pct_encode(out, q);
            }
            b'?' => out.push_str("%01"),
            b'*' => out.push_str("%02"),
            _ => out.push(char::from(b)),
        }
    }
    // A literal hyphen alone would read back as NA; encode it (see fs.rs for the same case).
    if &out[start..] == "-" {
        out.truncate(start);
        out.push_str("%2d");
    }
}

/// pct_encode (NISTIR 7695 §6.1.2.3): `-` and `.` stay, other punctuation becomes `%xx` in
/// lowercase hex, as the specification's examples write it (`%5c`, `%24`).
fn pct_encode(out: &mut String, c: u8) {
    if matches!(c, b'-' | b'.') {
        out.push(char::from(c));
    } else {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push('%');
        out.push(char::from(HEX[usize::from(c >> 4)]));
        out.push(char::from(HEX[usize::from(c & 0x0f)]));
    }
}

/// unbind_uri (NISTIR 7695 §6.1.3.2).
pub(crate) fn unbind(input: &str) -> Result<Cpe, CpeError> {
    use CpeErrorKind as K;
    if !input
        .get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
    {
        return Err(CpeError::new(None, Some(0), K::UnknownPrefix));
    }
    let mut comps = Vec::with_capacity(7);
    let mut off = PREFIX.len();
    for c in input[PREFIX.len()..].split(':') {
        comps.push((off, c));
        off += c.len() + 1;
    }
    if comps.len() > URI_ATTRS.len() {
        return Err(CpeError::new(
            None,
            comps.get(7).map(|(o, _)| *o),
            K::ComponentCount {
                found: comps.len(),
                expected: "at most 7 after `cpe:/`",
            },
        ));
    }
    let mut cpe = Cpe::new();
    for (attr, (off, comp)) in URI_ATTRS.into_iter().zip(comps) {
        if attr == Attribute::Edition && comp.starts_with('~') {
            let fields: Vec<&str> = comp[1..].split('~').collect();
            if fields.len() != PACKED.len() {
                return Err(CpeError::new(Some(attr), Some(off), K::PackedEdition));
            }
            let mut f_off = off + 1;
            for (p, f) in PACKED.into_iter().zip(fields) {
                cpe.attrs[p.index()] = decode(f, f_off, p)?;
                f_off += f.len() + 1;
            }
        } else {
            let v = decode(comp, off, attr)?;
            check_attribute(attr, &v, Some(off))?;
            cpe.attrs[attr.index()] = v;
        }
    }
    Ok(cpe)
}

/// decode (NISTIR 7695 §6.1.3.2): empty is ANY, `-` is NA; `.`, `-`, `~` gain quoting;
/// `%01` is `?` and `%02` is `*` (only at either end); other `%xx` must encode punctuation.
fn decode(comp: &str, off: usize, attr: Attribute) -> Result<Value, CpeError> {
    use CpeErrorKind as K;
    let e = |i: usize, k: K| CpeError::new(Some(attr), Some(off + i), k);
    match comp {
        "" => return Ok(Value::Any),
        "-" => return Ok(Value::Na),
        "%02" => return Ok(Value::Any),
        _ => {}
    }
    let b = comp.as_bytes();
    let n = b.len();
    let mut out = String::with_capacity(n);
    let mut i = 0;
    while i < n {
        let c = b[i];
        match c {
            b'%' => {
                let hex = comp
                    .get(i + 1..i + 3)
                    .filter(|h| h.bytes().all(|x| x.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                let Some(v) = hex else {
                    return Err(e(i, K::InvalidPercentEncoding));
                };
                match v {
                    0x01 => {
                        // Part of a run of `%01` at the beginning or at the end.
                        let leading = is_run_of_01(&comp[..i]);
                        let trailing = is_run_of_01(&comp[i + 3..]);
                        if !leading && !trailing {
                            return Err(e(i, K::EmbeddedWildcard('?')));
                        }
                        out.push('?');
                    }
                    0x02 => {
                        if i != 0 && i + 3 != n {
                            return Err(e(i, K::EmbeddedWildcard('*')));
                        }
                        out.push('*');
                    }
                    _ if super::value::is_quotable(v) => {
                        out.push('\\');
                        out.push(char::from(v));
                    }
                    _ => return Err(e(i, K::InvalidPercentEncoding)),
                }
                i += 3;
                continue;
            }
            b'.' | b'-' | b'~' => {
                out.push('\\');
                out.push(char::from(c));
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' => out.push(char::from(c)),
            _ if super::value::is_quotable(c) => {
                return Err(e(i, K::UnquotedPunctuation(char::from(c))));
            }
            _ => return Err(e(i, K::InvalidChar(char_at(comp, i)))),
        }
        i += 1;
    }
    AvString::new(&out).map(Value::Str).map_err(|mut err| {
        err.attribute = Some(attr);
        err.offset = Some(off);
        err
    })
}

fn is_run_of_01(s: &str) -> bool {
    s.len().is_multiple_of(3) && s.as_bytes().chunks(3).all(|c| c == b"%01")
}
