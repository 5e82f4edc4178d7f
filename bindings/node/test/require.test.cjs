// CommonJS consumers get the same binding as ESM ones.
const assert = require('node:assert/strict')
const { test } = require('node:test')

const signer = require('..')

test('require() works and signs', () => {
  const key = signer.SigningKey.generate('ed25519')
  const env = signer.Envelope.signSync('text/plain', Buffer.from('cjs'), [key])
  assert.equal(env.verifySync([key.publicKey()], 1).length, 1)
  assert.equal(typeof signer.canonicalize, 'function')
})
