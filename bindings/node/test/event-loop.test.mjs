// Async calls run off the main thread: a 1 ms timer keeps firing while 1,000 signatures are made
// with Envelope.sign. The same work with signSync stops the timer dead, which shows the
// measurement can tell the two apart. RSA keys make the work long enough to see (ES256 with the
// AWS-LC backend signs 1,000 envelopes in a few milliseconds: too few timer ticks to judge).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

import { Envelope, SigningKey } from '../index.mjs'

const key = SigningKey.generate('rsa-pss-sha256')
const payload = Buffer.alloc(1024, 0x5a)

async function ticksDuring(work) {
  let ticks = 0
  const timer = setInterval(() => { ticks += 1 }, 1)
  await sleep(5) // let the timer start
  const before = ticks
  await work()
  const during = ticks - before
  clearInterval(timer)
  return during
}

test('the event loop keeps running during 1,000 async signs', async () => {
  let envelopes = []
  const asyncTicks = await ticksDuring(async () => {
    envelopes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => Envelope.sign('text/plain', Buffer.concat([payload, Buffer.from(String(i))]), [key])),
    )
  })
  const syncTicks = await ticksDuring(async () => {
    for (let i = 0; i < 1000; i++) Envelope.signSync('text/plain', payload, [key])
  })
  assert.equal(envelopes.length, 1000)
  assert.equal(envelopes[999].payload.toString().slice(1024), '999')
  assert.equal(syncTicks, 0, 'signSync is expected to block the loop')
  assert.ok(asyncTicks >= 10, `the timer fired only ${asyncTicks} times during async signing`)
})
