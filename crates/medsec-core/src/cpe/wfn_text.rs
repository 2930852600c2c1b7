//! WFN text, `wfn:[part="a",vendor="microsoft",update=NA]` (NISTIR 7695 §5.4): how the
//! specifications write their examples.

use super::error::{CpeError, CpeErrorKind};
use super::{Attribute, Cpe, Value, check_attribute};

pub(crate) fn print(cpe: &Cpe) -> String {
    let mut out = String::from("wfn:[");
    for (i, (a, v)) in cpe.attributes().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(a.name());
        out.push('=');
        out.push_str(&v.to_string());
    }
    out.push(']');
    out
}

pub(crate) fn parse(input: &str) -> Result<Cpe, CpeError> {
    use CpeErrorKind as K;
    let e = |i: usize, k: K| CpeError::new(None, Some(i), k);
    let Some(body) = input.strip_prefix("wfn:[") else {
        return Err(e(0, K::UnknownPrefix));
    };
    let Some(body) = body.strip_suffix(']') else {
        return Err(e(input.len(), K::WfnSyntax("`]` at the end")));
    };
    let base = 5;
    let mut cpe = Cpe::new();
    let mut seen = [false; 11];
    let b = body.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let name_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let name = &body[name_start..i];
        let attr = Attribute::from_name(name)
            .ok_or_else(|| e(base + name_start, K::UnknownAttribute(name.to_owned())))?;
        if b.get(i) != Some(&b'=') {
            return Err(e(base + i, K::WfnSyntax("`=` after the attribute name")));
        }
        i += 1;
        let value_start = i;
        let v = if body[i..].starts_with("ANY") {
            i += 3;
            Value::Any
        } else if body[i..].starts_with("NA") {
            i += 2;
            Value::Na
        } else if b.get(i) == Some(&b'"') {
            i += 1;
            let s_start = i;
            // A `"` inside the value is quoted as `\"`.
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            let Some(s) = body.get(s_start..i).filter(|_| i < b.len()) else {
                return Err(e(base + value_start, K::WfnSyntax("a closing `\"`")));
            };
            i += 1;
            Value::wfn(s).map_err(|mut err| {
                err.offset = err.offset.map(|o| o + base + s_start);
                err.attribute = Some(attr);
                err
            })?
        } else {
            return Err(e(base + i, K::WfnSyntax("ANY, NA or a quoted string")));
        };
        check_attribute(attr, &v, Some(base + value_start))?;
        if std::mem::replace(&mut seen[attr.index()], true) {
            return Err(CpeError::new(
                Some(attr),
                Some(base + name_start),
                K::DuplicateAttribute,
            ));
        }
        cpe.attrs[attr.index()] = v;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        match b.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => return Err(e(base + i, K::WfnSyntax("`,` between attributes"))),
        }
    }
    Ok(cpe)
}
