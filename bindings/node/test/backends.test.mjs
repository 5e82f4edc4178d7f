// Keys by URI in SoftHSM2 (PKCS#11), the KMS server and OpenBao (transit), started by
// scripts/services.sh; node:crypto (OpenSSL) verifies every signature over the PAE.
// Without the servers these tests fail and say how to start them.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { test } from 'node:test'

import { Envelope, openKey, openKeySync } from '../index.mjs'

function serviceEnv(name) {
  const value = process.env[name]
  if (!value) {
    throw new Error(`${name} is not set: run \`scripts/services.sh start DIR\` and source DIR/services.env (scripts/test.sh does)`)
  }
  return value
}

const verifyOptions = {
  es256: (key) => [key, 'sha256'],
  es384: (key) => [key, 'sha384'],
  ed25519: (key) => [key, null],
  'rsa-pkcs1-sha256': (key) => [key, 'sha256'],
  'rsa-pss-sha256': (key) => [{ key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO }, 'sha256'],
}

function cases() {
  const pin = serviceEnv('STELLAOPS_TEST_PKCS11_PIN_FILE')
  const kms = serviceEnv('STELLAOPS_TEST_KMS_ENDPOINT')
  serviceEnv('VAULT_ADDR')
  return [
    [`pkcs11:token=stellaops;object=p256?pin-source=${pin}`, 'es256'],
    [`awskms://${kms}/alias/stellaops-p384`, 'es384'],
    [`awskms://${kms}/alias/stellaops-rsa?alg=rsa-pkcs1-sha256`, 'rsa-pkcs1-sha256'],
    ['hashivault://rsa', 'rsa-pss-sha256'],
  ]
}

test('keys in every backend sign envelopes that node:crypto verifies', async () => {
  for (const [uri, alg] of cases()) {
    const key = await openKey(uri)
    assert.equal(key.algorithm, alg, uri)
    assert.equal(key.backend, uri.split(':')[0])
    const env = await Envelope.sign('application/json', Buffer.from('{"a":1}'), [key])
    assert.equal((await env.verify([key.publicKey()], 1, 'application/json'))[0].algorithm, alg)
    const [k, hash] = verifyOptions[alg](crypto.createPublicKey(key.publicKey().toPem()))
    assert.ok(crypto.verify(hash, env.pae(), k, env.signatures[0].sig), `${uri}: node:crypto rejects`)
    const tampered = Buffer.from(env.pae())
    tampered[tampered.length - 1] ^= 1
    assert.ok(!crypto.verify(hash, tampered, k, env.signatures[0].sig))
    assert.throws(() => key.toPem(), (e) => e.code === 'STELLAOPS_KEY_NOT_EXPORTABLE')
  }
})

test('uri errors carry stable codes, sync and async', async () => {
  serviceEnv('VAULT_ADDR')
  assert.throws(() => openKeySync('pkcs11:token=only'), (e) => e.code === 'STELLAOPS_INVALID_KEY_URI' && e.errno === 308)
  assert.throws(() => openKeySync('azurekms://v/k'), (e) => e.code === 'STELLAOPS_BACKEND_UNAVAILABLE')
  await assert.rejects(openKey('hashivault://no-such-key'), (e) => e.code === 'STELLAOPS_KEY_NOT_FOUND')
  await assert.rejects(openKey('awskms://127.0.0.1:9/alias/x'), (e) => e.code === 'STELLAOPS_BACKEND_UNREACHABLE')
})
