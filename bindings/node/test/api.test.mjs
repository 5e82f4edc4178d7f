// Every API of the Node face and its errors (stable `code` and `errno`).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  Envelope,
  SigningKey,
  VerifyingKey,
  allowedPredicateTypes,
  attest,
  attestSync,
  canonicalize,
  canonicalizeSync,
  isAllowedPredicateType,
  isReachabilityRelated,
  isSbom,
  isVexRelated,
  pae,
  predicateFamily,
  resolvePredicateType,
} from '../index.mjs'

const DIGEST = 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447'
const ALGORITHMS = ['es256', 'es384', 'ed25519', 'rsa-pss-sha256', 'rsa-pkcs1-sha256']
const keys = Object.fromEntries(ALGORITHMS.map((a) => [a, SigningKey.generate(a)]))

function fails(fn, code, errno) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, code)
    assert.equal(err.errno, errno)
    assert.ok(err.message.length > 0)
    return true
  })
}

async function rejects(promise, code, errno) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, code)
    assert.equal(err.errno, errno)
    return true
  })
}

test('keys round-trip through PEM, encrypted PEM and JWK', () => {
  for (const alg of ALGORITHMS) {
    const key = keys[alg]
    assert.equal(key.algorithm, alg)
    assert.match(key.keyId, /^[0-9a-f]{64}$/)
    const pem = key.toPem()
    assert.ok(Buffer.isBuffer(pem) && pem.includes('-----BEGIN PRIVATE KEY-----'))
    assert.equal(SigningKey.fromPem(pem).keyId, key.keyId)
    const encrypted = key.toPem(Buffer.from('pw'))
    assert.ok(encrypted.includes('ENCRYPTED PRIVATE KEY'))
    assert.equal(SigningKey.fromPem(encrypted, Buffer.from('pw')).keyId, key.keyId)
    assert.equal(SigningKey.fromJwk(key.toJwk()).keyId, key.keyId)
    const pub = key.publicKey()
    assert.equal(pub.keyId, key.keyId)
    assert.equal(pub.algorithm, alg)
    assert.equal(VerifyingKey.fromPem(pub.toPem()).keyId, key.keyId)
    assert.equal(VerifyingKey.fromPem(pub.toDer()).keyId, key.keyId)
    assert.equal(VerifyingKey.fromJwk(pub.toJwk()).keyId, key.keyId)
  }
})

test('key errors carry stable codes', () => {
  fails(() => SigningKey.generate('dsa'), 'STELLAOPS_UNKNOWN_ALGORITHM', 300)
  fails(() => SigningKey.fromPem(Buffer.from('garbage')), 'STELLAOPS_MALFORMED_KEY', 303)
  const encrypted = keys.es256.toPem(Buffer.from('pw'))
  fails(() => SigningKey.fromPem(encrypted), 'STELLAOPS_PASSPHRASE_REQUIRED', 304)
  fails(() => SigningKey.fromPem(encrypted, Buffer.from('no')), 'STELLAOPS_WRONG_PASSPHRASE', 305)
  fails(() => VerifyingKey.fromPem(Buffer.from('x')), 'STELLAOPS_MALFORMED_KEY', 303)
  fails(() => SigningKey.fromJwk('{"kty":"EC"}'), 'STELLAOPS_MALFORMED_KEY', 303)
  assert.throws(() => SigningKey.fromPem('a string is not bytes'))
})

test('sign and verify, async and sync, with the keys that verified', async () => {
  const { es256, ed25519 } = keys
  const env = await Envelope.sign('text/plain', Buffer.from('hello'), [es256, ed25519])
  assert.equal(env.payloadType, 'text/plain')
  assert.deepEqual(env.payload, Buffer.from('hello'))
  assert.deepEqual(env.signatures.map((s) => s.keyid), [es256.keyId, ed25519.keyId])
  assert.deepEqual(env.pae(), pae('text/plain', Buffer.from('hello')))
  assert.equal(env.pae().toString(), 'DSSEv1 10 text/plain 5 hello')
  const json = JSON.parse(env.toJson().toString())
  assert.deepEqual(Object.keys(json).sort(), ['payload', 'payloadType', 'signatures'])
  const again = Envelope.fromJson(env.toJson())
  const trusted = [keys['rsa-pss-sha256'].publicKey(), ed25519.publicKey(), es256.publicKey()]
  const verified = await again.verify(trusted, 2, 'text/plain')
  assert.deepEqual(
    verified.map((v) => [v.keyIndex, v.signatureIndex, v.algorithm]).sort(),
    [[1, 1, 'ed25519'], [2, 0, 'es256']],
  )
  assert.equal(again.verifySync(trusted, 2).length, 2)
  const sync = Envelope.signSync('t', new Uint8Array([1, 2, 3]), [es256])
  assert.equal(sync.verifySync([es256.publicKey()], 1)[0].keyId, es256.keyId)
  const empty = Envelope.signSync('t', new Uint8Array(), [es256])
  assert.equal(empty.payload.length, 0)
})

test('verified keys index the caller\'s list, duplicates included (issue 20, defect 2)', async () => {
  const a = SigningKey.generate('es256')
  const b = SigningKey.generate('es256')
  const trusted = [a.publicKey(), VerifyingKey.fromJwk(a.publicKey().toJwk()), b.publicKey()]
  const [byB] = await Envelope.signSync('text/plain', Buffer.from('x'), [b]).verify(trusted, 1)
  assert.deepEqual([byB.keyIndex, byB.positions], [2, [2]])
  const [byA] = Envelope.signSync('text/plain', Buffer.from('x'), [a]).verifySync(trusted, 1)
  assert.deepEqual([byA.keyIndex, byA.positions], [0, [0, 1]])
})

test('sign refuses an in-toto payload that is not a statement (issue 20, defect 10)', () => {
  const key = SigningKey.generate('es256')
  assert.throws(
    () => Envelope.signSync('application/vnd.in-toto+json', Buffer.from('{"bomFormat":"CycloneDX"}'), [key]),
    (err) => err.code === 'STELLAOPS_INVALID_STATEMENT' && err.errno === 210,
  )
})

test('verification errors, async and sync', async () => {
  const env = Envelope.signSync('text/plain', Buffer.from('hello'), [keys.es256])
  const other = keys.es384.publicKey()
  await rejects(env.verify([other], 1), 'STELLAOPS_VERIFICATION_FAILED', 400)
  fails(() => env.verifySync([other], 1), 'STELLAOPS_VERIFICATION_FAILED', 400)
  fails(() => env.verifySync([keys.es256.publicKey()], 1, 'application/json'), 'STELLAOPS_PAYLOAD_TYPE_MISMATCH', 401)
  fails(() => env.verifySync([keys.es256.publicKey()], 0), 'STELLAOPS_INVALID_POLICY', 103)
  fails(() => env.verifySync([], 1), 'STELLAOPS_INVALID_POLICY', 103)
  await rejects(Envelope.sign('t', Buffer.from('x'), []), 'STELLAOPS_NO_SIGNING_KEYS', 104)
  fails(() => Envelope.signSync('t', Buffer.from('x'), []), 'STELLAOPS_NO_SIGNING_KEYS', 104)
  const cases = [
    ['{"payload":"","payload":"","payloadType":"x","signatures":[]}', 'STELLAOPS_DUPLICATE_KEY', 202],
    ['{', 'STELLAOPS_MALFORMED_JSON', 203],
    ['{"payload":"%%","payloadType":"x","signatures":[{"sig":"AA=="}]}', 'STELLAOPS_INVALID_BASE64', 208],
    ['{"payloadType":"x","signatures":[]}', 'STELLAOPS_INVALID_ENVELOPE', 207],
    ['['.repeat(5000), 'STELLAOPS_TOO_DEEP', 201],
  ]
  for (const [text, code, errno] of cases) {
    fails(() => Envelope.fromJson(Buffer.from(text)), code, errno)
  }
  assert.throws(() => Envelope.signSync('t', Buffer.from('x'), [{}]))
})

test('attest, async and sync', async () => {
  const key = keys.ed25519
  const subjects = [{ name: 'pkg:oci/app', digest: { sha256: DIGEST } }]
  const att = await attest([key], 'vex', Buffer.from('{"statements":[]}'), subjects, { enforcement: 'reject' })
  assert.equal(att.admission, 'allowed')
  const statement = JSON.parse(att.statement.toString())
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1')
  assert.equal(statement.predicateType, 'stella.ops/vex@v1')
  assert.deepEqual(statement.subject, subjects)
  assert.equal((await att.envelope.verify([key.publicKey()], 1, 'application/vnd.in-toto+json')).length, 1)
  // Outside the catalog under "warn" (the default): signed, and a process warning.
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  const unlisted = attestSync([key], 'https://example.com/p@v1', Buffer.from('{}'), subjects)
  assert.equal(unlisted.admission, 'unlisted')
  attestSync([key], 'https://example.com/p@v1', Buffer.from('{}'), subjects, { enforcement: 'log-only' })
  await new Promise((resolve) => setImmediate(resolve))
  process.off('warning', onWarning)
  assert.equal(warnings.length, 1, 'one warning: "log-only" warns nobody')
  assert.equal(warnings[0].name, 'StellaOpsWarning')
  assert.equal(warnings[0].code, 'STELLAOPS_PREDICATE_UNLISTED')
  assert.match(warnings[0].message, /predicate type "https:\/\/example.com\/p@v1" is not in the StellaOps catalog/)
  await rejects(
    attest([key], 'https://example.com/p@v1', Buffer.from('{}'), subjects, { enforcement: 'reject' }),
    'STELLAOPS_PREDICATE_NOT_ALLOWED', 501,
  )
  fails(() => attestSync([key], 'nope', Buffer.from('{}'), subjects), 'STELLAOPS_UNKNOWN_PREDICATE_TYPE', 500)
  fails(() => attestSync([key], 'sbom', Buffer.from('{}'), []), 'STELLAOPS_INVALID_STATEMENT', 210)
  fails(() => attestSync([key], 'sbom', Buffer.from('{}'), [{ name: 'a', digest: { sha256: 'XYZ' } }]), 'STELLAOPS_INVALID_DIGEST', 211)
  fails(() => attestSync([key], 'sbom', Buffer.from('{"a":1,"a":2}'), subjects), 'STELLAOPS_DUPLICATE_KEY', 202)
  fails(() => attestSync([key], 'sbom', Buffer.from('{}'), subjects, { enforcement: 'maybe' }), 'STELLAOPS_INVALID_ARGUMENT', 102)
})

test('canonical JSON and the catalog', async () => {
  assert.equal((await canonicalize(Buffer.from('{"b": 1.50, "a": [1e2]}'))).toString(), '{"a":[100],"b":1.5}')
  assert.equal(canonicalizeSync(Buffer.from('{"b": 1, "a": "x"}'), 'olpc').toString(), '{"a":"x","b":1}')
  await rejects(canonicalize(Buffer.from('{"cvss": 9.8}'), 'olpc'), 'STELLAOPS_FLOAT_IN_OLPC', 206)
  fails(() => canonicalizeSync(Buffer.from('{}'), 'xml'), 'STELLAOPS_INVALID_ARGUMENT', 102)
  fails(() => canonicalizeSync(Buffer.from('["\\ud800"]')), 'STELLAOPS_INVALID_UNICODE', 204)
  assert.equal(resolvePredicateType('sbom'), 'stella.ops/sbom@v1')
  fails(() => resolvePredicateType('nope'), 'STELLAOPS_UNKNOWN_PREDICATE_TYPE', 500)
  assert.equal(predicateFamily('stella.ops/graph@v1'), 'reachability')
  assert.equal(predicateFamily('https://example.com/x'), null)
  assert.ok(isVexRelated('stella.ops/vexDecision@v1'))
  assert.ok(isReachabilityRelated('stella.ops/graph@v1'))
  assert.ok(isSbom(resolvePredicateType('cyclonedx')))
  assert.ok(isAllowedPredicateType('stella.ops/promotion@v1'))
  assert.ok(!isAllowedPredicateType('https://example.com/x'))
  assert.ok(allowedPredicateTypes().includes('stella.ops/evidence@v1'))
})

test('verify takes its options as an object, as Python takes keywords', async () => {
  const key = SigningKey.generate('es256')
  const env = Envelope.signSync('text/plain', Buffer.from('hi'), [key])
  const trusted = [key.publicKey()]
  assert.equal(env.verifySync(trusted, { threshold: 1 }).length, 1)
  assert.equal((await env.verify(trusted, { threshold: 1, payloadType: 'text/plain' })).length, 1)
  assert.throws(() => env.verifySync(trusted, { threshold: 1, payloadType: 'text/other' }), { code: 'STELLAOPS_PAYLOAD_TYPE_MISMATCH' })
  assert.throws(() => env.verifySync(trusted, { threshold: 1, payloadType: 'text/plain' }, 'text/plain'), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  assert.equal(env.verifySync(trusted, 1, 'text/plain').length, 1) // positional, as before
  assert.equal(Envelope.fromJson(env.toJson().toString()).payloadType, 'text/plain')
  assert.equal(Envelope.fromJson(JSON.parse(env.toJson())).payloadType, 'text/plain')
})
