// Run from a directory where only the two released npm tarballs are installed
// (tests/dist/run.sh), with no Rust toolchain on PATH. Usage: node smoke.cjs VERSION PUB ENVELOPE
const assert = require('node:assert/strict')
const fs = require('node:fs')
const so = require('@stellaops/signer')

const [version, pubPath, provenancePath] = process.argv.slice(2)
assert.equal(require('@stellaops/signer/package.json').version, version)
const key = so.SigningKey.generate('es256')
const envelope = so.Envelope.signSync('application/json', Buffer.from('{"hello":"release"}'), [key])
assert.equal(envelope.verifySync([key.publicKey()], { threshold: 1 }).length, 1)
const releaseKey = so.VerifyingKey.fromPem(fs.readFileSync(pubPath))
const provenance = so.Envelope.fromJson(fs.readFileSync(provenancePath))
provenance.verifySync([releaseKey], { threshold: 1, payloadType: 'application/vnd.in-toto+json' })
assert.throws(() => provenance.verifySync([key.publicKey()], { threshold: 1 }))
const statement = JSON.parse(provenance.payload)
assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1')
console.log(`node (CJS): @stellaops/signer ${version}: signed and verified; release provenance verified (${statement.subject.length} subjects)`)
