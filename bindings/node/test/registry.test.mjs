// Issue 22: the tenant key registry from Node: the key that signs for a tenant, revocations by
// time, and a reload that revokes a key already handed out.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'

import { Envelope, KeyRegistry, SigningKey } from '../index.mjs'

const oldKey = 'a'.repeat(64)

test('the registry resolves, signs and revokes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stellaops-registry-'))
  const key = SigningKey.generate('es256')
  const keyPath = path.join(dir, 'signer.pem')
  key.writePrivateKey(keyPath)
  assert.equal(fs.statSync(keyPath).mode & 0o777, 0o600)
  assert.throws(() => key.writePrivateKey(keyPath), { code: 'STELLAOPS_IO' })
  key.writePrivateKey(path.join(dir, 'enc.pem'), Buffer.from('correct horse'))
  assert.equal(SigningKey.fromPem(fs.readFileSync(path.join(dir, 'enc.pem')), Buffer.from('correct horse')).keyId, key.keyId)
  const registryPath = path.join(dir, 'keys.toml')
  fs.writeFileSync(registryPath,
    `[[tenant]]\nid = "acme"\n\n[[tenant.key]]\nuri = "${keyPath}"\nstatus = "active"\nfamilies = ["vex"]\n\n` +
    `[[tenant.key]]\nuri = "/nonexistent/old.pem"\nkey_id = "${oldKey}"\nstatus = "revoked"\n` +
    'revoked_at = "2026-06-01T00:00:00Z"\nreason = "key compromise"\n')
  const registry = KeyRegistry.open(registryPath)
  assert.deepEqual(registry.entries().map((e) => e.status), ['active', 'revoked'])
  assert.deepEqual(registry.select('acme', { family: 'vex' }).families, ['vex'])
  assert.throws(() => registry.select('acme', { family: 'sbom' }), { code: 'STELLAOPS_NO_ACTIVE_KEY' })
  assert.throws(() => KeyRegistry.open(path.join(dir, 'missing.toml')), { code: 'STELLAOPS_IO' })

  const tenantKey = registry.signingKey('acme', { family: 'vex' })
  assert.equal(tenantKey.keyId, key.keyId)
  const envelope = await Envelope.sign('text/plain', Buffer.from('hello'), [tenantKey])
  assert.equal(envelope.verifySync([key.publicKey()], 1).length, 1)
  assert.throws(() => tenantKey.toPem(), { code: 'STELLAOPS_KEY_NOT_EXPORTABLE' })

  registry.checkNotRevoked(oldKey, '2026-05-31T23:59:59Z')
  assert.throws(() => registry.checkNotRevoked(oldKey, '2026-06-01T00:00:00Z'),
    (e) => e.code === 'STELLAOPS_KEY_REVOKED' && /key compromise/.test(e.message))
  assert.throws(() => registry.checkNotRevoked(oldKey), { code: 'STELLAOPS_KEY_REVOKED' })
  assert.throws(() => registry.checkNotRevoked(oldKey, 'yesterday'), { code: 'STELLAOPS_INVALID_ARGUMENT' })

  fs.writeFileSync(registryPath, 'not toml [')
  assert.throws(() => registry.reload())
  registry.select('acme', { family: 'vex' })
  fs.writeFileSync(registryPath,
    `[[tenant]]\nid = "acme"\n\n[[tenant.key]]\nuri = "${keyPath}"\nkey_id = "${key.keyId}"\n` +
    'status = "revoked"\nrevoked_at = "2026-06-01T00:00:00Z"\n')
  registry.reload()
  await assert.rejects(Envelope.sign('text/plain', Buffer.from('hello'), [tenantKey]), { code: 'STELLAOPS_KEY_REVOKED' })
})
