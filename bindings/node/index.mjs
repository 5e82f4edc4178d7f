// ESM entry point: the same native binding as index.js (CommonJS), with named exports.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const native = require('./index.js')

export const {
  Attestation,
  BundleSigner,
  Envelope,
  Pipeline,
  SigningKey,
  TrustedRoot,
  VerifyingKey,
  allowedPredicateTypes,
  attest,
  attestSync,
  canonicalize,
  canonicalizeSync,
  isAllowedPredicateType,
  isReachabilityRelated,
  isSbom,
  isVexRelated,
  openKey,
  openKeySync,
  pae,
  predicateFamily,
  resolvePredicateType,
  signExport,
  signExportSync,
  verifyBundle,
  verifyBundleSync,
  verifyExport,
  verifyExportSync,
} = native
export default native
