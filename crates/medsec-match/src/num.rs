//! Arbitrary-length decimal comparison, shared by every scheme.
//!
//! Version numbers are compared as numbers of any size (Debian and RPM put dates and
//! build numbers of twenty digits and more into versions), so digit strings are never
//! converted to machine integers: leading zeros are skipped, then the longer number is
//! the larger one, then the first differing digit decides.

use std::cmp::Ordering;

/// `a` and `b` hold only ASCII digits (possibly empty, which counts as 0).
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The digits without leading zeros ("0" for zero), as a canonical form for display.
pub(crate) fn canonical(digits: &str) -> &str {
    let t = digits.trim_start_matches('0');
    if t.is_empty() && !digits.is_empty() {
        "0"
    } else {
        t
    }
}

pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_any_length() {
        assert_eq!(cmp_digits("10", "9"), Ordering::Greater);
        assert_eq!(cmp_digits("007", "7"), Ordering::Equal);
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
        assert_eq!(
            cmp_digits(
                "123456789012345678901234567890",
                "123456789012345678901234567889"
            ),
            Ordering::Greater
        );
        assert_eq!(canonical("000"), "0");
        assert_eq!(canonical("0010"), "10");
    }
}
