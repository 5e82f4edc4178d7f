// Node's crypto (OpenSSL) on the same operation as the criterion benches: sign and verify a 1 KiB
// message, printing JSON {"sign/es256": ns, ...} for benches/peers/report.py.
import crypto from 'node:crypto'

const msg = Buffer.alloc(1024, 'abcdefghijklmnopqrstuvwxyz')
const out = {}

function bench(name, f) {
  for (let i = 0; i < 200; i++) f() // warm up
  let n = 0
  const start = process.hrtime.bigint()
  let elapsed = 0n
  while (elapsed < 1_000_000_000n) {
    for (let i = 0; i < 50; i++) f()
    n += 50
    elapsed = process.hrtime.bigint() - start
  }
  out[name] = Number(elapsed) / n
}

const cases = [
  ['es256', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256', {}],
  ['es384', crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'sha384', {}],
  ['ed25519', crypto.generateKeyPairSync('ed25519'), null, {}],
  ['rsa-pss-sha256', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha256', { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  ['rsa-pkcs1-sha256', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha256', {}],
]
for (const [name, { privateKey, publicKey }, hash, opts] of cases) {
  const sig = crypto.sign(hash, msg, { key: privateKey, ...opts })
  bench(`sign/${name}`, () => crypto.sign(hash, msg, { key: privateKey, ...opts }))
  bench(`verify/${name}`, () => crypto.verify(hash, msg, { key: publicKey, ...opts }, sig))
}
console.log(JSON.stringify(out))
