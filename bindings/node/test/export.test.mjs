// Signed export manifests: the golden export of tests/vectors/export.json signs to the same bytes
// here, node:crypto re-hashes the manifest, and a changed export is reported by name.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'

import {
  SigningKey,
  checkExport,
  checkExportSync,
  describeExport,
  describeExportSync,
  exportStatement,
  signExport,
  signExportSync,
  verifyExport,
  verifyExportSync,
} from '../index.mjs'

const load = (name) => JSON.parse(readFileSync(new URL(`../../../tests/vectors/${name}`, import.meta.url), 'utf8'))
const golden = load('export.json')
const keys = Object.fromEntries(load('keys.json').map((k) => [k.name, k]))
const options = {
  exportId: 'export-2026-11-23',
  tenant: 'acme',
  profile: 'offline-kit',
  createdAt: '2026-11-23T00:00:00Z',
  sha512: true,
}

function exportDir() {
  const root = mkdtempSync(join(tmpdir(), 'stella-export-'))
  for (const f of golden.files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true })
    writeFileSync(join(root, f.path), f.content)
  }
  return root
}

test('the golden export signs to the same bytes with every deterministic key', async () => {
  const root = exportDir()
  try {
    for (const [name, envelope] of Object.entries(golden.envelopes)) {
      const key = SigningKey.fromPem(Buffer.from(keys[name].private_pem))
      const signed = await signExport([key], root, options)
      assert.equal(signed.manifest.toString(), golden.manifest, name)
      assert.equal(signed.envelope.toString(), envelope, name)
    }
  } finally {
    rmSync(root, { recursive: true })
  }
})

test('node:crypto agrees with the manifest', () => {
  const root = exportDir()
  try {
    for (const entry of JSON.parse(golden.manifest).files) {
      const data = readFileSync(join(root, entry.path))
      assert.equal(entry.size, data.length)
      assert.equal(entry.digest.sha256, createHash('sha256').update(data).digest('hex'))
      assert.equal(entry.digest.sha512, createHash('sha512').update(data).digest('hex'))
    }
  } finally {
    rmSync(root, { recursive: true })
  }
})

test('verify: intact, then every difference named on the error', async () => {
  const root = exportDir()
  try {
    const key = SigningKey.generate('ed25519')
    const { manifest, envelope } = signExportSync([key], root, { createdAt: '2026-11-23T00:00:00Z' })
    const report = await verifyExport(root, envelope, [key.publicKey()], { manifest })
    assert.equal(report.intact, true)
    assert.equal(report.files, golden.files.length)
    assert.equal(report.keys[0].keyid, key.keyId)

    writeFileSync(join(root, 'README.md'), '# changed\n')
    unlinkSync(join(root, 'vex', 'app.openvex.json'))
    writeFileSync(join(root, 'extra.bin'), 'x')
    await assert.rejects(verifyExport(root, envelope, [key.publicKey()]), (err) => {
      assert.equal(err.code, 'STELLAOPS_EXPORT_CHANGED')
      assert.equal(err.errno, 408)
      assert.deepEqual(err.report.missing, ['vex/app.openvex.json'])
      assert.deepEqual(err.report.extra, ['extra.bin'])
      assert.deepEqual(err.report.changed.map((c) => c.path), ['README.md'])
      return true
    })
    const other = SigningKey.generate('es256')
    assert.throws(() => verifyExportSync(root, envelope, [other.publicKey()]), (err) => err.code === 'STELLAOPS_VERIFICATION_FAILED')
    assert.throws(
      () => signExportSync([key], root, { files: ['../escape'], createdAt: '2026-11-23T00:00:00Z' }),
      (err) => err.code === 'STELLAOPS_INVALID_EXPORT_ENTRY' && err.errno === 214,
    )
  } finally {
    rmSync(root, { recursive: true })
  }
})

test('describe, statement and check without signing (issue 22)', async () => {
  const root = exportDir()
  try {
    const manifest = await describeExport(root, options)
    assert.equal(manifest.toString(), golden.manifest)
    assert.deepEqual(describeExportSync(root, options), manifest)
    const statement = JSON.parse(exportStatement(manifest))
    assert.equal(statement.predicateType, 'stella.ops/export@v1')
    assert.deepEqual(statement.subject.map((s) => s.name).sort(), golden.files.map((f) => f.path).sort())
    assert.deepEqual(exportStatement(JSON.parse(manifest)), exportStatement(manifest.toString()))
    assert.equal((await checkExport(root, manifest)).intact, true)
    writeFileSync(join(root, 'README.md'), '# changed\n')
    writeFileSync(join(root, 'extra.bin'), 'x')
    const check = checkExportSync(root, manifest, { exclude: ['extra.bin'] })
    assert.equal(check.intact, false)
    assert.deepEqual(check.extra, [])
    assert.deepEqual(check.changed.map((c) => c.path), ['README.md'])
    assert.throws(() => exportStatement({ files: 1 }), { code: 'STELLAOPS_INVALID_MANIFEST' })
    assert.throws(() => checkExport(root, 5), { code: 'STELLAOPS_INVALID_ARGUMENT' })
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
