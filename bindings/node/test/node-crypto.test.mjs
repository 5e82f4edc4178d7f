// Someone else's verifier: Node's own crypto (OpenSSL) checks our signatures over the PAE bytes,
// and signatures Node makes over the PAE verify in ours.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { test } from 'node:test'

import { Envelope, SigningKey, VerifyingKey } from '../index.mjs'

const options = {
  es256: (key) => ({ algorithm: 'sha256', key }),
  ed25519: (key) => ({ algorithm: null, key }),
  'rsa-pss-sha256': (key) => ({
    algorithm: 'sha256',
    key: { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  }),
}

// A minimal in-toto statement: sign refuses an in-toto payload that is not one.
const STATEMENT = '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}}],"predicateType":"https://example.com/p","predicate":{}}'

for (const alg of Object.keys(options)) {
  test(`node:crypto verifies our ${alg} signatures over the PAE`, async () => {
    const key = SigningKey.generate(alg)
    const env = await Envelope.sign('application/vnd.in-toto+json', Buffer.from(STATEMENT), [key])
    const publicKey = crypto.createPublicKey(key.publicKey().toPem())
    const { algorithm, key: k } = options[alg](publicKey)
    assert.ok(crypto.verify(algorithm, env.pae(), k, env.signatures[0].sig))
    const tampered = Buffer.from(env.pae())
    tampered[tampered.length - 1] ^= 1
    assert.ok(!crypto.verify(algorithm, tampered, k, env.signatures[0].sig))
  })

  test(`our verifier accepts node:crypto ${alg} signatures over the PAE`, async () => {
    const key = SigningKey.generate(alg)
    const privateKey = crypto.createPrivateKey(key.toPem())
    const payload = Buffer.from('{"predicateType":"x"}')
    const paeBytes = Buffer.from(`DSSEv1 16 application/json ${payload.length} ${payload}`)
    const { algorithm, key: k } = options[alg](privateKey)
    const sig = crypto.sign(algorithm, paeBytes, k)
    const json = JSON.stringify({
      payload: payload.toString('base64'),
      payloadType: 'application/json',
      signatures: [{ keyid: '', sig: sig.toString('base64') }],
    })
    const verified = await Envelope.fromJson(Buffer.from(json)).verify([key.publicKey()], 1, 'application/json')
    assert.equal(verified[0].algorithm, alg)
    const stranger = VerifyingKey.fromPem(SigningKey.generate(alg).publicKey().toPem())
    await assert.rejects(Envelope.fromJson(Buffer.from(json)).verify([stranger], 1))
  })
}
