/* Built outside the repository against an installed prefix, with only
 * `pkg-config --cflags --libs stellaops_signer` (tests/dist/run.sh): signs and verifies with a
 * fresh key, then verifies the release's provenance envelope with the release key.
 * Usage: main EXPECTED_VERSION RELEASE_PUB PROVENANCE_ENVELOPE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stellaops_signer.h>

static void ok(stellaops_status status, const char *what) {
  if (status != STELLAOPS_STATUS_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, stellaops_status_name(status), stellaops_last_error_message());
    exit(1);
  }
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)size + 1);
  *len = fread(data, 1, (size_t)size, f);
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s VERSION RELEASE_PUB ENVELOPE\n", argv[0]);
    return 2;
  }
  if (strcmp(stellaops_version(), argv[1]) != 0 || stellaops_abi_version() < STELLAOPS_SIGNER_ABI_VERSION) {
    fprintf(stderr, "loaded library %s (ABI %u), expected %s (ABI >= %d)\n", stellaops_version(),
            stellaops_abi_version(), argv[1], STELLAOPS_SIGNER_ABI_VERSION);
    return 1;
  }

  stellaops_key *key = NULL;
  ok(stellaops_key_generate(STELLAOPS_ALGORITHM_ES256, &key), "generate");
  const char payload[] = "{\"hello\":\"release\"}";
  stellaops_buffer envelope = {0};
  ok(stellaops_sign((const stellaops_key *const *)&key, 1, "application/json", 16, (const uint8_t *)payload,
                    strlen(payload), &envelope),
     "sign");
  stellaops_verifying_key *public_key = NULL;
  ok(stellaops_key_public_key(key, &public_key), "public key");
  stellaops_verification *verification = NULL;
  ok(stellaops_verify(envelope.data, envelope.len, (const stellaops_verifying_key *const *)&public_key, 1, 1,
                      "application/json", 16, &verification),
     "verify");
  stellaops_verification_free(verification);

  size_t pub_len, provenance_len;
  char *pub = slurp(argv[2], &pub_len), *provenance = slurp(argv[3], &provenance_len);
  stellaops_verifying_key *release_key = NULL;
  ok(stellaops_verifying_key_from_bytes((const uint8_t *)pub, pub_len, &release_key), "release key");
  verification = NULL;
  ok(stellaops_verify((const uint8_t *)provenance, provenance_len, (const stellaops_verifying_key *const *)&release_key,
                      1, 1, "application/vnd.in-toto+json", 28, &verification),
     "verify the provenance");
  /* The other key must not verify it. */
  stellaops_verification *wrong = NULL;
  if (stellaops_verify((const uint8_t *)provenance, provenance_len, (const stellaops_verifying_key *const *)&public_key,
                       1, 1, "application/vnd.in-toto+json", 28, &wrong) == STELLAOPS_STATUS_OK) {
    fprintf(stderr, "a key that did not sign the provenance verified it\n");
    return 1;
  }
  printf("c: libstellaops_signer %s (ABI %u): signed and verified; release provenance verified\n",
         stellaops_version(), stellaops_abi_version());
  stellaops_verification_free(verification);
  stellaops_verifying_key_free(release_key);
  stellaops_verifying_key_free(public_key);
  stellaops_buffer_free(&envelope);
  stellaops_key_free(key);
  free(pub);
  free(provenance);
  return 0;
}
