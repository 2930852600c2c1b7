//! Finds the byte offset of a JSON Pointer in JSON text, so that problems found on the
//! parsed value can be shown at their line and column. The text has already been
//! parsed by serde_json, so it is well-formed; the walker still never panics on
//! anything and gives up (None) on what it does not expect.

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Offset of the value a pointer names (`""` is the whole document).
pub fn offset_of(text: &str, pointer: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    if pointer.is_empty() {
        return Some(pos);
    }
    let tokens = pointer.strip_prefix('/')?.split('/');
    for raw in tokens {
        let token = raw.replace("~1", "/").replace("~0", "~");
        match bytes.get(pos)? {
            b'{' => {
                pos = skip_ws(bytes, pos + 1);
                loop {
                    if *bytes.get(pos)? != b'"' {
                        return None;
                    }
                    let (key, after) = read_string(bytes, pos)?;
                    pos = skip_ws(bytes, after);
                    if *bytes.get(pos)? != b':' {
                        return None;
                    }
                    pos = skip_ws(bytes, pos + 1);
                    if key == token {
                        break;
                    }
                    pos = skip_ws(bytes, skip_value(bytes, pos)?);
                    match bytes.get(pos)? {
                        b',' => pos = skip_ws(bytes, pos + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                pos = skip_ws(bytes, pos + 1);
                for _ in 0..index {
                    pos = skip_ws(bytes, skip_value(bytes, pos)?);
                    match bytes.get(pos)? {
                        b',' => pos = skip_ws(bytes, pos + 1),
                        _ => return None,
                    }
                }
                if *bytes.get(pos)? == b']' {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(pos)
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        pos += 1;
    }
    pos
}

/// Reads a string starting at its opening quote; returns it unescaped (enough for
/// keys) and the offset after the closing quote.
fn read_string(bytes: &[u8], start: usize) -> Option<(String, usize)> {
    let mut pos = start + 1;
    let mut raw_end = None;
    let mut escaped = false;
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' => {
                escaped = true;
                pos += 2;
                continue;
            }
            b'"' => {
                raw_end = Some(pos);
                break;
            }
            _ => pos += 1,
        }
    }
    let end = raw_end?;
    let slice = bytes.get(start..=end)?;
    let key = if escaped {
        serde_json::from_slice::<String>(slice).ok()?
    } else {
        String::from_utf8(bytes.get(start + 1..end)?.to_vec()).ok()?
    };
    Some((key, end + 1))
}

/// Skips one value without recursion (a depth counter over brackets and strings).
fn skip_value(bytes: &[u8], start: usize) -> Option<usize> {
    let mut pos = start;
    let mut depth = 0usize;
    loop {
        match *bytes.get(pos)? {
            b'"' => {
                let (_, after) = read_string_raw(bytes, pos)?;
                pos = after;
            }
            b'{' | b'[' => {
                depth += 1;
                pos += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                pos += 1;
            }
            b',' | b':' | b' ' | b'\n' | b'\r' | b'\t' if depth > 0 => pos += 1,
            _ if depth > 0 => pos += 1,
            _ => {
                // A scalar at top level of the walk: up to the next delimiter.
                while let Some(b) = bytes.get(pos) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    pos += 1;
                }
                return Some(pos);
            }
        }
        if depth == 0 {
            return Some(pos);
        }
    }
}

fn read_string_raw(bytes: &[u8], start: usize) -> Option<((), usize)> {
    let mut pos = start + 1;
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' => pos += 2,
            b'"' => return Some(((), pos + 1)),
            _ => pos += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn finds_nested_nodes() {
        let text = "{\n  \"a\": [1, {\"b\\\"x\": \"}\"}, {\"c/d\": [true, null]}],\n  \"e\": 2\n}";
        let at = |p: &str| offset_of(text, p).map(|o| line_column(text.as_bytes(), o));
        assert_eq!(at(""), Some((1, 1)));
        assert_eq!(at("/a"), Some((2, 8)));
        assert_eq!(at("/a/0"), Some((2, 9)));
        assert_eq!(at("/a/2/c~1d/1"), Some((2, 42)));
        assert_eq!(at("/e"), Some((3, 8)));
        assert_eq!(at("/a/1/b\"x"), Some((2, 21)));
        assert_eq!(at("/a/9"), None);
        assert_eq!(at("/zz"), None);
    }
}
