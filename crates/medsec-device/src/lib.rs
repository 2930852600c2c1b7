//! The device description: YAML with spans, validation, JSON Schema.
