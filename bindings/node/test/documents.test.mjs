// Issue 22: the document flows from Node: statements built from an SBOM, a report and a
// promotion (JSON as a string, a Buffer or an object alike), signed locally and through the
// pipeline, and a promotion verified against what a deployment requires. node:crypto checks the
// local signature over the PAE.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import {
  Pipeline,
  SigningKey,
  artifactSubjects,
  artifactSubjectsSync,
  attestSync,
  inspectAttestation,
  predicateStatement,
  promotionStatement,
  reportStatement,
  sbomStatement,
  signStatement,
  signStatementSync,
  verifyAuditChain,
  verifyAuditChainSync,
  verifyPromotion,
  verifyPromotionSync,
} from '../index.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const fixtures = path.join(root, 'tests/fixtures/predicates')
const promoted = '4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99'

test('a promotion is signed, checked by node:crypto, and verified against requirements', async () => {
  const text = fs.readFileSync(path.join(fixtures, 'promotion.json'), 'utf8')
  const statement = promotionStatement(JSON.parse(text))
  assert.deepEqual(promotionStatement(text), statement)
  assert.deepEqual(promotionStatement(Buffer.from(text)), statement)
  assert.equal(JSON.parse(statement).predicateType, 'stella.ops/promotion@v1')

  const key = SigningKey.generate('es256')
  const att = await signStatement([key], statement, { enforcement: 'reject' })
  assert.equal(att.admission, 'allowed')
  assert.deepEqual(att.statement, statement)
  const publicKey = crypto.createPublicKey(key.publicKey().toPem())
  const sig = Buffer.from(JSON.parse(att.envelope.toJson()).signatures[0].sig, 'base64')
  assert.ok(crypto.verify('sha256', att.envelope.pae(), { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig) ||
    crypto.verify('sha256', att.envelope.pae(), publicKey, sig), 'node:crypto verifies over the PAE')

  const envelope = att.envelope.toJson()
  const v = await verifyPromotion(envelope, [key.publicKey()], {
    artifactDigest: { sha256: promoted },
    targetEnvironment: 'production',
  })
  assert.deepEqual(v.statement, statement)
  assert.equal(v.artifactName, 'registry.example/stellaops/scanner-web')
  assert.equal(v.sourceEnvironment, 'staging')
  assert.deepEqual(v.keys.map((k) => k.positions), [[0]])
  // The envelope as a string and as an object work the same.
  assert.equal(verifyPromotionSync(envelope.toString(), [key.publicKey()]).targetEnvironment, 'production')
  assert.equal(verifyPromotionSync(JSON.parse(envelope), [key.publicKey()]).targetEnvironment, 'production')

  await assert.rejects(verifyPromotion(envelope, [key.publicKey()], { targetEnvironment: 'staging' }),
    { code: 'STELLAOPS_PREDICATE_MISMATCH', errno: 407 })
  assert.throws(() => verifyPromotionSync(envelope, [key.publicKey()], { policyDigest: 'sha256:00' }),
    { code: 'STELLAOPS_PREDICATE_MISMATCH' })
  const other = SigningKey.generate('ed25519')
  await assert.rejects(verifyPromotion(envelope, [other.publicKey()]), { code: 'STELLAOPS_VERIFICATION_FAILED' })
  const vex = attestSync([key], 'vex', Buffer.from('{"statements":[]}'), [{ name: 'a', digest: { sha256: promoted } }])
  assert.throws(() => verifyPromotionSync(vex.envelope.toJson(), [key.publicKey()]),
    { code: 'STELLAOPS_PREDICATE_TYPE_MISMATCH' })
})

test('SBOM and report statements', () => {
  const report = reportStatement(fs.readFileSync(path.join(fixtures, 'report.json')))
  assert.equal(JSON.parse(report).predicateType, 'stella.ops/report@v1')
  assert.throws(() => reportStatement({ scanId: 1 }), { code: 'STELLAOPS_INVALID_PREDICATE' })

  const sbom = JSON.parse(fs.readFileSync(path.join(root, 'examples/sbom/hello-app.cdx.json'), 'utf8'))
  const statement = JSON.parse(sbomStatement(sbom, [{ name: 'hello-app.tar', digest: { sha256: promoted } }]))
  assert.equal(statement.predicateType, 'https://cyclonedx.org/bom')
  assert.deepEqual(statement.subject, [{ name: 'hello-app.tar', digest: { sha256: promoted } }])
  assert.throws(() => sbomStatement(sbom), { code: 'STELLAOPS_INVALID_ARGUMENT' })
})

test('a wrong argument names itself and its type, never its value', async () => {
  const big = 'x'.repeat(1 << 20)
  for (const [call, name, got] of [
    [() => promotionStatement(42), 'promotion', 'a number'],
    [() => promotionStatement(undefined), 'promotion', 'undefined'],
    [() => reportStatement(null), 'report', 'null'],
    [() => signStatementSync([], true), 'statement', 'a boolean'],
    [() => verifyPromotionSync(() => big, []), 'envelope', 'a function'],
  ]) {
    assert.throws(call, (e) => {
      assert.equal(e.code, 'STELLAOPS_INVALID_ARGUMENT')
      assert.equal(e.errno, 102)
      assert.ok(e.message.startsWith(`argument '${name}': expected JSON`), e.message)
      assert.ok(e.message.endsWith(`not ${got}`), e.message)
      assert.ok(e.message.length < 200)
      return true
    })
  }
  // The async form throws at once for a wrong argument (nothing is queued).
  assert.throws(() => signStatement([SigningKey.generate('ed25519')], 7), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  await assert.rejects(signStatement([], { _type: 'https://in-toto.io/Statement/v1' }), { code: 'STELLAOPS_NO_SIGNING_KEYS' })
  await assert.rejects(signStatement([SigningKey.generate('ed25519')], { _type: 'x' }), { code: 'STELLAOPS_INVALID_STATEMENT' })
})

test('a promotion through the pipeline', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stellaops-documents-'))
  execFileSync(process.env.STELLAOPS_PYTHON || 'python3', [path.join(root, 'scripts/pipeline_fixture.py'), dir])
  const statement = promotionStatement(fs.readFileSync(path.join(dir, 'promotion.json')))
  const caller = JSON.parse(fs.readFileSync(path.join(dir, 'caller-promotion.json'), 'utf8'))
  const pipeline = Pipeline.openSync(path.join(dir, 'pipeline.toml'))
  const outcome = JSON.parse(await pipeline.signJson({ ...caller, statement: JSON.parse(statement) }))
  assert.equal(outcome.trace_id, 'c-caller-promotion')
  assert.equal(outcome.admission, 'allowed')
  assert.deepEqual(Buffer.from(outcome.envelope.payload, 'base64'), statement)

  const allowed = await pipeline.checkRelease('sha256:' + '1'.repeat(64))
  assert.equal(allowed.trusted, true)
  assert.equal(allowed.trust, 'allowlist')
  assert.equal(pipeline.checkReleaseSync('sha256:' + '2'.repeat(64)).approvedBy, 'alice@example.com')
  const untrusted = await pipeline.checkRelease('sha256:' + '3'.repeat(64))
  assert.equal(untrusted.trusted, false)
  assert.equal(untrusted.reason, 'release.untrusted')
  assert.throws(() => pipeline.signJsonSync(42), { code: 'STELLAOPS_INVALID_ARGUMENT' })

  const chain = await verifyAuditChain(path.join(dir, 'audit.jsonl'))
  assert.equal(chain.records, 1)
  assert.ok(chain.lastHash.length > 0)
  const edited = path.join(dir, 'edited.jsonl')
  fs.writeFileSync(edited, fs.readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').replace('"decision":"allowed"', '"decision":"denied"'))
  await assert.rejects(verifyAuditChain(edited), (e) => e.code === 'STELLAOPS_AUDIT_CHAIN_BROKEN' && e.errno === 411 && /line 1/.test(e.message))
  assert.throws(() => verifyAuditChainSync(path.join(dir, 'missing.jsonl')), { code: 'STELLAOPS_IO' })

  const subjects = await artifactSubjects([path.join(dir, 'promotion.json')], { sha512: true })
  assert.equal(subjects[0].name, 'promotion.json')
  assert.deepEqual(Object.keys(subjects[0].digest).sort(), ['sha256', 'sha512'])
  assert.deepEqual(artifactSubjectsSync([path.join(dir, 'promotion.json')]).map((s) => Object.keys(s.digest)), [['sha256']])
  await assert.rejects(artifactSubjects([path.join(dir, 'missing')]), { code: 'STELLAOPS_IO' })
})

test('any predicate as a statement; inspectAttestation trusts only the keys given', () => {
  const subject = { name: 'pkg:oci/app', digest: { sha256: promoted } }
  const statement = predicateStatement('vex', { statements: [] }, [subject])
  assert.throws(() => predicateStatement('vex', '{}', []), { code: 'STELLAOPS_INVALID_STATEMENT' })
  assert.throws(() => predicateStatement('vex', 3, [subject]), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  const key = SigningKey.generate('ed25519')
  const att = signStatementSync([key], statement)
  const facts = inspectAttestation(att.envelope.toJson(), [key.publicKey()])
  assert.equal(facts.verified, true)
  assert.equal(facts.container, 'dsse')
  assert.deepEqual(facts.subjects, [subject])
  assert.notEqual(facts.signatures[0].verified_by, null)
  const unverified = inspectAttestation(att.envelope.toJson().toString())
  assert.equal(unverified.verified, false)
  assert.ok(unverified.not_checked.length > 0)
  assert.throws(() => inspectAttestation('{"a":1,"a":2}'), { code: 'STELLAOPS_DUPLICATE_KEY' })
})

test('SLSA provenance v1 goes through the typed model', () => {
  const subject = { name: 'app.tar', digest: { sha256: '4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99' } }
  const predicate = {
    buildDefinition: { buildType: 'theBuildType', externalParameters: {} },
    runDetails: { builder: { id: 'https://stellaops.local/builder' } },
  }
  assert.throws(() => predicateStatement('slsa-provenance', predicate, [subject]), (e) => {
    assert.equal(e.code, 'STELLAOPS_INVALID_PREDICATE')
    assert.match(e.message, /\/buildDefinition\/buildType/)
    return true
  })
  predicate.buildDefinition.buildType = 'https://stellaops.local/build/v1'
  const statement = JSON.parse(predicateStatement('slsa-provenance', predicate, [subject]))
  assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1')
})
