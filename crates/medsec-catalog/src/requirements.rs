//! Which requirements apply to a device, and why.
//!
//! A requirement applies when its framework's scope holds for the device (the EU market
//! for the MDR, a target security level for IEC 62443-4-2) and its own condition holds.
//! Every decision carries its reasons; a requirement that does not apply says which
//! condition failed, so an assessor can check the judgement rather than trust it.

use serde::Serialize;

use crate::Catalog;
use crate::condition::{DeviceFacts, Reason};
use crate::model::{Framework, Requirement};
use crate::policy::TestPolicy;

/// The judgement on one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Applicability<'c> {
    #[serde(serialize_with = "requirement_id")]
    pub requirement: &'c Requirement,
    pub applies: bool,
    /// Why it applies: the framework's scope, then the requirement's own condition.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// Why not, when it does not apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
}

fn requirement_id<S: serde::Serializer>(r: &&Requirement, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&r.id)
}

/// One framework's requirements for a device.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkApplicability<'c> {
    #[serde(serialize_with = "framework_id")]
    pub framework: &'c Framework,
    pub applies: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    pub requirements: Vec<Applicability<'c>>,
}

fn framework_id<S: serde::Serializer>(f: &&Framework, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&f.id)
}

impl FrameworkApplicability<'_> {
    pub fn applicable(&self) -> impl Iterator<Item = &Applicability<'_>> {
        self.requirements.iter().filter(|a| a.applies)
    }
}

/// Judges every requirement of the frameworks the policy selects (all when it selects
/// none), in catalogue order.
pub fn applicability<'c>(
    catalog: &'c Catalog,
    facts: &DeviceFacts,
    policy: &TestPolicy,
) -> Vec<FrameworkApplicability<'c>> {
    catalog
        .frameworks
        .iter()
        .filter(|f| {
            policy
                .frameworks
                .as_ref()
                .is_none_or(|selected| selected.contains(&f.id))
        })
        .map(|framework| {
            let scope = match &framework.applies {
                None => Some(vec![Reason(framework.scope.clone())]),
                Some(c) => c.judge(facts).map(|mut reasons| {
                    reasons.insert(0, Reason(framework.scope.clone()));
                    reasons
                }),
            };
            let requirements = catalog
                .requirements
                .iter()
                .filter(|r| r.framework == framework.id)
                .map(|requirement| match &scope {
                    None => Applicability {
                        requirement,
                        applies: false,
                        reasons: Vec::new(),
                        not_applicable: Some(format!(
                            "{} is not relevant to this device",
                            framework.short
                        )),
                    },
                    Some(scope_reasons) => match &requirement.applies {
                        None => Applicability {
                            requirement,
                            applies: true,
                            reasons: scope_reasons.clone(),
                            not_applicable: None,
                        },
                        Some(condition) => match condition.judge(facts) {
                            Some(own) => Applicability {
                                requirement,
                                applies: true,
                                reasons: scope_reasons.iter().cloned().chain(own).collect(),
                                not_applicable: None,
                            },
                            None => Applicability {
                                requirement,
                                applies: false,
                                reasons: Vec::new(),
                                not_applicable: Some(format!(
                                    "applies only when: {}",
                                    condition.describe()
                                )),
                            },
                        },
                    },
                })
                .collect();
            FrameworkApplicability {
                framework,
                applies: scope.is_some(),
                reasons: scope.clone().unwrap_or_default(),
                not_applicable: match (&scope, &framework.applies) {
                    (None, Some(c)) => Some(format!("applies only when: {}", c.describe())),
                    _ => None,
                },
                requirements,
            }
        })
        .collect()
}
