//! Errors as JavaScript `Error` objects with a stable `code` ("STELLAOPS_VERIFICATION_FAILED")
//! and `errno` (400): the numbers of the C ABI, Go and Python.

use napi::bindgen_prelude::*;
use stellaops_signer::ErrorCode;

/// A library error, ready to become a JavaScript error on the main thread (public only because
/// the async tasks name it).
#[derive(Debug)]
pub struct Failure {
    code: ErrorCode,
    message: String,
    /// The export report that goes with `export_changed`, set on the error as `report`.
    pub(crate) report: Option<Box<crate::export::ExportReport>>,
}

/// Any library error (the facade's or one of its crates'), by its stable code.
impl<E: Into<stellaops_signer::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let e = e.into();
        Failure {
            code: e.code(),
            message: e.to_string(),
            report: None,
        }
    }
}

impl Failure {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Failure {
            code: ErrorCode::InvalidArgument,
            message: message.into(),
            report: None,
        }
    }

    /// A wrong argument: its name and what was expected, never its value (which may be large or
    /// secret).
    pub(crate) fn argument(name: &str, expected: &str, got: &str) -> Self {
        Failure::invalid(format!("argument '{name}': expected {expected}, not {got}"))
    }

    /// The JavaScript error: `new Error(message)` with `code` and `errno` set.
    pub(crate) fn into_js(self, env: &Env) -> Error {
        let code = format!("STELLAOPS_{}", self.code.name().to_ascii_uppercase());
        let build = move || -> Result<Error> {
            let mut object =
                env.create_error(Error::new(Status::GenericFailure, self.message.clone()))?;
            object.set_named_property("code", code.as_str())?;
            object.set_named_property("errno", self.code.number())?;
            if let Some(report) = self.report {
                object.set_named_property("report", *report)?;
            }
            Ok(Error::from(object.into_unknown(env)?))
        };
        build().unwrap_or_else(|e| e)
    }
}

/// `Result<T, Failure>` into a napi result on the main thread.
pub(crate) fn js<T>(env: &Env, result: std::result::Result<T, Failure>) -> Result<T> {
    result.map_err(|f| f.into_js(env))
}
