"""Run moto's server as the AWS-KMS-compatible endpoint for the awskms backend tests.

local-kms (the issue's first choice) cannot be fetched here: the Go module proxy refuses
github.com/nsmithuk/local-kms. moto is the other real KMS server we can install, and it
differs from AWS's documented Sign behaviour in one way that matters, so this launcher
patches exactly that before starting the server:

* ``MessageType=DIGEST``: AWS signs the given digest as is; moto 5.2.5 ignores MessageType
  and hashes the digest again ("The MessageType-parameter DIGEST is not yet implemented"),
  so a correct client's signatures would not verify. Patched to sign the digest
  (cryptography's ``Prehashed``), rejecting digests of the wrong length as AWS does.
* RSA-PSS salt: AWS uses a salt as long as the hash; moto uses the maximum length. Both verify
  under any-salt verifiers (ours, securesystemslib), but strict verifiers fix the salt, so the
  launcher uses AWS's length.

Everything else — key creation, aliases, GetPublicKey, JSON protocol, error answers — is
moto's own. Usage: python moto_kms.py PORT
"""

import contextvars
import sys

from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from moto.kms import responses as kms_responses
from moto.kms import utils as kms_utils
from moto.kms.exceptions import ValidationException

_message_type = contextvars.ContextVar("message_type", default="RAW")

_original_sign = kms_responses.KmsResponse.sign


def _sign(self):
    token = _message_type.set(self._get_param("MessageType") or "RAW")
    try:
        return _original_sign(self)
    finally:
        _message_type.reset(token)


def _prepared(message, hash_algorithm):
    if _message_type.get() != "DIGEST":
        return message, hash_algorithm
    if len(message) != hash_algorithm.digest_size:
        raise ValidationException(f"Digest is invalid length for algorithm {hash_algorithm.name}.")
    return message, utils.Prehashed(hash_algorithm)


def _rsa_sign(self, message, signing_algorithm):
    kms_utils.validate_signing_algorithm(
        signing_algorithm, kms_utils.SigningAlgorithm.rsa_signing_algorithms()
    )
    pad, hash_algorithm = self._RSAPrivateKey__padding_and_hash_algorithm(signing_algorithm)
    if isinstance(pad, padding.PSS):
        pad = padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=padding.PSS.DIGEST_LENGTH)
    message, algorithm = _prepared(message, hash_algorithm)
    return self.private_key.sign(message, pad, algorithm)


def _ecdsa_sign(self, message, signing_algorithm):
    kms_utils.validate_signing_algorithm(signing_algorithm, self.valid_signing_algorithms)
    hash_algorithm = self._ECDSAPrivateKey__hash_algorithm(signing_algorithm)
    message, algorithm = _prepared(message, hash_algorithm)
    return self.private_key.sign(message, ec.ECDSA(algorithm))


kms_responses.KmsResponse.sign = _sign
kms_utils.RSAPrivateKey.sign = _rsa_sign
kms_utils.ECDSAPrivateKey.sign = _ecdsa_sign

if __name__ == "__main__":
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
