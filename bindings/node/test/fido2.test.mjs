// FIDO2 keys reach the Node face through openKey and VerifyingKey.fromPem alone: a fido2: URI
// signs (the software authenticator of tests/vectors/fido2/ standing in for a security key), the
// credential file verifies, beside a software key with threshold 2.
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { Envelope, SigningKey, VerifyingKey, openKey, openKeySync } from '../index.mjs'

const vectors = fileURLToPath(new URL('../../../tests/vectors/fido2/', import.meta.url))
const TYPE = 'application/vnd.stellaops.test+json'

function uri(extra = '') {
  const state = join(mkdtempSync(join(tmpdir(), 'stellaops-fido2-')), 'authenticator.json')
  copyFileSync(join(vectors, 'authenticator.json'), state)
  return `fido2:${join(vectors, 'credential.json')}?device=software:${state}${extra}`
}

test('a fido2: URI signs and the credential file verifies', async () => {
  const key = await openKey(uri())
  assert.equal(key.backend, 'fido2')
  assert.equal(key.algorithm, 'es256')
  const credential = readFileSync(join(vectors, 'credential.json'))
  const trusted = VerifyingKey.fromPem(credential)
  assert.equal(trusted.keyId, key.keyId)

  const software = SigningKey.generate('ed25519')
  const env = await Envelope.sign(TYPE, Buffer.from('{"release":"1.0"}'), [key, software])
  const parsed = Envelope.fromJson(env.toJson())
  const verified = await parsed.verify([trusted, software.publicKey()], 2, TYPE)
  assert.deepEqual(verified.map((v) => v.keyId).sort(), [key.keyId, software.keyId].sort())

  // Bound to another relying party, or the bare public key: the FIDO2 signature does not verify.
  const doc = JSON.parse(credential)
  const bare = VerifyingKey.fromPem(Buffer.from(doc.public_key))
  const otherRp = VerifyingKey.fromPem(Buffer.from(JSON.stringify({ ...doc, rp_id: 'dsse:other' })))
  for (const wrong of [bare, otherRp]) {
    assert.throws(() => parsed.verifySync([wrong], 1, TYPE), (e) => e.code === 'STELLAOPS_VERIFICATION_FAILED')
  }
})

test('fido2: URIs take no pin-value', () => {
  assert.throws(() => openKeySync(uri('&pin-value=1234')), (e) => e.code === 'STELLAOPS_INVALID_KEY_URI')
})
