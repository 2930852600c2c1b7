//! A first look at an element's SBOM: which format, which spec version, how many
//! components. Enough for `medsec check` and the assessment summary; the full reader
//! with the component model lives in the formats crate.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

/// Largest SBOM read; the biggest real ones are tens of megabytes.
const MAX_SBOM_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SbomSummary {
    /// "CycloneDX" or "SPDX".
    pub format: &'static str,
    /// "json", "xml" or "tag-value".
    pub encoding: &'static str,
    pub spec_version: String,
    /// Components in the document, nested ones included; `None` where this first look
    /// does not count them (XML and tag-value).
    pub components: Option<usize>,
}

/// Identify an SBOM file; the error says what is wrong in plain words.
pub fn summarise(path: &Path) -> Result<SbomSummary, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    // A device such as /dev/zero has no length and never ends; a FIFO may never deliver.
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let size = meta.len();
    if size > MAX_SBOM_BYTES {
        return Err(format!(
            "{size} bytes is over the {MAX_SBOM_BYTES}-byte limit"
        ));
    }
    let mut bytes = Vec::new();
    // Never past the limit, even if the file grows while it is read.
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SBOM_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_SBOM_BYTES {
        return Err(format!("over the {MAX_SBOM_BYTES}-byte limit"));
    }
    let text = String::from_utf8(bytes).map_err(|e| format!("cannot read it: {e}"))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let value: Value = serde_json::from_str(trimmed).map_err(|e| {
            format!(
                "invalid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            )
        })?;
        if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            let spec_version = value
                .get("specVersion")
                .and_then(Value::as_str)
                .ok_or("CycloneDX document without specVersion")?
                .to_owned();
            return Ok(SbomSummary {
                format: "CycloneDX",
                encoding: "json",
                spec_version,
                components: Some(count_cyclonedx(&value)),
            });
        }
        if let Some(version) = value.get("spdxVersion").and_then(Value::as_str) {
            let components = value
                .get("packages")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            return Ok(SbomSummary {
                format: "SPDX",
                encoding: "json",
                spec_version: version.trim_start_matches("SPDX-").to_owned(),
                components: Some(components),
            });
        }
        return Err("JSON, but neither CycloneDX (bomFormat) nor SPDX (spdxVersion)".into());
    }
    if trimmed.starts_with('<') {
        // The namespace carries the version: http://cyclonedx.org/schema/bom/1.5
        if let Some(at) = trimmed.find("cyclonedx.org/schema/bom/") {
            let rest = &trimmed[at + "cyclonedx.org/schema/bom/".len()..];
            let version: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            return Ok(SbomSummary {
                format: "CycloneDX",
                encoding: "xml",
                spec_version: version,
                components: None,
            });
        }
        return Err("XML, but not in the CycloneDX namespace".into());
    }
    if let Some(line) = trimmed.lines().find(|l| l.starts_with("SPDXVersion:")) {
        let version = line.trim_start_matches("SPDXVersion:").trim();
        return Ok(SbomSummary {
            format: "SPDX",
            encoding: "tag-value",
            spec_version: version.trim_start_matches("SPDX-").to_owned(),
            components: None,
        });
    }
    Err("not a recognised SBOM (CycloneDX JSON/XML or SPDX JSON/tag-value)".into())
}

/// Count components at any depth (CycloneDX nests them), iteratively so a deep
/// document cannot overflow the stack.
fn count_cyclonedx(document: &Value) -> usize {
    let mut count = 0;
    let mut pending: Vec<&Value> = vec![document];
    while let Some(node) = pending.pop() {
        if let Some(components) = node.get("components").and_then(Value::as_array) {
            count += components.len();
            pending.extend(components.iter());
        }
    }
    count
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        file
    }

    #[test]
    fn cyclonedx_json_counts_nested_components() {
        let file = write(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a","components":[{"name":"b"}]},{"name":"c"}]}"#,
        );
        let summary = summarise(file.path()).unwrap();
        assert_eq!(summary.components, Some(3));
        assert_eq!(summary.spec_version, "1.6");
    }

    #[test]
    fn spdx_and_xml_are_recognised() {
        let spdx = write(r#"{"spdxVersion":"SPDX-2.3","packages":[{},{}]}"#);
        assert_eq!(summarise(spdx.path()).unwrap().components, Some(2));
        let xml = write(
            r#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"></bom>"#,
        );
        assert_eq!(summarise(xml.path()).unwrap().spec_version, "1.5");
        let tv = write("SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n");
        assert_eq!(summarise(tv.path()).unwrap().encoding, "tag-value");
    }

    #[test]
    fn garbage_is_refused() {
        assert!(
            summarise(write("{\"a\":").path())
                .unwrap_err()
                .contains("invalid JSON")
        );
        assert!(summarise(write("{}").path()).is_err());
        assert!(summarise(write("hello").path()).is_err());
    }
}
