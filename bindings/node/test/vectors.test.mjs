// The shared vectors in tests/vectors/, which the Rust, Go (C ABI) and Python suites run too.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

import { Envelope, SigningKey, VerifyingKey, canonicalizeSync, pae } from '../index.mjs'

const load = (name) => JSON.parse(readFileSync(new URL(`../../../tests/vectors/${name}`, import.meta.url), 'utf8'))

test('keys', () => {
  for (const k of load('keys.json')) {
    const key = SigningKey.fromPem(Buffer.from(k.private_pem))
    assert.equal(key.keyId, k.key_id)
    assert.equal(key.algorithm, k.algorithm)
    assert.equal(VerifyingKey.fromPem(Buffer.from(k.public_pem)).keyId, k.key_id)
  }
})

test('pae', () => {
  for (const c of load('pae.json')) {
    assert.deepEqual(pae(c.payload_type, Buffer.from(c.payload_b64, 'base64')), Buffer.from(c.pae_b64, 'base64'))
  }
})

test('canonical json', () => {
  for (const c of load('canonical.json')) {
    for (const mode of ['jcs', 'olpc']) {
      if (mode in c) {
        assert.equal(canonicalizeSync(Buffer.from(c.input), mode).toString(), c[mode], c.name)
      } else {
        assert.throws(() => canonicalizeSync(Buffer.from(c.input), mode), (e) => e.code === `STELLAOPS_${c[`${mode}_error`].toUpperCase()}`, c.name)
      }
    }
  }
})

test('envelopes', () => {
  const publics = Object.fromEntries(load('keys.json').map((k) => [k.name, VerifyingKey.fromPem(Buffer.from(k.public_pem))]))
  const cases = load('envelopes.json')
  assert.ok(cases.length >= 13)
  for (const c of cases) {
    const run = () => Envelope.fromJson(Buffer.from(c.envelope)).verifySync(c.trusted.map((n) => publics[n]), c.threshold, c.payload_type)
    if (c.expect === 'ok') {
      assert.ok(run().length >= c.threshold, c.name)
    } else {
      assert.throws(run, (e) => e.code === `STELLAOPS_${c.expect.toUpperCase()}`, c.name)
    }
  }
})
