//! `medsec serve`: the REST API (issue 10), on the same store the other commands use.

use std::net::SocketAddr;

use super::store::{StoreArgs, runtime};
use crate::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address to listen on (`127.0.0.1:8080`; port 0 picks a free one).
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Session cookies without the Secure flag, for plain-HTTP tests: only allowed when
    /// listening on a loopback address.
    #[arg(long)]
    pub insecure_cookies: bool,
    /// The largest request body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub body_limit: usize,
    /// The largest upload (SBOM, device model, evidence, BOM) in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub upload_limit: usize,
    #[command(flatten)]
    pub store: StoreArgs,
}

pub fn run(args: Args) -> miette::Result<u8> {
    let mut config = medsec_server::Config::new(args.listen, args.store.url());
    config.settings.secure_cookies = !args.insecure_cookies;
    config.settings.body_limit = args.body_limit;
    config.settings.upload_limit = args.upload_limit;
    if let Err(e) = medsec_server::check(&config) {
        return Ok(super::refuse("medsec::serve::config", e.to_string()));
    }
    let rt = runtime()?;
    // Creates the SQLite folder when missing, like every store command.
    let store = args.store.open(&rt)?;
    rt.block_on(store.close());
    // The API and the web interface, one listener.
    rt.block_on(medsec_web::serve(config, |addr| {
        eprintln!("medsec: listening on http://{addr}");
    }))
    .map_err(|e| miette::miette!(code = "medsec::serve", "{e}"))?;
    eprintln!("medsec: stopped");
    Ok(exit::OK)
}
