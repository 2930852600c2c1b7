//! The built-in catalogues and policies the computed pages use, loaded once per
//! process. (The server loads its own copy into its state, which is not public; the
//! content is the same: both come from `Engines::builtin`.)

use std::sync::OnceLock;

use medsec_server::Engines;
use medsec_server::error::ApiError;

static ENGINES: OnceLock<Result<Engines, String>> = OnceLock::new();

pub fn engines() -> Result<&'static Engines, ApiError> {
    ENGINES
        .get_or_init(|| Engines::builtin().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::internal(format!("the built-in catalogues do not load: {e}")))
}
