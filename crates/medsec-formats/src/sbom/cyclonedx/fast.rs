//! The JSON fast path: deserialises the text straight into the wire structs with their
//! strings borrowed from the text, counting the nesting depth on the way (no separate
//! pre-scan).
//!
//! It is only a fast path: it accepts a subset of what the derived `Deserialize` (the general
//! path) accepts, and yields exactly the structs that the general path would. Whatever it
//! does not take — a syntax or type error, a duplicate field, nesting over the limit, a
//! number out of range in an ignored value, an `spdxVersion` key — makes it give up, and the
//! general path reads the document again and reports every problem with its position as
//! before. So the fast path needs no error messages and no positions.
//!
//! Every rule that keeps the two paths equal:
//! - the same field names (the `rename`s of `wire.rs`), every field listed (the struct
//!   literal at the end of each visitor does not compile otherwise);
//! - a field seen twice is an error (serde's `duplicate_field`), even after a `null`;
//! - `null` is `None` for every field (serde's `Option`);
//! - an unknown field of a struct with `other` is recorded there by name (a `BTreeMap`, as the
//!   flattened map is) and its value is read with `deserialize_any`, as serde's flatten
//!   buffers it (so a number out of range fails here as it does there);
//! - the depth is counted for every array and object, ignored values included, exactly as
//!   `locate::check_json_depth` counts brackets, and a `serde_json::Value` (tools, data
//!   classification) is measured after it is read.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::validate::{Present, Stream};
use super::wire;

/// The nesting depth: `now` arrays and objects enclose the value being read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Depth {
    now: usize,
    max: usize,
}

impl Depth {
    pub(crate) fn root(max: usize) -> Self {
        Depth { now: 0, max }
    }

    /// Into an array or object.
    fn enter<E: de::Error>(self) -> Result<Depth, E> {
        let now = self.now + 1;
        if now > self.max {
            return Err(E::custom("nested deeper than the limit"));
        }
        Ok(Depth { now, max: self.max })
    }
}

/// Deserialisation with the depth counted.
pub(crate) trait Fast<'de>: Sized {
    fn fast<D: Deserializer<'de>>(d: D, depth: Depth) -> Result<Self, D::Error>;
}

/// `T::fast` as a seed.
pub(crate) struct Seed<T>(Depth, PhantomData<T>);

impl<T> Seed<T> {
    pub(crate) fn new(depth: Depth) -> Self {
        Seed(depth, PhantomData)
    }
}

impl<'de, T: Fast<'de>> DeserializeSeed<'de> for Seed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::fast(d, self.0)
    }
}

struct CowStr;

impl<'de> Visitor<'de> for CowStr {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de> Fast<'de> for Cow<'de, str> {
    fn fast<D: Deserializer<'de>>(d: D, _: Depth) -> Result<Self, D::Error> {
        d.deserialize_str(CowStr)
    }
}

/// An object key, borrowed where it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(CowStr)
    }
}

impl<'de> Fast<'de> for i64 {
    fn fast<D: Deserializer<'de>>(d: D, _: Depth) -> Result<Self, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

impl<'de> Fast<'de> for serde_json::Value {
    fn fast<D: Deserializer<'de>>(d: D, depth: Depth) -> Result<Self, D::Error> {
        let value: serde_json::Value = serde::Deserialize::deserialize(d)?;
        // serde_json builds a `Value` at most 128 deep, so this recursion is bounded.
        fn nesting(v: &serde_json::Value) -> usize {
            match v {
                serde_json::Value::Array(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
                serde_json::Value::Object(map) => 1 + map.values().map(nesting).max().unwrap_or(0),
                _ => 0,
            }
        }
        if depth.now + nesting(&value) > depth.max {
            return Err(de::Error::custom("nested deeper than the limit"));
        }
        Ok(value)
    }
}

impl<'de, T: Fast<'de>> Fast<'de> for Option<T> {
    fn fast<D: Deserializer<'de>>(d: D, depth: Depth) -> Result<Self, D::Error> {
        struct V<T>(Depth, PhantomData<T>);
        impl<'de, T: Fast<'de>> Visitor<'de> for V<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("option")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                T::fast(d, self.0).map(Some)
            }
        }
        d.deserialize_option(V(depth, PhantomData))
    }
}

impl<'de, T: Fast<'de>> Fast<'de> for Box<T> {
    fn fast<D: Deserializer<'de>>(d: D, depth: Depth) -> Result<Self, D::Error> {
        T::fast(d, depth).map(Box::new)
    }
}

impl<'de, T: Fast<'de>> Fast<'de> for Vec<T> {
    fn fast<D: Deserializer<'de>>(d: D, depth: Depth) -> Result<Self, D::Error> {
        struct V<T>(Depth, PhantomData<T>);
        impl<'de, T: Fast<'de>> Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element_seed(Seed::new(self.0))? {
                    out.push(item);
                }
                Ok(out)
            }
        }
        let depth = depth.enter()?;
        d.deserialize_seq(V(depth, PhantomData))
    }
}

/// A value read for its syntax and depth only (an unknown field's), with `deserialize_any`
/// as serde's flatten reads it.
pub(crate) struct Skip(pub(crate) Depth);

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let depth = self.0.enter()?;
        while seq.next_element_seed(Skip(depth))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = self.0.enter()?;
        while map.next_key_seed(Key)?.is_some() {
            map.next_value_seed(Skip(depth))?;
        }
        Ok(())
    }
}

/// `Fast` for a wire struct: `name { "json" => field, ... }`, then `other` (unknown fields
/// recorded) or `ignore` (unknown fields skipped, for the structs without `other`).
macro_rules! fast_struct {
    ($name:ident, $unknown:ident, { $($json:literal => $field:ident),* $(,)? }) => {
        impl<'de> Fast<'de> for wire::$name<'de> {
            fn fast<D: Deserializer<'de>>(d: D, depth: Depth) -> Result<Self, D::Error> {
                struct V(Depth);
                impl<'de> Visitor<'de> for V {
                    type Value = wire::$name<'de>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Self::Value, A::Error> {
                        let depth = self.0;
                        $( let mut $field = None; )*
                        #[allow(unused_mut)]
                        let mut other = wire::Other::new();
                        while let Some(key) = map.next_key_seed(Key)? {
                            match &*key {
                                $( $json => {
                                    if $field.is_some() {
                                        return Err(de::Error::duplicate_field($json));
                                    }
                                    $field = Some(map.next_value_seed(Seed::new(depth))?);
                                } )*
                                _ => {
                                    map.next_value_seed(Skip(depth))?;
                                    fast_struct!(@unknown $unknown, other, key);
                                }
                            }
                        }
                        fast_struct!(@build $unknown, $name, other, $($field),*)
                    }
                }
                let depth = depth.enter()?;
                d.deserialize_map(V(depth))
            }
        }
    };
    (@unknown other, $other:ident, $key:ident) => {
        $other.insert($key.into_owned(), de::IgnoredAny);
    };
    (@unknown ignore, $other:ident, $key:ident) => {
        let _ = (&$other, $key);
    };
    (@build other, $name:ident, $other:ident, $($field:ident),*) => {
        Ok(wire::$name { $( $field: $field.unwrap_or_default(), )* other: $other })
    };
    (@build ignore, $name:ident, $other:ident, $($field:ident),*) => {
        Ok(wire::$name { $( $field: $field.unwrap_or_default(), )* })
    };
}

fast_struct!(Metadata, other, {
    "timestamp" => timestamp,
    "tools" => tools,
    "authors" => authors,
    "component" => component,
    "manufacture" => manufacture,
    "manufacturer" => manufacturer,
    "supplier" => supplier,
    "licenses" => licenses,
    "properties" => properties,
});

fast_struct!(Organization, other, {
    "name" => name,
    "url" => url,
    "contact" => contact,
});

fast_struct!(Contact, other, {
    "name" => name,
    "email" => email,
    "phone" => phone,
});

fast_struct!(Component, other, {
    "type" => kind,
    "bom-ref" => bom_ref,
    "supplier" => supplier,
    "manufacturer" => manufacturer,
    "author" => author,
    "authors" => authors,
    "publisher" => publisher,
    "group" => group,
    "name" => name,
    "version" => version,
    "description" => description,
    "scope" => scope,
    "hashes" => hashes,
    "licenses" => licenses,
    "copyright" => copyright,
    "cpe" => cpe,
    "purl" => purl,
    "swid" => swid,
    "pedigree" => pedigree,
    "externalReferences" => external_references,
    "properties" => properties,
    "components" => components,
});

fast_struct!(Hash, other, {
    "alg" => alg,
    "content" => content,
});

fast_struct!(LicenseChoice, other, {
    "license" => license,
    "expression" => expression,
    "acknowledgement" => acknowledgement,
});

fast_struct!(License, other, {
    "id" => id,
    "name" => name,
    "text" => text,
    "url" => url,
    "acknowledgement" => acknowledgement,
    "properties" => properties,
});

fast_struct!(Attachment, other, {
    "contentType" => content_type,
    "encoding" => encoding,
    "content" => content,
});

fast_struct!(Property, other, {
    "name" => name,
    "value" => value,
});

fast_struct!(ExternalReference, other, {
    "url" => url,
    "type" => kind,
    "comment" => comment,
    "hashes" => hashes,
});

fast_struct!(Swid, other, {
    "tagId" => tag_id,
    "name" => name,
});

fast_struct!(Pedigree, other, {
    "ancestors" => ancestors,
    "descendants" => descendants,
    "variants" => variants,
    "patches" => patches,
});

fast_struct!(Patch, other, {
    "type" => kind,
    "resolves" => resolves,
});

fast_struct!(Issue, other, {
    "type" => kind,
});

fast_struct!(Service, ignore, {
    "bom-ref" => bom_ref,
    "name" => name,
    "data" => data,
    "properties" => properties,
    "services" => services,
});

fast_struct!(ServiceData, ignore, {
    "flow" => flow,
    "classification" => classification,
});

fast_struct!(Dependency, other, {
    "ref" => reference,
    "dependsOn" => depends_on,
    "provides" => provides,
});

/// What the fast path read: the document, and the conversion of its components where they
/// were converted while read (`components` came after a valid `specVersion` and after
/// `metadata`, as in the documents that tools write), in which case neither `metadata` nor
/// `components` is left in `bom`.
pub(crate) struct Parsed<'de> {
    pub bom: wire::Bom<'de>,
    pub stream: Option<(Stream, Present)>,
}

struct BomVisitor {
    depth: Depth,
    /// Whether components may be converted while read (the tests compare the wire structs
    /// with the derived ones, so they keep them).
    stream: bool,
}

impl<'de> Visitor<'de> for BomVisitor {
    type Value = Parsed<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct Bom")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let depth = self.depth;
        let mut bom_format = None;
        let mut spec_version: Option<Option<Cow<'de, str>>> = None;
        let mut serial_number = None;
        let mut version = None;
        let mut metadata: Option<Option<wire::Metadata<'de>>> = None;
        let mut components: Option<Option<Vec<wire::Component<'de>>>> = None;
        let mut services = None;
        let mut dependencies = None;
        let mut external_references = None;
        let mut properties = None;
        let mut other = wire::Other::new();
        // The conversion, once components are converted while read.
        let mut stream: Option<(Stream, Present)> = None;
        macro_rules! field {
            ($field:ident, $json:literal) => {{
                if $field.is_some() {
                    return Err(de::Error::duplicate_field($json));
                }
                $field = Some(map.next_value_seed(Seed::new(depth))?);
            }};
        }
        while let Some(key) = map.next_key_seed(Key)? {
            match &*key {
                "bomFormat" => field!(bom_format, "bomFormat"),
                "specVersion" => field!(spec_version, "specVersion"),
                "serialNumber" => field!(serial_number, "serialNumber"),
                "version" => field!(version, "version"),
                "metadata" => field!(metadata, "metadata"),
                "services" => field!(services, "services"),
                "dependencies" => field!(dependencies, "dependencies"),
                "externalReferences" => field!(external_references, "externalReferences"),
                "properties" => field!(properties, "properties"),
                "components" => {
                    if components.is_some() {
                        return Err(de::Error::duplicate_field("components"));
                    }
                    let minor = match &spec_version {
                        Some(Some(v)) => super::minor_version(v).ok(),
                        _ => None,
                    };
                    match (minor, &mut metadata) {
                        (Some(minor), Some(seen)) if self.stream => {
                            let present = Present {
                                metadata: seen.is_some(),
                                components: false,
                            };
                            let mut converted = Stream::new(minor, seen.take(), 0);
                            let listed = map.next_value_seed(StreamComponents {
                                depth,
                                stream: &mut converted,
                            })?;
                            stream = Some((
                                converted,
                                Present {
                                    components: listed,
                                    ..present
                                },
                            ));
                            components = Some(None);
                        }
                        _ => field!(components, "components"),
                    }
                }
                // An SPDX document: the general path's probe decides, nothing more to read.
                "spdxVersion" => return Err(de::Error::custom(SPDX)),
                _ => {
                    map.next_value_seed(Skip(depth))?;
                    other.insert(key.into_owned(), de::IgnoredAny);
                }
            }
        }
        let bom = wire::Bom {
            bom_format: bom_format.unwrap_or_default(),
            spec_version: spec_version.unwrap_or_default(),
            serial_number: serial_number.unwrap_or_default(),
            version: version.unwrap_or_default(),
            metadata: metadata.unwrap_or_default(),
            components: components.unwrap_or_default(),
            services: services.unwrap_or_default(),
            dependencies: dependencies.unwrap_or_default(),
            external_references: external_references.unwrap_or_default(),
            properties: properties.unwrap_or_default(),
            other,
        };
        Ok(Parsed { bom, stream })
    }
}

/// The value of `components`, each component converted as soon as it is read; whether it
/// was a list (not `null`).
struct StreamComponents<'s> {
    depth: Depth,
    stream: &'s mut Stream,
}

impl<'de> DeserializeSeed<'de> for StreamComponents<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for StreamComponents<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of components")
    }

    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        // As `Option<Vec<Component>>`: the list is one level, each component another.
        let depth = self.depth.enter()?;
        d.deserialize_seq(ComponentList {
            depth,
            stream: self.stream,
        })?;
        Ok(true)
    }
}

struct ComponentList<'s> {
    depth: Depth,
    stream: &'s mut Stream,
}

impl<'de> Visitor<'de> for ComponentList<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(c) = seq.next_element_seed(Seed::<wire::Component<'de>>::new(self.depth))? {
            self.stream.component(i, c);
            i += 1;
        }
        Ok(())
    }
}

const SPDX: &str = "an SPDX document";

/// Why the fast path gave the document to the general path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// It has a top-level `spdxVersion` (the general path's CycloneDX attempt would give up
    /// too, so only the probe is left), or neither `bomFormat` nor `specVersion`.
    NotCycloneDx,
    /// Anything else: the general path reads it from the start.
    Other,
}

/// Reads the text as a CycloneDX JSON document, if the fast path can.
pub(crate) fn read(text: &str, max_depth: usize) -> Result<Parsed<'_>, GiveUp> {
    read_with(text, max_depth, true)
}

fn read_with(text: &str, max_depth: usize, stream: bool) -> Result<Parsed<'_>, GiveUp> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = match Depth::root(max_depth).enter().and_then(|depth| {
        serde::Deserializer::deserialize_map(&mut de, BomVisitor { depth, stream })
    }) {
        Ok(parsed) => parsed,
        Err(e) if e.is_data() && e.to_string().starts_with(SPDX) => {
            return Err(GiveUp::NotCycloneDx);
        }
        Err(_) => return Err(GiveUp::Other),
    };
    de.end().map_err(|_| GiveUp::Other)?;
    if parsed.bom.bom_format.is_none() && parsed.bom.spec_version.is_none() {
        return Err(GiveUp::NotCycloneDx);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn spec_files(prefix: &str) -> Vec<(String, String)> {
        let corpus = std::env::var_os("MEDSEC_CORPUS").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
            std::path::PathBuf::from,
        );
        let mut out = Vec::new();
        for version in ["1.4", "1.5", "1.6"] {
            let dir = corpus.join("cyclonedx-spec").join(version);
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.starts_with(prefix) && name.ends_with(".json") {
                    out.push((name, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        assert!(!out.is_empty(), "the corpus is missing");
        out
    }

    /// The wire structs of the fast path are those of the derived `Deserialize`.
    fn agrees(text: &str, max_depth: usize) -> bool {
        let Ok(Parsed { bom: fast, .. }) = read_with(text, max_depth, false) else {
            return false;
        };
        let general: wire::Bom<'_> =
            serde_json::from_str(text).expect("the general path takes what the fast path takes");
        assert_eq!(format!("{fast:?}"), format!("{general:?}"), "{text}");
        true
    }

    #[test]
    fn every_valid_spec_file_takes_the_fast_path_with_the_same_structs() {
        for (name, text) in spec_files("valid-") {
            assert!(agrees(&text, 100), "{name} did not take the fast path");
        }
        for (_, text) in spec_files("invalid-") {
            agrees(&text, 100);
        }
    }

    #[test]
    fn gives_way_where_the_general_path_fails_or_decides() {
        let head = r#""bomFormat": "CycloneDX", "specVersion": "1.6""#;
        for body in [
            // A field twice, even after a null (serde's `duplicate_field`).
            r#""components": [{"name": null, "name": "a"}]"#,
            r#""version": 1, "version": 2"#,
            // Wrong types.
            r#""components": [{"name": 5}]"#,
            r#""components": {}"#,
            r#""version": "1""#,
            // A number that does not fit, in a value that is only skipped.
            r#""components": [{"name": "a", "evidence": [1e400]}]"#,
            // Not JSON.
            r#""components": [,]"#,
        ] {
            let text = format!("{{{head}, {body}}}");
            assert!(read(&text, 100).is_err(), "{text}");
            assert!(
                serde_json::from_str::<wire::Bom<'_>>(&text).is_err(),
                "{text}"
            );
        }
        // An SPDX key, or neither CycloneDX key: the probe decides.
        for text in [
            r#"{"spdxVersion": "SPDX-2.3", "bomFormat": "CycloneDX"}"#,
            r#"{"bomFormat": "CycloneDX", "spdxVersion": "SPDX-2.3"}"#,
            r#"{"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json"}"#,
        ] {
            assert_eq!(read(text, 100).err(), Some(GiveUp::NotCycloneDx), "{text}");
        }
        // Trailing text.
        assert!(read(&format!("{{{head}}} x"), 100).is_err());
    }

    #[test]
    fn depth_is_counted_as_the_pre_scan_counts_it() {
        // The root object is depth 1, `components` 2, a component 3, its `hashes` 4, a hash
        // 5; an unknown value and a `Value` (tools) count too.
        let text = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
            {"type": "library", "name": "a", "hashes": [{"alg": "MD5", "content": "x"}]}]}"#;
        assert!(agrees(text, 5));
        assert!(read(text, 4).is_err());
        let unknown = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": [[[{}]]]}"#;
        assert!(agrees(unknown, 5));
        assert!(read(unknown, 4).is_err());
        let tools = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {"tools": {"components": [{"name": "t"}]}}}"#;
        assert!(agrees(tools, 5));
        assert!(read(tools, 4).is_err());
        // Components converted while read (after `specVersion` and `metadata`).
        let streamed = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {},
            "components": [{"type": "library", "name": "a",
            "hashes": [{"alg": "MD5", "content": "x"}]}]}"#;
        assert!(read(streamed, 5).unwrap().stream.is_some());
        assert!(read(streamed, 4).is_err());
        for late in [
            r#", "specVersion": "1.5""#,
            r#", "metadata": null"#,
            r#", "components": []"#,
            r#", "spdxVersion": "SPDX-2.3""#,
        ] {
            let text = format!("{}{late}}}", streamed.trim_end_matches('}'));
            assert!(read(&text, 100).is_err(), "{text}");
        }
        let escaped = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "n\u0061me": "a\nb",
            "components": [{"n\u0061me": "x\"y", "type": "library"}]}"#;
        assert!(agrees(escaped, 100));
    }
}
