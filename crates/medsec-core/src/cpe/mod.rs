//! CPE 2.3 names: well-formed names (WFN), the formatted-string and URI bindings
//! (NISTIR 7695, *CPE Naming Specification Version 2.3*), and name matching (NISTIR 7696,
//! *CPE Name Matching Specification Version 2.3*).
//!
//! [`Cpe`] holds a WFN: eleven attributes, each ANY, NA or a value string kept in WFN form
//! (punctuation quoted with `\`, unquoted `*` and `?` as wildcards at either end). Parsing
//! accepts both bindings; [`fmt::Display`] and serde write the formatted string.
//!
//! # Why our own code and not the `cpe` crate
//!
//! `cpe` 0.1.5 parses the URI and WFN text, but stores values with their quoting removed, so a
//! wildcard `*` and a quoted `\*` become the same string: NISTIR 7696 matching, which depends
//! on that difference, cannot be built on it. It also prints to stderr from `Wfn::parse` and
//! slices its input without bounds checks. This module implements both specifications.

mod error;
mod fs;
mod matching;
mod uri;
mod value;
mod wfn_text;

use std::fmt;
use std::str::FromStr;

pub use error::{CpeError, CpeErrorKind};
pub use matching::{AttributeRelation, NameComparison, compare_attributes};
pub use value::{AvString, Value};

/// The eleven WFN attributes, in the order of NISTIR 7695 §5.2 and of the formatted string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attribute {
    /// `a` application, `o` operating system, `h` hardware.
    Part,
    /// Vendor.
    Vendor,
    /// Product.
    Product,
    /// Version.
    Version,
    /// Update.
    Update,
    /// Edition (legacy; NISTIR 7695 §5.3.3.6).
    Edition,
    /// Language (RFC 5646 tag).
    Language,
    /// Software edition.
    SwEdition,
    /// Target software.
    TargetSw,
    /// Target hardware.
    TargetHw,
    /// Other.
    Other,
}

impl Attribute {
    /// All attributes in WFN order.
    pub const ALL: [Self; 11] = [
        Self::Part,
        Self::Vendor,
        Self::Product,
        Self::Version,
        Self::Update,
        Self::Edition,
        Self::Language,
        Self::SwEdition,
        Self::TargetSw,
        Self::TargetHw,
        Self::Other,
    ];

    /// The WFN attribute name (`sw_edition`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Part => "part",
            Self::Vendor => "vendor",
            Self::Product => "product",
            Self::Version => "version",
            Self::Update => "update",
            Self::Edition => "edition",
            Self::Language => "language",
            Self::SwEdition => "sw_edition",
            Self::TargetSw => "target_sw",
            Self::TargetHw => "target_hw",
            Self::Other => "other",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A CPE 2.3 well-formed name (NISTIR 7695 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpe {
    attrs: [Value; 11],
}

impl Default for Cpe {
    /// Every attribute ANY: `cpe:2.3:*:*:*:*:*:*:*:*:*:*:*`.
    fn default() -> Self {
        Self {
            attrs: std::array::from_fn(|_| Value::Any),
        }
    }
}

impl Cpe {
    /// A name with every attribute ANY.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a formatted string (`cpe:2.3:...`, NISTIR 7695 §6.2.3).
    pub fn from_formatted_string(s: &str) -> Result<Self, CpeError> {
        fs::unbind(s)
    }

    /// Parses a URI (`cpe:/...`, NISTIR 7695 §6.1.3), including the packed edition.
    pub fn from_uri(s: &str) -> Result<Self, CpeError> {
        uri::unbind(s)
    }

    /// Parses WFN text, `wfn:[part="a",vendor="microsoft",version="8\.0",update=NA]`
    /// (NISTIR 7695 §5.4). Attributes not named are ANY.
    pub fn from_wfn_string(s: &str) -> Result<Self, CpeError> {
        wfn_text::parse(s)
    }

    /// Binds to the formatted string (NISTIR 7695 §6.2.2).
    pub fn to_formatted_string(&self) -> String {
        fs::bind(self)
    }

    /// Binds to the URI (NISTIR 7695 §6.1.2), packing the extended attributes into the
    /// edition when any of them is not ANY.
    pub fn to_uri(&self) -> String {
        uri::bind(self)
    }

    /// WFN text with all eleven attributes.
    pub fn to_wfn_string(&self) -> String {
        wfn_text::print(self)
    }

    /// One attribute.
    pub fn get(&self, a: Attribute) -> &Value {
        &self.attrs[a.index()]
    }

    /// Sets one attribute. `part` only takes ANY or `a`, `o`, `h`.
    pub fn set(&mut self, a: Attribute, v: Value) -> Result<(), CpeError> {
        check_attribute(a, &v, None)?;
        self.attrs[a.index()] = v;
        Ok(())
    }

    /// Builder-style [`Cpe::set`].
    pub fn with(mut self, a: Attribute, v: Value) -> Result<Self, CpeError> {
        self.set(a, v)?;
        Ok(self)
    }

    /// All attributes with their values, in WFN order.
    pub fn attributes(&self) -> impl Iterator<Item = (Attribute, &Value)> {
        Attribute::ALL.into_iter().zip(self.attrs.iter())
    }

    /// CPE_Name_Compare (NISTIR 7696 §6.2): the relation of each attribute of `self` (the
    /// source) to `target`.
    pub fn compare(&self, target: &Self) -> NameComparison {
        matching::compare_names(self, target)
    }

    /// CPE_SUPERSET (NISTIR 7696 §6.2): every attribute SUPERSET or EQUAL.
    pub fn is_superset_of(&self, target: &Self) -> bool {
        self.compare(target).is_superset()
    }

    /// CPE_SUBSET (NISTIR 7696 §6.2): every attribute SUBSET or EQUAL.
    pub fn is_subset_of(&self, target: &Self) -> bool {
        self.compare(target).is_subset()
    }

    /// CPE_EQUAL (NISTIR 7696 §6.2): every attribute EQUAL.
    pub fn is_equal_to(&self, target: &Self) -> bool {
        self.compare(target).is_equal()
    }

    /// CPE_DISJOINT (NISTIR 7696 §6.2): some attribute DISJOINT.
    pub fn is_disjoint_from(&self, target: &Self) -> bool {
        self.compare(target).is_disjoint()
    }
}

/// `part` is a, o or h (NISTIR 7695 §5.3.3.1); NA is not a part either.
fn check_attribute(a: Attribute, v: &Value, offset: Option<usize>) -> Result<(), CpeError> {
    if a == Attribute::Part {
        let ok = match v {
            Value::Any => true,
            Value::Na => false,
            // Case-insensitive, as all CPE comparison is (NISTIR 7696 §6.1.3.2).
            Value::Str(s) => matches!(s.as_wfn(), "a" | "o" | "h" | "A" | "O" | "H"),
        };
        if !ok {
            return Err(CpeError::new(Some(a), offset, CpeErrorKind::InvalidPart));
        }
    }
    Ok(())
}

impl FromStr for Cpe {
    type Err = CpeError;

    /// Accepts the formatted string, the URI and WFN text, told apart by their prefix.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let starts = |p: &str| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
        if starts("cpe:2.3:") {
            fs::unbind(s)
        } else if starts("cpe:/") {
            uri::unbind(s)
        } else if s.starts_with("wfn:[") {
            wfn_text::parse(s)
        } else {
            Err(CpeError::new(None, Some(0), CpeErrorKind::UnknownPrefix))
        }
    }
}

impl fmt::Display for Cpe {
    /// The formatted string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_formatted_string())
    }
}

impl serde::Serialize for Cpe {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_formatted_string())
    }
}

impl<'de> serde::Deserialize<'de> for Cpe {
    /// Accepts the formatted string or the URI; invalid names are rejected while
    /// deserialising.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn serde_uses_the_formatted_string() {
        let c: Cpe =
            serde_json::from_str("\"cpe:/a:microsoft:internet_explorer:8.0.6001:beta\"").unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            "\"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*\""
        );
        assert!(serde_json::from_str::<Cpe>("\"cpe:2.3:a:b\"").is_err());
    }

    #[test]
    fn part_is_checked() {
        assert_eq!(
            "cpe:2.3:x:a:b:*:*:*:*:*:*:*:*"
                .parse::<Cpe>()
                .unwrap_err()
                .kind,
            CpeErrorKind::InvalidPart
        );
        assert!(Cpe::new().with(Attribute::Part, Value::Na).is_err());
    }
}
