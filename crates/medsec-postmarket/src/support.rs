//! Each component's level of support and end-of-support date, from SBOM properties or a
//! curated file, with alerts before the end of support.
//!
//! The FDA premarket cybersecurity guidance (§V.A.4) asks, for every software component in
//! the SBOM, for the level of support the component's manufacturer gives it through
//! monitoring and maintenance, and for the component's end-of-support date. This module
//! finds both, says where each came from, and warns before a component goes out of support.
//!
//! # Where the facts come from
//!
//! **SBOM properties** (CycloneDX `components[].properties`, kept in
//! [`Component::properties`]). The CycloneDX 1.6 and 1.7 schemas have no component field for
//! either fact (CycloneDX/cyclonedx-property-taxonomy issue #185 maps the guidance onto both),
//! so they travel as name–value properties. The names read, in order of preference (a
//! registered name before a proposed one, a proposed one before ours):
//!
//! | fact | property | status |
//! |---|---|---|
//! | end of support | [`CDX_LIFECYCLE_END_OF_SUPPORT`] | registered (CycloneDX property taxonomy, `cdx/lifecycle.md`) |
//! | end of support | [`CDX_FDA_END_OF_SUPPORT_DATE`] | proposed, not registered (taxonomy issue #185, pull request #186) |
//! | end of support | [`MEDSEC_SUPPORT_END`] | medsec's own |
//! | level | [`CDX_FDA_LEVEL_OF_SUPPORT`] | proposed, not registered (taxonomy issue #185, pull request #186) |
//! | level | [`MEDSEC_SUPPORT_LEVEL`] | medsec's own |
//!
//! No level name is registered. `cdx:lifecycle:milestone:endOfLife` is deliberately not read:
//! the taxonomy defines it as the end of *sale*, not of support. SPDX 2.3 has a package field
//! for the date, `validUntilDate` (§7.27, added for the FDA end-of-support date, spdx-spec pull
//! request #709), but the component model does not keep it yet, so SPDX documents only give
//! what their caller passes as properties.
//!
//! **A curated file** (YAML, see [`Curated`]): the manufacturer's own research, one entry per
//! component (by purl, or by name and version range), each with its source.
//!
//! # Precedence and conflicts
//!
//! The SBOM is the manufacturer's statement and comes first: a fact the SBOM gives is used
//! even when the curated file says otherwise. The curated file fills what the SBOM leaves out
//! (the two facts separately: a level from the SBOM can go with a date from the curated file;
//! [`SupportInfo`] names the source of each). Where both give a fact and they differ, the
//! difference is reported as a [`Conflict`]; an `unknown` level on either side contradicts
//! nothing.
//!
//! Nothing unreadable is dropped silently: a level or date that cannot be read, an empty
//! property, two properties that disagree, or several curated entries for one component are
//! each reported as a [`SupportProblem`].
//!
//! # Alerts
//!
//! [`alerts`] gives at most one alert per component, the most urgent that applies: past the
//! end of support, a level that says the component is no longer supported, the end of support
//! within the lead time, or an unknown level. The end-of-support date is the day support
//! ends: on that day and after it the component is past its end of support.

use std::fmt;
use std::path::Path;

use jiff::civil::Date;
use medsec_core::Purl;
use medsec_core::component::{Component, Property, Sbom};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// Registered in the CycloneDX property taxonomy, `cdx/lifecycle.md`
/// (CycloneDX/cyclonedx-property-taxonomy): "The ISO 8601 date or timestamp when the
/// manufacturer ceases any and all support of a component or service."
pub const CDX_LIFECYCLE_END_OF_SUPPORT: &str = "cdx:lifecycle:milestone:endOfSupport";

/// Proposed, not registered: CycloneDX/cyclonedx-property-taxonomy issue #185 and pull
/// request #186 (open), file `cdx/fda.md`: the end-of-support date of guidance §V.A.4(b), an
/// RFC 3339 `full-date`.
pub const CDX_FDA_END_OF_SUPPORT_DATE: &str = "cdx:fda:end-of-support-date";

/// Proposed, not registered: CycloneDX/cyclonedx-property-taxonomy issue #185 and pull
/// request #186 (open), file `cdx/fda.md`: the level of support of guidance §V.A.4(b), free
/// text, the guidance's examples (`actively maintained`, `no longer maintained`, `abandoned`)
/// verbatim when they apply.
pub const CDX_FDA_LEVEL_OF_SUPPORT: &str = "cdx:fda:level-of-support";

/// medsec's own name (not registered), used by the bundled example SBOMs: the level, one of
/// the [`SupportLevel`] spellings.
pub const MEDSEC_SUPPORT_LEVEL: &str = "medsec:support:level";

/// medsec's own name (not registered), used by the bundled example SBOMs: the end-of-support
/// date, `YYYY-MM-DD`.
pub const MEDSEC_SUPPORT_END: &str = "medsec:support:end";

/// SPDX 2.3 `validUntilDate` (§7.27, the end of the package's support or use), which the
/// SPDX reader of medsec-formats keeps as this component property.
pub const SPDX_VALID_UNTIL_DATE: &str = "spdx:validUntilDate";

/// The level properties read, most preferred first.
pub const LEVEL_PROPERTIES: [&str; 2] = [CDX_FDA_LEVEL_OF_SUPPORT, MEDSEC_SUPPORT_LEVEL];

/// The end-of-support properties read, most preferred first.
pub const END_OF_SUPPORT_PROPERTIES: [&str; 4] = [
    CDX_LIFECYCLE_END_OF_SUPPORT,
    CDX_FDA_END_OF_SUPPORT_DATE,
    SPDX_VALID_UNTIL_DATE,
    MEDSEC_SUPPORT_END,
];

/// The level of support a component's manufacturer gives it.
///
/// What the FDA guidance wants to know is whether anyone still watches the component for
/// vulnerabilities and ships fixes: a component that is actively maintained gets fixes; one
/// that gets only security fixes is still covered, for a while; one that is no longer
/// maintained or abandoned leaves every future vulnerability to the device manufacturer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupportLevel {
    /// The manufacturer fixes bugs and vulnerabilities (guidance example "actively
    /// maintained").
    ActivelyMaintained,
    /// Released, with limited support: security fixes only, or an extended-support phase.
    LimitedSupport,
    /// The manufacturer has ended support (guidance example "no longer maintained").
    NoLongerMaintained,
    /// Left without maintenance and without a declared end (guidance example "abandoned").
    Abandoned,
    /// Nobody has said.
    Unknown,
}

impl SupportLevel {
    pub const ALL: [SupportLevel; 5] = [
        SupportLevel::ActivelyMaintained,
        SupportLevel::LimitedSupport,
        SupportLevel::NoLongerMaintained,
        SupportLevel::Abandoned,
        SupportLevel::Unknown,
    ];

    /// The canonical spelling, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            SupportLevel::ActivelyMaintained => "actively-maintained",
            SupportLevel::LimitedSupport => "limited-support",
            SupportLevel::NoLongerMaintained => "no-longer-maintained",
            SupportLevel::Abandoned => "abandoned",
            SupportLevel::Unknown => "unknown",
        }
    }

    /// Reads a level leniently: case, spaces, hyphens and underscores do not matter, and the
    /// usual synonyms are accepted. `None` when the text is none of them.
    ///
    /// Accepted, besides the canonical spellings: the FDA guidance's examples ("actively
    /// maintained", "no longer maintained", "abandoned"); the SPDX 3.0.1 `SupportType` values
    /// `support`, `deployed`, `limitedSupport`, `noSupport` and `noAssertion` (`development`
    /// and `endOfSupport` are not levels of support in the guidance's sense: the first says
    /// the artefact is not yet supported, the second only that an end is defined); and
    /// `active`, `maintained`, `supported`, `limited`, `security fixes only`, `security only`,
    /// `extended support`, `no longer supported`, `unsupported`, `unmaintained`,
    /// `end of life`, `eol`.
    pub fn parse(text: &str) -> Option<SupportLevel> {
        let key: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let level = match key.as_str() {
            "activelymaintained" | "active" | "maintained" | "supported" | "support"
            | "deployed" => SupportLevel::ActivelyMaintained,
            "limitedsupport" | "limited" | "securityfixesonly" | "securityonly"
            | "extendedsupport" => SupportLevel::LimitedSupport,
            "nolongermaintained" | "nolongersupported" | "unsupported" | "unmaintained"
            | "nosupport" | "endoflife" | "eol" => SupportLevel::NoLongerMaintained,
            "abandoned" => SupportLevel::Abandoned,
            "unknown" | "noassertion" => SupportLevel::Unknown,
            _ => return None,
        };
        Some(level)
    }

    /// No longer maintained or abandoned.
    pub fn is_unsupported(self) -> bool {
        matches!(
            self,
            SupportLevel::NoLongerMaintained | SupportLevel::Abandoned
        )
    }
}

impl fmt::Display for SupportLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one fact came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Source {
    /// A property of the component in the SBOM, with its value as written.
    Sbom { property: String, value: String },
    /// An entry of a curated file: `entry` counts from 1 in file order, `line` is where it
    /// starts, `reference` is the entry's `source`.
    Curated {
        file: String,
        entry: usize,
        line: u64,
        reference: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Neither says.
    Unknown,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Sbom { property, value } => write!(f, "SBOM property {property} = {value:?}"),
            Source::Curated {
                file,
                entry,
                line,
                reference,
                ..
            } => write!(f, "{file}:{line} (entry {entry}, source {reference})"),
            Source::Unknown => f.write_str("unknown"),
        }
    }
}

/// A component's support, with the source of each fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportInfo {
    pub level: SupportLevel,
    pub level_source: Source,
    pub end_of_support: Option<Date>,
    pub end_of_support_source: Source,
    /// Facts on which the SBOM and the curated file differ (the SBOM's is used).
    pub conflicts: Vec<Conflict>,
    pub problems: Vec<SupportProblem>,
}

/// Which fact a conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupportField {
    Level,
    EndOfSupport,
}

/// The SBOM and a curated entry state different values for one fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub field: SupportField,
    /// The value used (the SBOM's), canonical form.
    pub sbom_value: String,
    pub sbom_property: String,
    pub curated_value: String,
    pub curated_file: String,
    pub curated_line: u64,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.field {
            SupportField::Level => "level of support",
            SupportField::EndOfSupport => "end of support",
        };
        write!(
            f,
            "{what}: the SBOM says {} ({}) but {}:{} says {}; the SBOM's is used",
            self.sbom_value,
            self.sbom_property,
            self.curated_file,
            self.curated_line,
            self.curated_value
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupportProblemKind {
    /// A level property whose value is no [`SupportLevel`].
    UnparseableLevel,
    /// An end-of-support property whose value is no date.
    UnparseableDate,
    /// A support property without a value.
    EmptyValue,
    /// Two support properties of the component give different values.
    Disagreement,
    /// More than one curated entry matches the component.
    SeveralCuratedEntries,
}

/// Something about a component's support statement that could not be used as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportProblem {
    pub kind: SupportProblemKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub message: String,
}

impl fmt::Display for SupportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

// ---------------------------------------------------------------------------------------
// Curated file
// ---------------------------------------------------------------------------------------

/// A curated support file.
///
/// ```yaml
/// components:
///   - purl: pkg:generic/python        # a purl without version: every version ...
///     versions: "3.9.*"               # ... narrowed by an optional version range
///     level: no-longer-maintained     # a SupportLevel spelling (required)
///     end_of_support: 2025-10-31      # YYYY-MM-DD (optional)
///     source: https://peps.python.org/pep-0596/   # where the facts come from (required)
///     note: free text                 # optional
///   - purl: pkg:maven/log4j/log4j@1.2.17   # a purl with version: that version only
///     level: no-longer-maintained
///     source: ...
///   - name: FreeRTOS-Kernel            # by name (ASCII case ignored), with an optional range
///     versions: "<11"
///     level: unknown
///     source: ...
/// ```
///
/// Each entry has exactly one of `purl` and `name`. A purl matches a component whose purl
/// has the same type, namespace and name (qualifiers and subpath are ignored); a purl with a
/// version matches only a component whose purl version, or `version`, is exactly that, and
/// takes no `versions`.
///
/// `versions` is one constraint or several joined by commas (all must hold): `*` (any),
/// `=V` or a bare `V` (equal), `<V`, `<=V`, `>V`, `>=V`, or `P*` (the version starts with the
/// text `P`; `3.8.*` also matches `3.8` itself). The component's `version` is used, else its
/// purl version; without either only `*` matches. Versions compare segment by segment:
/// digit runs as numbers, letter runs as text ignoring ASCII case, a leading `v` ignored,
/// and a version that continues another is the greater (`1.1.1k` > `1.1.1`, so a
/// pre-release such as `1.0-rc1` counts as greater than `1.0`).
///
/// When several entries match a component, the first in file order is used and the others
/// are reported: put specific entries before general ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Curated {
    /// The file's name as given (shown in sources and messages).
    pub file: String,
    pub entries: Vec<CuratedEntry>,
}

/// One entry of a curated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CuratedEntry {
    /// Where the entry starts (1-based).
    pub line: u64,
    pub selector: Selector,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<VersionRange>,
    pub level: SupportLevel,
    pub end_of_support: Option<Date>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a curated entry matches on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selector {
    Purl(Purl),
    Name(String),
}

/// A curated file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CuratedError {
    #[error("{file}: cannot read the curated support file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Not well-formed YAML, not the expected shape, or an invalid value.
    #[error("{}: {message}", position(.file, *.line, *.column))]
    Invalid {
        file: String,
        line: Option<u64>,
        column: Option<u64>,
        message: String,
    },
}

fn position(file: &str, line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_owned(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    components: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    purl: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    versions: Option<Spanned<String>>,
    level: Spanned<String>,
    end_of_support: Option<Spanned<String>>,
    source: Option<String>,
    note: Option<String>,
}

impl Curated {
    /// Reads a curated file; `file` names it in sources and messages.
    pub fn parse(file: &str, text: &str) -> Result<Curated, CuratedError> {
        let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| {
            let e = e.without_snippet();
            let location = e.location();
            let mut message = e.to_string();
            // The message ends with " at line L, column C"; the position is shown in front.
            if location.is_some()
                && let Some(i) = message.rfind(" at line ")
            {
                message.truncate(i);
            }
            CuratedError::Invalid {
                file: file.to_owned(),
                line: location.map(|l| l.line()),
                column: location.map(|l| l.column()),
                message,
            }
        })?;
        let entries = raw
            .components
            .into_iter()
            .map(|entry| CuratedEntry::from_raw(file, entry))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Curated {
            file: file.to_owned(),
            entries,
        })
    }

    /// Reads a curated file from disk; it is named by its path as given.
    pub fn load(path: &Path) -> Result<Curated, CuratedError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CuratedError::Io {
            file: file.clone(),
            source,
        })?;
        Curated::parse(&file, &text)
    }

    /// The entries that match a component, in file order, with their 1-based numbers.
    pub fn matching<'a>(
        &'a self,
        component: &'a Component,
    ) -> impl Iterator<Item = (usize, &'a CuratedEntry)> + 'a {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.matches(component))
            .map(|(i, e)| (i + 1, e))
    }
}

fn invalid_at<T>(file: &str, spanned: &Spanned<T>, message: String) -> CuratedError {
    CuratedError::Invalid {
        file: file.to_owned(),
        line: Some(spanned.referenced.line()),
        column: Some(spanned.referenced.column()),
        message,
    }
}

impl CuratedEntry {
    fn from_raw(file: &str, raw: Spanned<RawEntry>) -> Result<CuratedEntry, CuratedError> {
        let at_entry = |message: &str| invalid_at(file, &raw, message.to_owned());
        let entry = &raw.value;
        let selector = match (&entry.purl, &entry.name) {
            (Some(purl), None) => {
                let parsed = Purl::parse_lenient(purl.value.trim()).map_err(|e| {
                    invalid_at(file, purl, format!("invalid purl {:?}: {e}", purl.value))
                })?;
                Selector::Purl(parsed)
            }
            (None, Some(name)) => {
                let name_text = name.value.trim();
                if name_text.is_empty() {
                    return Err(invalid_at(file, name, "empty `name`".to_owned()));
                }
                Selector::Name(name_text.to_owned())
            }
            (Some(_), Some(_)) => {
                return Err(at_entry("an entry has either `purl` or `name`, not both"));
            }
            (None, None) => return Err(at_entry("an entry needs `purl` or `name`")),
        };
        let versions = match &entry.versions {
            None => None,
            Some(v) => {
                if let Selector::Purl(p) = &selector
                    && p.version().is_some()
                {
                    return Err(invalid_at(
                        file,
                        v,
                        "`versions` goes with a purl without version (or a name); this purl \
                         already names one version"
                            .to_owned(),
                    ));
                }
                Some(VersionRange::parse(&v.value).map_err(|m| invalid_at(file, v, m))?)
            }
        };
        let level = SupportLevel::parse(&entry.level.value).ok_or_else(|| {
            invalid_at(
                file,
                &entry.level,
                format!(
                    "unknown level {:?}; expected one of {}",
                    entry.level.value,
                    SupportLevel::ALL.map(SupportLevel::as_str).join(", ")
                ),
            )
        })?;
        let end_of_support = match &entry.end_of_support {
            None => None,
            Some(d) => Some(parse_date(&d.value).map_err(|m| invalid_at(file, d, m))?),
        };
        let source = entry
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| at_entry("an entry needs a `source`: where its facts come from"))?
            .to_owned();
        Ok(CuratedEntry {
            line: raw.referenced.line(),
            selector,
            versions,
            level,
            end_of_support,
            source,
            note: entry
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        })
    }

    /// Whether this entry is about the component.
    pub fn matches(&self, component: &Component) -> bool {
        let version = component
            .version
            .as_deref()
            .or_else(|| component.purl.as_ref().and_then(Purl::version));
        match &self.selector {
            Selector::Purl(p) => {
                let Some(cp) = &component.purl else {
                    return false;
                };
                if cp.ty() != p.ty() || cp.namespace() != p.namespace() || cp.name() != p.name() {
                    return false;
                }
                if let Some(v) = p.version() {
                    return cp.version() == Some(v) || component.version.as_deref() == Some(v);
                }
                self.versions_match(version)
            }
            Selector::Name(n) => {
                component.name.trim().eq_ignore_ascii_case(n) && self.versions_match(version)
            }
        }
    }

    fn versions_match(&self, version: Option<&str>) -> bool {
        match (&self.versions, version) {
            (None, _) => true,
            (Some(range), Some(v)) => range.matches(v),
            (Some(range), None) => range.is_any(),
        }
    }

    fn source(&self, file: &str, number: usize) -> Source {
        Source::Curated {
            file: file.to_owned(),
            entry: number,
            line: self.line,
            reference: self.source.clone(),
            note: self.note.clone(),
        }
    }
}

/// A version range of a curated entry (see [`Curated`] for the syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    text: String,
    constraints: Vec<Constraint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Constraint {
    Any,
    Eq(String),
    Lt(String),
    Le(String),
    Gt(String),
    Ge(String),
    Prefix(String),
}

impl VersionRange {
    /// Parses a range; the error says what is wrong.
    pub fn parse(text: &str) -> Result<VersionRange, String> {
        let mut constraints = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(format!("empty constraint in version range {text:?}"));
            }
            let operand = |rest: &str| -> Result<String, String> {
                let rest = rest.trim();
                if rest.is_empty() || rest.contains('*') {
                    Err(format!(
                        "version range {text:?}: {part:?} needs a version without `*` after \
                         its operator"
                    ))
                } else {
                    Ok(rest.to_owned())
                }
            };
            let constraint = if part == "*" {
                Constraint::Any
            } else if let Some(rest) = part.strip_prefix("<=") {
                Constraint::Le(operand(rest)?)
            } else if let Some(rest) = part.strip_prefix(">=") {
                Constraint::Ge(operand(rest)?)
            } else if let Some(rest) = part.strip_prefix('<') {
                Constraint::Lt(operand(rest)?)
            } else if let Some(rest) = part.strip_prefix('>') {
                Constraint::Gt(operand(rest)?)
            } else if let Some(rest) = part.strip_prefix('=') {
                Constraint::Eq(operand(rest)?)
            } else if let Some(prefix) = part.strip_suffix('*') {
                if prefix.contains('*') || prefix.trim().is_empty() {
                    return Err(format!(
                        "version range {text:?}: {part:?}: `*` may only end a prefix (as in \
                         `3.8.*`) or stand alone"
                    ));
                }
                Constraint::Prefix(prefix.trim().to_owned())
            } else if part.contains('*') {
                return Err(format!(
                    "version range {text:?}: {part:?}: `*` may only end a prefix (as in \
                     `3.8.*`) or stand alone"
                ));
            } else {
                Constraint::Eq(part.to_owned())
            };
            constraints.push(constraint);
        }
        Ok(VersionRange {
            text: text.trim().to_owned(),
            constraints,
        })
    }

    /// The range as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the range is `*` alone.
    pub fn is_any(&self) -> bool {
        self.constraints.iter().all(|c| *c == Constraint::Any)
    }

    /// Whether a version satisfies every constraint.
    pub fn matches(&self, version: &str) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let version = version.trim();
        self.constraints.iter().all(|c| match c {
            Constraint::Any => true,
            Constraint::Eq(v) => compare_versions(version, v) == Equal,
            Constraint::Lt(v) => compare_versions(version, v) == Less,
            Constraint::Le(v) => compare_versions(version, v) != Greater,
            Constraint::Gt(v) => compare_versions(version, v) == Greater,
            Constraint::Ge(v) => compare_versions(version, v) != Less,
            Constraint::Prefix(p) => {
                let (v, p) = (strip_v(version), strip_v(p));
                v.starts_with(p) || p.strip_suffix('.').is_some_and(|whole| v == whole)
            }
        })
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for VersionRange {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// A leading `v` or `V` before a digit is not part of the version (`v3.4.0` is `3.4.0`).
fn strip_v(version: &str) -> &str {
    match version.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => version,
    }
}

#[derive(PartialEq, Eq)]
enum Segment<'a> {
    Number(&'a str),
    Text(&'a str),
}

fn segments(version: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = strip_v(version);
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        rest = &rest[start..];
        let digits = rest.starts_with(|c: char| c.is_ascii_digit());
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric() || c.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        out.push(if digits {
            Segment::Number(run.trim_start_matches('0'))
        } else {
            Segment::Text(run)
        });
        rest = tail;
    }
    out
}

/// Compares two versions segment by segment (see [`Curated`]).
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, b) = (segments(a), segments(b));
    for (x, y) in a.iter().zip(&b) {
        let order = match (x, y) {
            // Leading zeros are gone: a longer digit run is a bigger number.
            (Segment::Number(x), Segment::Number(y)) => x.len().cmp(&y.len()).then(x.cmp(y)),
            (Segment::Text(x), Segment::Text(y)) => x
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(y.bytes().map(|c| c.to_ascii_lowercase())),
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// Reads a date: `YYYY-MM-DD`, or an ISO 8601 / RFC 3339 timestamp whose date part is taken
/// as written.
fn parse_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let bad = || format!("{t:?} is not a date (expected YYYY-MM-DD)");
    if let Ok(date) = t.parse::<Date>() {
        return Ok(date);
    }
    // jiff reads a civil date out of a datetime with a numeric offset but not with `Z`; a
    // valid timestamp has its date first.
    if t.parse::<jiff::Timestamp>().is_ok() {
        return t
            .get(..10)
            .and_then(|d| d.parse::<Date>().ok())
            .ok_or_else(bad);
    }
    Err(bad())
}

// ---------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------

/// One value read from the SBOM properties: the first readable one in preference order.
struct Stated<T> {
    value: T,
    property: String,
    raw: String,
}

/// Reads the first readable value among `names` (in that order), reporting empty values,
/// unreadable ones and readable ones that differ from the one used.
fn read_stated<T: PartialEq + fmt::Display>(
    properties: &[Property],
    names: &[&str],
    parse: impl Fn(&str) -> Result<T, String>,
    unreadable: SupportProblemKind,
    problems: &mut Vec<SupportProblem>,
) -> Option<Stated<T>> {
    let mut chosen: Option<Stated<T>> = None;
    for name in names {
        for p in properties.iter().filter(|p| p.name == *name) {
            let Some(raw) = p.value.as_deref().filter(|v| !v.trim().is_empty()) else {
                problems.push(SupportProblem {
                    kind: SupportProblemKind::EmptyValue,
                    property: Some(p.name.clone()),
                    value: p.value.clone(),
                    message: format!("property {} has no value", p.name),
                });
                continue;
            };
            match parse(raw) {
                Err(message) => problems.push(SupportProblem {
                    kind: unreadable,
                    property: Some(p.name.clone()),
                    value: Some(raw.to_owned()),
                    message: format!("property {}: {message}", p.name),
                }),
                Ok(value) => match &chosen {
                    None => {
                        chosen = Some(Stated {
                            value,
                            property: p.name.clone(),
                            raw: raw.to_owned(),
                        });
                    }
                    Some(first) if first.value != value => problems.push(SupportProblem {
                        kind: SupportProblemKind::Disagreement,
                        property: Some(p.name.clone()),
                        value: Some(raw.to_owned()),
                        message: format!(
                            "property {} says {value} but {} says {}; the latter is used",
                            p.name, first.property, first.value
                        ),
                    }),
                    Some(_) => {}
                },
            }
        }
    }
    chosen
}

fn parse_level(raw: &str) -> Result<SupportLevel, String> {
    SupportLevel::parse(raw).ok_or_else(|| {
        format!(
            "{raw:?} is not a level of support (expected one of {})",
            SupportLevel::ALL.map(SupportLevel::as_str).join(", ")
        )
    })
}

/// Resolves one component's support from its SBOM properties (usually
/// `&component.properties`; a caller may add properties it derived, such as an SPDX
/// `validUntilDate`) and an optional curated file. See the module documentation for the
/// precedence.
pub fn resolve(
    component: &Component,
    sbom_properties: &[Property],
    curated: Option<&Curated>,
) -> SupportInfo {
    let mut problems = Vec::new();
    let sbom_level = read_stated(
        sbom_properties,
        &LEVEL_PROPERTIES,
        parse_level,
        SupportProblemKind::UnparseableLevel,
        &mut problems,
    );
    let sbom_end = read_stated(
        sbom_properties,
        &END_OF_SUPPORT_PROPERTIES,
        parse_date,
        SupportProblemKind::UnparseableDate,
        &mut problems,
    );

    let mut entry: Option<(usize, &CuratedEntry, &str)> = None;
    if let Some(c) = curated {
        for (number, e) in c.matching(component) {
            match entry {
                None => entry = Some((number, e, c.file.as_str())),
                Some((first, first_entry, _)) => problems.push(SupportProblem {
                    kind: SupportProblemKind::SeveralCuratedEntries,
                    property: None,
                    value: None,
                    message: format!(
                        "{}:{} (entry {number}) also matches; entry {first} (line {}) is used",
                        c.file, e.line, first_entry.line
                    ),
                }),
            }
        }
    }

    let mut conflicts = Vec::new();
    let (level, level_source) = match (&sbom_level, entry) {
        (Some(s), _) => {
            if let Some((_, e, file)) = entry
                && e.level != s.value
                && e.level != SupportLevel::Unknown
                && s.value != SupportLevel::Unknown
            {
                conflicts.push(Conflict {
                    field: SupportField::Level,
                    sbom_value: s.value.to_string(),
                    sbom_property: s.property.clone(),
                    curated_value: e.level.to_string(),
                    curated_file: file.to_owned(),
                    curated_line: e.line,
                });
            }
            (
                s.value,
                Source::Sbom {
                    property: s.property.clone(),
                    value: s.raw.clone(),
                },
            )
        }
        (None, Some((number, e, file))) => (e.level, e.source(file, number)),
        (None, None) => (SupportLevel::Unknown, Source::Unknown),
    };
    let curated_end = entry.and_then(|(n, e, file)| e.end_of_support.map(|d| (n, e, file, d)));
    let (end_of_support, end_of_support_source) = match (&sbom_end, curated_end) {
        (Some(s), _) => {
            if let Some((_, e, file, d)) = curated_end
                && d != s.value
            {
                conflicts.push(Conflict {
                    field: SupportField::EndOfSupport,
                    sbom_value: s.value.to_string(),
                    sbom_property: s.property.clone(),
                    curated_value: d.to_string(),
                    curated_file: file.to_owned(),
                    curated_line: e.line,
                });
            }
            (
                Some(s.value),
                Source::Sbom {
                    property: s.property.clone(),
                    value: s.raw.clone(),
                },
            )
        }
        (None, Some((number, e, file, d))) => (Some(d), e.source(file, number)),
        (None, None) => (None, Source::Unknown),
    };
    SupportInfo {
        level,
        level_source,
        end_of_support,
        end_of_support_source,
        conflicts,
        problems,
    }
}

/// Which component a result is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentId {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
}

impl ComponentId {
    pub fn of(component: &Component) -> ComponentId {
        ComponentId {
            name: component.name.clone(),
            group: component.group.clone(),
            version: component.version.clone(),
            purl: component.purl.as_ref().map(ToString::to_string),
            bom_ref: component.bom_ref.clone(),
        }
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(g) = &self.group {
            write!(f, "{g}/")?;
        }
        f.write_str(&self.name)?;
        if let Some(v) = &self.version {
            write!(f, " {v}")?;
        }
        Ok(())
    }
}

/// A component and its resolved support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentSupport {
    pub component: ComponentId,
    pub support: SupportInfo,
}

/// Resolves every component of an SBOM (from its own properties), in document order.
pub fn resolve_sbom(sbom: &Sbom, curated: Option<&Curated>) -> Vec<ComponentSupport> {
    sbom.components
        .iter()
        .map(|c| ComponentSupport {
            component: ComponentId::of(c),
            support: resolve(c, &c.properties, curated),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------

/// Why a component needs attention, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AlertKind {
    /// The end-of-support date is today or earlier (`days_past` 0 on the day itself).
    PastEndOfSupport { days_past: i64 },
    /// The level says no longer maintained or abandoned (and no past date says more).
    NoLongerSupported,
    /// Support ends in 1 to `lead_days` days.
    EndingSoon { days_left: i64 },
    /// Nobody states the level of support.
    SupportUnknown,
}

impl AlertKind {
    fn rank(self) -> (u8, i64) {
        match self {
            // The longest past first.
            AlertKind::PastEndOfSupport { days_past } => (0, -days_past),
            AlertKind::NoLongerSupported => (1, 0),
            // The soonest first.
            AlertKind::EndingSoon { days_left } => (2, days_left),
            AlertKind::SupportUnknown => (3, 0),
        }
    }
}

/// A component that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    #[serde(flatten)]
    pub kind: AlertKind,
    pub component: ComponentId,
    pub level: SupportLevel,
    pub end_of_support: Option<Date>,
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = |f: &mut fmt::Formatter<'_>| match self.end_of_support {
            Some(d) => write!(f, "end of support {d}"),
            None => f.write_str("no end-of-support date"),
        };
        write!(f, "{}: ", self.component)?;
        match self.kind {
            AlertKind::PastEndOfSupport { days_past: 0 } => {
                end(f)?;
                f.write_str(" is today")
            }
            AlertKind::PastEndOfSupport { days_past } => {
                end(f)?;
                write!(f, " passed {days_past} day(s) ago")
            }
            AlertKind::NoLongerSupported => {
                write!(f, "level of support is {}, ", self.level)?;
                end(f)
            }
            AlertKind::EndingSoon { days_left } => {
                end(f)?;
                write!(f, " in {days_left} day(s)")
            }
            AlertKind::SupportUnknown => {
                f.write_str("level of support unknown, ")?;
                end(f)
            }
        }
    }
}

/// The alerts for a set of components on `today`, at most one per component (the most
/// urgent), sorted by urgency (kind, then the longest past or the soonest end), then by
/// name, version, purl and bom-ref.
pub fn alerts(components: &[ComponentSupport], today: Date, lead_days: u32) -> Vec<Alert> {
    let mut out: Vec<Alert> = components
        .iter()
        .filter_map(|c| {
            let info = &c.support;
            let days_left = info
                .end_of_support
                .map(|end| today.duration_until(end).as_secs().div_euclid(86_400));
            let kind = match days_left {
                Some(left) if left <= 0 => AlertKind::PastEndOfSupport { days_past: -left },
                _ if info.level.is_unsupported() => AlertKind::NoLongerSupported,
                Some(left) if left <= i64::from(lead_days) => {
                    AlertKind::EndingSoon { days_left: left }
                }
                _ if info.level == SupportLevel::Unknown => AlertKind::SupportUnknown,
                _ => return None,
            };
            Some(Alert {
                kind,
                component: c.component.clone(),
                level: info.level,
                end_of_support: info.end_of_support,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.kind
            .rank()
            .cmp(&b.kind.rank())
            .then_with(|| a.component.name.cmp(&b.component.name))
            .then_with(|| a.component.version.cmp(&b.component.version))
            .then_with(|| a.component.purl.cmp(&b.component.purl))
            .then_with(|| a.component.bom_ref.cmp(&b.component.bom_ref))
    });
    out
}
