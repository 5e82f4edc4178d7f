// Sigstore bundles from Node, against the local Sigstore instance scripts/services.sh starts:
// keyless and keyful bundles made by the addon, verified by the addon and by sigstore-js
// (@sigstore/verify, through tests/node/sigstore_verify.mjs).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { BundleSigner, SigningKey, TrustedRoot, verifyBundle, verifyBundleSync } from '../index.mjs'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const predicate = Buffer.from(
  '{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}',
)
const email = 'node-binding@stellaops.local'

function serviceEnv(name) {
  const value = process.env[name]
  if (!value) {
    throw new Error(`${name} is not set: run \`scripts/services.sh start DIR\` and source DIR/services.env (scripts/test.sh does)`)
  }
  return value
}

const url = serviceEnv('STELLAOPS_TEST_SIGSTORE')
const issuer = `${url}/oidc`
const rootPath = path.join(serviceEnv('STELLAOPS_TEST_SIGSTORE_DIR'), 'trusted_root.json')
const root = TrustedRoot.fromJson(fs.readFileSync(rootPath))

async function token(identity) {
  const answer = await fetch(`${issuer}/token?email=${encodeURIComponent(identity)}`)
  assert.equal(answer.status, 200)
  return answer.text()
}

function files() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stellaops-sigstore-'))
  const artifact = path.join(dir, 'app.tar.gz')
  fs.writeFileSync(artifact, 'the release tarball\n')
  const other = path.join(dir, 'other.tar.gz')
  fs.writeFileSync(other, 'not the release tarball\n')
  const subject = { name: 'app.tar.gz', digest: { sha256: crypto.createHash('sha256').update(fs.readFileSync(artifact)).digest('hex') } }
  return { dir, artifact, other, subject }
}

// sigstore-js's verdict on a bundle: 0 accepted, 1 refused.
function sigstoreJs(bundle, dir, artifact, ...signer) {
  const bundlePath = path.join(dir, 'bundle.json')
  fs.writeFileSync(bundlePath, bundle)
  const oracle = path.join(repo, 'tests/node/sigstore_verify.mjs')
  assert.ok(fs.existsSync(path.join(repo, 'tests/node/node_modules/@sigstore/verify')), 'run scripts/setup-node-oracles.sh')
  const run = spawnSync(process.execPath, [oracle, bundlePath, rootPath, artifact, ...signer], { encoding: 'utf8' })
  return run.status
}

test('a keyless bundle verifies here and in sigstore-js, for its identity and artifact only', async () => {
  const { dir, artifact, other, subject } = files()
  const signer = BundleSigner.keyless({ fulcioUrl: url, rekorUrl: url, oidcIssuer: issuer, trustedRoot: rootPath, retries: 0 }, await token(email))
  const att = await signer.attest('slsa-provenance', predicate, [subject], { enforcement: 'reject' })
  assert.equal(att.admission, 'allowed')
  assert.match(att.statement.toString(), /"predicateType":"https:\/\/slsa.dev\/provenance\/v1"/)

  const v = await verifyBundle(att.bundle, root, { certificateIdentity: email, certificateOidcIssuer: issuer }, artifact)
  assert.equal(v.identity, email)
  assert.equal(v.issuer, issuer)
  assert.equal(v.predicateType, 'https://slsa.dev/provenance/v1')
  assert.deepEqual(JSON.parse(v.statement), JSON.parse(att.statement))
  assert.ok(v.certificateVerified && v.sctVerified && v.tlogVerified && v.artifactChecked)
  assert.equal(sigstoreJs(att.bundle, dir, artifact, '--identity', email, '--issuer', issuer), 0)

  await assert.rejects(
    verifyBundle(att.bundle, root, { certificateIdentityRegexp: 'someone-else@.*', certificateOidcIssuer: issuer }, artifact),
    (e) => e.code === 'STELLAOPS_IDENTITY_MISMATCH' && e.errno === 409,
  )
  assert.equal(sigstoreJs(att.bundle, dir, artifact, '--identity', 'someone-else@stellaops.local', '--issuer', issuer), 1)
  assert.throws(
    () => verifyBundleSync(att.bundle, root, { certificateIdentity: email, noCertificateOidcIssuer: true }, artifact),
    (e) => e.code === 'STELLAOPS_IDENTITY_MISMATCH',
  )
  assert.throws(
    () => verifyBundleSync(att.bundle, root, { certificateIdentity: email, certificateOidcIssuer: issuer }, other),
    (e) => e.code === 'STELLAOPS_ARTIFACT_MISMATCH',
  )
  assert.equal(sigstoreJs(att.bundle, dir, other, '--identity', email, '--issuer', issuer), 1)

  // Only in-toto statements go into bundles; bad tokens and policies are input errors.
  assert.throws(() => signer.signSync('text/plain', Buffer.from('hello')), (e) => e.code === 'STELLAOPS_INVALID_ARGUMENT')
  assert.throws(
    () => BundleSigner.keyless({ fulcioUrl: url, rekorUrl: url }, 'not.a.token'),
    (e) => e.code === 'STELLAOPS_INVALID_IDENTITY_TOKEN' && e.errno === 217,
  )
  assert.throws(() => verifyBundleSync(att.bundle, root, { certificateIdentity: email }), (e) => e.code === 'STELLAOPS_INVALID_ARGUMENT')
})

test('keyful bundles verify here and in sigstore-js for their key only', async () => {
  const { dir, artifact, subject } = files()
  const stranger = SigningKey.generate('es256').publicKey()
  const strangerPath = path.join(dir, 'stranger.pub')
  fs.writeFileSync(strangerPath, stranger.toPem())
  for (const alg of ['es256', 'ed25519']) {
    const key = SigningKey.generate(alg)
    const pem = key.publicKey().toPem().toString()
    const pemPath = path.join(dir, `${alg}.pub`)
    fs.writeFileSync(pemPath, pem)
    const signer = BundleSigner.keyful(key, { rekorUrl: url, trustedRoot: rootPath })
    const att = signer.attestSync('slsa-provenance', predicate, [subject])
    const v = verifyBundleSync(att.bundle, root, { publicKey: key.publicKey() }, artifact)
    assert.equal(v.identity, undefined, alg)
    assert.ok(v.tlogVerified && !v.certificateVerified && v.verifiedTimes.length > 0, alg)
    assert.equal(verifyBundleSync(att.bundle, root, { publicKey: key.publicKey(), insecureIgnoreTlog: true }, artifact).tlogVerified, false, alg)
    assert.equal(sigstoreJs(att.bundle, dir, artifact, '--key', pemPath), 0, alg)
    assert.throws(() => verifyBundleSync(att.bundle, root, { publicKey: stranger }, artifact), (e) => e.errno >= 400 && e.errno < 500, alg)
    assert.equal(sigstoreJs(att.bundle, dir, artifact, '--key', strangerPath), 1, alg)
  }
  // A type outside the catalog under "warn": the bundle is made and a process warning emitted.
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  const unlisted = await BundleSigner.keyful(SigningKey.generate('es256'), { rekorUrl: url, trustedRoot: rootPath })
    .attest('https://example.com/p@v1', Buffer.from('{}'), [subject])
  await new Promise((resolve) => setImmediate(resolve))
  process.off('warning', onWarning)
  assert.equal(unlisted.admission, 'unlisted')
  assert.deepEqual(warnings.map((w) => w.code), ['STELLAOPS_PREDICATE_UNLISTED'])
  assert.throws(
    () => BundleSigner.keyful(SigningKey.generate('es384'), { rekorUrl: url }),
    (e) => e.code === 'STELLAOPS_BACKEND_CONFIGURATION' && /SHA-256/.test(e.message),
  )
  assert.throws(() => TrustedRoot.fromJson(Buffer.from('{"mediaType":"x"}')), (e) => e.code === 'STELLAOPS_INVALID_TRUSTED_ROOT')
  assert.ok(TrustedRoot.fromPath(rootPath) instanceof TrustedRoot)
  assert.throws(() => TrustedRoot.fromPath(rootPath + '.missing'), { code: 'STELLAOPS_IO' })
})

test('signBlob makes a message signature (cosign sign-blob) that sigstore-js and node:crypto accept', async () => {
  const { dir, artifact } = files()
  const key = SigningKey.generate('es256')
  const pem = key.publicKey().toPem().toString()
  const pemPath = path.join(dir, 'blob.pub')
  fs.writeFileSync(pemPath, pem)
  const signer = BundleSigner.keyful(key, { rekorUrl: url, trustedRoot: rootPath })
  const blob = fs.readFileSync(artifact)
  for (const bundle of [await signer.signBlob(blob), signer.signBlobSync(blob)]) {
    const doc = JSON.parse(bundle)
    const signature = Buffer.from(doc.messageSignature.signature, 'base64')
    // The signature is over the blob itself: node:crypto checks it with the public key alone.
    assert.ok(crypto.verify('sha256', blob, pem, signature))
    assert.equal(doc.verificationMaterial.tlogEntries[0].kindVersion.kind, 'hashedrekord')
    const v = verifyBundleSync(bundle, root, { publicKey: key.publicKey() }, artifact)
    assert.ok(v.tlogVerified && v.statement === undefined)
    assert.equal(sigstoreJs(bundle, dir, artifact, '--key', pemPath), 0)
    const other = path.join(dir, 'other.bin')
    fs.writeFileSync(other, 'another blob\n')
    assert.equal(sigstoreJs(bundle, dir, other, '--key', pemPath), 1)
  }
  assert.throws(
    () => BundleSigner.keyful(SigningKey.generate('ed25519'), { rekorUrl: url }).signBlobSync(Buffer.from('x')),
    (e) => e.code === 'STELLAOPS_BACKEND_CONFIGURATION' && /ECDSA P-256/.test(e.message),
  )
})

test('inputs as JavaScript users pass them: bundles as text or objects, artifacts as bytes or digests, a required type, a statement already made', async () => {
  const { artifact, subject } = files()
  const key = SigningKey.generate('es256')
  const publicKey = key.publicKey()
  const signer = BundleSigner.keyful(key, { rekorUrl: url })
  const att = await signer.attest('slsa-provenance', JSON.parse(predicate), [subject])
  const digest = `sha256:${subject.digest.sha256}`
  for (const bundle of [att.bundle, att.bundle.toString(), JSON.parse(att.bundle)]) {
    for (const given of [artifact, fs.readFileSync(artifact), digest]) {
      assert.ok(verifyBundleSync(bundle, root, { publicKey }, given).artifactChecked)
    }
  }
  assert.ok((await verifyBundle(JSON.parse(att.bundle), root, { publicKey }, digest)).artifactChecked)
  for (const wrong of [Buffer.from('other bytes'), `sha256:${'0'.repeat(64)}`]) {
    assert.throws(() => verifyBundleSync(att.bundle, root, { publicKey }, wrong), { code: 'STELLAOPS_ARTIFACT_MISMATCH' })
  }
  assert.throws(() => verifyBundleSync(att.bundle, root, { publicKey }, 'sha256:not-hex'), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  // cosign --type.
  verifyBundleSync(att.bundle, root, { publicKey, predicateType: 'slsa-provenance' })
  await assert.rejects(verifyBundle(att.bundle, root, { publicKey, predicateType: 'sbom' }), { code: 'STELLAOPS_PREDICATE_TYPE_MISMATCH' })
  assert.throws(() => verifyBundleSync(att.bundle, root, { publicKey, predicateType: 'no-such-type' }), { code: 'STELLAOPS_UNKNOWN_PREDICATE_TYPE' })
  // A statement already made, into a bundle.
  const made = await signer.signStatement(JSON.parse(att.statement), { enforcement: 'reject' })
  assert.equal(made.admission, 'allowed')
  assert.deepEqual(JSON.parse(made.statement), JSON.parse(att.statement))
  verifyBundleSync(made.bundle, root, { publicKey }, artifact)
  assert.throws(() => signer.signStatementSync({ _type: 'nope' }), { code: 'STELLAOPS_INVALID_STATEMENT' })
  assert.ok(TrustedRoot.fromJson(fs.readFileSync(rootPath, 'utf8')) instanceof TrustedRoot)
})

test('the keyless token goes in the options, as Python takes token=', async () => {
  const { subject } = files()
  const signer = BundleSigner.keyless({ fulcioUrl: url, rekorUrl: url, oidcIssuer: issuer, token: await token(email), retries: 0 })
  const att = await signer.attest('slsa-provenance', predicate, [subject])
  assert.equal(verifyBundleSync(att.bundle, root, { certificateIdentity: email, certificateOidcIssuer: issuer }).identity, email)
  const t = await token(email)
  assert.throws(() => BundleSigner.keyless({ fulcioUrl: url, rekorUrl: url, token: t }, t), { code: 'STELLAOPS_INVALID_ARGUMENT' })
})

test('keyful on Rekor v2 with a timestamp, on the real servers: the report names the entry', async () => {
  const { artifact, subject } = files()
  const realRoot = path.join(serviceEnv('STELLAOPS_TEST_SIGSTORE_REAL_DIR'), 'trusted_root.json')
  const rekorUrl = serviceEnv('STELLAOPS_TEST_REKOR_V2')
  const key = SigningKey.generate('es256')
  assert.throws(() => BundleSigner.keyful(key, { rekorUrl, rekorVersion: 2 }), { code: 'STELLAOPS_BACKEND_CONFIGURATION' })
  assert.throws(() => BundleSigner.keyful(key, { rekorUrl, rekorVersion: 3 }), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  const signer = BundleSigner.keyful(key, {
    rekorUrl,
    rekorVersion: 2,
    timestampUrl: `${serviceEnv('STELLAOPS_TEST_TSA')}/api/v1/timestamp`,
    trustedRoot: realRoot,
  })
  const att = await signer.attest('slsa-provenance', predicate, [subject])
  const v = verifyBundleSync(att.bundle, TrustedRoot.fromPath(realRoot), { publicKey: key.publicKey() }, artifact)
  assert.equal(v.tlogEntry.kind, 'hashedrekord 0.0.2')
  assert.ok(v.tlogVerified && v.integratedTime === undefined && v.verifiedTimes.length === 1)
  assert.deepEqual([v.unverifiedTimestamps, v.warnings], [[], []])
})
