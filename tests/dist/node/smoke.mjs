// The ESM entry point of the installed package (tests/dist/run.sh). Usage: node smoke.mjs PUB ENVELOPE
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Envelope, SigningKey, VerifyingKey } from '@stellaops/signer'

const [pubPath, provenancePath] = process.argv.slice(2)
const key = SigningKey.generate('es256')
const envelope = await Envelope.sign('application/json', Buffer.from('{"hello":"release"}'), [key])
assert.equal((await envelope.verify([key.publicKey()], { threshold: 1 })).length, 1)
const provenance = Envelope.fromJson(readFileSync(provenancePath))
await provenance.verify([VerifyingKey.fromPem(readFileSync(pubPath))], { threshold: 1 })
await assert.rejects(provenance.verify([key.publicKey()], { threshold: 1 }))
console.log('node (ESM): signed and verified; release provenance verified')
