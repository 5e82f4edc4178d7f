"""The GIL is released while signing: two threads sign at the same time, and nothing is corrupted.

The proof is not a timing: the interpreter's switch interval is raised to 30 s, so a thread can
only run while another is blocked or has released the GIL. The main thread reads a counter, makes
one long signature, and reads the counter again; the counter is bumped by a second thread that
signs in a loop. If signing held the GIL, the second thread could not move during the main
thread's call and the counter would not change.
"""

from __future__ import annotations

import sys
import threading
import time

import stellaops_signer as ss


def test_two_threads_sign_at_the_same_time() -> None:
    key = ss.SigningKey.generate("es256")
    public = key.public_key()
    big = bytes(32 * 1024 * 1024)  # hashing this takes tens of milliseconds
    signed_meanwhile: list[ss.Envelope] = []
    stop = threading.Event()

    def other_signer() -> None:
        i = 0
        while not stop.is_set():
            signed_meanwhile.append(ss.Envelope.sign("text/plain", f"small {i}".encode(), [key]))
            i += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    try:
        worker = threading.Thread(target=other_signer)
        worker.start()
        moved = 0
        big_envelopes = []
        for _ in range(5):
            before = len(signed_meanwhile)
            big_envelopes.append(ss.Envelope.sign("application/octet-stream", big, [key]))
            moved += len(signed_meanwhile) - before
        stop.set()
        worker.join()
    finally:
        sys.setswitchinterval(old)

    assert moved > 0, "the other thread never signed while this one was inside a signature"
    for env in big_envelopes:
        assert env.verify([public], 1)[0].key_index == 0
        assert len(env.payload) == len(big)
    assert signed_meanwhile, "the other thread signed nothing"
    for i, env in enumerate(signed_meanwhile):
        assert env.payload == f"small {i}".encode()
        env.verify([public], 1)


def test_canonicalize_and_verify_release_the_gil_too() -> None:
    key = ss.SigningKey.generate("ed25519")
    env = ss.Envelope.sign("t", bytes(32 * 1024 * 1024), [key])
    doc = b"[" + b",".join(b'{"b":1.5,"a":"x"}' for _ in range(300_000)) + b"]"
    ticks: list[int] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0)  # releases the GIL, so the main thread gets it back between ticks

    old = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    try:
        thread = threading.Thread(target=ticker)
        thread.start()
        before = len(ticks)
        env.verify([key.public_key()], 1)
        after_verify = len(ticks)
        ss.canonicalize(doc)
        after_canon = len(ticks)
        stop.set()
        thread.join()
    finally:
        sys.setswitchinterval(old)
    assert after_verify > before, "verify held the GIL"
    assert after_canon > after_verify, "canonicalize held the GIL"
