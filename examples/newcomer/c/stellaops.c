/* The three newcomer tasks with the C ABI (run by examples/newcomer/run.sh in its fixture
 * directory; the lines between the task markers are what run.sh counts). A failing call prints
 * the library's message and exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stellaops_signer.h"

static void ok(stellaops_status status) {
  if (status != STELLAOPS_STATUS_OK) {
    fprintf(stderr, "%s: %s\n", stellaops_status_name(status), stellaops_last_error_message());
    exit(1);
  }
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(1);
  }
  char *data = malloc(1 << 20);
  *len = fread(data, 1, 1 << 20, f);
  fclose(f);
  return data;
}

int main(void) {
  size_t identity_len, issuer_len;
  char *identity = slurp("identity", &identity_len), *issuer = slurp("issuer", &issuer_len);

  /* task: attest */
  size_t pem_len, predicate_len;
  char *pem = slurp("key.pem", &pem_len), *predicate = slurp("predicate.json", &predicate_len);
  stellaops_key *key = NULL;
  ok(stellaops_key_from_bytes((const uint8_t *)pem, pem_len, NULL, 0, &key));
  const char paths[] = "[\"app.tar.gz\"]";
  stellaops_buffer envelope = {0};
  ok(stellaops_attest_files((const stellaops_key *const *)&key, 1, "slsa-provenance", 15,
                            (const uint8_t *)predicate, predicate_len, (const uint8_t *)paths,
                            strlen(paths), false, STELLAOPS_ENFORCEMENT_WARN, &envelope, NULL));
  FILE *out = fopen("attestation-c.json", "wb");
  fwrite(envelope.data, 1, envelope.len, out);
  fclose(out);
  /* end task */

  /* task: threshold */
  stellaops_verifying_key *keys[3];
  for (int i = 0; i < 3; i++) {
    char name[8];
    size_t len;
    snprintf(name, sizeof name, "%c.pub", 'a' + i);
    char *data = slurp(name, &len);
    ok(stellaops_verifying_key_from_bytes((const uint8_t *)data, len, &keys[i]));
    free(data);
  }
  size_t multi_len;
  char *multi = slurp("multi.json", &multi_len);
  stellaops_verification *verification = NULL;
  ok(stellaops_verify((const uint8_t *)multi, multi_len, (const stellaops_verifying_key *const *)keys,
                      3, 2, NULL, 0, &verification));
  size_t count = 0;
  ok(stellaops_verification_key_count(verification, &count));
  printf("c/stellaops: 2-of-3 verified by %zu keys\n", count);
  /* end task */

  /* task: bundle */
  stellaops_trusted_root *root = NULL;
  ok(stellaops_trusted_root_from_path("trusted_root.json", 17, &root));
  char policy[1024];
  snprintf(policy, sizeof policy, "{\"certificate_identity\":\"%.*s\",\"certificate_oidc_issuer\":\"%.*s\"}",
           (int)identity_len, identity, (int)issuer_len, issuer);
  size_t bundle_len;
  char *bundle = slurp("bundle.json", &bundle_len);
  stellaops_buffer report = {0};
  ok(stellaops_bundle_verify(root, (const uint8_t *)bundle, bundle_len, (const uint8_t *)policy,
                             strlen(policy), "app.tar.gz", 10, &report));
  printf("c/stellaops: bundle verified (%s)\n", strstr((const char *)report.data, "\"verified\":true") ? "yes" : "no");
  /* end task */

  stellaops_buffer_free(&report);
  stellaops_buffer_free(&envelope);
  stellaops_trusted_root_free(root);
  stellaops_verification_free(verification);
  for (int i = 0; i < 3; i++) stellaops_verifying_key_free(keys[i]);
  stellaops_key_free(key);
  free(identity), free(issuer), free(pem), free(predicate), free(multi), free(bundle);
  return 0;
}
