//! The CISA Known Exploited Vulnerabilities catalog (its JSON feed).
//!
//! Shape: an object with `title`, `catalogVersion`, `dateReleased`, `count` and
//! `vulnerabilities[]`, each entry with `cveID`, `vendorProject`, `product`,
//! `vulnerabilityName`, `dateAdded`, `shortDescription`, `requiredAction`, `dueDate`,
//! `knownRansomwareCampaignUse`, `notes` and `cwes`. Every field of an entry is kept as
//! written; an entry missing a required field, with a wrong type or a duplicate `cveID`
//! is an error naming its index.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Origin, StoreError};

/// The catalog: its header and its entries in catalog order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevCatalog {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(rename = "catalogVersion")]
    pub catalog_version: String,
    /// As written (`2025-03-14T17:00:41.8693Z`); compared as a timestamp.
    #[serde(rename = "dateReleased")]
    pub date_released: String,
    #[serde(default, skip_serializing)]
    pub entries: Vec<KevEntry>,
}

/// One catalog entry, field names as in the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    #[serde(rename = "cveID")]
    pub cve_id: String,
    #[serde(rename = "vendorProject")]
    pub vendor_project: String,
    pub product: String,
    #[serde(rename = "vulnerabilityName")]
    pub vulnerability_name: String,
    #[serde(rename = "dateAdded")]
    pub date_added: String,
    #[serde(rename = "shortDescription")]
    pub short_description: String,
    #[serde(rename = "requiredAction")]
    pub required_action: String,
    #[serde(rename = "dueDate")]
    pub due_date: String,
    /// `Known` or `Unknown`.
    #[serde(
        rename = "knownRansomwareCampaignUse",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub known_ransomware_campaign_use: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default)]
    pub cwes: Vec<String>,
}

/// Reads the catalog from its JSON text.
pub fn read(bytes: &[u8], origin: &Origin) -> Result<KevCatalog, StoreError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| StoreError::Kev {
        origin: origin.clone(),
        record: None,
        message: format!("not well-formed JSON at line {}: {e}", e.line()),
    })?;
    from_value(value, origin)
}

fn from_value(mut value: Value, origin: &Origin) -> Result<KevCatalog, StoreError> {
    let err = |record: Option<usize>, message: String| StoreError::Kev {
        origin: origin.clone(),
        record,
        message,
    };
    let Some(obj) = value.as_object_mut() else {
        return Err(err(None, "the top level is not an object".into()));
    };
    let text = |obj: &serde_json::Map<String, Value>, key: &str| -> Result<String, StoreError> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(_) => Err(err(None, format!("`{key}` is not a non-empty string"))),
            None => Err(err(None, format!("`{key}` is missing"))),
        }
    };
    let catalog_version = text(obj, "catalogVersion")?;
    let date_released = text(obj, "dateReleased")?;
    if parse_released(&date_released).is_none() {
        return Err(err(
            None,
            format!("`dateReleased` {date_released:?} is not an RFC 3339 timestamp"),
        ));
    }
    let title = obj.get("title").and_then(Value::as_str).map(str::to_owned);
    let Some(Value::Array(items)) = obj.remove("vulnerabilities") else {
        return Err(err(None, "`vulnerabilities` is not an array".into()));
    };
    let mut entries = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let entry: KevEntry =
            serde_json::from_value(item).map_err(|e| err(Some(i), e.to_string()))?;
        for (name, v) in [
            ("cveID", &entry.cve_id),
            ("vendorProject", &entry.vendor_project),
            ("product", &entry.product),
            ("vulnerabilityName", &entry.vulnerability_name),
            ("dateAdded", &entry.date_added),
            ("requiredAction", &entry.required_action),
            ("dueDate", &entry.due_date),
        ] {
            if v.trim().is_empty() {
                return Err(err(Some(i), format!("`{name}` is empty")));
            }
        }
        if !entry.cve_id.to_ascii_uppercase().starts_with("CVE-") {
            return Err(err(
                Some(i),
                format!("`cveID` {:?} is not a CVE id", entry.cve_id),
            ));
        }
        if !seen.insert(entry.cve_id.to_ascii_uppercase()) {
            return Err(err(
                Some(i),
                format!("`cveID` {} appears twice", entry.cve_id),
            ));
        }
        entries.push(entry);
    }
    Ok(KevCatalog {
        title,
        catalog_version,
        date_released,
        entries,
    })
}

/// `dateReleased` as a timestamp (the feed writes RFC 3339 with a `Z`).
pub(crate) fn parse_released(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const SAMPLE: &str = r#"{
  "title": "CISA Catalog of Known Exploited Vulnerabilities",
  "catalogVersion": "2025.03.14",
  "dateReleased": "2025-03-14T17:00:41.8693Z",
  "count": 2,
  "vulnerabilities": [
    {
      "cveID": "CVE-2021-44228",
      "vendorProject": "Apache",
      "product": "Log4j2",
      "vulnerabilityName": "Apache Log4j2 Remote Code Execution Vulnerability",
      "dateAdded": "2021-12-10",
      "shortDescription": "Apache Log4j2 contains a vulnerability where JNDI features do not protect against attacker-controlled JNDI-related endpoints.",
      "requiredAction": "For all affected software assets for which updates exist, the only acceptable remediation actions are: 1) Apply updates; OR 2) remove affected assets from agency networks.",
      "dueDate": "2021-12-24",
      "knownRansomwareCampaignUse": "Known",
      "notes": "https://logging.apache.org/log4j/2.x/security.html",
      "cwes": ["CWE-20", "CWE-400", "CWE-502"]
    },
    {
      "cveID": "CVE-2014-0160",
      "vendorProject": "OpenSSL",
      "product": "OpenSSL",
      "vulnerabilityName": "OpenSSL Information Disclosure Vulnerability",
      "dateAdded": "2022-05-04",
      "shortDescription": "The TLS and DTLS implementations in OpenSSL do not properly handle Heartbeat Extension packets.",
      "requiredAction": "Apply updates per vendor instructions.",
      "dueDate": "2022-05-25",
      "knownRansomwareCampaignUse": "Unknown",
      "notes": "",
      "cwes": []
    }
  ]
}"#;

    fn origin() -> Origin {
        Origin::file("known_exploited_vulnerabilities.json")
    }

    #[test]
    fn reads_the_documented_shape() {
        let c = read(SAMPLE.as_bytes(), &origin()).unwrap();
        assert_eq!(c.catalog_version, "2025.03.14");
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.entries[0].cve_id, "CVE-2021-44228");
        assert_eq!(c.entries[0].cwes, ["CWE-20", "CWE-400", "CWE-502"]);
        assert_eq!(
            c.entries[1].known_ransomware_campaign_use.as_deref(),
            Some("Unknown")
        );
    }

    #[test]
    fn entry_errors_name_the_record() {
        let broken = SAMPLE.replace("\"product\": \"OpenSSL\",", "");
        let e = read(broken.as_bytes(), &origin()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("vulnerabilities[1]"), "{text}");
        assert!(text.contains("product"), "{text}");
        assert!(
            text.contains("known_exploited_vulnerabilities.json"),
            "{text}"
        );
    }

    #[test]
    fn duplicates_and_bad_ids_are_refused() {
        let dup = SAMPLE.replace("CVE-2014-0160", "CVE-2021-44228");
        assert!(
            read(dup.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("appears twice")
        );
        let bad = SAMPLE.replace("CVE-2014-0160", "GHSA-1234");
        assert!(
            read(bad.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("not a CVE id")
        );
    }

    #[test]
    fn header_errors() {
        let e = read(b"{\"catalogVersion\": \"1\"", &origin()).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        let no_date = SAMPLE.replace("\"dateReleased\": \"2025-03-14T17:00:41.8693Z\",", "");
        assert!(
            read(no_date.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("`dateReleased` is missing")
        );
        let bad_date = SAMPLE.replace("2025-03-14T17:00:41.8693Z", "yesterday");
        assert!(
            read(bad_date.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("RFC 3339")
        );
    }
}
