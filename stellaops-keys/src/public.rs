//! Building [`VerifyingKey`]s from the raw parts tokens and servers hand out.

use stellaops_crypto::{Algorithm, VerifyingKey};

#[cfg(any(feature = "pkcs11", feature = "hashivault"))]
use crate::Error;
use crate::Result;

/// The curves a token may report for an EC or EdDSA key.
#[cfg(feature = "pkcs11")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    Ed25519,
}

#[cfg(feature = "pkcs11")]
impl Curve {
    /// The length of an uncompressed point (or, for Ed25519, of the public key).
    fn point_len(self) -> usize {
        match self {
            Curve::P256 => 65,
            Curve::P384 => 97,
            Curve::Ed25519 => 32,
        }
    }

    #[cfg(feature = "pkcs11")]
    /// Read `CKA_EC_PARAMS`: a DER OID, or for Edwards curves possibly a PrintableString name.
    pub(crate) fn from_ec_params(params: &[u8]) -> Result<Self> {
        use der::Decode;
        const P256: &str = "1.2.840.10045.3.1.7";
        const P384: &str = "1.3.132.0.34";
        const ED25519: &str = "1.3.101.112";
        const ED25519_LEGACY: &str = "1.3.6.1.4.1.11591.15.1";
        if let Ok(oid) = der::asn1::ObjectIdentifier::from_der(params) {
            return match oid.to_string().as_str() {
                P256 => Ok(Curve::P256),
                P384 => Ok(Curve::P384),
                ED25519 | ED25519_LEGACY => Ok(Curve::Ed25519),
                _ => Err(Error::Key(stellaops_crypto::Error::UnsupportedKey(
                    "curve (only P-256, P-384 and Ed25519)",
                ))),
            };
        }
        match der::asn1::PrintableStringRef::from_der(params) {
            Ok(name) if matches!(name.as_str(), "edwards25519" | "curve25519") => {
                Ok(Curve::Ed25519)
            }
            _ => Err(Error::Key(stellaops_crypto::Error::UnsupportedKey(
                "curve parameters",
            ))),
        }
    }
}

#[cfg(feature = "pkcs11")]
/// A public key from an EC point: raw, or wrapped in a DER OCTET STRING as PKCS#11 v2.40 asks
/// of `CKA_EC_POINT` (tokens differ; the two forms have different lengths, so both are read).
pub(crate) fn from_ec_point(curve: Curve, point: &[u8]) -> Result<VerifyingKey> {
    use der::Decode;
    use spki::EncodePublicKey;
    let raw = if point.len() == curve.point_len() {
        point.to_vec()
    } else {
        der::asn1::OctetString::from_der(point)
            .map_err(|e| Error::Key(stellaops_crypto::Error::from(e)))?
            .into_bytes()
    };
    let bad = || Error::Key(stellaops_crypto::Error::UnsupportedKey("ec point"));
    let der = match curve {
        Curve::P256 => p256::PublicKey::from_sec1_bytes(&raw)
            .map_err(|_| bad())?
            .to_public_key_der(),
        Curve::P384 => p384::PublicKey::from_sec1_bytes(&raw)
            .map_err(|_| bad())?
            .to_public_key_der(),
        Curve::Ed25519 => return from_ed25519(&raw),
    }
    .map_err(|e| Error::Key(stellaops_crypto::Error::from(e)))?;
    Ok(VerifyingKey::from_spki_der(der.as_bytes())?)
}

/// An Ed25519 public key from its 32 raw bytes.
#[cfg(any(feature = "pkcs11", feature = "hashivault"))]
pub(crate) fn from_ed25519(raw: &[u8]) -> Result<VerifyingKey> {
    use spki::EncodePublicKey;
    let bad = || {
        Error::Key(stellaops_crypto::Error::UnsupportedKey(
            "ed25519 public key",
        ))
    };
    let bytes: [u8; 32] = raw.try_into().map_err(|_| bad())?;
    let der = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| bad())?
        .to_public_key_der()
        .map_err(|e| Error::Key(stellaops_crypto::Error::from(e)))?;
    Ok(VerifyingKey::from_spki_der(der.as_bytes())?)
}

#[cfg(feature = "pkcs11")]
/// A public key from an RSA modulus and public exponent (big-endian bytes).
pub(crate) fn from_rsa_parts(modulus: &[u8], exponent: &[u8]) -> Result<VerifyingKey> {
    use spki::EncodePublicKey;
    let key = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(modulus),
        rsa::BigUint::from_bytes_be(exponent),
    )
    .map_err(|e| Error::Key(stellaops_crypto::Error::from(e)))?;
    let der = key
        .to_public_key_der()
        .map_err(|e| Error::Key(stellaops_crypto::Error::from(e)))?;
    Ok(VerifyingKey::from_spki_der(der.as_bytes())?)
}

/// The algorithm a backend key signs with: fixed by the key type, except RSA, where `requested`
/// chooses (RSA-PSS-SHA256 when nothing is asked). The returned key is pinned to it.
pub(crate) fn pin_algorithm(
    key: VerifyingKey,
    requested: Option<Algorithm>,
) -> Result<(Algorithm, VerifyingKey)> {
    let algorithm = match requested {
        Some(a) => a,
        None if key.key_type() == "rsa" => Algorithm::RsaPssSha256,
        None => key.algorithm(),
    };
    Ok((algorithm, key.with_algorithm(algorithm)?))
}

#[cfg(all(test, feature = "pkcs11"))]
mod tests {
    use super::*;

    #[test]
    fn ec_points_are_read_raw_and_wrapped() {
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let point = secret.public_key().to_sec1_bytes();
        let raw = from_ec_point(Curve::P256, &point).unwrap();
        let mut wrapped = vec![0x04, point.len() as u8];
        wrapped.extend_from_slice(&point);
        let from_wrapped = from_ec_point(Curve::P256, &wrapped).unwrap();
        assert_eq!(raw.key_id(), from_wrapped.key_id());
        assert!(from_ec_point(Curve::P384, &point).is_err());
    }

    #[test]
    fn curve_parameters() {
        // DER OID for P-256 and a PrintableString "edwards25519".
        let p256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        assert_eq!(Curve::from_ec_params(&p256).unwrap(), Curve::P256);
        let mut ed = vec![0x13, 12];
        ed.extend_from_slice(b"edwards25519");
        assert_eq!(Curve::from_ec_params(&ed).unwrap(), Curve::Ed25519);
        assert!(Curve::from_ec_params(&[0x05, 0x00]).is_err());
    }
}
