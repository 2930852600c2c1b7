//! Text helpers: escaping for each output language, wrapping and width estimates.

/// Escape text for XML content and attribute values. Characters XML 1.0 cannot carry
/// at all (most C0 controls) become U+FFFD, so a hostile name cannot break the file.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Collapse runs of whitespace (names may hold YAML folded newlines).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Approximate width in pixels of `text` at `size` px in a sans-serif font. No font
/// metrics are available (the SVG must not depend on one), so this errs on the wide
/// side: boxes get a little slack rather than text that overflows.
pub fn width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.58
}

/// Break `text` into at most `max_lines` lines of at most `max_chars` characters, at
/// spaces where possible; an ellipsis marks text that did not fit.
pub fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let max_chars = max_chars.max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        loop {
            let needed = if current.is_empty() {
                word.chars().count()
            } else {
                current.chars().count() + 1 + word.chars().count()
            };
            if needed <= max_chars {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(&word);
                break;
            }
            if current.is_empty() {
                // A single word longer than a line: cut it.
                let head: String = word.chars().take(max_chars).collect();
                word = word.chars().skip(max_chars).collect();
                lines.push(head);
            } else {
                lines.push(std::mem::take(&mut current));
            }
            if lines.len() >= max_lines {
                truncated = true;
                break;
            }
        }
        if truncated {
            break;
        }
    }
    if !truncated && !current.is_empty() {
        if lines.len() < max_lines {
            lines.push(current);
        } else {
            truncated = true;
        }
    }
    if truncated && let Some(last) = lines.last_mut() {
        let mut chars: Vec<char> = last.chars().collect();
        while chars.len() + 1 > max_chars {
            chars.pop();
        }
        while chars.last() == Some(&' ') {
            chars.pop();
        }
        *last = chars.into_iter().collect::<String>() + "…";
    }
    lines
}

/// A number for SVG attributes: one decimal, no trailing ".0", no "-0".
pub fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        return "0".into();
    }
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1}y"), "x\u{FFFD}y");
    }

    #[test]
    fn wraps_and_truncates() {
        assert_eq!(wrap("one two three", 7, 3), ["one two", "three"]);
        assert_eq!(wrap("one two three four", 7, 2), ["one two", "three…"]);
        assert_eq!(wrap("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
        assert!(wrap("", 10, 2).is_empty());
    }

    #[test]
    fn numbers_are_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(-0.01), "0");
    }
}
