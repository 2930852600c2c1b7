//! The JSON Schema of `device.yaml`, generated from the model types and completed with
//! the vocabularies as suggestions for editors.

use serde_json::{Value, json};

use crate::model::Device;
use crate::vocabulary::VocabularyKind;

/// Stable identifier of the schema; editors may map it to `medsec schema device` output.
pub const DEVICE_SCHEMA_ID: &str = "https://medsec.invalid/schema/device-1.json";

/// The device description schema (JSON Schema 2020-12).
pub fn device_schema() -> Value {
    let mut schema = schemars::schema_for!(Device).to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), json!(DEVICE_SCHEMA_ID));
    }
    // The vocabularies can be extended per file, so their terms are offered as
    // completions ("examples"), not enforced; `medsec check` enforces them with the
    // file's own extensions taken into account.
    let suggestions = [
        (
            "/properties/functionalities/items",
            VocabularyKind::Functionalities,
        ),
        (
            "/properties/technologies/items",
            VocabularyKind::Technologies,
        ),
        (
            "/$defs/Identity/properties/categories/items",
            VocabularyKind::Categories,
        ),
        (
            "/$defs/Element/properties/technologies/items",
            VocabularyKind::Technologies,
        ),
        ("/$defs/Flow/properties/protocol", VocabularyKind::Protocols),
    ];
    for (pointer, kind) in suggestions {
        if let Some(Value::Object(node)) = schema.pointer_mut(pointer) {
            let ids: Vec<&str> = kind.builtin().iter().map(|term| term.id).collect();
            node.insert("examples".into(), json!(ids));
        }
    }
    schema
}

/// The sub-schema that describes the node at `pointer` of an instance, following
/// `$ref`, `items` and `properties`. Used to list the keys allowed at a place for
/// "did you mean" help.
pub fn subschema_at<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = resolve(schema, schema)?;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = if segment.parse::<usize>().is_ok() {
            node.get("items")
        } else {
            node.get("properties").and_then(|p| p.get(&segment))
        };
        node = resolve(schema, next?)?;
    }
    Some(node)
}

/// Follow `$ref` and unwrap `anyOf`/`oneOf` (schemars writes `Option<T>` that way) to
/// the branch that describes an object or an array.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            node = root.pointer(reference.strip_prefix('#')?)?;
            continue;
        }
        let branches = node
            .get("anyOf")
            .or_else(|| node.get("oneOf"))
            .and_then(Value::as_array);
        if let Some(branches) = branches {
            node = branches
                .iter()
                .find(|b| b.get("$ref").is_some() || b.get("properties").is_some())
                .or_else(|| branches.first())?;
            continue;
        }
        return Some(node);
    }
    None
}

/// The property names a sub-schema allows.
pub fn allowed_keys(subschema: &Value) -> Vec<&str> {
    subschema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn finds_nested_keys() {
        let schema = device_schema();
        let element = subschema_at(&schema, "/elements/4").unwrap();
        let keys = allowed_keys(element);
        assert!(keys.contains(&"zone"), "{keys:?}");
        let software = subschema_at(&schema, "/elements/0/software").unwrap();
        assert!(allowed_keys(software).contains(&"sbom"));
        let need = subschema_at(&schema, "/assets/0/integrity").unwrap();
        assert!(allowed_keys(need).contains(&"severity"));
    }

    #[test]
    fn vocabulary_suggestions_are_present() {
        let schema = device_schema();
        let examples = schema
            .pointer("/$defs/Element/properties/technologies/items/examples")
            .unwrap();
        assert!(examples.as_array().unwrap().iter().any(|v| v == "ble"));
    }
}
