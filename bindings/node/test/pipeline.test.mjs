// The signing pipeline from Node: tokens, proofs and entitlements minted by pyca/cryptography
// (scripts/pipeline_fixture.py, run with python3), a configuration file, one audit record per
// request, and node:crypto verifying the envelope's signature over the PAE.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { Envelope, Pipeline, metricsSnapshot, setLogger } from '../index.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

function fixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stellaops-pipeline-'))
  // STELLAOPS_PYTHON (services.env) has pyca/cryptography; plain python3 may not.
  execFileSync(process.env.STELLAOPS_PYTHON || 'python3', [path.join(root, 'scripts/pipeline_fixture.py'), dir])
  return dir
}

test('a request signs, the envelope verifies with node:crypto, the audit log records it', async () => {
  const dir = fixture()
  const pipeline = Pipeline.openSync(path.join(dir, 'pipeline.toml'))
  const outcome = JSON.parse(await pipeline.signJson(fs.readFileSync(path.join(dir, 'request-ok.json'))))
  assert.equal(outcome.poe_state, 'fresh')
  assert.equal(outcome.binding, 'dpop')
  assert.equal(outcome.caller, 'svc:go-attestor')
  const envelope = Envelope.fromJson(Buffer.from(JSON.stringify(outcome.envelope)))
  const signer = crypto.createPublicKey(crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'signer.pem'))))
  const sig = Buffer.from(outcome.envelope.signatures[0].sig, 'base64')
  assert.ok(crypto.verify(null, envelope.pae(), signer, sig), 'node:crypto verifies the Ed25519 signature over the PAE')
  const records = fs.readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').trim().split('\n')
  assert.equal(records.length, 1)
  assert.equal(JSON.parse(records[0]).record.decision, 'allowed')
})

test('denials reject with STELLAOPS_DENIED and the reason code', async () => {
  const dir = fixture()
  const pipeline = Pipeline.openSync(path.join(dir, 'pipeline.toml'))
  await assert.rejects(pipeline.signJson(fs.readFileSync(path.join(dir, 'request-denied.json'))), (e) => {
    assert.equal(e.code, 'STELLAOPS_DENIED')
    assert.equal(e.errno, 700)
    assert.match(e.message, /denied \(poe\.missing\)/)
    return true
  })
  const request = fs.readFileSync(path.join(dir, 'request-ok.json'))
  pipeline.signJsonSync(request)
  assert.throws(() => pipeline.signJsonSync(request), /denied \(dpop\.replay\)/)
  // What the pipeline counted, by reason, as Prometheus text.
  const metrics = metricsSnapshot()
  assert.match(metrics, /# TYPE stellaops_signer_sign_seconds summary/)
  assert.ok(metrics.includes('stellaops_signer_denials_total{reason="dpop.replay"}'), metrics)
  assert.ok(metrics.includes('stellaops_signer_poe_failures_total{reason="poe.missing"}'), metrics)
})

test('a bad configuration and malformed requests are typed errors', () => {
  const dir = fixture()
  assert.throws(() => Pipeline.openSync(path.join(dir, 'missing.toml')), (e) => e.code === 'STELLAOPS_IO')
  const pipeline = Pipeline.openSync(path.join(dir, 'pipeline.toml'))
  assert.throws(() => pipeline.signJsonSync(Buffer.from('{"tenant": 1, "tenant": 2}')), (e) => e.code === 'STELLAOPS_DUPLICATE_KEY')
  assert.throws(() => pipeline.signJsonSync(Buffer.from('{"tenant": "acme"}')), (e) => e.code === 'STELLAOPS_INVALID_ARGUMENT')
})

test('each decision reaches the function given to setLogger, from the Promise and the Sync API', async () => {
  const dir = fixture()
  const pipeline = Pipeline.openSync(path.join(dir, 'pipeline.toml'))
  const request = fs.readFileSync(path.join(dir, 'request-ok.json'))
  const records = []
  setLogger((record) => records.push(record))
  assert.throws(() => setLogger(() => {}, 'loud'), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  await pipeline.signJson(request)
  assert.throws(() => pipeline.signJsonSync(request), { code: 'STELLAOPS_DENIED' })
  // Records come through the event loop: let it turn until both are in (at most 5 s).
  for (let i = 0; i < 500 && records.filter((r) => r.target === 'stellaops_signer::decision').length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  setLogger(null)
  await assert.rejects(pipeline.signJson(request), { code: 'STELLAOPS_DENIED' })
  await new Promise((resolve) => setTimeout(resolve, 50))
  const decisions = records.filter((r) => r.target === 'stellaops_signer::decision')
  assert.equal(decisions.length, 2, JSON.stringify(records))
  const [allowed, denied] = decisions
  assert.equal(allowed.message, 'signing decision')
  assert.equal(allowed.level, 'info')
  assert.equal(allowed.decision, 'allowed')
  assert.equal(allowed.issuer_mode, 'software')
  assert.ok(allowed.trace_id && allowed.tenant && allowed.key_ids)
  assert.ok(typeof allowed.latency_ms === 'number' && allowed.latency_ms > 0)
  assert.equal(denied.decision, 'denied')
  assert.equal(denied.reason, 'dpop.replay')
})
