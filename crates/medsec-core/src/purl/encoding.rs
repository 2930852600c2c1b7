//! Percent-encoding as the purl specification uses it.
//!
//! Canonical output leaves only ASCII letters, digits, `.`, `-`, `_`, `~` and `:` unencoded
//! (purl spec, "Character encoding": the colon is never encoded, `+` and `@` always are; the
//! test suite's canonical strings encode `/` inside qualifier values as `%2F`).

use super::error::{PurlComponent, PurlError, PurlErrorKind};

/// True for bytes that canonical purls keep as they are.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':')
}

/// Appends `s` percent-encoded (uppercase hex, UTF-8 bytes) to `out`.
pub(crate) fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `s`, which starts at byte `offset` of the input, for error locations.
/// `+` stays `+`: purls are not form-encoded.
pub(crate) fn decode(
    s: &str,
    offset: usize,
    component: PurlComponent,
) -> Result<String, PurlError> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_value);
            let lo = bytes.get(i + 2).copied().and_then(hex_value);
            match (hi, lo) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    return Err(PurlError::new(
                        component,
                        Some(offset + i),
                        PurlErrorKind::InvalidPercentEncoding,
                    ));
                }
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    // The decoded position does not map back to one input byte, so point at the component.
    String::from_utf8(out)
        .map_err(|_| PurlError::new(component, Some(offset), PurlErrorKind::InvalidUtf8))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn encodes_reserved_and_keeps_colon() {
        let mut s = String::new();
        encode_into(&mut s, "git+https://a@b c,d:é");
        assert_eq!(s, "git%2Bhttps:%2F%2Fa%40b%20c%2Cd:%C3%A9");
    }

    #[test]
    fn decodes_and_locates_errors() {
        assert_eq!(
            decode("a%2Fb%c3%a9", 0, PurlComponent::Name).unwrap(),
            "a/bé"
        );
        let e = decode("ab%4", 10, PurlComponent::Name).unwrap_err();
        assert_eq!(e.offset, Some(12));
        let e = decode("ab%FF", 10, PurlComponent::Name).unwrap_err();
        assert_eq!(e.kind, PurlErrorKind::InvalidUtf8);
    }
}
