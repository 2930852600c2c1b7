//! CVSS vectors found in advisories: validated and scored with medsec-score, the
//! stated base score kept beside the computed one.

use medsec_core::advisory::{Cvss, Scorer, Severity, SeverityKind};

use super::{Problems, codes, ptr};

/// What a source states about one CVSS score.
pub struct Stated<'a> {
    /// The version the source declares (`3.1`), if it declares one apart from the vector.
    pub version: Option<&'a str>,
    pub vector: &'a str,
    pub base_score: Option<f64>,
    pub severity: Option<&'a str>,
    /// Pointer of the object holding the vector (`vectorString` is below it).
    pub pointer: &'a str,
    /// The key of the vector inside that object, for locating problems.
    pub vector_key: &'a str,
}

/// Validates and scores a stated CVSS score. An unparsable vector is an error (its
/// meaning is unknown); a computed base score differing from the stated one is a
/// warning, both values kept (NVD and vendors have published rounding and hand-edited
/// scores, and the record is still the record).
pub fn severity(stated: Stated<'_>, scored_by: Scorer, problems: &mut Problems<'_>) -> Severity {
    // Built only for a problem: most vectors have none.
    let vector_ptr = || ptr(stated.pointer, stated.vector_key);
    let parsed = medsec_score::parse(stated.vector.trim());
    let (version, computed, normalised) = match &parsed {
        Ok(v) => {
            let version = v.version().as_str().to_owned();
            if let Some(declared) = stated.version
                && declared != version
            {
                problems.error(
                    codes::CVSS_VERSION_MISMATCH,
                    &vector_ptr(),
                    format!(
                        "the score says CVSS {declared} but the vector is CVSS {version}: {:?}",
                        stated.vector
                    ),
                );
            }
            let base = v.score().base.score.value();
            (version, Some(base), Some(v.normalise()))
        }
        Err(e) => {
            problems.error(
                codes::BAD_CVSS,
                &vector_ptr(),
                format!("invalid CVSS vector {:?}: {e}", stated.vector),
            );
            (stated.version.unwrap_or("unknown").to_owned(), None, None)
        }
    };
    if let (Some(stated_score), Some(computed_score)) = (stated.base_score, computed) {
        // Scores have one decimal; compare in tenths to avoid float noise.
        if (stated_score * 10.0).round() as i64 != (computed_score * 10.0).round() as i64 {
            problems.warn(
                codes::SCORE_MISMATCH,
                stated.pointer,
                format!(
                    "stated base score {stated_score} but the vector {} computes to {computed_score}",
                    stated.vector
                ),
            );
        }
    }
    Severity {
        kind: SeverityKind::Cvss(Cvss {
            version,
            vector: stated.vector.to_owned(),
            stated_base_score: stated.base_score,
            stated_severity: stated.severity.map(str::to_owned),
            computed_base_score: computed,
            normalised_vector: normalised,
        }),
        scored_by,
        products: Vec::new(),
    }
}
