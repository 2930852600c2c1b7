//! CycloneDX 1.2–1.6: JSON read here, XML read by `../xml.rs` into the same wire structs;
//! both validated and converted in `validate.rs`.

mod fast;
mod fields;
mod validate;
pub(crate) mod wire;

use medsec_core::component::{Encoding, Original, SbomFormat};

use super::{Context, Reading, SbomError, json_syntax_problem};

pub(crate) use fast::GiveUp;

pub(crate) const SUPPORTED: &str = "CycloneDX 1.2, 1.3, 1.4, 1.5 and 1.6";

/// The minor version of a supported `specVersion`, or the error to report.
pub(crate) fn minor_version(spec_version: &str) -> Result<u8, SbomError> {
    match spec_version {
        "1.2" => Ok(2),
        "1.3" => Ok(3),
        "1.4" => Ok(4),
        "1.5" => Ok(5),
        "1.6" => Ok(6),
        other => Err(SbomError::UnsupportedVersion {
            format: SbomFormat::CycloneDx,
            version: other.to_owned(),
            supported: SUPPORTED,
        }),
    }
}

pub(crate) fn read_json(
    ctx: &Context<'_>,
    original: Original,
    spec_version: Option<&serde_json::Value>,
) -> Result<Reading, SbomError> {
    // The version decides which rules apply, so an unsupported one is reported before
    // anything else (a 1.7 document would otherwise drown in "unknown field" errors).
    if let Some(serde_json::Value::String(v)) = spec_version {
        minor_version(v)?;
    }
    let bom: wire::Bom = serde_json::from_str(ctx.text).map_err(|e| SbomError::Invalid {
        format: "CycloneDX JSON".to_owned(),
        problems: vec![json_syntax_problem(ctx, &e)],
    })?;
    validate::convert(ctx, bom, Encoding::Json, original, &|problems| {
        super::locate::locate_json(ctx, problems)
    })
}

/// The fast path: the text deserialised straight into borrowed wire structs, the depth
/// counted on the way (`fast.rs`). Gives the original back (`Err`), with the reason, where
/// the general path must read the document.
pub(crate) fn read_json_fast(
    ctx: &Context<'_>,
    original: Original,
) -> Result<Result<Reading, SbomError>, (Original, GiveUp)> {
    let fast::Parsed { mut bom, stream } = match fast::read(ctx.text, ctx.limits.max_depth) {
        Ok(parsed) => parsed,
        Err(why) => return Err((original, why)),
    };
    if let Some(v) = &bom.spec_version
        && let Err(e) = minor_version(v)
    {
        return Ok(Err(e));
    }
    let positions = |problems: &mut [super::Problem]| super::locate::locate_json(ctx, problems);
    Ok(match stream {
        // Components converted while read: only a valid `specVersion` lets that happen.
        Some((stream, present)) => {
            let spec_version = bom.spec_version.take().unwrap_or_default();
            stream.finish(
                bom,
                present,
                spec_version,
                Encoding::Json,
                original,
                &positions,
            )
        }
        None => validate::convert(ctx, bom, Encoding::Json, original, &positions),
    })
}

/// Parses the text as CycloneDX JSON directly, without the format probe; gives the
/// original back (`Err`) where the probe could decide otherwise: the text does not
/// deserialise into the wire structs, it has an `spdxVersion` key (SPDX wins), or it has
/// neither `bomFormat` nor `specVersion` (the probe then looks at `$schema`).
pub(crate) fn read_json_direct(
    ctx: &Context<'_>,
    original: Original,
) -> Result<Result<Reading, SbomError>, Original> {
    let Ok(bom) = serde_json::from_str::<wire::Bom>(ctx.text) else {
        return Err(original);
    };
    if bom.other.contains_key("spdxVersion")
        || (bom.bom_format.is_none() && bom.spec_version.is_none())
    {
        return Err(original);
    }
    if let Some(v) = &bom.spec_version
        && let Err(e) = minor_version(v)
    {
        return Ok(Err(e));
    }
    Ok(validate::convert(
        ctx,
        bom,
        Encoding::Json,
        original,
        &|problems| super::locate::locate_json(ctx, problems),
    ))
}

pub(crate) use validate::convert;
