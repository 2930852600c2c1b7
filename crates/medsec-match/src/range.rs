//! Range evaluation: the one place medsec decides whether a version is in a range.
//!
//! The rule is the one documented on [`medsec_core::advisory`]: events sorted by
//! version in the range's scheme; a version takes the state of the last event at or
//! below it (`Earliest` is below everything, `At(v)` covers `v` itself, `After(v)` only
//! what is above `v`); below every event it is `Outside`; when two events sit at the same
//! point the later one in the list wins. OSV `limit`s (kept apart in
//! [`VersionRange::limits`]) end the range: a version at or above a limit is `Outside`.
//!
//! Sorting is not materialised: the deciding event is the greatest event (by
//! `(version, At < After)`, ties to the later index) among those at or below the
//! version, found in one pass. That is the same event the sorted walk would stop at.

use std::cmp::Ordering;
use std::fmt;

use medsec_core::advisory::{
    Affected, Package, Point, RangeEvent, RangeState, Status, VersionRange, VersionScheme,
};

use crate::{Assumption, ParseError, Scheme, Version};

/// Why a range could not be evaluated exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unevaluable {
    /// A GIT range: commits are ordered by history, which needs the repository.
    Git { repo: Option<String> },
    /// The source's text could not be turned into events (e.g. a free-text CSAF range).
    Uninterpreted { text: Option<String> },
    /// No ordering is known for the range's scheme (an OSV ecosystem such as RubyGems).
    NoOrdering { scheme: String },
    /// The range has no events and no text: it says nothing.
    NoEvents,
    /// The version asked about does not parse in the range's scheme.
    Version(ParseError),
    /// An event's version does not parse in the range's scheme.
    EventVersion { index: usize, error: ParseError },
    /// A limit does not parse in the range's scheme.
    LimitVersion { error: ParseError },
    /// The version asked about is unspecified (`*`, `-` or empty).
    UnspecifiedVersion { version: String },
}

impl fmt::Display for Unevaluable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unevaluable::Git { repo } => write!(
                f,
                "GIT range{}: commits are ordered by repository history, which is not evaluated here",
                repo.as_deref()
                    .map(|r| format!(" of {r}"))
                    .unwrap_or_default()
            ),
            Unevaluable::Uninterpreted { text } => write!(
                f,
                "the source's range text {:?} could not be interpreted",
                text.as_deref().unwrap_or("")
            ),
            Unevaluable::NoOrdering { scheme } => {
                write!(f, "no version ordering is known for {scheme}")
            }
            Unevaluable::NoEvents => f.write_str("the range has no events"),
            Unevaluable::Version(e) => write!(f, "the version does not parse: {e}"),
            Unevaluable::EventVersion { index, error } => {
                write!(f, "event {index} of the range does not parse: {error}")
            }
            Unevaluable::LimitVersion { error } => {
                write!(f, "a limit of the range does not parse: {error}")
            }
            Unevaluable::UnspecifiedVersion { version } => write!(
                f,
                "the version {version:?} is unspecified, so no range can place it"
            ),
        }
    }
}

/// What decided an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Why {
    /// The last event at or below the version (`index` into `VersionRange::events`),
    /// the events at the same point it overrode by coming later, and the next event
    /// above the version, if any.
    Event {
        index: usize,
        event: RangeEvent,
        overridden: Vec<usize>,
        next: Option<(usize, RangeEvent)>,
    },
    /// The version is below every event; `lowest` is the first event above it.
    BelowEvery { lowest: Option<(usize, RangeEvent)> },
    /// The version is at or above an OSV `limit`.
    Limit { limit: String },
    /// The range could not be evaluated; the state is `Unknown`.
    NotEvaluated(Unevaluable),
}

/// The state of one version in one range, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub state: RangeState,
    pub why: Why,
    /// The ordering used (`None` when none could be chosen).
    pub scheme: Option<Scheme>,
    /// Set when a comparison rested on the generic order's assumption, or the scheme was
    /// chosen by fallback; the state is then not certain.
    pub assumption: Option<String>,
}

fn state_name(s: RangeState) -> &'static str {
    match s {
        RangeState::Affected => "affected",
        RangeState::Unaffected => "unaffected",
        RangeState::Unknown => "unknown",
        RangeState::Outside => "outside the range",
        _ => "another state",
    }
}

fn point_text(p: &Point) -> String {
    match p {
        Point::Earliest => "from the earliest version".into(),
        Point::At(v) => format!("from {v} (inclusive)"),
        Point::After(v) => format!("above {v}"),
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = self
            .scheme
            .map_or("no ordering".to_owned(), |s| s.to_string());
        match &self.why {
            Why::Event {
                index,
                event,
                overridden,
                next,
            } => {
                write!(
                    f,
                    "{} by event {index} ({} → {}) in {scheme} order",
                    state_name(self.state),
                    point_text(&event.point),
                    state_name(event.state)
                )?;
                if !overridden.is_empty() {
                    write!(
                        f,
                        ", which overrides event(s) {overridden:?} at the same point"
                    )?;
                }
                if let Some((i, e)) = next {
                    write!(
                        f,
                        "; next: event {i} ({} → {})",
                        point_text(&e.point),
                        state_name(e.state)
                    )?;
                }
            }
            Why::BelowEvery { lowest } => {
                write!(f, "outside the range: below every event in {scheme} order")?;
                if let Some((i, e)) = lowest {
                    write!(f, " (lowest: event {i}, {})", point_text(&e.point))?;
                }
            }
            Why::Limit { limit } => write!(f, "outside the range: at or above limit {limit}")?,
            Why::NotEvaluated(u) => write!(f, "unknown: {u}")?,
        }
        if let Some(a) = &self.assumption {
            write!(f, " [not certain: {a}]")?;
        }
        Ok(())
    }
}

fn unknown(why: Unevaluable, scheme: Option<Scheme>) -> Evaluation {
    Evaluation {
        state: RangeState::Unknown,
        why: Why::NotEvaluated(why),
        scheme,
        assumption: None,
    }
}

/// The ordering of a package, from its purl type or OSV ecosystem; `None` for CPE,
/// vendor/product and CSAF products without a purl (their versions are generic).
pub fn scheme_of_package(package: &Package) -> Option<Scheme> {
    match package {
        Package::Purl { purl } => Scheme::from_purl_type(purl.ty()),
        Package::Ecosystem {
            ecosystem, purl, ..
        } => Scheme::from_osv_ecosystem(ecosystem)
            .or_else(|| purl.as_ref().and_then(|p| Scheme::from_purl_type(p.ty()))),
        Package::CsafProduct(p) => p
            .helper
            .as_ref()
            .and_then(|h| h.purl.as_ref())
            .and_then(|p| Scheme::from_purl_type(p.ty())),
        _ => None,
    }
}

/// Chooses the ordering for a range: its own scheme, refined by the package's where
/// both are SemVer-based (OSV writes Go, npm and crates ranges as `SEMVER`, and the
/// package's scheme then also accepts its own spellings such as Go's `v`).
fn choose(
    range: &VersionRange,
    package: Option<Scheme>,
) -> Result<(Scheme, Option<String>), Unevaluable> {
    let semver_family = |s: Scheme| matches!(s, Scheme::Npm | Scheme::Golang | Scheme::Cargo);
    match &range.scheme {
        VersionScheme::Git => Err(Unevaluable::Git {
            repo: range.repo.clone(),
        }),
        VersionScheme::Semver => Ok((
            package
                .filter(|s| semver_family(*s))
                .unwrap_or(Scheme::Semver),
            None,
        )),
        VersionScheme::Ecosystem(e) => {
            Scheme::from_osv_ecosystem(e)
                .map(|s| (s, None))
                .ok_or_else(|| Unevaluable::NoOrdering {
                    scheme: format!("OSV ecosystem {e:?}"),
                })
        }
        VersionScheme::Vers(v) => Scheme::from_vers_scheme(v)
            .map(|s| (s, None))
            .ok_or_else(|| Unevaluable::NoOrdering {
                scheme: format!("vers scheme {v:?}"),
            }),
        VersionScheme::Custom(t) => match Scheme::from_cve5_version_type(t) {
            Some(s) => Ok((s, None)),
            None => {
                let s = package.unwrap_or(Scheme::Generic);
                Ok((
                    s,
                    Some(format!(
                        "CVE 5 versionType {t:?} names no known ordering; compared in {s} order"
                    )),
                ))
            }
        },
        VersionScheme::Generic => Ok((Scheme::Generic, None)),
        other => Err(Unevaluable::NoOrdering {
            scheme: other.to_string(),
        }),
    }
}

fn is_unspecified(version: &str) -> bool {
    matches!(version.trim(), "" | "*" | "-")
}

/// Evaluates one version against one range, in the range's own scheme.
pub fn evaluate(range: &VersionRange, version: &str) -> Evaluation {
    evaluate_in(range, None, version)
}

/// Evaluates one version against one range; `package` is the ordering of the package
/// the range belongs to, used where the range's scheme defers to it.
pub fn evaluate_in(range: &VersionRange, package: Option<Scheme>, version: &str) -> Evaluation {
    if range.uninterpreted {
        return unknown(
            Unevaluable::Uninterpreted {
                text: range.text.clone(),
            },
            None,
        );
    }
    let (scheme, mut assumption) = match choose(range, package) {
        Ok(s) => s,
        Err(u) => return unknown(u, None),
    };
    if is_unspecified(version) {
        return unknown(
            Unevaluable::UnspecifiedVersion {
                version: version.to_owned(),
            },
            Some(scheme),
        );
    }
    if range.events.is_empty() {
        return unknown(Unevaluable::NoEvents, Some(scheme));
    }
    let x = match scheme.parse(version) {
        Ok(v) => v,
        Err(e) => return unknown(Unevaluable::Version(e), Some(scheme)),
    };
    // Parse every event first: one that does not parse could sit anywhere.
    let mut points: Vec<Option<Version>> = Vec::with_capacity(range.events.len());
    for (index, e) in range.events.iter().enumerate() {
        match &e.point {
            Point::Earliest => points.push(None),
            Point::At(v) | Point::After(v) => match scheme.parse(v) {
                Ok(p) => points.push(Some(p)),
                Err(error) => {
                    return unknown(Unevaluable::EventVersion { index, error }, Some(scheme));
                }
            },
        }
    }
    let mut note = |a: Option<Assumption>| {
        if let (Some(a), None) = (a, &assumption) {
            assumption = Some(a.to_string());
        }
    };
    // Event keys: Earliest < (v, At) < (v, After).
    let after = |i: usize| matches!(range.events[i].point, Point::After(_));
    let cmp_events = |i: usize, j: usize, note: &mut dyn FnMut(Option<Assumption>)| -> Ordering {
        match (&points[i], &points[j]) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => {
                let (o, a) = a.compare(b);
                note(a);
                o.then_with(|| after(i).cmp(&after(j)))
            }
        }
    };
    let mut best: Option<usize> = None;
    let mut ties: Vec<usize> = Vec::new();
    let mut next: Option<usize> = None;
    for (i, point) in points.iter().enumerate() {
        let covers = match point {
            None => true,
            Some(p) => {
                let (o, a) = p.compare(&x);
                note(a);
                if after(i) {
                    o == Ordering::Less
                } else {
                    o != Ordering::Greater
                }
            }
        };
        if covers {
            match best {
                None => best = Some(i),
                Some(b) => match cmp_events(i, b, &mut note) {
                    Ordering::Greater => {
                        best = Some(i);
                        ties.clear();
                    }
                    Ordering::Equal => {
                        ties.push(b);
                        best = Some(i);
                    }
                    Ordering::Less => {}
                },
            }
        } else {
            match next {
                Some(n) if cmp_events(i, n, &mut note) != Ordering::Less => {}
                _ => next = Some(i),
            }
        }
    }
    let at = |i: usize| (i, range.events[i].clone());
    let mut eval = match best {
        None => Evaluation {
            state: RangeState::Outside,
            why: Why::BelowEvery {
                lowest: next.map(at),
            },
            scheme: Some(scheme),
            assumption: None,
        },
        Some(b) => Evaluation {
            state: range.events[b].state,
            why: Why::Event {
                index: b,
                event: range.events[b].clone(),
                overridden: ties,
                next: next.map(at),
            },
            scheme: Some(scheme),
            assumption: None,
        },
    };
    // OSV `limit`: nothing at or above a limit is in the range.
    for l in &range.limits {
        match scheme.parse(l) {
            Ok(lv) => {
                let (o, a) = x.compare(&lv);
                note(a);
                if o != Ordering::Less {
                    eval.state = RangeState::Outside;
                    eval.why = Why::Limit { limit: l.clone() };
                }
            }
            Err(error) => return unknown(Unevaluable::LimitVersion { error }, Some(scheme)),
        }
    }
    eval.assumption = assumption;
    eval
}

/// Yes, no, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    Yes,
    No,
    Unknown,
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Unknown => "unknown",
        })
    }
}

/// Whether an [`Affected`] entry says a version is affected, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub affected: Answer,
    pub reason: String,
    /// The evaluation of each range of the entry, in order.
    pub evaluations: Vec<Evaluation>,
    /// Set when the answer rests on an assumption of the generic order (or a scheme
    /// fallback): the answer is then not certain and is reported at lower confidence.
    pub assumption: Option<String>,
}

/// What a status means for "is this version affected?".
fn answer_of(status: Status) -> Answer {
    match status {
        Status::Affected | Status::FirstAffected | Status::LastAffected => Answer::Yes,
        Status::NotAffected | Status::Fixed | Status::FirstFixed | Status::Recommended => {
            Answer::No
        }
        _ => Answer::Unknown,
    }
}

/// Decides whether `version` of the entry's package is affected according to one
/// [`Affected`] entry: listed versions and ranges first (a version inside a range's
/// `Affected` state, or listed, takes the entry's status), then ranges that say
/// unaffected, then the entry's default status; an entry with neither versions nor
/// ranges is about every version. Combining several entries is the caller's.
pub fn affects(affected: &Affected, version: &str) -> Verdict {
    let package = scheme_of_package(&affected.what);
    let status = affected.status;
    let verdict = |a, reason: String, evaluations, assumption| Verdict {
        affected: a,
        reason,
        evaluations,
        assumption,
    };
    if is_unspecified(version) {
        return verdict(
            Answer::Unknown,
            format!("the component's version {version:?} is unspecified"),
            Vec::new(),
            None,
        );
    }
    if affected.versions.is_empty() && affected.ranges.is_empty() {
        return verdict(
            answer_of(status),
            format!(
                "the entry lists no versions or ranges, so it is about every version: {status}"
            ),
            Vec::new(),
            None,
        );
    }
    // Listed versions: equal in the package's ordering (generic when it has none), or
    // identical text when either side does not parse.
    let list_scheme = package.unwrap_or(Scheme::Generic);
    let mut unknown_reasons: Vec<String> = Vec::new();
    let mut assumption: Option<String> = None;
    let parsed = list_scheme.parse(version).ok();
    for listed in &affected.versions {
        let listed_t = listed.trim();
        if listed_t == "*" {
            return verdict(
                answer_of(status),
                format!("the entry lists version \"*\" (every version): {status}"),
                Vec::new(),
                None,
            );
        }
        if listed_t == "-" {
            unknown_reasons.push(
                "the entry lists version \"-\" (CPE NA: no version given), which cannot place a specific version".into(),
            );
            continue;
        }
        let same = match (&parsed, list_scheme.parse(listed_t)) {
            (Some(a), Ok(b)) => {
                let (o, a2) = a.compare(&b);
                if o == Ordering::Equal
                    && listed_t != version.trim()
                    && let Some(a2) = a2
                {
                    assumption.get_or_insert(a2.to_string());
                }
                o == Ordering::Equal
            }
            _ => listed_t == version.trim(),
        };
        if same {
            return verdict(
                answer_of(status),
                format!(
                    "version {version} is listed as {listed_t:?} ({list_scheme} order): {status}"
                ),
                Vec::new(),
                assumption,
            );
        }
    }
    let evaluations: Vec<Evaluation> = affected
        .ranges
        .iter()
        .map(|r| evaluate_in(r, package, version))
        .collect();
    let take_assumption = |e: &Evaluation| e.assumption.clone();
    if let Some((i, e)) = evaluations
        .iter()
        .enumerate()
        .find(|(_, e)| e.state == RangeState::Affected)
    {
        let reason = format!(
            "range {i} {}: {e}; entry status {status}",
            affected.ranges[i]
        );
        let a = take_assumption(e);
        return verdict(answer_of(status), reason, evaluations, a);
    }
    // OSV 1.x: GIT ranges place commits, the versions list and the SEMVER/ECOSYSTEM
    // ranges place releases. For a released version, an entry that has either decides
    // without its GIT ranges; only an entry with GIT ranges alone stays unknown.
    let releases_decided = !affected.versions.is_empty()
        || affected
            .ranges
            .iter()
            .any(|r| r.scheme != VersionScheme::Git);
    for (i, e) in evaluations.iter().enumerate() {
        if e.state == RangeState::Unknown {
            if releases_decided && affected.ranges[i].scheme == VersionScheme::Git {
                continue;
            }
            unknown_reasons.push(format!("range {i} {}: {e}", affected.ranges[i]));
        }
    }
    if !unknown_reasons.is_empty() {
        return verdict(
            Answer::Unknown,
            unknown_reasons.join("; "),
            evaluations,
            None,
        );
    }
    if let Some((i, e)) = evaluations
        .iter()
        .enumerate()
        .find(|(_, e)| e.state == RangeState::Unaffected)
    {
        let reason = format!("range {i} {}: {e}", affected.ranges[i]);
        let a = take_assumption(e);
        return verdict(Answer::No, reason, evaluations, a);
    }
    let a = evaluations.iter().find_map(take_assumption);
    if let Some(d) = affected.default_status {
        return verdict(
            answer_of(d),
            format!(
                "version {version} is in no listed version or range; the entry's default status is {d}"
            ),
            evaluations,
            a,
        );
    }
    let listed = if affected.versions.is_empty() {
        String::new()
    } else {
        format!(
            " and is not one of the listed versions {:?}",
            affected.versions
        )
    };
    verdict(
        Answer::No,
        format!("version {version} is outside every range of the entry{listed}"),
        evaluations,
        a,
    )
}
