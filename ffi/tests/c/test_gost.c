/* Signers and verifiers the caller supplies, proven with an algorithm the library does not
 * implement: GOST R 34.10-2012 (256-bit, Streebog-256) from OpenSSL's gost engine
 * (libengine-gost-openssl), the way a CryptoPro or other sovereign provider would plug in.
 *
 * usage: test_gost GOST_PRIVATE.pem GOST_PUBLIC.pem EC_PRIVATE.pem OUT_DIR
 * Writes OUT_DIR/gost.dsse.json, which run.sh then checks with `openssl dgst -verify` over the
 * PAE, independently of this library. */
#define _POSIX_C_SOURCE 200809L
#define OPENSSL_SUPPRESS_DEPRECATED /* the ENGINE API: the gost package ships an engine */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "stellaops_signer.h"

static int failures = 0;

#define EXPECT(cond, what)                                                       \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, what);             \
      failures++;                                                                \
    }                                                                            \
  } while (0)

#define EXPECT_STATUS(call, want)                                                \
  do {                                                                           \
    stellaops_status got_ = (call);                                              \
    if (got_ != (want)) {                                                        \
      fprintf(stderr, "%s:%d: FAIL %s = %s (%s), want %s\n", __FILE__, __LINE__, \
              #call, stellaops_status_name(got_), stellaops_last_error_message(), \
              stellaops_status_name(want));                                      \
      failures++;                                                                \
    }                                                                            \
  } while (0)

#define GOST "gost3410-2012-256"
#define GOST_LEN (sizeof GOST - 1)

static const EVP_MD *streebog;
static atomic_int released_keys;
static atomic_int released_verifiers;
static atomic_int sign_calls;
static atomic_int verify_calls;

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  unsigned char *data = malloc(1 << 16);
  *len = fread(data, 1, 1 << 16, f);
  fclose(f);
  return data;
}

static EVP_PKEY *read_private(const char *path) {
  FILE *f = fopen(path, "r");
  EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
  if (f) fclose(f);
  if (!key) {
    ERR_print_errors_fp(stderr);
    exit(2);
  }
  return key;
}

/* The sign callback: the key held by OpenSSL signs the message (the PAE) with Streebog-256. */
static int32_t openssl_sign(void *context, const uint8_t *message, size_t message_len,
                            uint8_t *signature, size_t *signature_len) {
  EVP_PKEY *key = context;
  atomic_fetch_add(&sign_calls, 1);
  const EVP_MD *md = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? EVP_sha256() : streebog;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestSignInit(ctx, NULL, md, NULL, key) > 0 &&
           EVP_DigestSign(ctx, signature, signature_len, message, message_len) > 0;
  EVP_MD_CTX_free(ctx);
  return ok ? 0 : 1;
}

static void release_key(void *context) {
  EVP_PKEY_free(context);
  atomic_fetch_add(&released_keys, 1);
}

/* The verify callback: OpenSSL checks the signature under the SubjectPublicKeyInfo. */
static int32_t openssl_verify(void *context, const uint8_t *public_key, size_t public_key_len,
                              const uint8_t *message, size_t message_len,
                              const uint8_t *signature, size_t signature_len) {
  (void)context;
  atomic_fetch_add(&verify_calls, 1);
  const unsigned char *p = public_key;
  EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)public_key_len);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = key && ctx && EVP_DigestVerifyInit(ctx, NULL, streebog, NULL, key) > 0 &&
           EVP_DigestVerify(ctx, signature, signature_len, message, message_len) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok ? 1 : 0;
}

static void release_verifier(void *context) {
  (void)context;
  atomic_fetch_add(&released_verifiers, 1);
}

static int32_t failing_sign(void *context, const uint8_t *message, size_t message_len,
                            uint8_t *signature, size_t *signature_len) {
  (void)context, (void)message, (void)message_len, (void)signature, (void)signature_len;
  return 7;
}

static int32_t overflowing_sign(void *context, const uint8_t *message, size_t message_len,
                                uint8_t *signature, size_t *signature_len) {
  (void)context, (void)message, (void)message_len, (void)signature;
  *signature_len = 1 << 20; /* more than the room the library gave */
  return 0;
}

static const char statement[] =
    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app.tar.gz\","
    "\"digest\":{\"sha256\":\"5b41362bc82b7f3d56edc5a306db22105707d01ff4819e26faef9724a2d406c9\"}}],"
    "\"predicateType\":\"https://stella.ops/test/regional@v1\",\"predicate\":{\"region\":\"ru\"}}";

static stellaops_status sign_with(const stellaops_key *key, stellaops_buffer *envelope) {
  stellaops_admission admission;
  return stellaops_sign_statement(&key, 1, (const uint8_t *)statement, sizeof statement - 1,
                                  STELLAOPS_ENFORCEMENT_LOG_ONLY, envelope, &admission);
}

static void *sign_many(void *key) {
  for (int i = 0; i < 10; i++) {
    stellaops_buffer envelope = {0};
    EXPECT_STATUS(sign_with(key, &envelope), STELLAOPS_STATUS_OK);
    stellaops_buffer_free(&envelope);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s GOST_PRIVATE.pem GOST_PUBLIC.pem EC_PRIVATE.pem OUT_DIR\n", argv[0]);
    return 2;
  }
  ENGINE *engine = ENGINE_by_id("gost");
  if (!engine || !ENGINE_init(engine) || !ENGINE_set_default(engine, ENGINE_METHOD_ALL)) {
    ERR_print_errors_fp(stderr);
    fprintf(stderr, "the OpenSSL gost engine (libengine-gost-openssl) is required\n");
    return 2;
  }
  streebog = EVP_get_digestbyname("md_gost12_256");
  EXPECT(streebog != NULL, "Streebog-256 from the gost engine");
  size_t public_len;
  unsigned char *public_pem = read_file(argv[2], &public_len);

  /* The key, signing through OpenSSL. */
  stellaops_key *key = NULL;
  EXPECT_STATUS(stellaops_key_from_callbacks(GOST, GOST_LEN, public_pem, public_len, openssl_sign,
                                             read_private(argv[1]), release_key, &key),
                STELLAOPS_STATUS_OK);
  stellaops_algorithm algorithm = 0;
  EXPECT_STATUS(stellaops_key_algorithm(key, &algorithm), STELLAOPS_STATUS_OK);
  EXPECT(algorithm == STELLAOPS_ALGORITHM_EXTERNAL, "a GOST key is an external algorithm's");
  stellaops_buffer key_id = {0};
  EXPECT_STATUS(stellaops_key_id(key, &key_id), STELLAOPS_STATUS_OK);

  stellaops_buffer envelope = {0};
  EXPECT_STATUS(sign_with(key, &envelope), STELLAOPS_STATUS_OK);
  char path[4096];
  snprintf(path, sizeof path, "%s/gost.dsse.json", argv[4]);
  FILE *out = fopen(path, "wb");
  EXPECT(out && fwrite(envelope.data, 1, envelope.len, out) == envelope.len, "write the envelope");
  if (out) fclose(out);

  /* Four threads sign through the same callback at once. */
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, sign_many, key);
  for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
  EXPECT(atomic_load(&sign_calls) == 41, "one callback call per signature");

  /* Refused by default: the library reads no GOST key, and an empty registry knows none. */
  stellaops_verifying_key *plain = NULL;
  EXPECT_STATUS(stellaops_verifying_key_from_bytes(public_pem, public_len, &plain),
                STELLAOPS_STATUS_UNSUPPORTED_KEY);
  stellaops_verifier_registry *registry = NULL;
  EXPECT_STATUS(stellaops_verifier_registry_new(&registry), STELLAOPS_STATUS_OK);
  stellaops_verifying_key *gost_key = NULL;
  EXPECT_STATUS(stellaops_verifier_registry_verifying_key(registry, GOST, GOST_LEN, public_pem,
                                                          public_len, &gost_key),
                STELLAOPS_STATUS_UNKNOWN_ALGORITHM);
  EXPECT(gost_key == NULL, "nothing written on failure");

  /* Names the registry refuses leave the context with the caller. */
  EXPECT_STATUS(stellaops_verifier_registry_register(registry, "es256", 5, openssl_verify, NULL,
                                                     release_verifier),
                STELLAOPS_STATUS_INVALID_ARGUMENT);
  EXPECT_STATUS(stellaops_verifier_registry_register(registry, "GOST", 4, openssl_verify, NULL,
                                                     release_verifier),
                STELLAOPS_STATUS_INVALID_ARGUMENT);
  EXPECT_STATUS(stellaops_verifier_registry_register(registry, GOST, GOST_LEN, NULL, NULL, NULL),
                STELLAOPS_STATUS_NULL_POINTER);
  EXPECT(atomic_load(&released_verifiers) == 0, "no release for a refused registration");

  /* Registered: the envelope verifies through OpenSSL, under the signer's key id. */
  EXPECT_STATUS(stellaops_verifier_registry_register(registry, GOST, GOST_LEN, openssl_verify,
                                                     NULL, release_verifier),
                STELLAOPS_STATUS_OK);
  stellaops_buffer names = {0};
  EXPECT_STATUS(stellaops_verifier_registry_algorithms(registry, &names), STELLAOPS_STATUS_OK);
  EXPECT(names.len == strlen("[\"" GOST "\"]") &&
             memcmp(names.data, "[\"" GOST "\"]", names.len) == 0,
         "the registry lists the GOST name");
  stellaops_buffer_free(&names);
  EXPECT_STATUS(stellaops_verifier_registry_verifying_key(registry, GOST, GOST_LEN, public_pem,
                                                          public_len, &gost_key),
                STELLAOPS_STATUS_OK);
  stellaops_verifier_registry_free(registry); /* the key keeps its verifier */
  EXPECT(atomic_load(&released_verifiers) == 0, "the key still holds the verifier");

  stellaops_verification *verification = NULL;
  const stellaops_verifying_key *trusted[] = {gost_key};
  EXPECT_STATUS(stellaops_verify(envelope.data, envelope.len, trusted, 1, 1,
                                 "application/vnd.in-toto+json", 28, &verification),
                STELLAOPS_STATUS_OK);
  stellaops_verified_key verified;
  EXPECT_STATUS(stellaops_verification_key(verification, 0, &verified), STELLAOPS_STATUS_OK);
  EXPECT(verified.key_index == 0, "verified by the registry's GOST key");
  stellaops_buffer verifying_id = {0};
  EXPECT_STATUS(stellaops_verifying_key_id(gost_key, &verifying_id), STELLAOPS_STATUS_OK);
  EXPECT(key_id.len == 64 && verifying_id.len == 64 &&
             memcmp(verifying_id.data, key_id.data, 64) == 0,
         "the verifying key has the signer's key id");
  stellaops_buffer_free(&verifying_id);
  EXPECT(verified.algorithm == STELLAOPS_ALGORITHM_EXTERNAL, "verified as the external algorithm");
  stellaops_verification_free(verification);
  EXPECT(atomic_load(&verify_calls) >= 1, "OpenSSL was asked");

  /* A changed envelope does not verify (another payload type changes the PAE). */
  char *tampered = malloc(envelope.len + 1);
  memcpy(tampered, envelope.data, envelope.len);
  tampered[envelope.len] = 0;
  char *type = strstr(tampered, "in-toto+json");
  EXPECT(type != NULL, "the envelope has the in-toto payload type");
  if (type) type[11] = 'N';
  verification = NULL;
  EXPECT_STATUS(stellaops_verify((const uint8_t *)tampered, envelope.len, trusted, 1, 1, NULL, 0,
                                 &verification),
                STELLAOPS_STATUS_VERIFICATION_FAILED);
  free(tampered);
  stellaops_verifying_key_free(gost_key);
  EXPECT(atomic_load(&released_verifiers) == 1, "released with the last key");

  /* Broken callbacks fail the signing call with CALLER_SIGNER_FAILED, nothing signed. */
  stellaops_key *broken = NULL;
  stellaops_buffer none = {0};
  EXPECT_STATUS(stellaops_key_from_callbacks(GOST, GOST_LEN, public_pem, public_len, failing_sign,
                                             NULL, NULL, &broken),
                STELLAOPS_STATUS_OK);
  EXPECT_STATUS(sign_with(broken, &none), STELLAOPS_STATUS_CALLER_SIGNER_FAILED);
  EXPECT(none.data == NULL, "no envelope from a failing signer");
  stellaops_key_free(broken);
  EXPECT_STATUS(stellaops_key_from_callbacks(GOST, GOST_LEN, public_pem, public_len,
                                             overflowing_sign, NULL, NULL, &broken),
                STELLAOPS_STATUS_OK);
  EXPECT_STATUS(sign_with(broken, &none), STELLAOPS_STATUS_CALLER_SIGNER_FAILED);
  stellaops_key_free(broken);

  /* A built-in algorithm through a callback: checked against its public key. The callback signs
   * with another EC key than the one it claims, so the library refuses its signature. */
  EVP_PKEY *ec = read_private(argv[3]);
  unsigned char *ec_der = NULL;
  int ec_der_len = i2d_PUBKEY(ec, &ec_der);
  EXPECT(ec_der_len > 0, "the EC public key as DER");
  stellaops_key *es256 = NULL;
  EXPECT_STATUS(stellaops_key_from_callbacks("es256", 5, ec_der, (size_t)ec_der_len, openssl_sign,
                                             ec, release_key, &es256),
                STELLAOPS_STATUS_OK);
  stellaops_buffer ec_envelope = {0};
  EXPECT_STATUS(sign_with(es256, &ec_envelope), STELLAOPS_STATUS_OK);
  stellaops_buffer_free(&ec_envelope);
  EVP_PKEY *other = EVP_EC_gen("P-256");
  stellaops_key *liar = NULL;
  EXPECT_STATUS(stellaops_key_from_callbacks("es256", 5, ec_der, (size_t)ec_der_len, openssl_sign,
                                             other, release_key, &liar),
                STELLAOPS_STATUS_OK);
  EXPECT_STATUS(sign_with(liar, &none), STELLAOPS_STATUS_CALLER_SIGNER_FAILED);
  /* A public key of another algorithm than named. */
  stellaops_key *mismatch = NULL;
  EXPECT_STATUS(stellaops_key_from_callbacks("ed25519", 7, ec_der, (size_t)ec_der_len,
                                             openssl_sign, NULL, NULL, &mismatch),
                STELLAOPS_STATUS_ALGORITHM_MISMATCH);
  EXPECT_STATUS(stellaops_key_from_callbacks(GOST, GOST_LEN, NULL, 0, openssl_sign, NULL, NULL,
                                             &mismatch),
                STELLAOPS_STATUS_INVALID_ARGUMENT);
  EXPECT_STATUS(stellaops_key_from_callbacks(GOST, GOST_LEN, public_pem, public_len, NULL, NULL,
                                             NULL, &mismatch),
                STELLAOPS_STATUS_NULL_POINTER);
  OPENSSL_free(ec_der);

  stellaops_key_free(liar);
  stellaops_key_free(es256);
  stellaops_key_free(key);
  EXPECT(atomic_load(&released_keys) == 3, "each context released once, when its key is freed");

  stellaops_buffer_free(&key_id);
  stellaops_buffer_free(&envelope);
  free(public_pem);
  ENGINE_finish(engine);
  ENGINE_free(engine);
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("GOST through callbacks: ok\n");
  return 0;
}
