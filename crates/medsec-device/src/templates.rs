//! Starting files for `medsec init`, each a complete, commented device description
//! that passes `medsec check` (a test makes sure).

/// A named starting file.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub name: &'static str,
    pub description: &'static str,
    pub text: &'static str,
}

pub const TEMPLATES: &[Template] = &[
    Template {
        name: "minimal",
        description: "A small BLE device and its phone app: every section once, with comments.",
        text: include_str!("../templates/minimal.yaml"),
    },
    Template {
        name: "hospital-networked",
        description: "A bedside device on the hospital network with an HL7 interface and a service laptop.",
        text: include_str!("../templates/hospital-networked.yaml"),
    },
];

pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::sync::Arc;

    #[test]
    fn every_template_passes_the_check_without_warnings() {
        for template in TEMPLATES {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("device.yaml");
            let loaded =
                crate::check::check_text(&path, dir.path(), Arc::new(template.text.to_owned()))
                    .unwrap_or_else(|e| match e {
                        crate::LoadError::Invalid(report) => {
                            panic!("{}: {:#?}", template.name, report.diagnostics)
                        }
                        other => panic!("{other}"),
                    });
            assert!(
                loaded.report.diagnostics.is_empty(),
                "{}: {:#?}",
                template.name,
                loaded.report.diagnostics
            );
        }
    }
}
