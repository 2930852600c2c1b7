//! Per-type rules, transcribed from the purl specification's type definitions
//! (`types/<type>-definition.json`, schema `purl-type-definition.schema-1.0.json`, purl-spec
//! commit 16f3d0e). The conformance tests check this table against those files, so a change in
//! the specification shows up as a failing test, not as silent drift.

/// Whether a type requires, allows or forbids a namespace (`namespace_definition.requirement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// The namespace must be present.
    Required,
    /// The namespace may be present.
    Optional,
    /// The namespace must be absent.
    Prohibited,
}

/// The rules of one known package type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeRules {
    /// The type, lowercase.
    pub ty: &'static str,
    /// `namespace_definition.requirement`.
    pub namespace: Requirement,
    /// `namespace_definition.case_sensitive == false`: canonical form is lowercase.
    pub lowercase_namespace: bool,
    /// `name_definition.case_sensitive == false`.
    pub lowercase_name: bool,
    /// `version_definition.case_sensitive == false`.
    pub lowercase_version: bool,
    /// Qualifiers with `"requirement": "required"`.
    pub required_qualifiers: &'static [&'static str],
}

const fn rule(
    ty: &'static str,
    namespace: Requirement,
    lowercase_namespace: bool,
    lowercase_name: bool,
    lowercase_version: bool,
) -> TypeRules {
    TypeRules {
        ty,
        namespace,
        lowercase_namespace,
        lowercase_name,
        lowercase_version,
        required_qualifiers: &[],
    }
}

use Requirement::{Optional as O, Prohibited as P, Required as R};

/// Every type in `purl-types-index.json`, sorted by name.
pub const KNOWN_TYPES: &[TypeRules] = &[
    rule("alpm", R, true, true, false),
    rule("apk", R, true, true, false),
    rule("bazel", P, false, false, false),
    rule("bitbucket", R, true, true, false),
    rule("bitnami", P, false, true, false),
    rule("brew", O, true, true, false),
    rule("cargo", P, false, false, false),
    rule("chrome-extension", P, false, true, false),
    rule("cocoapods", P, false, false, false),
    rule("composer", R, true, true, false),
    rule("conan", O, false, false, false),
    rule("conda", P, false, false, false),
    rule("cpan", O, false, false, false),
    rule("cran", P, false, false, false),
    rule("deb", R, true, true, false),
    rule("docker", O, false, false, false),
    rule("gem", P, false, false, false),
    rule("generic", O, false, false, false),
    rule("git", R, false, false, false),
    rule("github", R, true, true, false),
    rule("golang", R, false, false, false),
    rule("hackage", P, false, false, false),
    rule("hex", O, true, true, false),
    rule("huggingface", R, false, false, true),
    TypeRules {
        required_qualifiers: &["uuid"],
        ..rule("julia", P, false, false, false)
    },
    rule("luarocks", O, true, true, false),
    rule("maven", R, false, false, false),
    rule("mlflow", P, false, false, false),
    rule("npm", O, false, false, false),
    rule("nuget", P, false, false, false),
    rule("oci", P, false, true, true),
    rule("opam", P, false, false, false),
    rule("otp", P, false, true, false),
    rule("pub", P, false, true, false),
    rule("pypi", P, false, true, true),
    rule("qpkg", R, true, false, false),
    rule("rpm", R, true, false, false),
    TypeRules {
        required_qualifiers: &["tag_id"],
        ..rule("swid", O, false, false, false)
    },
    rule("swift", R, false, false, false),
    rule("vcpkg", P, false, false, false),
    rule("vscode-extension", R, true, true, true),
    rule("yocto", O, true, false, false),
];

/// The rules of `ty`, if it is a type the specification defines.
pub fn rules(ty: &str) -> Option<&'static TypeRules> {
    KNOWN_TYPES
        .binary_search_by(|r| r.ty.cmp(ty))
        .ok()
        .and_then(|i| KNOWN_TYPES.get(i))
}

/// `chrome-extension` name: `^[a-p]{32}$` (`name_definition.permitted_characters`).
pub(crate) fn is_chrome_extension_id(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

/// `chrome-extension` version: `^\d+(\.\d+){0,3}$` (`version_definition.permitted_characters`).
pub(crate) fn is_chrome_extension_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() <= 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `pub` name: lowercase letters, digits and `_` (`name_definition.permitted_characters`
/// `^[a-z0-9_]`, read as applying to every character, as pub's own naming rules do).
pub(crate) fn is_pub_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `mlflow`: "for Databricks, it is case insensitive and shall be lowercased"
/// (mlflow-definition.json, `name_definition.note`). The tracking host tells which server.
pub(crate) fn mlflow_is_databricks(repository_url: &str) -> bool {
    let after_scheme = repository_url
        .split_once("://")
        .map_or(repository_url, |(_, r)| r);
    let host = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    host.ends_with(".azuredatabricks.net") || host.ends_with(".databricks.com")
}

/// Git hosts whose repository paths are case-insensitive; for `pkg:git` purls on them the
/// rules of the matching host type (`github`, `bitbucket`: namespace and name not case
/// sensitive) apply. The purl-spec test `git-test.json` expects
/// `pkg:git/github/Package-url/purl-Spec` to canonicalise to lowercase.
pub(crate) fn git_host_is_case_insensitive(host: &str) -> bool {
    matches!(
        host.to_ascii_lowercase().as_str(),
        "github" | "github.com" | "bitbucket" | "bitbucket.org"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(KNOWN_TYPES.windows(2).all(|w| w[0].ty < w[1].ty));
    }

    #[test]
    fn chrome_rules() {
        assert!(is_chrome_extension_id("dlpngalgnefjeiefhmpklpfiohadpglk"));
        assert!(!is_chrome_extension_id("44444algnefjeiefhmpklpfiohadpglk"));
        assert!(is_chrome_extension_version("6.0.2.3611"));
        assert!(!is_chrome_extension_version("1.2.3.4.5"));
        assert!(!is_chrome_extension_version("1.2.3-beta"));
    }

    #[test]
    fn databricks_hosts() {
        assert!(mlflow_is_databricks(
            "https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow"
        ));
        assert!(!mlflow_is_databricks(
            "https://westus2.api.azureml.ms/mlflow/v1.0"
        ));
    }
}
