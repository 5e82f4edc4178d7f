// The three newcomer tasks with the peers: node:crypto for DSSE (no DSSE library is common in
// JavaScript; the PAE is written by hand from the specification) and sigstore-js
// (@sigstore/verify) for bundles, as its documentation shows it. Run by examples/newcomer/run.sh.
import crypto from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'

// sigstore-js comes from the test oracles' node_modules (tests/node).
const require = createRequire(new URL('../../../tests/node/package.json', import.meta.url))
const { bundleFromJSON } = require('@sigstore/bundle')
const { TrustedRoot } = require('@sigstore/protobuf-specs')
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify')

const identity = fs.readFileSync('identity', 'utf8')
const issuer = fs.readFileSync('issuer', 'utf8')

// task: attest
const pae = (type, body) => Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body])
const key = crypto.createPrivateKey(fs.readFileSync('key.pem'))
const digest = crypto.createHash('sha256').update(fs.readFileSync('app.tar.gz')).digest('hex')
const statement = Buffer.from(JSON.stringify({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'app.tar.gz', digest: { sha256: digest } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: JSON.parse(fs.readFileSync('predicate.json', 'utf8')),
}))
const type = 'application/vnd.in-toto+json'
const sig = crypto.sign('sha256', pae(type, statement), key)
const envelope = { payload: statement.toString('base64'), payloadType: type, signatures: [{ keyid: '', sig: sig.toString('base64') }] }
fs.writeFileSync('attestation-node-peer.json', JSON.stringify(envelope))
// end task

// task: threshold
const keys = ['a', 'b', 'c'].map((name) => crypto.createPublicKey(fs.readFileSync(`${name}.pub`)))
const multi = JSON.parse(fs.readFileSync('multi.json', 'utf8'))
const signed = pae(multi.payloadType, Buffer.from(multi.payload, 'base64'))
const verified = keys.filter((k) => multi.signatures.some((s) => crypto.verify('sha256', signed, k, Buffer.from(s.sig, 'base64'))))
if (verified.length < 2) throw new Error(`only ${verified.length} of 3 keys verified`)
console.log(`node/peers: 2-of-3 verified by ${verified.length} keys`)
// end task

// task: bundle
const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync('trusted_root.json', 'utf8')))
const bundle = bundleFromJSON(JSON.parse(fs.readFileSync('bundle.json', 'utf8')))
const artifact = fs.readFileSync('app.tar.gz')
new Verifier(toTrustMaterial(root)).verify(toSignedEntity(bundle, artifact), {
  subjectAlternativeName: identity, extensions: { issuer },
})
const payload = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8'))
const sha256 = crypto.createHash('sha256').update(artifact).digest('hex')
if (!payload.subject.some((s) => s.digest.sha256 === sha256)) throw new Error('the bundle does not sign app.tar.gz')
console.log(`node/peers: bundle verified, ${payload.predicateType}`)
// end task
