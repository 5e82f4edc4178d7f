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
  artifactSubjects,
  artifactSubjectsSync,
  attest,
  attestSync,
  canonicalize,
  canonicalizeSync,
  inspectAttestation,
  isAllowedPredicateType,
  isReachabilityRelated,
  isSbom,
  isVexRelated,
  openKey,
  openKeySync,
  pae,
  predicateFamily,
  predicateStatement,
  promotionStatement,
  reportStatement,
  resolvePredicateType,
  sbomStatement,
  signExport,
  signExportSync,
  signStatement,
  signStatementSync,
  verifyAuditChain,
  verifyAuditChainSync,
  verifyBundle,
  verifyBundleSync,
  verifyExport,
  verifyExportSync,
  verifyPromotion,
  verifyPromotionSync,
} = native
export default native
