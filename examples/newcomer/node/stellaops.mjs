// The three newcomer tasks with @stellaops/signer (run by examples/newcomer/run.sh in its fixture
// directory; the lines between the task markers are what run.sh counts).
import fs from 'node:fs'

import { Envelope, SigningKey, TrustedRoot, VerifyingKey, artifactSubjects, attest, verifyBundle } from '../../../bindings/node/index.mjs'

const identity = fs.readFileSync('identity', 'utf8')
const issuer = fs.readFileSync('issuer', 'utf8')

// task: attest
const key = SigningKey.fromPem(fs.readFileSync('key.pem'))
const subjects = await artifactSubjects(['app.tar.gz'])
const att = await attest([key], 'slsa-provenance', fs.readFileSync('predicate.json'), subjects)
fs.writeFileSync('attestation-node.json', att.envelope.toJson())
// end task

// task: threshold
const keys = ['a', 'b', 'c'].map((name) => VerifyingKey.fromPem(fs.readFileSync(`${name}.pub`)))
const verified = await Envelope.fromJson(fs.readFileSync('multi.json')).verify(keys, { threshold: 2 })
console.log(`node/stellaops: 2-of-3 verified by ${verified.length} keys`)
// end task

// task: bundle
const root = TrustedRoot.fromPath('trusted_root.json')
const policy = { certificateIdentity: identity, certificateOidcIssuer: issuer }
const v = await verifyBundle(fs.readFileSync('bundle.json'), root, policy, 'app.tar.gz')
console.log(`node/stellaops: bundle verified, ${v.predicateType}`)
// end task
