// sigstore-js (@sigstore/verify, the verifier under npm's provenance checks) as an oracle:
// verify one Sigstore bundle offline against a trusted_root.json, for a public key or for a
// certificate identity and OIDC issuer, and bind it to an artifact.
//
//   node sigstore_verify.mjs BUNDLE TRUSTED_ROOT ARTIFACT --key PUB.pem
//   node sigstore_verify.mjs BUNDLE TRUSTED_ROOT ARTIFACT --identity ID --issuer ISS
//
// Exit 0 and "verified" when sigstore-js accepts; 1 with its reason when it refuses; 2 for
// unusable arguments. sigstore-js checks the signature, certificate chain, SCT, log proofs and
// policy; for a DSSE bundle it does not look at the statement, so the artifact's SHA-256 is
// compared with the statement's subjects here (as sigstore-python and cosign do).
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

function usage(message) {
  console.error(`usage: ${message}`);
  process.exit(2);
}

const [bundlePath, rootPath, artifactPath, ...flags] = process.argv.slice(2);
if (!artifactPath) usage('BUNDLE TRUSTED_ROOT ARTIFACT (--key PUB | --identity ID --issuer ISS)');
const options = {};
for (let i = 0; i < flags.length; i += 2) options[flags[i].replace(/^--/, '')] = flags[i + 1];

const artifact = readFileSync(artifactPath);
const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(rootPath, 'utf8')));
let keys;
let policy = {};
if (options.key) {
  // As cosign's --key: the bundle's hint only names the key; the given key is the one trusted.
  const key = createPublicKey(readFileSync(options.key));
  keys = () => ({ publicKey: key, validFor: () => true });
} else if (options.identity && options.issuer) {
  policy = { subjectAlternativeName: options.identity, extensions: { issuer: options.issuer } };
} else {
  usage('--key PUB, or --identity ID with --issuer ISS');
}

try {
  const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
  const verifier = new Verifier(toTrustMaterial(root, keys));
  verifier.verify(toSignedEntity(bundle, artifact), policy);
  const envelope = bundle.content.$case === 'dsseEnvelope' ? bundle.content.dsseEnvelope : null;
  if (envelope) {
    const statement = JSON.parse(envelope.payload.toString('utf8'));
    const digest = createHash('sha256').update(artifact).digest('hex');
    if (!(statement.subject || []).some((s) => s.digest && s.digest.sha256 === digest)) {
      throw new Error(`no statement subject has the artifact's sha256 ${digest}`);
    }
  }
  console.log('verified');
} catch (error) {
  console.error(`refused: ${error.message}`);
  process.exit(1);
}
