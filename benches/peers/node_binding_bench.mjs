// ES256 signs per second: @stellaops/signer against Node's own crypto.sign (OpenSSL) over the same
// PAE bytes, in one run. Prints JSON.
import crypto from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Envelope, SigningKey } = require('../../bindings/node/index.js')

const SECONDS = 3
const payload = Buffer.alloc(1024, 0x5a)
const key = SigningKey.generate('es256')
const nodeKey = crypto.createPrivateKey(key.toPem())
const paeBytes = Envelope.signSync('text/plain', payload, [key]).pae()

function rate(fn) {
  for (let i = 0; i < 100; i++) fn()
  let n = 0
  const start = process.hrtime.bigint()
  const limit = BigInt(SECONDS * 1e9)
  while (process.hrtime.bigint() - start < limit) {
    for (let i = 0; i < 100; i++) fn()
    n += 100
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9)
}

async function asyncRate() {
  const batch = 256
  let n = 0
  const start = process.hrtime.bigint()
  while (process.hrtime.bigint() - start < BigInt(SECONDS * 1e9)) {
    await Promise.all(Array.from({ length: batch }, () => Envelope.sign('text/plain', payload, [key])))
    n += batch
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9)
}

const result = {
  oursEnvelopeSync: rate(() => Envelope.signSync('text/plain', payload, [key]).toJson()),
  oursEnvelopeAsync: await asyncRate(),
  nodeCryptoSignPae: rate(() => crypto.sign('sha256', paeBytes, nodeKey)),
}
result.ratioSync = result.oursEnvelopeSync / result.nodeCryptoSignPae
result.ratioAsync = result.oursEnvelopeAsync / result.nodeCryptoSignPae
console.log(JSON.stringify(result))
