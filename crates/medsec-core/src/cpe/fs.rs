//! The formatted-string binding, `cpe:2.3:part:vendor:...` (NISTIR 7695 §6.2).

use super::error::{CpeError, CpeErrorKind};
use super::value::{AvString, char_at, is_quotable};
use super::{Attribute, Cpe, Value, check_attribute};

const PREFIX: &str = "cpe:2.3:";

/// bind_to_fs (NISTIR 7695 §6.2.2.2).
pub(crate) fn bind(cpe: &Cpe) -> String {
    let mut out = String::with_capacity(64);
    out.push_str(PREFIX);
    for (i, (_, v)) in cpe.attributes().enumerate() {
        if i > 0 {
            out.push(':');
        }
        match v {
            Value::Any => out.push('*'),
            Value::Na => out.push('-'),
            Value::Str(s) => bind_value(&mut out, s),
        }
    }
    out
}

/// process_quoted_chars (NISTIR 7695 §6.2.2.2): `.`, `-` and `_` lose their quoting, every
/// other quoted character keeps it, wildcards stay unquoted.
fn bind_value(out: &mut String, s: &AvString) {
    let start = out.len();
    let mut bytes = s.as_wfn().bytes();
    while let Some(b) = bytes.next() {
        if b == b'\\' {
            let q = bytes.next().unwrap_or(b'\\');
            if !matches!(q, b'.' | b'-' | b'_') {
                out.push('\\');
            }
            out.push(char::from(q));
        } else {
            out.push(char::from(b));
        }
    }
    // A value that is a literal hyphen would bind to `-`, which unbinds as NA. We keep it
    // quoted so that binding and unbinding stay inverse (the specification's procedure
    // loses this distinction).
    if &out[start..] == "-" {
        out.insert(start, '\\');
    }
}

/// unbind_fs (NISTIR 7695 §6.2.3.2).
pub(crate) fn unbind(input: &str) -> Result<Cpe, CpeError> {
    use CpeErrorKind as K;
    if !input
        .get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
    {
        return Err(CpeError::new(None, Some(0), K::UnknownPrefix));
    }
    let comps = split_unquoted_colons(input, PREFIX.len());
    if comps.len() != 11 {
        return Err(CpeError::new(
            None,
            Some(PREFIX.len()),
            K::ComponentCount {
                found: comps.len(),
                expected: "11 after `cpe:2.3:`",
            },
        ));
    }
    let mut cpe = Cpe::new();
    for (attr, (off, comp)) in Attribute::ALL.into_iter().zip(comps) {
        let v = unbind_value(comp, off).map_err(|mut e| {
            e.attribute = Some(attr);
            e
        })?;
        check_attribute(attr, &v, Some(off))?;
        cpe.attrs[attr.index()] = v;
    }
    Ok(cpe)
}

/// Splits at `:` not preceded by a quoting `\`, keeping each piece's byte offset.
fn split_unquoted_colons(input: &str, start: usize) -> Vec<(usize, &str)> {
    let b = input.as_bytes();
    let mut out = Vec::with_capacity(11);
    let mut piece = start;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b':' => {
                out.push((piece, &input[piece..i]));
                i += 1;
                piece = i;
            }
            _ => i += 1,
        }
    }
    out.push((piece, input.get(piece..).unwrap_or_default()));
    out
}

/// unbind_value_fs (NISTIR 7695 §6.2.3.2): `*` is ANY, `-` is NA; `.` and `-` gain quoting;
/// a redundantly quoted letter, digit or `_` is accepted and written unquoted.
fn unbind_value(comp: &str, off: usize) -> Result<Value, CpeError> {
    use CpeErrorKind as K;
    let e = |i: usize, k: K| CpeError::new(None, Some(off + i), k);
    match comp {
        "*" => return Ok(Value::Any),
        "-" => return Ok(Value::Na),
        "" => return Err(e(0, K::Empty)),
        _ => {}
    }
    let b = comp.as_bytes();
    let n = b.len();
    let mut out = String::with_capacity(n + 4);
    let mut i = 0;
    while i < n {
        let c = b[i];
        match c {
            b'\\' => {
                let Some(&q) = b.get(i + 1) else {
                    return Err(e(i, K::TrailingEscape));
                };
                if q.is_ascii_alphanumeric() || q == b'_' {
                    out.push(char::from(q));
                } else if is_quotable(q) {
                    out.push('\\');
                    out.push(char::from(q));
                } else {
                    return Err(e(i + 1, K::InvalidChar(char_at(comp, i + 1))));
                }
                i += 2;
                continue;
            }
            b'.' | b'-' => {
                out.push('\\');
                out.push(char::from(c));
            }
            b'*' => {
                // A single unquoted `*` at either end (NISTIR 7695 §6.2.2.2 grammar).
                if i != 0 && i != n - 1 {
                    return Err(e(i, K::EmbeddedWildcard('*')));
                }
                out.push('*');
            }
            b'?' => {
                // Part of a run of `?` at the beginning or at the end.
                let leading = b[..i].iter().all(|&x| x == b'?');
                let trailing = b[i + 1..].iter().all(|&x| x == b'?');
                if !leading && !trailing {
                    return Err(e(i, K::EmbeddedWildcard('?')));
                }
                out.push('?');
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' => out.push(char::from(c)),
            _ if is_quotable(c) => return Err(e(i, K::UnquotedPunctuation(char::from(c)))),
            _ => return Err(e(i, K::InvalidChar(char_at(comp, i)))),
        }
        i += 1;
    }
    // Placement rules the per-character checks cannot see (`*?x`, only `*`).
    AvString::new(&out).map(Value::Str).map_err(|mut err| {
        err.offset = Some(off);
        err
    })
}
