/*
 * The C side of the call-overhead comparison: the same operations as benches/benches/ffi_overhead.rs,
 * through include/stellaops_signer.h. Prints "name ns_per_op" (the best of 5 batches).
 */
#define _POSIX_C_SOURCE 199309L
#include "stellaops_signer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define MUST(call)                                                                  \
  do {                                                                              \
    if ((call) != STELLAOPS_STATUS_OK) {                                            \
      fprintf(stderr, "%s: %s\n", #call, stellaops_last_error_message());           \
      exit(1);                                                                      \
    }                                                                               \
  } while (0)

typedef void (*op_fn)(void *);

static double best_of(op_fn op, void *arg, long iterations) {
  double best = 1e300;
  for (int batch = 0; batch < 5; batch++) {
    double start = now_ns();
    for (long i = 0; i < iterations; i++) op(arg);
    double per = (now_ns() - start) / (double)iterations;
    if (per < best) best = per;
  }
  return best;
}

struct ctx {
  stellaops_key *key;
  const stellaops_verifying_key *pub[1];
  uint8_t payload[1024];
  stellaops_buffer envelope;
};

static void op_key_algorithm(void *arg) {
  struct ctx *c = arg;
  stellaops_algorithm alg;
  MUST(stellaops_key_algorithm(c->key, &alg));
}

static void op_pae(void *arg) {
  (void)arg;
  stellaops_buffer out;
  MUST(stellaops_pae("text/plain", 10, (const uint8_t *)"0123456789abcdef", 16, &out));
  stellaops_buffer_free(&out);
}

static void op_sign(void *arg) {
  struct ctx *c = arg;
  stellaops_buffer out;
  const stellaops_key *keys[1] = {c->key};
  MUST(stellaops_sign(keys, 1, "text/plain", 10, c->payload, sizeof c->payload, &out));
  stellaops_buffer_free(&out);
}

static void op_verify(void *arg) {
  struct ctx *c = arg;
  stellaops_verification *v;
  MUST(stellaops_verify(c->envelope.data, c->envelope.len, c->pub, 1, 1, "text/plain", 10, &v));
  stellaops_verification_free(v);
}

int main(void) {
  struct ctx c;
  memset(c.payload, 0x5a, sizeof c.payload);
  MUST(stellaops_key_generate(STELLAOPS_ALGORITHM_ES256, &c.key));
  stellaops_verifying_key *pub;
  MUST(stellaops_key_public_key(c.key, &pub));
  c.pub[0] = pub;
  const stellaops_key *keys[1] = {c.key};
  MUST(stellaops_sign(keys, 1, "text/plain", 10, c.payload, sizeof c.payload, &c.envelope));

  printf("key-algorithm %.1f\n", best_of(op_key_algorithm, &c, 2000000));
  printf("pae-16B %.1f\n", best_of(op_pae, &c, 1000000));
  printf("sign-es256-1KiB %.1f\n", best_of(op_sign, &c, 3000));
  printf("verify-es256-1KiB %.1f\n", best_of(op_verify, &c, 1500));

  stellaops_buffer_free(&c.envelope);
  stellaops_verifying_key_free(pub);
  stellaops_key_free(c.key);
  return 0;
}
