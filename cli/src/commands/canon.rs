//! `stella canon`.

use stellaops_signer::canon::{canonicalize, Limits, Mode};

use crate::cli::CanonArgs;
use crate::io::{read_input, write_output};
use crate::Failure;

pub(crate) fn run(a: &CanonArgs) -> Result<(), Failure> {
    let input = read_input(&a.file)?;
    let mode = if a.olpc { Mode::Olpc } else { Mode::Jcs };
    let out =
        canonicalize(&input, mode, &Limits::default()).map_err(stellaops_signer::Error::from)?;
    write_output(None, &out)
}
