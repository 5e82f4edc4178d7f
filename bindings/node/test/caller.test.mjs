// Signers and verifiers written in JavaScript, proven with GOST R 34.10-2012 held by OpenSSL's
// gost engine (libengine-gost-openssl): an algorithm this library does not implement. Each
// works from the *Sync functions (called directly) and the Promise functions (called from the
// thread pool through the event loop), sync or async.
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { Envelope, SigningKey, VerifierRegistry, VerifyingKey, signStatement, signStatementSync } from '../index.mjs'

const GOST = 'gost3410-2012-256'
const STATEMENT = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'app.tar.gz', digest: { sha256: 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447' } }],
  predicateType: 'https://stella.ops/test/regional@v1',
  predicate: { region: 'ru' },
}
const run = promisify(execFile)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gost-node-'))
const privatePem = path.join(dir, 'private.pem')
const publicPem = path.join(dir, 'public.pem')
// No gost engine is a failure, not a skip.
execFileSync('openssl', ['genpkey', '-engine', 'gost', '-algorithm', 'gost2012_256', '-pkeyopt', 'paramset:A', '-out', privatePem], { stdio: 'pipe' })
execFileSync('openssl', ['pkey', '-engine', 'gost', '-in', privatePem, '-pubout', '-out', publicPem], { stdio: 'pipe' })

let n = 0
const scratch = (data) => {
  const file = path.join(dir, `m${n++}`)
  fs.writeFileSync(file, data)
  return file
}
const dgst = (...args) => ['dgst', '-engine', 'gost', '-md_gost12_256', ...args]
// The key stays with OpenSSL: a synchronous and an asynchronous signer.
const gostSignSync = (message) => {
  const sig = scratch(Buffer.alloc(0))
  execFileSync('openssl', dgst('-sign', privatePem, '-out', sig, scratch(message)), { stdio: 'pipe' })
  return fs.readFileSync(sig)
}
const gostSign = async (message) => {
  const sig = scratch(Buffer.alloc(0))
  await run('openssl', dgst('-sign', privatePem, '-out', sig, scratch(message)))
  return fs.readFileSync(sig)
}
const opensslVerify = (message, signature) => {
  try {
    return execFileSync('openssl', dgst('-verify', publicPem, '-signature', scratch(signature), scratch(message)), { stdio: 'pipe' })
      .toString().includes('Verified OK')
  } catch {
    return false
  }
}
const pae = (type, payload) => Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload])

function checkWithOpenSSL(envelope, key) {
  const doc = JSON.parse(envelope.toJson())
  assert.equal(doc.signatures.length, 1)
  assert.equal(doc.signatures[0].keyid, key.keyId)
  const payload = Buffer.from(doc.payload, 'base64')
  assert.ok(opensslVerify(pae(doc.payloadType, payload), Buffer.from(doc.signatures[0].sig, 'base64')), 'openssl verifies over the PAE')
}

test('GOST from a synchronous JavaScript signer verifies with OpenSSL (Sync and Promise APIs)', async () => {
  const key = SigningKey.fromSigner(GOST, fs.readFileSync(publicPem, 'utf8'), gostSignSync)
  assert.equal(key.algorithm, GOST)
  assert.equal(key.backend, 'caller')
  checkWithOpenSSL(signStatementSync([key], STATEMENT, { enforcement: 'log-only' }).envelope, key)
  checkWithOpenSSL((await signStatement([key], STATEMENT, { enforcement: 'log-only' })).envelope, key)
})

test('an async signer signs through the Promise API, and a *Sync call refuses it clearly', async () => {
  const key = SigningKey.fromSigner(GOST, fs.readFileSync(publicPem), gostSign)
  const signed = await Promise.all([1, 2, 3].map(() => signStatement([key], STATEMENT, { enforcement: 'log-only' })))
  for (const att of signed) checkWithOpenSSL(att.envelope, key)
  assert.throws(() => signStatementSync([key], STATEMENT, { enforcement: 'log-only' }), (e) => {
    assert.equal(e.code, 'STELLAOPS_CALLER_SIGNER_FAILED')
    assert.match(e.message, /Promise API/)
    return true
  })
})

test('GOST keys are refused by default and verify through a registered verifier', async () => {
  const key = SigningKey.fromSigner(GOST, fs.readFileSync(publicPem), gostSignSync)
  const env = await Envelope.sign('text/plain', Buffer.from('hello'), [key])
  assert.throws(() => VerifyingKey.fromPem(fs.readFileSync(publicPem)), { code: 'STELLAOPS_UNSUPPORTED_KEY' })
  const registry = new VerifierRegistry()
  assert.throws(() => registry.verifyingKey(GOST, fs.readFileSync(publicPem)), { code: 'STELLAOPS_UNKNOWN_ALGORITHM' })
  assert.throws(() => registry.register('es256', () => true), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  registry.register(GOST, (_publicKey, message, signature) => opensslVerify(message, signature))
  assert.deepEqual(registry.algorithms(), [GOST])
  const trusted = registry.verifyingKey(GOST, fs.readFileSync(publicPem, 'utf8'))
  for (const verified of [env.verifySync([trusted], 1), await env.verify([trusted], 1)]) {
    assert.equal(verified.length, 1)
    assert.equal(verified[0].algorithm, GOST)
    assert.equal(verified[0].keyId, key.keyId)
  }
  const doc = JSON.parse(env.toJson())
  doc.payload = Buffer.from('hello!').toString('base64')
  const forged = Envelope.fromJson(Buffer.from(JSON.stringify(doc)))
  assert.throws(() => forged.verifySync([trusted], 1), { code: 'STELLAOPS_VERIFICATION_FAILED' })
  await assert.rejects(forged.verify([trusted], 1), { code: 'STELLAOPS_VERIFICATION_FAILED' })

  // An async verifier answers the Promise API; a throwing one is an invalid signature.
  const asyncRegistry = new VerifierRegistry()
  asyncRegistry.register(GOST, async (_p, message, signature) => opensslVerify(message, signature))
  assert.equal((await env.verify([asyncRegistry.verifyingKey(GOST, fs.readFileSync(publicPem))], 1)).length, 1)
  const throwing = new VerifierRegistry()
  throwing.register(GOST, () => { throw new Error('verifier down') })
  await assert.rejects(env.verify([throwing.verifyingKey(GOST, fs.readFileSync(publicPem))], 1), { code: 'STELLAOPS_VERIFICATION_FAILED' })
})

test('node:crypto keys sign as JavaScript functions', async () => {
  for (const [algorithm, type, sign] of [
    ['es256', 'ec', (k) => (m) => crypto.sign('sha256', m, { key: k, dsaEncoding: 'der' })],
    ['ed25519', 'ed25519', (k) => (m) => crypto.sign(null, m, k)],
  ]) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync(type, type === 'ec' ? { namedCurve: 'P-256' } : {})
    const der = publicKey.export({ type: 'spki', format: 'der' })
    const key = SigningKey.fromSigner(algorithm, der, sign(privateKey))
    const env = await Envelope.sign('text/plain', Buffer.from('hello'), [key])
    assert.equal(env.verifySync([VerifyingKey.fromPem(publicKey.export({ type: 'spki', format: 'pem' }))], 1)[0].algorithm, algorithm)
  }
})

test('broken signers never sign, in either API', async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const pem = publicKey.export({ type: 'spki', format: 'pem' })
  const cases = {
    throws: () => { throw new Error('token removed '.repeat(1000)) },
    rejects: async () => { throw new Error('token removed') },
    'not bytes': () => 'a string',
    empty: () => Buffer.alloc(0),
    'too large': () => Buffer.alloc(1 << 20),
    'another key': (m) => crypto.sign('sha256', m, other),
  }
  for (const [name, sign] of Object.entries(cases)) {
    const key = SigningKey.fromSigner('es256', pem, sign)
    await assert.rejects(Envelope.sign('text/plain', Buffer.from('hello'), [key]), (e) => {
      assert.equal(e.code, 'STELLAOPS_CALLER_SIGNER_FAILED', name)
      assert.ok(e.message.length < 1024, `${name}: the caller's message is bounded`)
      return true
    })
    assert.throws(() => Envelope.signSync('text/plain', Buffer.from('hello'), [key]), { code: 'STELLAOPS_CALLER_SIGNER_FAILED' }, name)
  }
  assert.ok(privateKey)
  assert.throws(() => SigningKey.fromSigner('ed25519', pem, () => Buffer.alloc(64)), { code: 'STELLAOPS_ALGORITHM_MISMATCH' })
  assert.throws(() => SigningKey.fromSigner('es256', 42, () => Buffer.alloc(64)), (e) => {
    assert.equal(e.code, 'STELLAOPS_INVALID_ARGUMENT')
    assert.match(e.message, /argument 'publicKey'/)
    return true
  })
})
