/*
 * Calls every function of include/stellaops_signer.h, success and error paths, as a C caller
 * would. Run by ffi/tests/c/run.sh plainly, under valgrind and as an AddressSanitizer build.
 *
 * Usage: test_ffi RSA_PKCS8_PEM ENCRYPTED_EC_PEM PASSPHRASE PIPELINE_DIR SIGSTORE_DIR
 *   (files made by OpenSSL in run.sh, so keys from another implementation load too;
 *   PIPELINE_DIR from scripts/pipeline_fixture.py, whose tokens pyca/cryptography minted;
 *   SIGSTORE_DIR from run.sh: settings for the local Fulcio/Rekor, a token, an artifact)
 */
#include "stellaops_signer.h"

#include "vectors.h" /* generated from tests/vectors/ by vectors_to_c.py */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                              \
  do {                                                                           \
    checks++;                                                                    \
    if (!(cond)) {                                                               \
      failures++;                                                                \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__,    \
              __LINE__, #cond, stellaops_last_error_message());                  \
    }                                                                            \
  } while (0)

/* A call that must succeed. */
#define OK(call) CHECK_STATUS(call, STELLAOPS_STATUS_OK)

/* A call that must fail with `code` and leave a message. */
#define CHECK_STATUS(call, code)                                                 \
  do {                                                                           \
    checks++;                                                                    \
    stellaops_status got_ = (call);                                              \
    if (got_ != (stellaops_status)(code)) {                                      \
      failures++;                                                                \
      fprintf(stderr, "%s:%d: %s returned %u (%s), expected %u (%s): %s\n",      \
              __FILE__, __LINE__, #call, (unsigned)got_,                         \
              stellaops_status_name(got_), (unsigned)(code),                     \
              stellaops_status_name(code), stellaops_last_error_message());      \
    } else if ((code) != STELLAOPS_STATUS_OK &&                                  \
               stellaops_last_error_message()[0] == '\0') {                      \
      failures++;                                                                \
      fprintf(stderr, "%s:%d: %s failed without a message\n", __FILE__,          \
              __LINE__, #call);                                                  \
    } else if ((code) == STELLAOPS_STATUS_OK &&                                  \
               stellaops_last_error_message()[0] != '\0') {                      \
      failures++;                                                                \
      fprintf(stderr, "%s:%d: %s succeeded but left a message\n", __FILE__,      \
              __LINE__, #call);                                                  \
    }                                                                            \
  } while (0)

#define S(lit) (lit), (sizeof(lit) - 1)
#define B(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)
#define IN_TOTO "application/vnd.in-toto+json"
#define DIGEST "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"

static int buffer_equals(const stellaops_buffer *b, const char *text) {
  size_t n = strlen(text);
  return b->len == n && (n == 0 || memcmp(b->data, text, n) == 0);
}

static int buffer_contains(const stellaops_buffer *b, const char *text) {
  size_t n = strlen(text);
  if (b->len < n) return 0;
  for (size_t i = 0; i + n <= b->len; i++)
    if (memcmp(b->data + i, text, n) == 0) return 1;
  return 0;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)size);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
    perror(path);
    exit(2);
  }
  fclose(f);
  *len = (size_t)size;
  return data;
}

static void test_versions(void) {
  CHECK(stellaops_abi_version() >= STELLAOPS_SIGNER_ABI_VERSION);
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", STELLAOPS_SIGNER_VERSION_MAJOR,
           STELLAOPS_SIGNER_VERSION_MINOR, STELLAOPS_SIGNER_VERSION_PATCH);
  CHECK(strcmp(stellaops_version(), expected) == 0);
  CHECK(strcmp(stellaops_status_name(STELLAOPS_STATUS_OK), "ok") == 0);
  CHECK(strcmp(stellaops_status_name(STELLAOPS_STATUS_VERIFICATION_FAILED),
               "verification_failed") == 0);
  CHECK(strcmp(stellaops_status_name(STELLAOPS_STATUS_PANIC), "panic") == 0);
  CHECK(strcmp(stellaops_status_name(12345), "unknown") == 0);
}

static void test_algorithms(void) {
  const stellaops_algorithm all[] = {STELLAOPS_ALGORITHM_ES256, STELLAOPS_ALGORITHM_ES384,
                                     STELLAOPS_ALGORITHM_ED25519,
                                     STELLAOPS_ALGORITHM_RSA_PSS_SHA256,
                                     STELLAOPS_ALGORITHM_RSA_PKCS1_SHA256};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    const char *name = stellaops_algorithm_name(all[i]);
    CHECK(name != NULL);
    stellaops_algorithm back = 0;
    OK(stellaops_algorithm_from_name(name, strlen(name), &back));
    CHECK(back == all[i]);
  }
  CHECK(stellaops_algorithm_name(STELLAOPS_ALGORITHM_UNSPECIFIED) == NULL);
  CHECK(stellaops_algorithm_name(77) == NULL);
  stellaops_algorithm alg = 42;
  OK(stellaops_algorithm_from_name(S("PS256"), &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_RSA_PSS_SHA256);
  alg = 42;
  CHECK_STATUS(stellaops_algorithm_from_name(S("dsa"), &alg), STELLAOPS_STATUS_UNKNOWN_ALGORITHM);
  CHECK(alg == 42); /* nothing written on failure */
  CHECK_STATUS(stellaops_algorithm_from_name(NULL, 5, &alg), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_algorithm_from_name(S("\xff\xfe"), &alg),
               STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK_STATUS(stellaops_algorithm_from_name(S("es256"), NULL), STELLAOPS_STATUS_NULL_POINTER);
  /* a NUL byte inside a length-delimited string is a byte, not an end */
  CHECK_STATUS(stellaops_algorithm_from_name("es256\0x", 7, &alg),
               STELLAOPS_STATUS_UNKNOWN_ALGORITHM);
}

static stellaops_key *generate(stellaops_algorithm alg) {
  stellaops_key *key = NULL;
  OK(stellaops_key_generate(alg, &key));
  CHECK(key != NULL);
  return key;
}

static void test_keys(const char *rsa_pem, size_t rsa_pem_len, const char *enc_pem,
                      size_t enc_pem_len, const char *passphrase) {
  stellaops_key *sentinel = (stellaops_key *)&failures; /* any non-NULL value */
  stellaops_key *key = sentinel;
  CHECK_STATUS(stellaops_key_generate(0, &key), STELLAOPS_STATUS_UNKNOWN_ALGORITHM);
  CHECK_STATUS(stellaops_key_generate(99, &key), STELLAOPS_STATUS_UNKNOWN_ALGORITHM);
  CHECK(key == sentinel);
  CHECK_STATUS(stellaops_key_generate(STELLAOPS_ALGORITHM_ES256, NULL),
               STELLAOPS_STATUS_NULL_POINTER);

  /* Every algorithm: generate (RSA from OpenSSL's PEM), inspect, export, reload. */
  const stellaops_algorithm algs[] = {STELLAOPS_ALGORITHM_ES256, STELLAOPS_ALGORITHM_ES384,
                                      STELLAOPS_ALGORITHM_ED25519};
  for (size_t i = 0; i < 3; i++) {
    stellaops_key *k = generate(algs[i]);
    stellaops_algorithm alg = 0;
    OK(stellaops_key_algorithm(k, &alg));
    CHECK(alg == algs[i]);
    stellaops_buffer id = {0};
    OK(stellaops_key_id(k, &id));
    CHECK(id.len == 64);
    stellaops_buffer pem = {0};
    OK(stellaops_key_to_pkcs8_pem(k, NULL, 0, &pem));
    CHECK(buffer_contains(&pem, "-----BEGIN PRIVATE KEY-----"));
    stellaops_key *reloaded = NULL;
    OK(stellaops_key_from_bytes(pem.data, pem.len, NULL, 0, &reloaded));
    stellaops_buffer id2 = {0};
    OK(stellaops_key_id(reloaded, &id2));
    CHECK(id2.len == id.len && memcmp(id.data, id2.data, id.len) == 0);
    /* encrypted export and reload */
    stellaops_buffer enc = {0};
    OK(stellaops_key_to_pkcs8_pem(k, (const uint8_t *)"pw", 2, &enc));
    CHECK(buffer_contains(&enc, "ENCRYPTED PRIVATE KEY"));
    stellaops_key *decrypted = NULL;
    OK(stellaops_key_from_bytes(enc.data, enc.len, (const uint8_t *)"pw", 2, &decrypted));
    stellaops_key_free(decrypted);
    stellaops_buffer_free(&enc);
    stellaops_buffer_free(&id2);
    stellaops_buffer_free(&id);
    stellaops_buffer_free(&pem);
    CHECK(pem.data == NULL && pem.len == 0);
    stellaops_buffer_free(&pem); /* freeing a freed (reset) buffer is harmless */
    stellaops_key_free(reloaded);
    stellaops_key_free(k);
  }

  stellaops_key *rsa = NULL;
  OK(stellaops_key_from_bytes((const uint8_t *)rsa_pem, rsa_pem_len, NULL, 0, &rsa));
  stellaops_algorithm alg = 0;
  OK(stellaops_key_algorithm(rsa, &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_RSA_PSS_SHA256);
  stellaops_key_free(rsa);

  stellaops_key *ec = NULL;
  OK(stellaops_key_from_bytes((const uint8_t *)enc_pem, enc_pem_len,
                              (const uint8_t *)passphrase, strlen(passphrase), &ec));
  OK(stellaops_key_algorithm(ec, &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_ES256);

  /* Loading errors, with nothing written. */
  key = sentinel;
  CHECK_STATUS(stellaops_key_from_bytes((const uint8_t *)enc_pem, enc_pem_len, NULL, 0, &key),
               STELLAOPS_STATUS_PASSPHRASE_REQUIRED);
  CHECK_STATUS(stellaops_key_from_bytes((const uint8_t *)enc_pem, enc_pem_len,
                                        (const uint8_t *)"wrong", 5, &key),
               STELLAOPS_STATUS_WRONG_PASSPHRASE);
  CHECK_STATUS(stellaops_key_from_bytes((const uint8_t *)"garbage", 7, NULL, 0, &key),
               STELLAOPS_STATUS_MALFORMED_KEY);
  CHECK_STATUS(stellaops_key_from_bytes((const uint8_t *)"", 0, NULL, 0, &key),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_key_from_bytes(NULL, 10, NULL, 0, &key), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_from_bytes((const uint8_t *)enc_pem, enc_pem_len, NULL, 3, &key),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_from_bytes(B("{\"kty\":\"EC\"}"), NULL, 0, &key),
               STELLAOPS_STATUS_MALFORMED_KEY);
  CHECK(key == sentinel);

  /* Inspection errors. */
  stellaops_buffer untouched = {(uint8_t *)sentinel, 1};
  CHECK_STATUS(stellaops_key_algorithm(NULL, &alg), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_algorithm(ec, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_id(NULL, &untouched), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_id(ec, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_to_pkcs8_pem(NULL, NULL, 0, &untouched),
               STELLAOPS_STATUS_NULL_POINTER);
  /* NULL with 0 is "no passphrase"; a pointer with 0 is an empty passphrase, refused */
  static const uint8_t nothing[1] = {0};
  CHECK_STATUS(stellaops_key_to_pkcs8_pem(ec, nothing, 0, &untouched),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_key_to_pkcs8_pem(ec, NULL, 4, &untouched),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_to_pkcs8_pem(ec, NULL, 0, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK(untouched.data == (uint8_t *)sentinel && untouched.len == 1);
  stellaops_verifying_key *vk = NULL;
  CHECK_STATUS(stellaops_key_public_key(NULL, &vk), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_public_key(ec, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK(vk == NULL);

  /* Public keys: every export format reloads to the same key id. */
  OK(stellaops_key_public_key(ec, &vk));
  stellaops_buffer key_id = {0};
  OK(stellaops_key_id(ec, &key_id));
  const stellaops_key_format formats[] = {STELLAOPS_KEY_FORMAT_SPKI_DER,
                                          STELLAOPS_KEY_FORMAT_SPKI_PEM,
                                          STELLAOPS_KEY_FORMAT_JWK};
  for (size_t i = 0; i < 3; i++) {
    stellaops_buffer exported = {0};
    OK(stellaops_verifying_key_export(vk, formats[i], &exported));
    stellaops_verifying_key *back = NULL;
    OK(stellaops_verifying_key_from_bytes(exported.data, exported.len, &back));
    stellaops_buffer id = {0};
    OK(stellaops_verifying_key_id(back, &id));
    CHECK(id.len == key_id.len && memcmp(id.data, key_id.data, id.len) == 0);
    stellaops_algorithm valg = 0;
    OK(stellaops_verifying_key_algorithm(back, &valg));
    CHECK(valg == STELLAOPS_ALGORITHM_ES256);
    stellaops_buffer_free(&id);
    stellaops_buffer_free(&exported);
    stellaops_verifying_key_free(back);
  }
  /* An RSA public key from plain SPKI is not pinned to one padding. */
  stellaops_verifying_key *rsa_public = NULL;
  OK(stellaops_verifying_key_from_bytes((const uint8_t *)rsa_pem, rsa_pem_len, &rsa_public));
  OK(stellaops_verifying_key_algorithm(rsa_public, &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_RSA_PSS_SHA256 || alg == STELLAOPS_ALGORITHM_UNSPECIFIED);
  stellaops_verifying_key_free(rsa_public);

  stellaops_verifying_key *vsentinel = (stellaops_verifying_key *)&failures;
  stellaops_verifying_key *vout = vsentinel;
  CHECK_STATUS(stellaops_verifying_key_from_bytes(B("not a key"), &vout),
               STELLAOPS_STATUS_MALFORMED_KEY);
  CHECK_STATUS(stellaops_verifying_key_from_bytes(NULL, 0, &vout),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_verifying_key_from_bytes(NULL, 4, &vout), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verifying_key_from_bytes(B("x"), NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK(vout == vsentinel);
  stellaops_buffer nope = {0};
  CHECK_STATUS(stellaops_verifying_key_export(vk, 0, &nope), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_verifying_key_export(vk, 4, &nope), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_verifying_key_export(NULL, 1, &nope), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verifying_key_export(vk, 1, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verifying_key_id(NULL, &nope), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verifying_key_id(vk, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verifying_key_algorithm(NULL, &alg), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verifying_key_algorithm(vk, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK(nope.data == NULL && nope.len == 0);

  stellaops_buffer_free(&key_id);
  stellaops_verifying_key_free(vk);
  stellaops_key_free(ec);
  /* Freeing NULL is harmless everywhere. */
  stellaops_key_free(NULL);
  stellaops_verifying_key_free(NULL);
  stellaops_verification_free(NULL);
  stellaops_buffer_free(NULL);
}

/* Keys by URI: files, a SoftHSM2 token and an OpenBao transit key (the servers come from
 * scripts/services.sh, as for the Rust backend tests; without them these checks fail). */
static void sign_and_verify_with(stellaops_key *key) {
  stellaops_buffer env = {0};
  OK(stellaops_sign((const stellaops_key *const *)&key, 1, S("text/plain"), B("by uri"), &env));
  stellaops_verifying_key *public = NULL;
  OK(stellaops_key_public_key(key, &public));
  stellaops_verification *v = NULL;
  OK(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)&public, 1, 1,
                      S("text/plain"), &v));
  stellaops_verification_free(v);
  stellaops_verifying_key_free(public);
  stellaops_buffer_free(&env);
}

static void test_key_uris(const char *rsa_path) {
  stellaops_key *sentinel = (stellaops_key *)&failures;
  stellaops_key *key = sentinel;
  CHECK_STATUS(stellaops_key_from_uri(NULL, 3, NULL, 0, &key), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_from_uri(S("file:/x"), NULL, 0, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_key_from_uri("", 0, NULL, 0, &key), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_key_from_uri("file:\xff", 6, NULL, 0, &key),
               STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK_STATUS(stellaops_key_from_uri(S("pkcs11:token=only-a-token"), NULL, 0, &key),
               STELLAOPS_STATUS_INVALID_KEY_URI);
  CHECK_STATUS(stellaops_key_from_uri(S("gcpkms://projects/p/keys/k"), NULL, 0, &key),
               STELLAOPS_STATUS_BACKEND_UNAVAILABLE);
  CHECK_STATUS(stellaops_key_from_uri(S("file:/nonexistent/key.pem"), NULL, 0, &key),
               STELLAOPS_STATUS_IO);
  CHECK(key == sentinel);

  char uri[4096];
  snprintf(uri, sizeof uri, "file:%s", rsa_path);
  stellaops_key *file_key = NULL;
  OK(stellaops_key_from_uri(uri, strlen(uri), NULL, 0, &file_key));
  stellaops_algorithm alg = 0;
  OK(stellaops_key_algorithm(file_key, &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_RSA_PSS_SHA256);
  stellaops_key_free(file_key);

  const char *pin_file = getenv("STELLAOPS_TEST_PKCS11_PIN_FILE");
  const char *vault = getenv("VAULT_ADDR");
  if (pin_file == NULL || vault == NULL) {
    fprintf(stderr, "FAIL: STELLAOPS_TEST_PKCS11_PIN_FILE / VAULT_ADDR not set: run "
                    "scripts/services.sh start DIR and source DIR/services.env\n");
    failures++;
    return;
  }
  snprintf(uri, sizeof uri, "pkcs11:token=stellaops;object=p256?pin-source=%s", pin_file);
  stellaops_key *hsm = NULL;
  OK(stellaops_key_from_uri(uri, strlen(uri), NULL, 0, &hsm));
  OK(stellaops_key_algorithm(hsm, &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_ES256);
  sign_and_verify_with(hsm);
  stellaops_buffer pem = {0};
  CHECK_STATUS(stellaops_key_to_pkcs8_pem(hsm, NULL, 0, &pem), STELLAOPS_STATUS_KEY_NOT_EXPORTABLE);
  CHECK(pem.data == NULL);
  stellaops_key_free(hsm);
  key = sentinel;
  CHECK_STATUS(stellaops_key_from_uri(S("pkcs11:token=stellaops;object=p256?pin-value=1111"),
                                      NULL, 0, &key),
               STELLAOPS_STATUS_WRONG_PIN);
  CHECK(key == sentinel);

  stellaops_key *transit = NULL;
  OK(stellaops_key_from_uri(S("hashivault://ed25519"), NULL, 0, &transit));
  OK(stellaops_key_algorithm(transit, &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_ED25519);
  sign_and_verify_with(transit);
  stellaops_key_free(transit);
}

static void test_sign_and_verify(const char *rsa_pem, size_t rsa_pem_len) {
  stellaops_key *keys[3];
  keys[0] = generate(STELLAOPS_ALGORITHM_ES256);
  keys[1] = generate(STELLAOPS_ALGORITHM_ED25519);
  OK(stellaops_key_from_bytes((const uint8_t *)rsa_pem, rsa_pem_len, NULL, 0, &keys[2]));
  stellaops_verifying_key *publics[3];
  for (int i = 0; i < 3; i++) OK(stellaops_key_public_key(keys[i], &publics[i]));
  stellaops_key *other_key = generate(STELLAOPS_ALGORITHM_ES256);
  stellaops_verifying_key *other = NULL;
  OK(stellaops_key_public_key(other_key, &other));

  /* One key. */
  stellaops_buffer env = {0};
  OK(stellaops_sign((const stellaops_key *const *)keys, 1, S("text/plain"), B("hello"), &env));
  CHECK(buffer_contains(&env, "\"payloadType\":\"text/plain\""));
  CHECK(buffer_contains(&env, "\"payload\":\"aGVsbG8=\""));
  stellaops_verification *v = NULL;
  OK(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)publics, 1, 1,
                      S("text/plain"), &v));
  const uint8_t *payload = NULL;
  size_t payload_len = 0;
  OK(stellaops_verification_payload(v, &payload, &payload_len));
  CHECK(payload_len == 5 && memcmp(payload, "hello", 5) == 0);
  const char *type = NULL;
  size_t type_len = 0;
  OK(stellaops_verification_payload_type(v, &type, &type_len));
  CHECK(type_len == 10 && memcmp(type, "text/plain", 10) == 0);
  size_t count = 0;
  OK(stellaops_verification_key_count(v, &count));
  CHECK(count == 1);
  stellaops_verified_key vk = {99, 99, 99};
  OK(stellaops_verification_key(v, 0, &vk));
  CHECK(vk.key_index == 0 && vk.signature_index == 0 &&
        vk.algorithm == STELLAOPS_ALGORITHM_ES256);
  CHECK_STATUS(stellaops_verification_key(v, 1, &vk), STELLAOPS_STATUS_INVALID_ARGUMENT);
  bool signed_by = false;
  OK(stellaops_verification_signed_by(v, 0, &signed_by));
  CHECK(signed_by);
  OK(stellaops_verification_signed_by(v, 1, &signed_by));
  CHECK(!signed_by);
  CHECK_STATUS(stellaops_verification_signed_by(v, 0, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_signed_by(NULL, 0, &signed_by),
               STELLAOPS_STATUS_NULL_POINTER);
  {
    /* Issue 20, defect 2: positions index the caller's array, duplicates included. */
    const stellaops_verifying_key *twice[3] = {other, publics[0], publics[0]};
    stellaops_verification *dup = NULL;
    OK(stellaops_verify(env.data, env.len, twice, 3, 1, S("text/plain"), &dup));
    OK(stellaops_verification_key(dup, 0, &vk));
    CHECK(vk.key_index == 1);
    OK(stellaops_verification_signed_by(dup, 0, &signed_by));
    CHECK(!signed_by);
    OK(stellaops_verification_signed_by(dup, 1, &signed_by));
    CHECK(signed_by);
    OK(stellaops_verification_signed_by(dup, 2, &signed_by));
    CHECK(signed_by);
    stellaops_verification_free(dup);
  }
  CHECK_STATUS(stellaops_verification_key(v, 0, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_key(NULL, 0, &vk), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_key_count(NULL, &count), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_key_count(v, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_payload(NULL, &payload, &payload_len),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_payload(v, NULL, &payload_len),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_payload(v, &payload, NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_payload_type(NULL, &type, &type_len),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_payload_type(v, NULL, &type_len),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verification_payload_type(v, &type, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  stellaops_verification_free(v);

  /* Verification failures, with nothing written. */
  stellaops_verification *vsentinel = (stellaops_verification *)&failures;
  v = vsentinel;
  const stellaops_verifying_key *wrong[1] = {other};
  CHECK_STATUS(stellaops_verify(env.data, env.len, wrong, 1, 1, NULL, 0, &v),
               STELLAOPS_STATUS_VERIFICATION_FAILED);
  CHECK_STATUS(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)publics,
                                1, 1, S("application/json"), &v),
               STELLAOPS_STATUS_PAYLOAD_TYPE_MISMATCH);
  CHECK_STATUS(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)publics,
                                1, 0, NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_POLICY);
  CHECK_STATUS(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)publics,
                                1, 2, NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_POLICY);
  CHECK_STATUS(stellaops_verify(env.data, env.len, NULL, 0, 1, NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_POLICY);
  CHECK_STATUS(stellaops_verify(env.data, env.len, NULL, 2, 1, NULL, 0, &v),
               STELLAOPS_STATUS_NULL_POINTER);
  const stellaops_verifying_key *with_null[2] = {publics[0], NULL};
  CHECK_STATUS(stellaops_verify(env.data, env.len, with_null, 2, 1, NULL, 0, &v),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)publics,
                                1, 1, S("\xc3\x28"), &v),
               STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK_STATUS(stellaops_verify(NULL, 0, (const stellaops_verifying_key *const *)publics, 1, 1,
                                NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)publics,
                                1, 1, NULL, 0, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  /* Tampered payload: "hello" -> "jello" */
  {
    char *tampered = malloc(env.len);
    memcpy(tampered, env.data, env.len);
    char *p = strstr(tampered, "aGVsbG8=");
    CHECK(p != NULL);
    if (p) memcpy(p, "amVsbG8=", 8);
    CHECK_STATUS(stellaops_verify((const uint8_t *)tampered, env.len,
                                  (const stellaops_verifying_key *const *)publics, 1, 1, NULL, 0,
                                  &v),
                 STELLAOPS_STATUS_VERIFICATION_FAILED);
    free(tampered);
  }
  const stellaops_verifying_key *const *trusted = (const stellaops_verifying_key *const *)publics;
  CHECK_STATUS(stellaops_verify(B("{"), trusted, 1, 1, NULL, 0, &v),
               STELLAOPS_STATUS_MALFORMED_JSON);
  CHECK_STATUS(stellaops_verify(B("{\"payload\":\"\",\"payload\":\"\",\"payloadType\":\"x\","
                                  "\"signatures\":[]}"),
                                trusted, 1, 1, NULL, 0, &v),
               STELLAOPS_STATUS_DUPLICATE_KEY);
  CHECK_STATUS(stellaops_verify(B("{\"payload\":\"!!\",\"payloadType\":\"x\",\"signatures\":"
                                  "[{\"sig\":\"AA==\"}]}"),
                                trusted, 1, 1, NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_BASE64);
  CHECK_STATUS(stellaops_verify(B("{\"payloadType\":\"x\",\"signatures\":[]}"), trusted, 1, 1,
                                NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_ENVELOPE);
  CHECK_STATUS(stellaops_verify(B("{\"payload\":\"\",\"payloadType\":\"\\udc00\","
                                  "\"signatures\":[]}"),
                                trusted, 1, 1, NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_UNICODE);
  CHECK_STATUS(stellaops_verify(B("{\"payload\":\"\",\"payloadType\":\"\xff\","
                                  "\"signatures\":[]}"),
                                trusted, 1, 1, NULL, 0, &v),
               STELLAOPS_STATUS_INVALID_UNICODE);
  {
    /* nesting far deeper than the limit */
    size_t depth = 100000;
    char *deep = malloc(depth);
    memset(deep, '[', depth);
    CHECK_STATUS(stellaops_verify((const uint8_t *)deep, depth, trusted, 1, 1, NULL, 0, &v),
                 STELLAOPS_STATUS_TOO_DEEP);
    free(deep);
  }
  {
    /* 17 signatures: over the limit of 16 */
    char many[2048] = "{\"payload\":\"\",\"payloadType\":\"x\",\"signatures\":[";
    for (int i = 0; i < 17; i++) strcat(many, i ? ",{\"sig\":\"AA==\"}" : "{\"sig\":\"AA==\"}");
    strcat(many, "]}");
    CHECK_STATUS(stellaops_verify((const uint8_t *)many, strlen(many), trusted, 1, 1, NULL, 0, &v),
                 STELLAOPS_STATUS_TOO_MANY_SIGNATURES);
  }
  {
    /* larger than the 96 MiB envelope limit: refused before parsing */
    size_t big = (size_t)97 << 20;
    uint8_t *huge = malloc(big);
    memset(huge, ' ', big);
    CHECK_STATUS(stellaops_verify(huge, big, trusted, 1, 1, NULL, 0, &v),
                 STELLAOPS_STATUS_TOO_LARGE);
    free(huge);
  }
  CHECK(v == vsentinel);
  stellaops_buffer_free(&env);

  /* Three keys, two-of-three, and the result names which keys verified. */
  OK(stellaops_sign((const stellaops_key *const *)keys, 3, S("application/json"), B("{}"), &env));
  const stellaops_verifying_key *policy[3] = {other, publics[2], publics[1]};
  OK(stellaops_verify(env.data, env.len, policy, 3, 2, S("application/json"), &v));
  OK(stellaops_verification_key_count(v, &count));
  CHECK(count == 2);
  int saw_rsa = 0, saw_ed = 0;
  for (size_t i = 0; i < count; i++) {
    OK(stellaops_verification_key(v, i, &vk));
    if (vk.key_index == 1 && vk.signature_index == 2 &&
        vk.algorithm == STELLAOPS_ALGORITHM_RSA_PSS_SHA256)
      saw_rsa = 1;
    if (vk.key_index == 2 && vk.signature_index == 1 &&
        vk.algorithm == STELLAOPS_ALGORITHM_ED25519)
      saw_ed = 1;
    CHECK(vk.key_index != 0);
  }
  CHECK(saw_rsa && saw_ed);
  stellaops_verification_free(v);
  v = vsentinel;
  CHECK_STATUS(stellaops_verify(env.data, env.len, policy, 3, 3, NULL, 0, &v),
               STELLAOPS_STATUS_VERIFICATION_FAILED);
  CHECK(v == vsentinel);
  stellaops_buffer_free(&env);

  /* Signing errors, with nothing written. */
  stellaops_buffer untouched = {(uint8_t *)&failures, 7};
  CHECK_STATUS(stellaops_sign(NULL, 0, S("x"), B("y"), &untouched),
               STELLAOPS_STATUS_NO_SIGNING_KEYS);
  CHECK_STATUS(stellaops_sign(NULL, 1, S("x"), B("y"), &untouched),
               STELLAOPS_STATUS_NULL_POINTER);
  const stellaops_key *null_key[1] = {NULL};
  CHECK_STATUS(stellaops_sign(null_key, 1, S("x"), B("y"), &untouched),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_sign((const stellaops_key *const *)keys, 1, S("\xe2\x82"), B("y"),
                              &untouched),
               STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK_STATUS(stellaops_sign((const stellaops_key *const *)keys, 1, NULL, 3, B("y"), &untouched),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_sign((const stellaops_key *const *)keys, 1, S("x"), NULL, 3, &untouched),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_sign((const stellaops_key *const *)keys, 1, S("x"), B("y"), NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(untouched.data == (uint8_t *)&failures && untouched.len == 7);
  /* An empty payload is a payload. */
  OK(stellaops_sign((const stellaops_key *const *)keys, 1, S("x"), NULL, 0, &env));
  OK(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)publics, 1, 1,
                      NULL, 0, &v));
  OK(stellaops_verification_payload(v, &payload, &payload_len));
  CHECK(payload == NULL && payload_len == 0);
  stellaops_verification_free(v);
  stellaops_buffer_free(&env);

  for (int i = 0; i < 3; i++) {
    stellaops_verifying_key_free(publics[i]);
    stellaops_key_free(keys[i]);
  }
  stellaops_verifying_key_free(other);
  stellaops_key_free(other_key);
}

static void test_pae_and_canon(void) {
  stellaops_buffer out = {0};
  OK(stellaops_pae(S("http://example.com/HelloWorld"), B("hello world"), &out));
  CHECK(buffer_equals(&out, "DSSEv1 29 http://example.com/HelloWorld 11 hello world"));
  stellaops_buffer_free(&out);
  OK(stellaops_pae(NULL, 0, NULL, 0, &out));
  CHECK(buffer_equals(&out, "DSSEv1 0  0 "));
  stellaops_buffer_free(&out);
  CHECK_STATUS(stellaops_pae(S("\x80"), B("x"), &out), STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK_STATUS(stellaops_pae(NULL, 1, B("x"), &out), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_pae(S("t"), NULL, 1, &out), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_pae(S("t"), B("x"), NULL), STELLAOPS_STATUS_NULL_POINTER);

  OK(stellaops_canonicalize(B("{\"b\": 1.50, \"a\": [1e2, \"\\u00e9\"]}"), STELLAOPS_CANON_JCS,
                            &out));
  CHECK(buffer_equals(&out, "{\"a\":[100,\"\xc3\xa9\"],\"b\":1.5}"));
  stellaops_buffer_free(&out);
  OK(stellaops_canonicalize(B("{\"b\": 1, \"a\": \"x\\ty\"}"), STELLAOPS_CANON_OLPC, &out));
  CHECK(buffer_equals(&out, "{\"a\":\"x\ty\",\"b\":1}"));
  stellaops_buffer_free(&out);
  CHECK_STATUS(stellaops_canonicalize(B("{\"cvss\": 9.8}"), STELLAOPS_CANON_OLPC, &out),
               STELLAOPS_STATUS_FLOAT_IN_OLPC);
  CHECK_STATUS(stellaops_canonicalize(B("{}"), 0, &out), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_canonicalize(B("{}"), 3, &out), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_canonicalize(B("{\"a\":1,\"a\":2}"), STELLAOPS_CANON_JCS, &out),
               STELLAOPS_STATUS_DUPLICATE_KEY);
  CHECK_STATUS(stellaops_canonicalize(B("[1e400]"), STELLAOPS_CANON_JCS, &out),
               STELLAOPS_STATUS_NUMBER_OUT_OF_RANGE);
  CHECK_STATUS(stellaops_canonicalize(B("[\"\\ud800\"]"), STELLAOPS_CANON_JCS, &out),
               STELLAOPS_STATUS_INVALID_UNICODE);
  CHECK_STATUS(stellaops_canonicalize(B("[\"\xed\xa0\x80\"]"), STELLAOPS_CANON_JCS, &out),
               STELLAOPS_STATUS_INVALID_UNICODE);
  CHECK_STATUS(stellaops_canonicalize(NULL, 0, STELLAOPS_CANON_JCS, &out),
               STELLAOPS_STATUS_MALFORMED_JSON);
  CHECK_STATUS(stellaops_canonicalize(NULL, 2, STELLAOPS_CANON_JCS, &out),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_canonicalize(B("{}"), STELLAOPS_CANON_JCS, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(out.data == NULL && out.len == 0);
}

static void test_attest_and_catalog(void) {
  stellaops_key *key = generate(STELLAOPS_ALGORITHM_ED25519);
  stellaops_verifying_key *pub = NULL;
  OK(stellaops_key_public_key(key, &pub));
  const stellaops_key *keys[1] = {key};
  stellaops_digest digests[2] = {{S("sha256"), S(DIGEST)}, {S("sha256"), S(DIGEST)}};
  stellaops_subject subjects[1] = {{S("pkg:oci/app"), digests, 1}};
  stellaops_buffer env = {0};
  stellaops_admission admission = 0;

  /* A stella.ops predicate that breaks its schema: refused before signing, the field named. */
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{\"bomFormat\":\"CycloneDX\"}"), subjects,
                                1, STELLAOPS_ENFORCEMENT_REJECT, &env, &admission),
               STELLAOPS_STATUS_INVALID_PREDICATE);
  CHECK(strstr(stellaops_last_error_message(), "field /format") != NULL);
  CHECK(env.data == NULL);
  OK(stellaops_attest(keys, 1, S("sbom"),
                      B("{\"format\":\"CycloneDX\",\"specVersion\":\"1.6\",\"document\":"
                        "{\"digest\":{\"sha256\":\"" DIGEST "\"}}}"),
                      subjects, 1, STELLAOPS_ENFORCEMENT_REJECT, &env, &admission));
  CHECK(admission == STELLAOPS_ADMISSION_ALLOWED);
  const stellaops_verifying_key *trusted[1] = {pub};
  stellaops_verification *v = NULL;
  OK(stellaops_verify(env.data, env.len, trusted, 1, 1, S(IN_TOTO), &v));
  const uint8_t *payload = NULL;
  size_t len = 0;
  OK(stellaops_verification_payload(v, &payload, &len));
  stellaops_buffer statement = {(uint8_t *)payload, len}; /* borrowed: not freed */
  CHECK(buffer_contains(&statement, "\"predicateType\":\"stella.ops/sbom@v1\""));
  CHECK(buffer_contains(&statement, DIGEST));
  CHECK(buffer_contains(&statement, "\"_type\":\"https://in-toto.io/Statement/v1\""));
  stellaops_verification_free(v);
  stellaops_buffer_free(&env);

  /* Unlisted types: admitted under WARN (and NULL admission is fine), refused under REJECT. */
  OK(stellaops_attest(keys, 1, S("https://example.com/custom@v1"), B("{}"), subjects, 1,
                      STELLAOPS_ENFORCEMENT_WARN, &env, &admission));
  CHECK(admission == STELLAOPS_ADMISSION_UNLISTED);
  stellaops_buffer_free(&env);
  OK(stellaops_attest(keys, 1, S("https://example.com/custom@v1"), B("{}"), subjects, 1,
                      STELLAOPS_ENFORCEMENT_LOG_ONLY, &env, NULL));
  stellaops_buffer_free(&env);

  stellaops_buffer untouched = {(uint8_t *)&failures, 3};
  admission = 77;
  CHECK_STATUS(stellaops_attest(keys, 1, S("https://example.com/custom@v1"), B("{}"), subjects, 1,
                                STELLAOPS_ENFORCEMENT_REJECT, &untouched, &admission),
               STELLAOPS_STATUS_PREDICATE_NOT_ALLOWED);
  CHECK_STATUS(stellaops_attest(keys, 1, S("no-such-name"), B("{}"), subjects, 1,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_UNKNOWN_PREDICATE_TYPE);
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), subjects, 1, 0, &untouched,
                                &admission),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), subjects, 0,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_INVALID_STATEMENT);
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), NULL, 1, STELLAOPS_ENFORCEMENT_WARN,
                                &untouched, &admission),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{\"a\":1,\"a\":1}"), subjects, 1,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_DUPLICATE_KEY);
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), NULL, 0, subjects, 1,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_attest(NULL, 0, S("sbom"), B("{}"), subjects, 1,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_NO_SIGNING_KEYS);
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), subjects, 1,
                                STELLAOPS_ENFORCEMENT_WARN, NULL, &admission),
               STELLAOPS_STATUS_NULL_POINTER);
  stellaops_subject two_same[1] = {{S("a"), digests, 2}};
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), two_same, 1,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  stellaops_subject no_digest[1] = {{S("a"), NULL, 0}};
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), no_digest, 1,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_INVALID_STATEMENT);
  stellaops_digest bad_hex[1] = {{S("sha256"), S("ABCDEF")}};
  stellaops_subject bad[1] = {{S("a"), bad_hex, 1}};
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), bad, 1, STELLAOPS_ENFORCEMENT_WARN,
                                &untouched, &admission),
               STELLAOPS_STATUS_INVALID_DIGEST);
  stellaops_subject bad_name[1] = {{S("\xff"), digests, 1}};
  CHECK_STATUS(stellaops_attest(keys, 1, S("sbom"), B("{}"), bad_name, 1,
                                STELLAOPS_ENFORCEMENT_WARN, &untouched, &admission),
               STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK(untouched.data == (uint8_t *)&failures && untouched.len == 3 && admission == 77);

  /* Catalog. */
  stellaops_buffer uri = {0};
  OK(stellaops_predicate_type_resolve(S("vex"), &uri));
  CHECK(buffer_equals(&uri, "stella.ops/vex@v1"));
  stellaops_family family = 99;
  uint32_t flags = 99;
  OK(stellaops_predicate_type_classify((const char *)uri.data, uri.len, &family, &flags));
  CHECK(family == STELLAOPS_FAMILY_VEX);
  CHECK(flags == (STELLAOPS_PREDICATE_VEX_RELATED | STELLAOPS_PREDICATE_ALLOWED));
  stellaops_buffer_free(&uri);
  OK(stellaops_predicate_type_resolve(S("cyclonedx"), &uri));
  OK(stellaops_predicate_type_classify((const char *)uri.data, uri.len, &family, &flags));
  CHECK(family == STELLAOPS_FAMILY_SBOM);
  CHECK(flags == (STELLAOPS_PREDICATE_SBOM | STELLAOPS_PREDICATE_ALLOWED));
  stellaops_buffer_free(&uri);
  OK(stellaops_predicate_type_classify(S("stella.ops/graph@v1"), &family, &flags));
  CHECK(family == STELLAOPS_FAMILY_REACHABILITY);
  CHECK(flags == (STELLAOPS_PREDICATE_REACHABILITY_RELATED | STELLAOPS_PREDICATE_ALLOWED));
  OK(stellaops_predicate_type_classify(S("https://example.com/x"), &family, &flags));
  CHECK(family == STELLAOPS_FAMILY_NONE && flags == 0);
  OK(stellaops_predicate_type_resolve(S("https://example.com/x"), &uri));
  CHECK(buffer_equals(&uri, "https://example.com/x"));
  stellaops_buffer_free(&uri);
  CHECK_STATUS(stellaops_predicate_type_resolve(S("nope"), &uri),
               STELLAOPS_STATUS_UNKNOWN_PREDICATE_TYPE);
  CHECK_STATUS(stellaops_predicate_type_resolve(S("\xff"), &uri),
               STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK_STATUS(stellaops_predicate_type_resolve(S("vex"), NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_predicate_type_classify(NULL, 3, &family, &flags),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_predicate_type_classify(S("x"), NULL, &flags),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_predicate_type_classify(S("x"), &family, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(uri.data == NULL);

  stellaops_verifying_key_free(pub);
  stellaops_key_free(key);
}

/* Threads share one key and one verifying key; each has its own last error. */
struct shared {
  const stellaops_key *key;
  const stellaops_verifying_key *pub;
  int bad;
};

static void *worker(void *arg) {
  struct shared *s = arg;
  for (int i = 0; i < 50; i++) {
    char payload[32];
    int n = snprintf(payload, sizeof payload, "message %d", i);
    stellaops_buffer env = {0};
    const stellaops_key *keys[1] = {s->key};
    if (stellaops_sign(keys, 1, S("text/plain"), (const uint8_t *)payload, (size_t)n, &env) !=
        STELLAOPS_STATUS_OK) {
      __atomic_add_fetch(&s->bad, 1, __ATOMIC_SEQ_CST);
      continue;
    }
    const stellaops_verifying_key *pubs[1] = {s->pub};
    stellaops_verification *v = NULL;
    const uint8_t *got = NULL;
    size_t got_len = 0;
    if (stellaops_verify(env.data, env.len, pubs, 1, 1, NULL, 0, &v) != STELLAOPS_STATUS_OK ||
        stellaops_verification_payload(v, &got, &got_len) != STELLAOPS_STATUS_OK ||
        got_len != (size_t)n || memcmp(got, payload, (size_t)n) != 0)
      __atomic_add_fetch(&s->bad, 1, __ATOMIC_SEQ_CST);
    stellaops_verification_free(v);
    /* a failure on this thread leaves its own message */
    stellaops_buffer junk = {0};
    if (stellaops_canonicalize(B("{"), STELLAOPS_CANON_JCS, &junk) !=
            STELLAOPS_STATUS_MALFORMED_JSON ||
        strstr(stellaops_last_error_message(), "json") == NULL)
      __atomic_add_fetch(&s->bad, 1, __ATOMIC_SEQ_CST);
    stellaops_buffer_free(&env);
  }
  return NULL;
}

static void test_threads(void) {
  struct shared s = {0};
  stellaops_key *key = generate(STELLAOPS_ALGORITHM_ES256);
  stellaops_verifying_key *pub = NULL;
  OK(stellaops_key_public_key(key, &pub));
  s.key = key;
  s.pub = pub;
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&threads[i], NULL, worker, &s) == 0);
  for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
  CHECK(s.bad == 0);
  stellaops_verifying_key_free(pub);
  stellaops_key_free(key);
}

/* The shared vectors, as every other face runs them. */
static const stellaops_verifying_key *vector_key(stellaops_verifying_key **keys, const char *name) {
  for (size_t i = 0; i < sizeof KEY_VECTORS / sizeof KEY_VECTORS[0]; i++)
    if (strcmp(KEY_VECTORS[i].name, name) == 0) return keys[i];
  return NULL;
}

static void test_vectors(void) {
  enum { NKEYS = sizeof KEY_VECTORS / sizeof KEY_VECTORS[0] };
  stellaops_verifying_key *publics[NKEYS];
  for (size_t i = 0; i < NKEYS; i++) {
    const struct key_vector *k = &KEY_VECTORS[i];
    stellaops_key *private_key = NULL;
    OK(stellaops_key_from_bytes((const uint8_t *)k->private_pem, k->private_len, NULL, 0,
                                &private_key));
    stellaops_buffer id = {0};
    OK(stellaops_key_id(private_key, &id));
    CHECK(buffer_equals(&id, k->key_id));
    stellaops_buffer_free(&id);
    stellaops_key_free(private_key);
    OK(stellaops_verifying_key_from_bytes((const uint8_t *)k->public_pem, k->public_len,
                                          &publics[i]));
    OK(stellaops_verifying_key_id(publics[i], &id));
    CHECK(buffer_equals(&id, k->key_id));
    stellaops_buffer_free(&id);
  }
  for (size_t i = 0; i < sizeof PAE_VECTORS / sizeof PAE_VECTORS[0]; i++) {
    const struct pae_vector *v = &PAE_VECTORS[i];
    stellaops_buffer out = {0};
    OK(stellaops_pae(v->type, v->type_len, v->payload, v->payload_len, &out));
    CHECK(out.len == v->pae_len && memcmp(out.data, v->pae, v->pae_len) == 0);
    stellaops_buffer_free(&out);
  }
  for (size_t i = 0; i < sizeof CANON_VECTORS / sizeof CANON_VECTORS[0]; i++) {
    const struct canon_vector *v = &CANON_VECTORS[i];
    const stellaops_canon_mode modes[2] = {STELLAOPS_CANON_JCS, STELLAOPS_CANON_OLPC};
    const char *want[2] = {v->jcs, v->olpc};
    const size_t want_len[2] = {v->jcs_len, v->olpc_len};
    const stellaops_status errors[2] = {v->jcs_error, v->olpc_error};
    for (int m = 0; m < 2; m++) {
      stellaops_buffer out = {0};
      stellaops_status got = stellaops_canonicalize(v->input, v->input_len, modes[m], &out);
      if (want[m] != NULL) {
        CHECK(got == STELLAOPS_STATUS_OK && out.len == want_len[m] &&
              memcmp(out.data, want[m], want_len[m]) == 0);
      } else {
        CHECK(got == errors[m]);
      }
      if (got != STELLAOPS_STATUS_OK && got != errors[m])
        fprintf(stderr, "canonical vector %s mode %d: %s\n", v->name, m, stellaops_status_name(got));
      stellaops_buffer_free(&out);
    }
  }
  for (size_t i = 0; i < sizeof ENVELOPE_VECTORS / sizeof ENVELOPE_VECTORS[0]; i++) {
    const struct envelope_vector *v = &ENVELOPE_VECTORS[i];
    const stellaops_verifying_key *trusted[5] = {NULL, NULL, NULL, NULL, NULL};
    for (size_t t = 0; t < v->trusted_len; t++) trusted[t] = vector_key(publics, v->trusted[t]);
    stellaops_verification *verification = NULL;
    size_t type_len = v->payload_type ? strlen(v->payload_type) : 0;
    stellaops_status got = stellaops_verify(v->envelope, v->envelope_len, trusted, v->trusted_len,
                                            v->threshold, v->payload_type, type_len, &verification);
    CHECK(got == v->expect);
    if (got != v->expect)
      fprintf(stderr, "envelope vector \"%s\": got %s, want %s\n", v->name,
              stellaops_status_name(got), stellaops_status_name(v->expect));
    stellaops_verification_free(verification);
  }
  for (size_t i = 0; i < NKEYS; i++) stellaops_verifying_key_free(publics[i]);
}

static char *path_in(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p == NULL) abort();
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* The log callback: keeps the decision records (one JSON object each) in a fixed buffer. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_lines[8192];
static size_t log_used;
static int log_released;

static void on_log(void *context, stellaops_log_level level, const uint8_t *json, size_t len) {
  char line[4096];
  if (strcmp((const char *)context, "decision records") != 0 || level != STELLAOPS_LOG_INFO ||
      len >= sizeof line)
    return;
  memcpy(line, json, len);
  line[len] = 0;
  if (strstr(line, "\"target\":\"stellaops_signer::decision\"") == NULL) return;
  pthread_mutex_lock(&log_lock);
  if (log_used + len + 2 < sizeof log_lines) {
    memcpy(log_lines + log_used, line, len);
    log_used += len;
    log_lines[log_used++] = '\n';
    log_lines[log_used] = 0;
  }
  pthread_mutex_unlock(&log_lock);
}

static void on_log_release(void *context) {
  (void)context;
  log_released++;
}

static void test_pipeline(const char *dir) {
  stellaops_pipeline *pipeline = NULL;
  stellaops_buffer out = {0};
  char *config = path_in(dir, "pipeline.toml");
  char *ok_path = path_in(dir, "request-ok.json");
  char *denied_path = path_in(dir, "request-denied.json");
  size_t ok_len = 0, denied_len = 0;
  char *ok = read_file(ok_path, &ok_len);
  char *denied = read_file(denied_path, &denied_len);

  CHECK_STATUS(stellaops_pipeline_open(NULL, 3, &pipeline), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_pipeline_open(config, strlen(config), NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_pipeline_open("", 0, &pipeline), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_pipeline_open("\xff", 1, &pipeline), STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  CHECK_STATUS(stellaops_pipeline_open(S("/nonexistent/pipeline.toml"), &pipeline), STELLAOPS_STATUS_IO);
  CHECK(pipeline == NULL);

  OK(stellaops_pipeline_open(config, strlen(config), &pipeline));
  /* Decision records from here on (the context is a string the callback checks). */
  CHECK_STATUS(stellaops_set_log_callback(9, on_log, NULL, NULL), STELLAOPS_STATUS_INVALID_ARGUMENT);
  OK(stellaops_set_log_callback(STELLAOPS_LOG_INFO, on_log, (void *)"decision records", on_log_release));
  CHECK_STATUS(stellaops_pipeline_sign_json(NULL, (const uint8_t *)ok, ok_len, &out),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_pipeline_sign_json(pipeline, (const uint8_t *)ok, ok_len, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_pipeline_sign_json(pipeline, B("{\"tenant\":1,\"tenant\":2}"), &out),
               STELLAOPS_STATUS_DUPLICATE_KEY);
  CHECK_STATUS(stellaops_pipeline_sign_json(pipeline, B("{\"tenant\":\"acme\"}"), &out),
               STELLAOPS_STATUS_INVALID_ARGUMENT);

  OK(stellaops_pipeline_sign_json(pipeline, (const uint8_t *)ok, ok_len, &out));
  CHECK(buffer_contains(&out, "\"poe_state\":\"fresh\""));
  CHECK(buffer_contains(&out, "\"binding\":\"dpop\""));
  CHECK(buffer_contains(&out, "\"caller\":\"svc:go-attestor\""));
  CHECK(buffer_contains(&out, "\"payloadType\":\"application/vnd.in-toto+json\""));
  stellaops_buffer_free(&out);

  /* The same DPoP proof again: a replay. */
  CHECK_STATUS(stellaops_pipeline_sign_json(pipeline, (const uint8_t *)ok, ok_len, &out),
               STELLAOPS_STATUS_DENIED);
  CHECK(strstr(stellaops_last_error_message(), "denied (dpop.replay)") != NULL);
  CHECK_STATUS(stellaops_pipeline_sign_json(pipeline, (const uint8_t *)denied, denied_len, &out),
               STELLAOPS_STATUS_DENIED);
  CHECK(strstr(stellaops_last_error_message(), "denied (poe.missing)") != NULL);
  CHECK(out.data == NULL && out.len == 0);

  /* One decision record per request: allowed, replayed, not entitled; then the callback is
   * released when logging stops. */
  OK(stellaops_set_log_callback(STELLAOPS_LOG_OFF, NULL, NULL, NULL));
  CHECK(log_released == 1);
  CHECK(strstr(log_lines, "\"decision\":\"allowed\"") != NULL);
  CHECK(strstr(log_lines, "\"reason\":\"dpop.replay\"") != NULL);
  CHECK(strstr(log_lines, "\"reason\":\"poe.missing\"") != NULL);
  CHECK(strstr(log_lines, "\"message\":\"signing decision\"") != NULL);
  CHECK(strstr(log_lines, "\"tenant\":\"") != NULL && strstr(log_lines, "\"trace_id\":\"") != NULL);
  CHECK(strstr(log_lines, "\"issuer_mode\":\"software\"") != NULL);
  CHECK(strstr(log_lines, "\"latency_ms\":") != NULL && strstr(log_lines, "\"key_ids\":\"") != NULL);
  {
    size_t lines = 0;
    for (const char *c = log_lines; *c; c++) lines += *c == '\n';
    CHECK(lines == 3);
  }

  /* What the pipeline counted: the denials above by reason, the signing time. */
  stellaops_buffer metrics = {0};
  OK(stellaops_metrics_snapshot(&metrics));
  CHECK(buffer_contains(&metrics, "# TYPE stellaops_signer_sign_seconds summary"));
  CHECK(buffer_contains(&metrics, "stellaops_signer_sign_seconds_count 1"));
  CHECK(buffer_contains(&metrics, "stellaops_signer_denials_total{reason=\"dpop.replay\"} 1"));
  CHECK(buffer_contains(&metrics, "stellaops_signer_poe_failures_total{reason=\"poe.missing\"} 1"));
  stellaops_buffer_free(&metrics);
  CHECK_STATUS(stellaops_metrics_snapshot(NULL), STELLAOPS_STATUS_NULL_POINTER);

  /* The scanner-release verdict on its own: allow-listed, overridden, untrusted (a verdict). */
  OK(stellaops_pipeline_check_release(pipeline, S("sha256:1111111111111111111111111111111111111111111111111111111111111111"), &out));
  CHECK(buffer_contains(&out, "\"trusted\":true") && buffer_contains(&out, "\"trust\":\"allowlist\""));
  stellaops_buffer_free(&out);
  OK(stellaops_pipeline_check_release(pipeline, S("sha256:2222222222222222222222222222222222222222222222222222222222222222"), &out));
  CHECK(buffer_contains(&out, "\"trust\":\"override\"") && buffer_contains(&out, "\"approved_by\":\"alice@example.com\""));
  stellaops_buffer_free(&out);
  OK(stellaops_pipeline_check_release(pipeline, S("sha256:3333333333333333333333333333333333333333333333333333333333333333"), &out));
  CHECK(buffer_contains(&out, "\"trusted\":false") && buffer_contains(&out, "\"reason\":\"release.untrusted\""));
  stellaops_buffer_free(&out);
  CHECK_STATUS(stellaops_pipeline_check_release(pipeline, S("sha256:1"), NULL), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_pipeline_check_release(NULL, S("sha256:1"), &out), STELLAOPS_STATUS_NULL_POINTER);

  stellaops_pipeline_free(pipeline);
  stellaops_pipeline_free(NULL);
  free(ok);
  free(denied);
  free(config);
  free(ok_path);
  free(denied_path);
}

/* Issue 22: statements built from documents, signed with local keys and through the pipeline,
 * and promotions verified against what a deployment requires. */
static void test_documents(const char *dir) {
  stellaops_key *key = generate(STELLAOPS_ALGORITHM_ES256);
  stellaops_verifying_key *pub = NULL;
  OK(stellaops_key_public_key(key, &pub));
  const stellaops_key *keys[1] = {key};
  const stellaops_verifying_key *trusted[1] = {pub};
  char *promotion_path = path_in(dir, "promotion.json");
  size_t promotion_len = 0;
  char *promotion = read_file(promotion_path, &promotion_len);
  stellaops_buffer statement = {0}, env = {0};
  stellaops_admission admission = 0;

  OK(stellaops_promotion_statement((const uint8_t *)promotion, promotion_len, &statement));
  CHECK(buffer_contains(&statement, "\"predicateType\":\"stella.ops/promotion@v1\""));
  CHECK(buffer_contains(&statement, "\"name\":\"registry.example/stellaops/scanner-web\""));
  OK(stellaops_sign_statement(keys, 1, statement.data, statement.len,
                              STELLAOPS_ENFORCEMENT_REJECT, &env, &admission));
  CHECK(admission == STELLAOPS_ADMISSION_ALLOWED);

  /* Verified with requirements that hold, then with each one broken. */
  stellaops_digest want[1] = {{S("sha256"),
                               S("4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99")}};
  stellaops_promotion_requirements req = {want, 1, S("production"),
                                          S("sha256:9a8b7c6d5e4f30211e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1")};
  stellaops_verification *v = NULL;
  OK(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, &req, &v));
  const uint8_t *payload = NULL;
  size_t len = 0;
  OK(stellaops_verification_payload(v, &payload, &len));
  CHECK(len == statement.len && memcmp(payload, statement.data, len) == 0);
  size_t count = 0;
  OK(stellaops_verification_key_count(v, &count));
  CHECK(count == 1);
  stellaops_verification_free(v);
  v = NULL;
  OK(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, NULL, &v));
  stellaops_verification_free(v);
  v = NULL;
  stellaops_promotion_requirements staging = {NULL, 0, S("staging"), NULL, 0};
  CHECK_STATUS(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, &staging, &v),
               STELLAOPS_STATUS_PREDICATE_MISMATCH);
  CHECK(v == NULL);
  stellaops_digest other[1] = {{S("sha256"), S(DIGEST)}};
  stellaops_promotion_requirements wrong_digest = {other, 1, NULL, 0, NULL, 0};
  CHECK_STATUS(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, &wrong_digest, &v),
               STELLAOPS_STATUS_PREDICATE_MISMATCH);
  /* An algorithm required twice is refused, not one of the two silently dropped. */
  stellaops_digest twice[2] = {want[0], {S("sha256"), S(DIGEST)}};
  stellaops_promotion_requirements twice_req = {twice, 2, NULL, 0, NULL, 0};
  CHECK_STATUS(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, &twice_req, &v),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  stellaops_promotion_requirements null_digests = {NULL, 1, NULL, 0, NULL, 0};
  CHECK_STATUS(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, &null_digests, &v),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, NULL, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  stellaops_buffer_free(&env);

  /* Not a promotion: another statement type is refused by name. */
  stellaops_digest digests[1] = {{S("sha256"), S(DIGEST)}};
  stellaops_subject subjects[1] = {{S("pkg:oci/app"), digests, 1}};
  OK(stellaops_attest(keys, 1, S("https://example.com/custom@v1"), B("{}"), subjects, 1,
                      STELLAOPS_ENFORCEMENT_WARN, &env, NULL));
  CHECK_STATUS(stellaops_verify_promotion(env.data, env.len, trusted, 1, 1, NULL, &v),
               STELLAOPS_STATUS_PREDICATE_TYPE_MISMATCH);
  stellaops_buffer_free(&env);

  /* A promotion that breaks its schema names the field; nothing is written. */
  stellaops_buffer untouched = {0};
  CHECK_STATUS(stellaops_promotion_statement(B("{\"artifact\":{}}"), &untouched),
               STELLAOPS_STATUS_INVALID_PREDICATE);
  CHECK(untouched.data == NULL);
  CHECK_STATUS(stellaops_promotion_statement(NULL, 0, &untouched), STELLAOPS_STATUS_INVALID_ARGUMENT);

  /* SLSA provenance v1 goes through the typed model: a buildType that is not a URI is refused,
   * naming the field; nothing is written. */
  stellaops_digest slsa_digest[1] = {{S("sha256"),
                                      S("4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99")}};
  stellaops_subject slsa_subject = {S("app.tar"), slsa_digest, 1};
  CHECK_STATUS(stellaops_predicate_statement(
                   S("slsa-provenance"),
                   B("{\"buildDefinition\":{\"buildType\":\"theBuildType\",\"externalParameters\":{}},"
                     "\"runDetails\":{\"builder\":{\"id\":\"https://stellaops.local/builder\"}}}"),
                   &slsa_subject, 1, &untouched),
               STELLAOPS_STATUS_INVALID_PREDICATE);
  CHECK(strstr(stellaops_last_error_message(), "/buildDefinition/buildType") != NULL);
  CHECK(untouched.data == NULL);

  /* An SBOM with the artifact named; one without subjects and none declared is refused. */
  const char *sbom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}";
  stellaops_buffer sbom_statement = {0};
  OK(stellaops_sbom_statement((const uint8_t *)sbom, strlen(sbom), subjects, 1, &sbom_statement));
  CHECK(buffer_contains(&sbom_statement, "\"predicateType\":\"https://cyclonedx.org/bom\""));
  CHECK(buffer_contains(&sbom_statement, DIGEST));
  CHECK_STATUS(stellaops_sbom_statement((const uint8_t *)sbom, strlen(sbom), NULL, 0, &untouched),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_sbom_statement(B("{\"hello\":1}"), NULL, 0, &untouched),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  OK(stellaops_sign_statement(keys, 1, sbom_statement.data, sbom_statement.len,
                              STELLAOPS_ENFORCEMENT_REJECT, &env, NULL));
  v = NULL;
  OK(stellaops_verify(env.data, env.len, trusted, 1, 1, S(IN_TOTO), &v));
  stellaops_verification_free(v);
  stellaops_buffer_free(&env);

  /* A report's statement is about the scanned artifact. */
  char *report_path = path_in(dir, "report.json");
  size_t report_len = 0;
  char *report = read_file(report_path, &report_len);
  stellaops_buffer report_statement = {0};
  OK(stellaops_report_statement((const uint8_t *)report, report_len, &report_statement));
  CHECK(buffer_contains(&report_statement, "\"predicateType\":\"stella.ops/report@v1\""));
  CHECK(buffer_contains(&report_statement, "\"name\":\"registry.example/stellaops/scanner-web\""));
  stellaops_buffer_free(&report_statement);
  free(report);
  free(report_path);
  CHECK_STATUS(stellaops_report_statement(B("{\"scanId\":1}"), &untouched),
               STELLAOPS_STATUS_INVALID_PREDICATE);

  /* sign_statement: bad statements and arguments. */
  CHECK_STATUS(stellaops_sign_statement(keys, 1, B("{\"_type\":\"x\"}"), STELLAOPS_ENFORCEMENT_WARN,
                                        &untouched, NULL),
               STELLAOPS_STATUS_INVALID_STATEMENT);
  CHECK_STATUS(stellaops_sign_statement(NULL, 0, sbom_statement.data, sbom_statement.len,
                                        STELLAOPS_ENFORCEMENT_WARN, &untouched, NULL),
               STELLAOPS_STATUS_NO_SIGNING_KEYS);
  CHECK_STATUS(stellaops_sign_statement(keys, 1, sbom_statement.data, sbom_statement.len, 0,
                                        &untouched, NULL),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_sign_statement(keys, 1, sbom_statement.data, sbom_statement.len,
                                        STELLAOPS_ENFORCEMENT_WARN, NULL, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(untouched.data == NULL);

  /* A private key written with mode 0600, never over an existing file, read back. */
  char *key_path = path_in(dir, "written.pem");
  char *enc_path = path_in(dir, "written-enc.pem");
  remove(key_path);
  remove(enc_path);
  OK(stellaops_key_write_private_key(key, key_path, strlen(key_path), NULL, 0));
  struct stat st;
  CHECK(stat(key_path, &st) == 0 && (st.st_mode & 0777) == 0600);
  CHECK_STATUS(stellaops_key_write_private_key(key, key_path, strlen(key_path), NULL, 0),
               STELLAOPS_STATUS_IO);
  CHECK_STATUS(stellaops_key_write_private_key(key, enc_path, strlen(enc_path), B("")),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  OK(stellaops_key_write_private_key(key, enc_path, strlen(enc_path), B("correct horse")));
  size_t written_len = 0;
  char *written = read_file(enc_path, &written_len);
  stellaops_key *back = NULL;
  OK(stellaops_key_from_bytes((const uint8_t *)written, written_len, B("correct horse"), &back));
  stellaops_buffer id_a = {0}, id_b = {0};
  OK(stellaops_key_id(key, &id_a));
  OK(stellaops_key_id(back, &id_b));
  CHECK(id_a.len == id_b.len && memcmp(id_a.data, id_b.data, id_a.len) == 0);
  stellaops_buffer_free(&id_a);
  stellaops_buffer_free(&id_b);
  stellaops_key_free(back);
  free(written);
  free(key_path);
  free(enc_path);

  /* Any predicate as a statement; then what an envelope claims, checked only against given keys. */
  stellaops_buffer vex_statement = {0}, facts = {0};
  OK(stellaops_predicate_statement(S("vex"), B("{\"statements\":[]}"), subjects, 1, &vex_statement));
  CHECK(buffer_contains(&vex_statement, "\"predicateType\":\"https://openvex.dev/ns/v0.2.0\"") ||
        buffer_contains(&vex_statement, "\"predicateType\":\"stella.ops/vex"));
  CHECK_STATUS(stellaops_predicate_statement(S("vex"), B("{}"), subjects, 0, &untouched),
               STELLAOPS_STATUS_INVALID_STATEMENT);
  CHECK_STATUS(stellaops_predicate_statement(S("no-such-name"), B("{}"), subjects, 1, &untouched),
               STELLAOPS_STATUS_UNKNOWN_PREDICATE_TYPE);
  OK(stellaops_sign_statement(keys, 1, vex_statement.data, vex_statement.len,
                              STELLAOPS_ENFORCEMENT_WARN, &env, NULL));
  OK(stellaops_inspect_attestation(env.data, env.len, trusted, 1, &facts));
  CHECK(buffer_contains(&facts, "\"container\":\"dsse\""));
  CHECK(buffer_contains(&facts, "\"verified\":true"));
  CHECK(buffer_contains(&facts, "\"name\":\"pkg:oci/app\""));
  stellaops_buffer_free(&facts);
  OK(stellaops_inspect_attestation(env.data, env.len, NULL, 0, &facts));
  CHECK(buffer_contains(&facts, "\"verified\":false"));
  stellaops_buffer_free(&facts);
  CHECK_STATUS(stellaops_inspect_attestation(B("{\"a\":1,\"a\":2}"), NULL, 0, &untouched),
               STELLAOPS_STATUS_DUPLICATE_KEY);
  CHECK_STATUS(stellaops_inspect_attestation(env.data, env.len, NULL, 0, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(untouched.data == NULL);
  stellaops_buffer_free(&env);
  stellaops_buffer_free(&vex_statement);

  /* Through the pipeline: the caller's members plus "statement". */
  char *caller_path = path_in(dir, "caller-promotion.json");
  size_t caller_len = 0;
  char *caller = read_file(caller_path, &caller_len);
  while (caller_len > 0 && caller[caller_len - 1] != '}') caller_len--;
  CHECK(caller_len > 0);
  const char *member = ",\"statement\":";
  size_t request_len = caller_len - 1 + strlen(member) + statement.len + 1;
  char *request = malloc(request_len);
  memcpy(request, caller, caller_len - 1);
  memcpy(request + caller_len - 1, member, strlen(member));
  memcpy(request + caller_len - 1 + strlen(member), statement.data, statement.len);
  request[request_len - 1] = '}';
  char *config = path_in(dir, "pipeline.toml");
  stellaops_pipeline *pipeline = NULL;
  stellaops_buffer out = {0};
  OK(stellaops_pipeline_open(config, strlen(config), &pipeline));
  OK(stellaops_pipeline_sign_json(pipeline, (const uint8_t *)request, request_len, &out));
  CHECK(buffer_contains(&out, "\"trace_id\":\"c-caller-promotion\""));
  CHECK(buffer_contains(&out, "\"admission\":\"allowed\""));
  stellaops_buffer_free(&out);
  stellaops_pipeline_free(pipeline);

  /* The audit log the pipeline wrote verifies; an edited copy names its line. */
  char *audit = path_in(dir, "audit.jsonl");
  uint64_t records = 0;
  stellaops_buffer last_hash = {0};
  OK(stellaops_verify_audit_chain(audit, strlen(audit), &records, &last_hash));
  CHECK(records >= 1);
  CHECK(last_hash.len == 64 || last_hash.len == 71);
  stellaops_buffer_free(&last_hash);
  size_t audit_len = 0;
  char *log = read_file(audit, &audit_len);
  char *flip = strstr(log, "\"decision\":\"allowed\"");
  CHECK(flip != NULL);
  if (flip) memcpy(flip + 12, "denied\" ", 8);
  char *edited = path_in(dir, "audit-edited.jsonl");
  FILE *f = fopen(edited, "wb");
  CHECK(f != NULL && fwrite(log, 1, audit_len, f) == audit_len && fclose(f) == 0);
  CHECK_STATUS(stellaops_verify_audit_chain(edited, strlen(edited), &records, &last_hash),
               STELLAOPS_STATUS_AUDIT_CHAIN_BROKEN);
  CHECK(strstr(stellaops_last_error_message(), "line 1") != NULL);
  CHECK_STATUS(stellaops_verify_audit_chain(S("/nonexistent/audit.jsonl"), &records, &last_hash),
               STELLAOPS_STATUS_IO);
  CHECK_STATUS(stellaops_verify_audit_chain(audit, strlen(audit), NULL, &last_hash),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(last_hash.data == NULL);
  free(edited);
  free(log);
  free(audit);

  /* Files hashed into subjects, named by file name. */
  char *artifact = path_in(dir, "promotion.json");
  char paths[4096];
  snprintf(paths, sizeof paths, "[\"%s\"]", artifact);
  stellaops_buffer subjects_json = {0};
  OK(stellaops_artifact_subjects((const uint8_t *)paths, strlen(paths), true, &subjects_json));
  CHECK(buffer_contains(&subjects_json, "\"name\":\"promotion.json\""));
  CHECK(buffer_contains(&subjects_json, "\"sha512\":"));
  stellaops_buffer_free(&subjects_json);
  CHECK_STATUS(stellaops_artifact_subjects(B("[\"/nonexistent/file\"]"), false, &subjects_json),
               STELLAOPS_STATUS_IO);
  CHECK_STATUS(stellaops_artifact_subjects(B("{}"), false, &subjects_json),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK(subjects_json.data == NULL);
  free(artifact);

  free(request);
  free(caller);
  free(caller_path);
  free(config);
  stellaops_buffer_free(&sbom_statement);
  stellaops_buffer_free(&statement);
  free(promotion);
  free(promotion_path);
  stellaops_verifying_key_free(pub);
  stellaops_key_free(key);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) abort();
}

static void test_export(const char *dir) {
  char *root = path_in(dir, "export");
  mkdir(root, 0755);
  char *a = path_in(root, "a.txt");
  char *b = path_in(root, "b.json");
  write_text(a, "alpha\n");
  write_text(b, "{\"b\":1}");
  char request[4096];
  int n = snprintf(request, sizeof request,
                   "{\"root\":\"%s\",\"export_id\":\"c-export\","
                   "\"created_at\":\"2026-11-23T00:00:00Z\",\"sha512\":true}",
                   root);
  CHECK(n > 0 && (size_t)n < sizeof request);
  stellaops_key *key = generate(STELLAOPS_ALGORITHM_ES256);
  const stellaops_key *keys[] = {key};
  stellaops_verifying_key *vk = NULL;
  OK(stellaops_key_public_key(key, &vk));
  const stellaops_verifying_key *trusted[] = {vk};
  stellaops_buffer manifest = {0}, envelope = {0}, manifest2 = {0}, envelope2 = {0};
  stellaops_buffer report = {0};

  CHECK_STATUS(stellaops_export_sign(keys, 1, (const uint8_t *)request, (size_t)n, NULL, &envelope),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_export_sign(NULL, 0, (const uint8_t *)request, (size_t)n, &manifest,
                                     &envelope),
               STELLAOPS_STATUS_NO_SIGNING_KEYS);
  CHECK_STATUS(stellaops_export_sign(keys, 1, B("{\"root\":1}"), &manifest, &envelope),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_export_sign(keys, 1, B("{\"root\":\"/nonexistent/export\","
                                                "\"created_at\":\"2026-11-23T00:00:00Z\"}"),
                                     &manifest, &envelope),
               STELLAOPS_STATUS_IO);
  CHECK(manifest.data == NULL && envelope.data == NULL);

  /* Twice: byte-identical (ECDSA with RFC 6979 nonces on this path). */
  OK(stellaops_export_sign(keys, 1, (const uint8_t *)request, (size_t)n, &manifest, &envelope));
  OK(stellaops_export_sign(keys, 1, (const uint8_t *)request, (size_t)n, &manifest2, &envelope2));
  CHECK(manifest.len == manifest2.len && memcmp(manifest.data, manifest2.data, manifest.len) == 0);
  CHECK(envelope.len == envelope2.len && memcmp(envelope.data, envelope2.data, envelope.len) == 0);
  CHECK(buffer_contains(&manifest, "\"path\":\"a.txt\""));
  CHECK(buffer_contains(&manifest, "\"sha512\":"));

  OK(stellaops_export_verify(root, strlen(root), envelope.data, envelope.len, manifest.data,
                             manifest.len, NULL, 0, trusted, 1, 1, &report));
  CHECK(buffer_contains(&report, "\"intact\":true"));
  stellaops_buffer_free(&report);

  /* Issue 22: the manifest without signing (the same bytes sign_export signed), its statement,
   * and the tree checked against it. */
  stellaops_buffer described = {0}, statement = {0};
  OK(stellaops_export_describe((const uint8_t *)request, (size_t)n, &described));
  CHECK(described.len == manifest.len && memcmp(described.data, manifest.data, manifest.len) == 0);
  OK(stellaops_export_statement(described.data, described.len, &statement));
  CHECK(buffer_contains(&statement, "\"name\":\"a.txt\""));
  CHECK(buffer_contains(&statement, "\"predicateType\":\"stella.ops/export@v1\""));
  OK(stellaops_export_check(root, strlen(root), described.data, described.len, NULL, 0, &report));
  CHECK(buffer_contains(&report, "\"intact\":true"));
  stellaops_buffer_free(&report);
  CHECK_STATUS(stellaops_export_statement(B("{\"files\":1}"), &report), STELLAOPS_STATUS_INVALID_MANIFEST);
  CHECK_STATUS(stellaops_export_describe(B("{\"root\":\"/nonexistent/export\"}"), &report),
               STELLAOPS_STATUS_IO);
  CHECK_STATUS(stellaops_export_check(root, strlen(root), described.data, described.len, NULL, 0, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(report.data == NULL);
  stellaops_buffer_free(&statement);

  write_text(a, "ALPHA\n");
  char *extra = path_in(root, "new.txt");
  write_text(extra, "x");
  CHECK_STATUS(stellaops_export_verify(root, strlen(root), envelope.data, envelope.len, NULL, 0,
                                       B("[\"new.txt\"]"), trusted, 1, 1, &report),
               STELLAOPS_STATUS_EXPORT_CHANGED);
  CHECK(buffer_contains(&report, "\"changed\":[{\"path\":\"a.txt\",\"problem\":\"sha256 differs\"}]"));
  CHECK(buffer_contains(&report, "\"extra\":[]"));
  stellaops_buffer_free(&report);
  OK(stellaops_export_check(root, strlen(root), described.data, described.len, B("[\"new.txt\"]"),
                            &report));
  CHECK(buffer_contains(&report, "\"intact\":false"));
  CHECK(buffer_contains(&report, "\"changed\":[{\"path\":\"a.txt\",\"problem\":\"sha256 differs\"}]"));
  stellaops_buffer_free(&report);
  stellaops_buffer_free(&described);

  /* Another key: the signature fails and nothing is written. */
  stellaops_key *other = generate(STELLAOPS_ALGORITHM_ED25519);
  stellaops_verifying_key *other_vk = NULL;
  OK(stellaops_key_public_key(other, &other_vk));
  const stellaops_verifying_key *wrong[] = {other_vk};
  CHECK_STATUS(stellaops_export_verify(root, strlen(root), envelope.data, envelope.len, NULL, 0,
                                       NULL, 0, wrong, 1, 1, &report),
               STELLAOPS_STATUS_VERIFICATION_FAILED);
  CHECK(report.data == NULL && report.len == 0);
  /* A manifest that is not the signed one. */
  CHECK_STATUS(stellaops_export_verify(root, strlen(root), envelope.data, envelope.len,
                                       B("{\"createdAt\":\"2026-11-23T00:00:00Z\"}"), NULL, 0,
                                       trusted, 1, 1, &report),
               STELLAOPS_STATUS_INVALID_MANIFEST);
  CHECK_STATUS(stellaops_export_verify(NULL, 3, envelope.data, envelope.len, NULL, 0, NULL, 0,
                                       trusted, 1, 1, &report),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_export_verify(root, strlen(root), envelope.data, envelope.len, NULL, 0,
                                       B("[1]"), trusted, 1, 1, &report),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK(report.data == NULL);

  stellaops_buffer_free(&manifest);
  stellaops_buffer_free(&envelope);
  stellaops_buffer_free(&manifest2);
  stellaops_buffer_free(&envelope2);
  stellaops_verifying_key_free(vk);
  stellaops_verifying_key_free(other_vk);
  stellaops_key_free(key);
  stellaops_key_free(other);
  free(a);
  free(b);
  free(extra);
  free(root);
}

/* A file of the Sigstore fixture directory, NUL-terminated (its length without the NUL). */
static char *fixture(const char *dir, const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t n = 0;
  char *data = read_file(path, &n);
  char *text = realloc(data, n + 1);
  if (!text) exit(2);
  text[n] = '\0';
  *len = n;
  return text;
}

static void fixture_path(char *out, size_t size, const char *dir, const char *name) {
  snprintf(out, size, "%s/%s", dir, name);
}

/* `{"public_key": PEM}` for `key`, the PEM's newlines escaped for JSON. */
static char *public_key_policy(const stellaops_key *key) {
  stellaops_verifying_key *public = NULL;
  stellaops_buffer pem = {0};
  OK(stellaops_key_public_key(key, &public));
  OK(stellaops_verifying_key_export(public, STELLAOPS_KEY_FORMAT_SPKI_PEM, &pem));
  char *json = malloc(pem.len * 2 + 32);
  if (!json) exit(2);
  size_t n = (size_t)sprintf(json, "{\"public_key\":\"");
  for (size_t i = 0; i < pem.len; i++) {
    if (pem.data[i] == '\n') {
      json[n++] = '\\';
      json[n++] = 'n';
    } else {
      json[n++] = (char)pem.data[i];
    }
  }
  strcpy(json + n, "\"}");
  stellaops_buffer_free(&pem);
  stellaops_verifying_key_free(public);
  return json;
}

#define SLSA_PREDICATE                                                                  \
  "{\"buildDefinition\":{\"buildType\":\"https://stellaops.local/build/v1\","               \
  "\"externalParameters\":{}},\"runDetails\":{\"builder\":{\"id\":\"https://stellaops.local\"}}}"

static void test_sigstore(const char *dir) {
  size_t len = 0, token_len = 0, keyless_len = 0, keyful_len = 0, policy_len = 0,
         other_len = 0, digest_len = 0;
  char artifact[4096], other_artifact[4096];
  fixture_path(artifact, sizeof artifact, dir, "app.tar.gz");
  fixture_path(other_artifact, sizeof other_artifact, dir, "other.tar.gz");
  char *root_json = fixture(dir, "trusted_root.json", &len);
  char *token = fixture(dir, "token", &token_len);
  char *keyless_config = fixture(dir, "keyless.json", &keyless_len);
  char *keyful_config = fixture(dir, "keyful.json", &keyful_len);
  char *policy = fixture(dir, "policy.json", &policy_len);
  char *policy_other = fixture(dir, "policy-other.json", &other_len);
  char *digest = fixture(dir, "app.sha256", &digest_len);

  stellaops_trusted_root *root = NULL;
  OK(stellaops_trusted_root_from_json((const uint8_t *)root_json, len, &root));
  stellaops_trusted_root *not_root = NULL;
  CHECK_STATUS(stellaops_trusted_root_from_json(B("{\"mediaType\":\"x\"}"), &not_root),
               STELLAOPS_STATUS_INVALID_TRUSTED_ROOT);
  CHECK(not_root == NULL);
  CHECK_STATUS(stellaops_trusted_root_from_json(B("{}"), NULL), STELLAOPS_STATUS_NULL_POINTER);
  /* The same root from its path, as sigstore-go's NewTrustedRootFromPath. */
  char root_path[4096];
  fixture_path(root_path, sizeof root_path, dir, "trusted_root.json");
  stellaops_trusted_root *from_path = NULL;
  OK(stellaops_trusted_root_from_path(root_path, strlen(root_path), &from_path));
  stellaops_trusted_root_free(from_path);
  CHECK_STATUS(stellaops_trusted_root_from_path(S("/nonexistent/trusted_root.json"), &not_root),
               STELLAOPS_STATUS_IO);
  CHECK_STATUS(stellaops_trusted_root_from_path("", 0, &not_root), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK(not_root == NULL);

  /* Keyless: the token given, an attestation over the artifact, verified for the identity. */
  stellaops_bundle_signer *keyless = NULL;
  OK(stellaops_bundle_signer_keyless((const uint8_t *)keyless_config, keyless_len, token,
                                     token_len, &keyless));
  stellaops_digest sha256 = {S("sha256"), digest, digest_len};
  stellaops_subject subject = {S("app.tar.gz"), &sha256, 1};
  stellaops_buffer bundle = {0};
  stellaops_admission admission = 0;
  OK(stellaops_bundle_attest(keyless, S("slsa-provenance"), B(SLSA_PREDICATE), &subject, 1,
                             STELLAOPS_ENFORCEMENT_REJECT, &bundle, &admission));
  CHECK(admission == STELLAOPS_ADMISSION_ALLOWED);
  CHECK(buffer_contains(&bundle, "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\""));
  CHECK(buffer_contains(&bundle, "\"certificate\":{\"rawBytes\""));
  stellaops_buffer report = {0};
  OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy, policy_len,
                             artifact, strlen(artifact), &report));
  CHECK(buffer_contains(&report, "\"verified\":true"));
  CHECK(buffer_contains(&report, "\"identity\":\"c-abi@stellaops.local\""));
  CHECK(buffer_contains(&report, "\"artifactChecked\":true"));
  CHECK(buffer_contains(&report, "\"statement\":{")); /* the verified statement itself */
  stellaops_buffer_free(&report);
  /* No artifact: checked against the subject's digest. */
  OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy, policy_len,
                             NULL, 0, &report));
  CHECK(buffer_contains(&report, "\"artifactChecked\":false"));
  stellaops_buffer_free(&report);
  /* The artifact as its digest (sha256:<hex>) or as bytes instead of a path. */
  {
    char reference[80];
    snprintf(reference, sizeof reference, "sha256:%.*s", (int)digest_len, digest);
    OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy, policy_len,
                               reference, strlen(reference), &report));
    CHECK(buffer_contains(&report, "\"artifactChecked\":true"));
    stellaops_buffer_free(&report);
    CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy,
                                         policy_len, S("sha256:0000000000000000000000000000000000000000000000000000000000000000"),
                                         &report),
                 STELLAOPS_STATUS_ARTIFACT_MISMATCH);
    CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy,
                                         policy_len, S("sha256:not-hex"), &report),
                 STELLAOPS_STATUS_INVALID_ARGUMENT);
    size_t artifact_bytes_len = 0;
    char *artifact_bytes = read_file(artifact, &artifact_bytes_len);
    OK(stellaops_bundle_verify_bytes(root, bundle.data, bundle.len, (const uint8_t *)policy,
                                     policy_len, (const uint8_t *)artifact_bytes,
                                     artifact_bytes_len, &report));
    CHECK(buffer_contains(&report, "\"artifactChecked\":true"));
    stellaops_buffer_free(&report);
    CHECK_STATUS(stellaops_bundle_verify_bytes(root, bundle.data, bundle.len,
                                               (const uint8_t *)policy, policy_len, B("other bytes"),
                                               &report),
                 STELLAOPS_STATUS_ARTIFACT_MISMATCH);
    free(artifact_bytes);
    /* A required predicate type (cosign --type): a catalog short name or a URI. */
    char typed[1024];
    snprintf(typed, sizeof typed, "%.*s,\"predicate_type\":\"slsa-provenance\"}",
             (int)(policy_len - 1), policy);
    OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)typed,
                               strlen(typed), NULL, 0, &report));
    stellaops_buffer_free(&report);
    snprintf(typed, sizeof typed, "%.*s,\"predicate_type\":\"sbom\"}", (int)(policy_len - 1),
             policy);
    CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)typed,
                                         strlen(typed), NULL, 0, &report),
                 STELLAOPS_STATUS_PREDICATE_TYPE_MISMATCH);
    snprintf(typed, sizeof typed, "%.*s,\"predicate_type\":\"no-such-type\"}",
             (int)(policy_len - 1), policy);
    CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)typed,
                                         strlen(typed), NULL, 0, &report),
                 STELLAOPS_STATUS_UNKNOWN_PREDICATE_TYPE);
  }
  CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy_other,
                                       other_len, artifact, strlen(artifact), &report),
               STELLAOPS_STATUS_IDENTITY_MISMATCH);
  CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy,
                                       policy_len, other_artifact, strlen(other_artifact), &report),
               STELLAOPS_STATUS_ARTIFACT_MISMATCH);
  CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len,
                                       B("{\"certificate_identity\":\"c-abi@stellaops.local\","
                                         "\"no_certificate_oidc_issuer\":true}"),
                                       artifact, strlen(artifact), &report),
               STELLAOPS_STATUS_IDENTITY_MISMATCH);
  CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, B("{\"certificate_identity\":1}"),
                                       NULL, 0, &report),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_bundle_verify(root, B("{\"mediaType\":1}"), (const uint8_t *)policy,
                                       policy_len, NULL, 0, &report),
               STELLAOPS_STATUS_INVALID_BUNDLE);
  CHECK_STATUS(stellaops_bundle_verify(NULL, bundle.data, bundle.len, (const uint8_t *)policy,
                                       policy_len, NULL, 0, &report),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy,
                                       policy_len, "\xff", 1, &report),
               STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT);
  stellaops_buffer_free(&bundle);

  /* A statement signed as it is; any other payload type is refused before Fulcio is asked
   * (no Sigstore verifier accepts a DSSE bundle without an in-toto statement). */
  char statement[512];
  int statement_len = snprintf(statement, sizeof statement,
                               "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":"
                               "\"app.tar.gz\",\"digest\":{\"sha256\":\"%s\"}}],\"predicateType\":"
                               "\"https://stellaops.local/p\",\"predicate\":{}}",
                               digest);
  CHECK(statement_len > 0 && (size_t)statement_len < sizeof statement);
  OK(stellaops_bundle_sign(keyless, S(IN_TOTO), (const uint8_t *)statement, (size_t)statement_len,
                           &bundle));
  OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy, policy_len,
                             artifact, strlen(artifact), &report));
  stellaops_buffer_free(&report);
  stellaops_buffer_free(&bundle);
  /* The same statement through the statement path: admitted first (unlisted under reject is
   * refused before Fulcio is asked), then signed. */
  OK(stellaops_bundle_sign_statement(keyless, (const uint8_t *)statement, (size_t)statement_len,
                                     STELLAOPS_ENFORCEMENT_LOG_ONLY, &bundle, &admission));
  CHECK(admission == STELLAOPS_ADMISSION_UNLISTED);
  OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy, policy_len,
                             artifact, strlen(artifact), &report));
  stellaops_buffer_free(&report);
  stellaops_buffer_free(&bundle);
  CHECK_STATUS(stellaops_bundle_sign_statement(keyless, (const uint8_t *)statement,
                                               (size_t)statement_len, STELLAOPS_ENFORCEMENT_REJECT,
                                               &bundle, NULL),
               STELLAOPS_STATUS_PREDICATE_NOT_ALLOWED);
  CHECK_STATUS(stellaops_bundle_sign_statement(keyless, B("{}"), STELLAOPS_ENFORCEMENT_LOG_ONLY,
                                               &bundle, NULL),
               STELLAOPS_STATUS_INVALID_STATEMENT);
  CHECK(bundle.data == NULL);
  CHECK_STATUS(stellaops_bundle_sign(keyless, S("text/plain"), B("hello"), &bundle),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_bundle_sign(keyless, S(""), B("hello"), &bundle),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(stellaops_bundle_sign(NULL, S("text/plain"), B("hello"), &bundle),
               STELLAOPS_STATUS_NULL_POINTER);
  stellaops_bundle_signer_free(keyless);

  /* Keyless refusals: a token that is no JWT, a malformed configuration. */
  stellaops_bundle_signer *refused = NULL;
  CHECK_STATUS(stellaops_bundle_signer_keyless((const uint8_t *)keyless_config, keyless_len,
                                               S("not.a.token"), &refused),
               STELLAOPS_STATUS_INVALID_IDENTITY_TOKEN);
  CHECK_STATUS(stellaops_bundle_signer_keyless(B("{\"rekor_url\":\"x\"}"), token, token_len,
                                               &refused),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK(refused == NULL);

  /* Keyful: the signer keeps its key alive after stellaops_key_free. */
  stellaops_key *key = NULL;
  OK(stellaops_key_generate(STELLAOPS_ALGORITHM_ES256, &key));
  char *key_policy = public_key_policy(key);
  stellaops_bundle_signer *keyful = NULL;
  OK(stellaops_bundle_signer_keyful((const uint8_t *)keyful_config, keyful_len, key, &keyful));
  stellaops_key_free(key);
  OK(stellaops_bundle_attest(keyful, S("slsa-provenance"), B(SLSA_PREDICATE), &subject, 1,
                             STELLAOPS_ENFORCEMENT_REJECT, &bundle, NULL));
  CHECK(buffer_contains(&bundle, "\"publicKey\":{\"hint\""));
  OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)key_policy,
                             strlen(key_policy), artifact, strlen(artifact), &report));
  CHECK(buffer_contains(&report, "\"identity\":null"));
  stellaops_buffer_free(&report);
  CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)policy,
                                       policy_len, artifact, strlen(artifact), &report),
               STELLAOPS_STATUS_VERIFICATION_FAILED);
  stellaops_buffer_free(&bundle);
  /* The blob itself (cosign sign-blob's kind): a message signature over the artifact's bytes,
   * bound to that artifact and no other. */
  size_t blob_len = 0;
  char *blob = fixture(dir, "app.tar.gz", &blob_len);
  OK(stellaops_bundle_sign_blob(keyful, (const uint8_t *)blob, blob_len, &bundle));
  CHECK(buffer_contains(&bundle, "\"messageSignature\""));
  OK(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)key_policy,
                             strlen(key_policy), artifact, strlen(artifact), &report));
  stellaops_buffer_free(&report);
  CHECK_STATUS(stellaops_bundle_verify(root, bundle.data, bundle.len, (const uint8_t *)key_policy,
                                       strlen(key_policy), other_artifact, strlen(other_artifact),
                                       &report),
               STELLAOPS_STATUS_ARTIFACT_MISMATCH);
  stellaops_buffer_free(&bundle);
  CHECK_STATUS(stellaops_bundle_sign_blob(keyful, NULL, 5, &bundle), STELLAOPS_STATUS_NULL_POINTER);
  CHECK_STATUS(stellaops_bundle_sign_blob(keyful, (const uint8_t *)blob, blob_len, NULL),
               STELLAOPS_STATUS_NULL_POINTER);
  CHECK(bundle.data == NULL);
  free(blob);
  stellaops_bundle_signer_free(keyful);
  free(key_policy);

  /* Rekor v1 cannot check an ES384 signature (it hashes with SHA-256): refused up front. */
  stellaops_key *es384 = NULL;
  OK(stellaops_key_generate(STELLAOPS_ALGORITHM_ES384, &es384));
  CHECK_STATUS(stellaops_bundle_signer_keyful((const uint8_t *)keyful_config, keyful_len, es384,
                                              &refused),
               STELLAOPS_STATUS_BACKEND_CONFIGURATION);
  CHECK_STATUS(stellaops_bundle_signer_keyful(B("{\"rekor_url\":\"x\",\"oidc_issuer\":\"y\"}"),
                                              es384, &refused),
               STELLAOPS_STATUS_INVALID_ARGUMENT);
  stellaops_key_free(es384);

  stellaops_bundle_signer_free(NULL);
  stellaops_trusted_root_free(NULL);
  stellaops_trusted_root_free(root);
  free(root_json);
  free(token);
  free(keyless_config);
  free(keyful_config);
  free(policy);
  free(policy_other);
  free(digest);
}

/* FIDO2 through the key URI and the key loader alone: a fido2: URI signs (the software
 * authenticator standing in for a security key), the credential file verifies, beside a software
 * key with threshold 2; bound to another relying party it does not. */
static void test_fido2(const char *dir) {
  char uri[4096], path[4096];
  snprintf(uri, sizeof uri, "fido2:%s/credential.json?device=software:%s/authenticator.json", dir,
           dir);
  stellaops_key *keys[2] = {NULL, NULL};
  OK(stellaops_key_from_uri(uri, strlen(uri), NULL, 0, &keys[0]));
  stellaops_algorithm alg = 0;
  OK(stellaops_key_algorithm(keys[0], &alg));
  CHECK(alg == STELLAOPS_ALGORITHM_ES256);
  OK(stellaops_key_generate(STELLAOPS_ALGORITHM_ED25519, &keys[1]));

  snprintf(path, sizeof path, "%s/credential.json", dir);
  size_t cred_len = 0;
  char *cred = read_file(path, &cred_len);
  stellaops_verifying_key *trusted[2] = {NULL, NULL};
  OK(stellaops_verifying_key_from_bytes((const uint8_t *)cred, cred_len, &trusted[0]));
  OK(stellaops_key_public_key(keys[1], &trusted[1]));

  stellaops_buffer env = {0};
  OK(stellaops_sign((const stellaops_key *const *)keys, 2, S("text/plain"), B("fido2"), &env));
  stellaops_verification *v = NULL;
  OK(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)trusted, 2, 2,
                      S("text/plain"), &v));
  stellaops_verification_free(v);

  /* The credential for another relying party: the FIDO2 signature does not verify. */
  const char *rp = strstr(cred, "dsse:stellaops-vectors");
  CHECK(rp != NULL);
  if (rp != NULL) {
    cred[rp - cred + 5] = 'X';
    stellaops_verifying_key *other = NULL;
    OK(stellaops_verifying_key_from_bytes((const uint8_t *)cred, cred_len, &other));
    v = NULL;
    CHECK_STATUS(stellaops_verify(env.data, env.len, (const stellaops_verifying_key *const *)&other,
                                  1, 1, S("text/plain"), &v),
                 STELLAOPS_STATUS_VERIFICATION_FAILED);
    CHECK(v == NULL);
    stellaops_verifying_key_free(other);
  }

  /* No PIN in a URI. */
  snprintf(uri, sizeof uri,
           "fido2:%s/credential.json?device=software:%s/authenticator.json&pin-value=1", dir, dir);
  stellaops_key *sentinel = (stellaops_key *)&failures;
  stellaops_key *refused = sentinel;
  CHECK_STATUS(stellaops_key_from_uri(uri, strlen(uri), NULL, 0, &refused),
               STELLAOPS_STATUS_INVALID_KEY_URI);
  CHECK(refused == sentinel);

  stellaops_buffer_free(&env);
  stellaops_verifying_key_free(trusted[0]);
  stellaops_verifying_key_free(trusted[1]);
  stellaops_key_free(keys[0]);
  stellaops_key_free(keys[1]);
  free(cred);
}

#define OLD_KEY "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* Issue 22: the tenant key registry: the key that signs for a tenant, revocations by time. */
static void test_registry(const char *dir, const char *rsa_path) {
  char *path = path_in(dir, "keys.toml");
  char text[4096];
  snprintf(text, sizeof text,
           "[[tenant]]\nid = \"acme\"\n\n"
           "[[tenant.key]]\nuri = \"%s\"\nstatus = \"active\"\nfamilies = [\"vex\"]\n\n"
           "[[tenant.key]]\nuri = \"/nonexistent/old-signer.pem\"\nkey_id = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
           "status = \"revoked\"\nrevoked_at = \"2026-06-01T00:00:00Z\"\nreason = \"key compromise\"\n",
           rsa_path);
  write_text(path, text);
  stellaops_key_registry *registry = NULL;
  CHECK_STATUS(stellaops_key_registry_open(S("/nonexistent/keys.toml"), &registry), STELLAOPS_STATUS_IO);
  CHECK_STATUS(stellaops_key_registry_open("", 0, &registry), STELLAOPS_STATUS_INVALID_ARGUMENT);
  CHECK(registry == NULL);
  OK(stellaops_key_registry_open(path, strlen(path), &registry));

  stellaops_buffer json = {0};
  OK(stellaops_key_registry_entries(registry, &json));
  CHECK(buffer_contains(&json, "\"status\":\"revoked\""));
  CHECK(buffer_contains(&json, "\"revoked_at\":\"2026-06-01T00:00:00Z\""));
  stellaops_buffer_free(&json);
  OK(stellaops_key_registry_select(registry, S("acme"), NULL, 0, S("vex"), &json));
  CHECK(buffer_contains(&json, "\"status\":\"active\""));
  stellaops_buffer_free(&json);
  CHECK_STATUS(stellaops_key_registry_select(registry, S("globex"), NULL, 0, NULL, 0, &json),
               STELLAOPS_STATUS_NO_ACTIVE_KEY);
  CHECK_STATUS(stellaops_key_registry_select(registry, S("acme"), NULL, 0, S("sbom"), &json),
               STELLAOPS_STATUS_NO_ACTIVE_KEY);

  /* The tenant's key signs like any key. */
  stellaops_key *key = NULL;
  OK(stellaops_key_registry_signing_key(registry, S("acme"), NULL, 0, S("vex"), &key));
  stellaops_verifying_key *pub = NULL;
  OK(stellaops_key_public_key(key, &pub));
  const stellaops_key *keys[1] = {key};
  const stellaops_verifying_key *trusted[1] = {pub};
  stellaops_buffer env = {0};
  OK(stellaops_sign(keys, 1, S("text/plain"), B("hello"), &env));
  stellaops_verification *v = NULL;
  OK(stellaops_verify(env.data, env.len, trusted, 1, 1, NULL, 0, &v));
  stellaops_verification_free(v);
  stellaops_buffer_free(&env);
  stellaops_buffer untouched = {0};
  CHECK_STATUS(stellaops_key_to_pkcs8_pem(key, NULL, 0, &untouched), STELLAOPS_STATUS_KEY_NOT_EXPORTABLE);

  /* Revocation by time: before it still verifies, at or after it and unknown do not. */
  OK(stellaops_key_registry_check_not_revoked(registry, S(OLD_KEY), S("2026-05-31T23:59:59Z")));
  CHECK_STATUS(stellaops_key_registry_check_not_revoked(registry, S(OLD_KEY), S("2026-06-01T00:00:00Z")),
               STELLAOPS_STATUS_KEY_REVOKED);
  CHECK(strstr(stellaops_last_error_message(), "key compromise") != NULL);
  CHECK_STATUS(stellaops_key_registry_check_not_revoked(registry, S(OLD_KEY), NULL, 0),
               STELLAOPS_STATUS_KEY_REVOKED);
  OK(stellaops_key_registry_check_not_revoked(registry, S(DIGEST), NULL, 0));
  CHECK_STATUS(stellaops_key_registry_check_not_revoked(registry, S(OLD_KEY), S("yesterday")),
               STELLAOPS_STATUS_INVALID_ARGUMENT);

  /* A reload that revokes the handed-out key stops it signing; a bad file keeps the old one. */
  stellaops_buffer id = {0};
  OK(stellaops_key_id(key, &id));
  char *key_id = malloc(id.len + 1);
  memcpy(key_id, id.data, id.len);
  key_id[id.len] = '\0';
  write_text(path, "not toml [");
  CHECK(stellaops_key_registry_reload(registry) != STELLAOPS_STATUS_OK);
  OK(stellaops_key_registry_select(registry, S("acme"), NULL, 0, S("vex"), &json));
  stellaops_buffer_free(&json);
  snprintf(text, sizeof text,
           "[[tenant]]\nid = \"acme\"\n\n"
           "[[tenant.key]]\nuri = \"%s\"\nkey_id = \"%s\"\nstatus = \"revoked\"\n"
           "revoked_at = \"2026-06-01T00:00:00Z\"\nreason = \"rotated in a hurry\"\n",
           rsa_path, key_id);
  write_text(path, text);
  OK(stellaops_key_registry_reload(registry));
  CHECK_STATUS(stellaops_sign(keys, 1, S("text/plain"), B("hello"), &env), STELLAOPS_STATUS_KEY_REVOKED);
  CHECK(env.data == NULL);
  CHECK_STATUS(stellaops_key_registry_signing_key(registry, S("acme"), NULL, 0, NULL, 0, &key),
               STELLAOPS_STATUS_NO_ACTIVE_KEY);

  stellaops_buffer_free(&id);
  free(key_id);
  stellaops_verifying_key_free(pub);
  stellaops_key_free(key);
  stellaops_key_registry_free(registry);
  stellaops_key_registry_free(NULL);
  free(path);
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr,
            "usage: %s RSA_PKCS8_PEM ENCRYPTED_EC_PEM PASSPHRASE PIPELINE_DIR SIGSTORE_DIR "
            "FIDO2_DIR\n",
            argv[0]);
    return 2;
  }
  size_t rsa_len = 0, enc_len = 0;
  char *rsa = read_file(argv[1], &rsa_len);
  char *enc = read_file(argv[2], &enc_len);

  test_versions();
  test_algorithms();
  test_keys(rsa, rsa_len, enc, enc_len, argv[3]);
  test_sign_and_verify(rsa, rsa_len);
  test_key_uris(argv[1]);
  test_pae_and_canon();
  test_attest_and_catalog();
  test_threads();
  test_vectors();
  test_pipeline(argv[4]);
  test_export(argv[4]);
  test_documents(argv[4]);
  test_registry(argv[4], argv[1]);
  test_sigstore(argv[5]);
  test_fido2(argv[6]);

  free(rsa);
  free(enc);
  printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
