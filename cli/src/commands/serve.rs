//! `stella serve`: the Signer REST API (stellaops-server) on the configured address.

use crate::cli::ServeArgs;
use crate::Failure;

#[cfg(feature = "serve")]
pub(crate) fn run(a: &ServeArgs) -> Result<(), Failure> {
    use std::io::Write as _;
    use stellaops_server::{Error, Server, ServerConfig};

    let failed = |e: Error| match e {
        Error::Signer(e) => Failure::from(e),
        e => Failure::Usage(e.to_string()),
    };
    let config = ServerConfig::from_file(&a.config).map_err(failed)?;
    let external = config.external_url.clone();
    let server = Server::bind(config).map_err(failed)?;
    let addr = server.local_addr().map_err(failed)?;
    // One line on stdout, so a supervisor (or a test) that listened on port 0 learns the port.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on https://{addr} (external URL {external})");
    let _ = out.flush();
    drop(out);
    let drained = server.run().map_err(failed)?;
    if !drained {
        eprintln!("stella serve: the drain timeout passed with requests still open; they were cut");
    }
    Ok(())
}

#[cfg(not(feature = "serve"))]
pub(crate) fn run(_: &ServeArgs) -> Result<(), Failure> {
    Err(Failure::Usage(
        "this stella was built without the service (cargo feature `serve`, on by default)".into(),
    ))
}
