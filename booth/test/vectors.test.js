// The booth's cryptography against the spec's test vectors (tests/vectors/vecha-v3.json),
// the same file the Python core is tested against.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as a from "../src/application.js";
import * as v from "../src/crypto.js";

const vectors = JSON.parse(readFileSync(new URL("../../tests/vectors/vecha-v3.json", import.meta.url)));
const fp = v.fromHex(vectors.fingerprint, 32);

function transcriptOf(purpose, items) {
  const t = new v.Transcript(purpose);
  for (const [label, value] of items) t.raw(label, v.fromHex(value, value.length / 2));
  return t;
}

test("transcripts and hash-to-scalar", () => {
  for (const t of vectors.transcripts) assert.equal(v.toHex(transcriptOf(t.purpose, t.items).digest()), t.digest);
  const h = vectors.hash_to_scalar;
  assert.equal(v.scalarHex(transcriptOf(h.purpose, h.items).challenge()), h.scalar);
});

test("canonical JSON", () => {
  for (const c of vectors.canonical_json) assert.equal(v.canonicalJson(c.value), c.canonical);
});

test("credential codes: normal form, secret and public credential", () => {
  for (const c of vectors.credentials) {
    assert.equal(v.normalizeCode(c.typed), c.code);
    const cred = v.credentialFromCode(c.typed, fp);
    assert.equal(v.scalarHex(cred.secret), c.secret);
    assert.equal(v.pointHex(cred.public), c.public);
  }
  for (const typo of vectors.credential_typos) assert.throws(() => v.normalizeCode(typo), v.CodeError);
});

test("the credential messages name what is wrong", () => {
  assert.throws(() => v.normalizeCode("7QKD-2M9X-G4TB-HN0C-1"), { key: "code.typo" });
  assert.throws(() => v.normalizeCode("7QKD-2M9X"), { key: "code.wrong-length" });
  assert.throws(() => v.normalizeCode("7QKD-2M9X-G4TB-HN0C-U"), { key: "code.bad-characters", detail: "U" });
});

test("Schnorr and range proofs verify; a changed response or commitment does not", () => {
  const s = vectors.schnorr;
  const proof = v.schnorrFromJson({ commitment: s.commitment, response: s.response });
  assert.deepEqual(v.schnorrJson(proof), { commitment: s.commitment, response: s.response });
  const X = v.pointFromHex(s.X);
  const context = v.fromHex(s.context, s.context.length / 2);
  v.verifyKnowledge(proof, X, context, s.purpose);
  assert.throws(() => v.verifyKnowledge({ ...proof, response: proof.response + 1n }, X, context, s.purpose), v.ProofError);
  assert.throws(() => v.verifyKnowledge({ ...proof, commitment: proof.commitment.add(v.BASE) }, X, context, s.purpose), v.ProofError);
  const tampered = vectors.negative.tampered.schnorr;
  assert.throws(() => v.verifyKnowledge(v.schnorrFromJson({ commitment: tampered.commitment, response: tampered.response }), X, context, s.purpose), v.ProofError);
  for (const r of vectors.range_proofs) {
    const ct = { alpha: v.pointFromHex(r.alpha), beta: v.pointFromHex(r.beta) };
    const key = v.pointFromHex(r.K);
    const ctx = v.fromHex(r.context, r.context.length / 2);
    const branches = r.proof.map(([A, B, c, z]) => [v.pointFromHex(A), v.pointFromHex(B), v.scalarFromHex(c), v.scalarFromHex(z)]);
    v.verifyRange(branches, key, ct, r.lo, r.hi, ctx, r.purpose);
    // the vector's randomness and message re-encrypt to its ciphertext
    const again = v.encrypt(key, r.message, v.scalarFromHex(r.randomness));
    assert.ok(again.alpha.equals(ct.alpha) && again.beta.equals(ct.beta));
    assert.throws(() => v.verifyRange(branches, key, ct, r.lo, r.hi, ctx, "ballot-choice-x"), v.ProofError);
  }
});

test("the vector ballot verifies and has the vector's tracking code", () => {
  const b = vectors.ballot;
  const ctx = { id: b.definition.id, definition: b.definition, fingerprint: fp, key: v.pointFromHex(b.K) };
  v.verifyBallot(ctx, b.ballot);
  assert.equal(v.trackerOf(b.ballot), b.tracker);
  const forged = structuredClone(b.ballot);
  forged.answers[0].choices.reverse();
  assert.throws(() => v.verifyBallot(ctx, forged), v.ProofError);
});

test("negative vectors are rejected", () => {
  const n = vectors.negative;
  for (const s of n.non_canonical_scalars) assert.throws(() => v.scalarFromHex(s), v.EncodingError);
  for (const p of n.non_canonical_points) assert.throws(() => v.pointFromHex(p), v.EncodingError);
  assert.throws(() => v.pointFromHex(n.identity, "credential", { nonidentity: true }), v.EncodingError);
  assert.ok(v.pointFromHex(n.identity).equals(v.IDENTITY));
  assert.throws(() => v.fromHex("AB".repeat(32), 32), v.EncodingError);
});

test("a ballot made here verifies here, audits, and a wrong claim fails the audit", () => {
  const b = vectors.ballot;
  const key = v.pointFromHex(b.K);
  const ctx = { id: "vectors", definition: b.definition, fingerprint: fp, key };
  const cred = v.credentialFromCode(vectors.credentials[0].code, fp);
  const made = v.encryptBallot(ctx, cred, [[0, 1]]);
  v.verifyBallot(ctx, made.ballot);
  assert.deepEqual(v.auditBallot(ctx, made.ballot, made.selections, made.randomness), [[0, 1]]);
  assert.throws(() => v.auditBallot(ctx, made.ballot, [[1, 0]], made.randomness), v.ProofError);
  assert.throws(() => v.encryptBallot(ctx, cred, [[1, 1]]), v.EncodingError);
});

test("ranked and graded ballots: the vector verifies, one made here verifies, a bad ranking is refused", () => {
  const b = vectors.whole_ballot;
  const key = v.pointFromHex(b.K);
  const ctx = { id: "vectors", definition: b.definition, fingerprint: fp, key };
  v.verifyBallot(ctx, b.ballot);
  assert.equal(v.trackerOf(b.ballot), b.tracker);
  const [ranked, graded] = b.definition.questions;
  assert.equal(v.valueMax(ranked), 2);
  assert.deepEqual(v.sumRange(ranked), [0, 3]);
  assert.deepEqual(v.sumRange(graded), [0, 4]);
  const cred = v.credentialFromCode(vectors.credentials[0].code, fp);
  const made = v.encryptBallot(ctx, cred, b.values);
  v.verifyBallot(ctx, made.ballot);
  assert.deepEqual(v.auditBallot(ctx, made.ballot, made.selections, made.randomness), b.values);
  assert.throws(() => v.encryptBallot(ctx, cred, [[1, 1, 0], [0, 0]]), v.EncodingError);
  assert.throws(() => v.encryptBallot(ctx, cred, [[1, 3, 0], [0, 0]]), v.EncodingError);
  assert.throws(() => v.encryptBallot(ctx, cred, [[0, 0, 0], [3, 0]]), v.EncodingError);
  const forged = structuredClone(b.ballot);
  forged.answers[0].choices.reverse();
  assert.throws(() => v.verifyBallot(ctx, forged), v.ProofError);
});

test("coercion resistance: credential and link points, a ballot made by the Python core", () => {
  const x = vectors.coercion;
  for (const c of x.credential_points) assert.equal(v.pointHex(v.credentialPointOf(c.code, fp)), c.S);
  // the code as typed: lower case and spaces, the same point
  const first = x.credential_points[0];
  assert.equal(v.pointHex(v.credentialPointOf(first.code.toLowerCase().replaceAll("-", " "), fp)), first.S);
  assert.equal(v.pointHex(v.linkPoint(fp, v.fromHex(x.link.tracker, 32))), x.link.L);
  const ctx = { definition: vectors.ballot.definition, fingerprint: fp, key: v.pointFromHex(x.ballot.K) };
  v.verifyCoercionBallot(ctx, x.ballot.ballot);
  assert.equal(v.trackerOf(x.ballot.ballot), x.ballot.tracker);
  const swapped = { ...x.ballot.ballot, credential: x.ballot.ballot.predecessor, predecessor: x.ballot.ballot.credential };
  assert.throws(() => v.verifyCoercionBallot(ctx, swapped), v.ProofError);
  // made here, verified here; and its credential decrypts to the code's point
  const made = v.encryptCoercionBallot(ctx, first.code, [[1, 0]]);
  v.verifyCoercionBallot(ctx, made.ballot);
  assert.throws(() => v.signCoercionBallot({ credential: 5n, predecessor: 6n }, made.body), v.ProofError);
});

test("coercion resistance: the roll message, and a roll entry made from a registration file", () => {
  const m = vectors.coercion.roll_message;
  assert.equal(v.toHex(a.rollMessage(fp, v.pointFromHex(m.alpha), v.pointFromHex(m.beta))), m.message);
  const K = v.pointFromHex(vectors.coercion.ballot.K);
  const code = vectors.coercion.credential_points[0].code;
  const r = 12345n;
  const alpha = v.mul(v.BASE, r);
  const beta = v.credentialPointOf(code, fp).add(v.mul(K, r));
  const roll = { alpha: v.pointHex(alpha), beta: v.pointHex(beta), randomness: v.scalarHex(r) };
  const file = { pending: { roll, code }, signatures: { south: { registrar: "south" }, north: { registrar: "north" } } };
  const entry = a.rollEntryOf(file, fp);
  assert.deepEqual(entry.credential, { alpha: roll.alpha, beta: roll.beta });
  assert.deepEqual(entry.signatures.map((s) => s.registrar), ["north", "south"]);
  const proof = v.schnorrFromJson(entry.proof);
  v.verifyKnowledge(proof, alpha, v.concat(fp, alpha.toBytes(), beta.toBytes()), "roll-entry");
  assert.throws(() => v.verifyKnowledge(proof, alpha, v.concat(fp, beta.toBytes(), alpha.toBytes()), "roll-entry"), v.ProofError);
  // the file given back has no randomness, and no roll entry can be made from it any more
  const after = a.withoutRollRandomness(file);
  assert.deepEqual(after.pending.roll, { alpha: roll.alpha, beta: roll.beta });
  assert.equal(file.pending.roll.randomness, roll.randomness); // the original is not changed
  assert.throws(() => a.rollEntryOf(after, fp), v.ProofError);
  // randomness that does not match α is refused before anything is posted
  assert.throws(() => a.rollEntryOf({ ...file, pending: { ...file.pending, roll: { ...roll, randomness: v.scalarHex(r + 1n) } } }, fp), v.ProofError);
});
