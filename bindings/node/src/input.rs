//! Arguments JavaScript users pass in more than one form.

use napi::bindgen_prelude::*;
use napi::{JsValue, ValueType, JSON};

use crate::errors::Failure;

/// What a JSON argument may be, for messages.
const JSON_FORMS: &str = "JSON as a string, a Uint8Array or Buffer, or an object";

/// The JSON document argument `name`: a string, a `Uint8Array`/`Buffer` as they are, or any
/// other object or array through `JSON.stringify`. Anything else is `STELLAOPS_INVALID_ARGUMENT`
/// naming the argument and the type, never the value.
pub(crate) fn json_arg(
    env: &Env,
    value: Unknown<'_>,
    name: &str,
) -> std::result::Result<Vec<u8>, Failure> {
    let wrong = |got: &str| Failure::argument(name, JSON_FORMS, got);
    match value.get_type().map_err(|_| wrong("an unknown value"))? {
        ValueType::String => Ok(String::from_unknown(value)
            .map_err(|_| wrong("a string"))?
            .into_bytes()),
        ValueType::Object => {
            if value.is_typedarray().unwrap_or(false) {
                return Ok(Uint8Array::from_unknown(value)
                    .map_err(|_| wrong("a typed array other than Uint8Array"))?
                    .to_vec());
            }
            let json: JSON = env
                .get_global()
                .and_then(|g| g.get_named_property_unchecked("JSON"))
                .map_err(|_| wrong("an object"))?;
            json.stringify(value)
                .map(String::into_bytes)
                .map_err(|_| wrong("an object JSON.stringify refuses"))
        }
        ValueType::Undefined => Err(wrong("undefined")),
        ValueType::Null => Err(wrong("null")),
        ValueType::Boolean => Err(wrong("a boolean")),
        ValueType::Number => Err(wrong("a number")),
        ValueType::BigInt => Err(wrong("a bigint")),
        ValueType::Symbol => Err(wrong("a symbol")),
        ValueType::Function => Err(wrong("a function")),
        _ => Err(wrong("an unsupported value")),
    }
}

/// The key argument `name`: PEM or JWK text as a string, or bytes (PEM, DER, JWK).
pub(crate) fn key_arg(value: Unknown<'_>, name: &str) -> std::result::Result<Vec<u8>, Failure> {
    let forms = "a key as a string or a Uint8Array";
    match value.get_type() {
        Ok(ValueType::String) => String::from_unknown(value)
            .map(String::into_bytes)
            .map_err(|_| Failure::argument(name, forms, "a string")),
        Ok(ValueType::Object) if value.is_typedarray().unwrap_or(false) => {
            Uint8Array::from_unknown(value)
                .map(|a| a.to_vec())
                .map_err(|_| Failure::argument(name, forms, "another typed array"))
        }
        _ => Err(Failure::argument(name, forms, "another type")),
    }
}

/// JSON the library made, as a JavaScript value (`JSON.parse`).
pub(crate) fn parse_json<'env>(env: &'env Env, json: Vec<u8>) -> Result<Unknown<'env>> {
    let text =
        String::from_utf8(json).map_err(|e| Error::new(Status::GenericFailure, e.to_string()))?;
    let parse: Function<String, Unknown> = env
        .get_global()?
        .get_named_property_unchecked::<JSON>("JSON")?
        .get_named_property_unchecked("parse")?;
    parse.call(text)
}
