// The booth's cryptography: the same encodings, hashes and proofs as the Python core,
// written from docs/spec.md (section numbers below refer to it). The group operations come
// from @noble/curves (ristretto255, RFC 9496); nothing here is below the group interface.
// This module has no DOM and no network: the booth and the tests (in Node) both import it.

import { ed25519, ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";

const Point = ristretto255.Point;
/** ℓ, the order of the group. */
export const ORDER = Point.Fn.ORDER;
const encoder = new TextEncoder();

// ---- bytes and hex (§2.3) -------------------------------------------------------------

export function toHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

export function fromHex(text, length, what = "value") {
  if (typeof text !== "string" || text.length !== 2 * length || !/^[0-9a-f]*$/.test(text)) {
    throw new EncodingError(`${what}: expected ${2 * length} lowercase hex digits`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u32be(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

function u64be(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

export class EncodingError extends Error {}
export class ProofError extends Error {}

// ---- scalars (§2.2) -------------------------------------------------------------------

function leToBigint(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

export function scalarToBytes(s) {
  const out = new Uint8Array(32);
  let n = s;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export function scalarFromHex(text, what = "scalar") {
  const n = leToBigint(fromHex(text, 32, what));
  if (n >= ORDER) throw new EncodingError(`${what}: not a canonical scalar`);
  return n;
}

export const scalarHex = (s) => toHex(scalarToBytes(s));
const mod = (n) => ((n % ORDER) + ORDER) % ORDER;

/** A uniformly random non-zero scalar (64 random bytes reduced mod ℓ: negligible bias). */
export function randomScalar() {
  for (;;) {
    const s = leToBigint(randomBytes(64)) % ORDER;
    if (s !== 0n) return s;
  }
}

// ---- points (§2.1) --------------------------------------------------------------------

export const BASE = Point.BASE;
export const IDENTITY = Point.ZERO;

/** Decode a canonical encoding (RFC 9496 §4.3.1), bit 255 included; reject anything else. */
export function pointFromHex(text, what = "point", { nonidentity = false } = {}) {
  const bytes = fromHex(text, 32, what);
  let p;
  try {
    p = Point.fromBytes(bytes);
  } catch {
    throw new EncodingError(`${what}: not the encoding of a group element`);
  }
  // Belt and braces: the one encoding of p must be the bytes we were given.
  if (toHex(p.toBytes()) !== text) throw new EncodingError(`${what}: not a canonical encoding`);
  if (nonidentity && p.equals(IDENTITY)) throw new EncodingError(`${what}: the identity is not allowed here`);
  return p;
}

export const pointHex = (p) => toHex(p.toBytes());

/** k·P for a secret k, in constant time (noble's multiply); 0·P is the identity. */
export function mul(p, k) {
  const s = mod(k);
  return s === 0n ? IDENTITY : p.multiply(s);
}

/** k·P for public values only (verification, small multiples of G): variable time. */
export function mulPublic(p, k) {
  return p.multiplyUnsafe(mod(k));
}

// ---- transcripts (§2.4) ---------------------------------------------------------------

export class Transcript {
  constructor(purpose) {
    this.h = sha512.create();
    this.frame(encoder.encode(`vecha/v1/${purpose}`));
  }

  frame(bytes) {
    this.h.update(u64be(bytes.length));
    this.h.update(bytes);
  }

  raw(label, bytes) {
    this.frame(encoder.encode(label));
    this.frame(bytes);
    return this;
  }

  text(label, value) {
    return this.raw(label, encoder.encode(value));
  }

  number(label, n) {
    return this.raw(label, u64be(n));
  }

  point(label, p) {
    return this.raw(label, p.toBytes());
  }

  points(label, ps) {
    this.number(`${label}#`, ps.length);
    for (const p of ps) this.raw(label, p.toBytes());
    return this;
  }

  digest() {
    return this.h.clone().digest();
  }

  /** A transcript that goes on from here on its own (the puzzle's many tries share a prefix). */
  copy() {
    const c = Object.create(Transcript.prototype);
    c.h = this.h.clone();
    return c;
  }

  challenge() {
    return leToBigint(this.digest()) % ORDER;
  }
}

// ---- canonical JSON (§2.5) ------------------------------------------------------------

/** Keys in Unicode code-point order (§2.5). JavaScript's own `<` compares UTF-16 code units,
 * which puts a character above U+FFFF before U+E000–U+FFFF. */
function byCodePoint(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

export function canonicalJson(value) {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new EncodingError("only integers may appear in the record");
    return String(value);
  }
  // JSON.stringify escapes exactly ", \ and U+0000–U+001F (with \b \f \n \r \t, others as
  // lowercase \u00xx) and writes every other character as itself: the spec's rule. It would
  // write a lone surrogate as \udxxx, which the spec refuses.
  if (typeof value === "string") {
    if (!value.isWellFormed()) throw new EncodingError("text holds a lone surrogate");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((k) => `${canonicalJson(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  throw new EncodingError(`cannot encode ${typeof value} as JSON`);
}

export const canonicalBytes = (value) => encoder.encode(canonicalJson(value));

// ---- credentials (§6.3) ---------------------------------------------------------------

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ALIASES = { O: "0", I: "1", L: "1" };

export function checkCharacter(data) {
  let factor = 2;
  let total = 0;
  for (let i = data.length - 1; i >= 0; i--) {
    const addend = factor * ALPHABET.indexOf(data[i]);
    factor = factor === 2 ? 1 : 2;
    total += Math.floor(addend / 32) + (addend % 32);
  }
  return ALPHABET[(32 - (total % 32)) % 32];
}

/** Why a typed code is wrong, as a message key for the booth's catalogs. */
export class CodeError extends Error {
  constructor(key, detail = "") {
    super(key);
    this.key = key;
    this.detail = detail;
  }
}

/** The canonical grouped form of a typed credential code, or a `CodeError`. */
export function normalizeCode(typed) {
  let raw = "";
  for (const ch of typed.toUpperCase()) {
    if (ch === " " || ch === "-" || ch === "\t") continue;
    raw += ALIASES[ch] ?? ch;
  }
  const bad = [...new Set([...raw].filter((ch) => !ALPHABET.includes(ch)))].sort();
  if (bad.length) throw new CodeError("code.bad-characters", bad.join(""));
  if (raw.length !== 17) throw new CodeError("code.wrong-length", String(raw.length));
  if (checkCharacter(raw.slice(0, 16)) !== raw[16]) throw new CodeError("code.typo");
  return raw.match(/.{1,4}/g).join("-");
}

export function credentialFromCode(typed, fingerprint) {
  const code = normalizeCode(typed);
  const secret = new Transcript("credential").raw("election", fingerprint).text("code", code).challenge();
  return { secret, public: mul(BASE, secret) };
}

// ---- ElGamal (§3) and proofs (§4) -----------------------------------------------------

const smallMultiples = new Map();
function smallMultiple(v) {
  if (!smallMultiples.has(v)) smallMultiples.set(v, mulPublic(BASE, BigInt(v)));
  return smallMultiples.get(v);
}

export function encrypt(key, m, r) {
  return { alpha: mul(BASE, r), beta: smallMultiple(m).add(mul(key, r)) };
}

function addAll(cts) {
  return cts.reduce(
    (acc, c) => ({ alpha: acc.alpha.add(c.alpha), beta: acc.beta.add(c.beta) }),
    { alpha: IDENTITY, beta: IDENTITY },
  );
}

function schnorrChallenge(purpose, context, X, A) {
  return new Transcript(purpose).raw("context", context).point("X", X).point("A", A).challenge();
}

/** §4.1: the proof (A, r) carries its commitment. */
export function proveKnowledge(secret, X, context, purpose) {
  const w = randomScalar();
  const A = mul(BASE, w);
  return { commitment: A, response: mod(w + schnorrChallenge(purpose, context, X, A) * secret) };
}

export function verifyKnowledge(proof, X, context, purpose) {
  const c = schnorrChallenge(purpose, context, X, proof.commitment);
  if (!mulPublic(BASE, proof.response).subtract(mulPublic(X, c)).equals(proof.commitment)) {
    throw new ProofError(`${purpose} proof does not verify`);
  }
}

/** A Schnorr proof in JSON, `{commitment, response}`, and back. */
export const schnorrJson = (p) => ({ commitment: pointHex(p.commitment), response: scalarHex(p.response) });

export function schnorrFromJson(obj, what = "proof") {
  if (obj === null || typeof obj !== "object" || Object.keys(obj).sort().join() !== "commitment,response") {
    throw new EncodingError(`${what}: expected {commitment, response}`);
  }
  return { commitment: pointFromHex(obj.commitment, `${what}.commitment`), response: scalarFromHex(obj.response, `${what}.response`) };
}

function rangeChallenge(purpose, context, key, ct, lo, hi, commitments) {
  return new Transcript(purpose)
    .raw("context", context)
    .point("K", key)
    .point("alpha", ct.alpha)
    .point("beta", ct.beta)
    .number("lo", lo)
    .number("hi", hi)
    .points("commitments", commitments)
    .challenge();
}

/** §4.3. Whatever the value, the prover does one honest commitment and hi − lo simulated
 * ones, all with constant-time operations, so the time taken does not tell the vote. */
export function proveRange(key, ct, value, r, lo, hi, context, purpose) {
  const w = randomScalar();
  const commitments = [];
  const branches = [];
  let simulatedSum = 0n;
  for (let v = lo; v <= hi; v++) {
    if (v === value) {
      commitments.push(mul(BASE, w), mul(key, w));
      branches.push(null);
      continue;
    }
    const c = randomScalar();
    const resp = randomScalar();
    const shifted = ct.beta.subtract(smallMultiple(v));
    commitments.push(mul(BASE, resp).subtract(mul(ct.alpha, c)), mul(key, resp).subtract(mul(shifted, c)));
    branches.push([c, resp]);
    simulatedSum += c;
  }
  const challenge = rangeChallenge(purpose, context, key, ct, lo, hi, commitments);
  const cTrue = mod(challenge - simulatedSum);
  branches[value - lo] = [cTrue, mod(w + cTrue * r)];
  // each branch carries its commitments: [A_v, B_v, c_v, r_v]
  return branches.map(([c, resp], k) => [commitments[2 * k], commitments[2 * k + 1], c, resp]);
}

export function verifyRange(branches, key, ct, lo, hi, context, purpose) {
  if (branches.length !== hi - lo + 1) throw new ProofError(`${purpose} proof has the wrong number of branches`);
  const commitments = branches.flatMap(([A, B]) => [A, B]);
  const total = branches.reduce((acc, [, , c]) => acc + c, 0n);
  if (rangeChallenge(purpose, context, key, ct, lo, hi, commitments) !== mod(total)) {
    throw new ProofError(`${purpose} proof does not verify`);
  }
  branches.forEach(([A, B, c, r], i) => {
    const shifted = ct.beta.subtract(smallMultiple(lo + i));
    const okA = mulPublic(BASE, r).subtract(mulPublic(ct.alpha, c)).equals(A);
    if (!okA || !mulPublic(key, r).subtract(mulPublic(shifted, c)).equals(B)) throw new ProofError(`${purpose} proof does not verify`);
  });
}

// ---- the election (§6.1, §6.2) --------------------------------------------------------

/** The options of a question, in order (§6.2): a list, then its candidates, for list-pr;
 * the candidates, for a ranked or graded question. */
export function optionsOf(question) {
  if (question.kind === "choice") return question.options.map((label) => ({ label, text: question.option_text?.[label] ?? null }));
  if (question.kind === "ranked" || question.kind === "graded") {
    return question.candidates.map((label) => ({ label, candidate: label, text: question.candidate_text?.[label] ?? null }));
  }
  const out = [];
  question.lists.forEach((list, li) => {
    out.push({ label: list.name, list: li, text: list.text ?? null });
    for (const c of list.candidates) {
      out.push({ label: `${list.name} / ${c}`, list: li, candidate: c, text: list.candidate_text?.[c] ?? null });
    }
  });
  return out;
}

/** What the booth needs from the election package, checked for the things it relies on. */
export function electionContext(info) {
  return {
    id: info.id,
    definition: info.definition,
    fingerprint: fromHex(info.fingerprint, 32, "fingerprint"),
    key: pointFromHex(info.public_key, "public_key", { nonidentity: true }),
    boardKey: fromHex(info.board_key, 32, "board_key"),
  };
}

// ---- ballots (§6.4) -------------------------------------------------------------------

// the answers' proofs are bound to the credential: its point S (§6.4), or, in a
// coercion-resistant election, the 64 bytes α ‖ β of its encryption C (§6.10)
const choiceContext = (fp, binding, q, o) => concat(fp, binding, u32be(q), u32be(o));
const overallContext = (fp, binding, q) => concat(fp, binding, u32be(q));
const proofJson = (branches) => branches.map(([A, B, c, r]) => [pointHex(A), pointHex(B), scalarHex(c), scalarHex(r)]);
const ctJson = (ct) => ({ alpha: pointHex(ct.alpha), beta: pointHex(ct.beta) });

/** §6.2: the largest value one ciphertext of the question holds (a mark, a rank, a grade). */
export function valueMax(q) {
  if (q.kind === "ranked") return q.max;
  if (q.kind === "graded") return q.grades.length - 1;
  return 1;
}

/** §6.4: the range the sum of the question's values is proven to lie in. */
export function sumRange(q) {
  if (q.kind === "ranked") return [(q.min * (q.min + 1)) / 2, (q.max * (q.max + 1)) / 2];
  if (q.kind === "graded") return [0, q.candidates.length * (q.grades.length - 1)];
  return [q.min, q.max];
}

/** §9.7.1: why these values are no valid answer to the question, or null. */
export function answerProblem(q, values) {
  if (q.kind === "graded") return null;
  if (q.kind === "ranked") {
    const ranks = values.filter((v) => v !== 0).sort((a, b) => a - b);
    if (ranks.some((r, i) => r !== i + 1)) return "ranks must be 1, 2, 3, … each given once";
    if (ranks.length < q.min || ranks.length > q.max) return `rank between ${q.min} and ${q.max} candidates`;
    return null;
  }
  const n = values.reduce((a, b) => a + b, 0);
  if (n < q.min || n > q.max) return `mark between ${q.min} and ${q.max} options`;
  if (q.kind === "list-pr" && (q.preferences ?? 1) > 1) {
    const options = optionsOf(q);
    const marked = options.filter((_, i) => values[i] !== 0);
    if (new Set(marked.map((o) => o.list)).size > 1) return "marks on more than one list";
    if (marked.filter((o) => o.candidate !== undefined).length > q.preferences) return `at most ${q.preferences} candidates of the list`;
  }
  return null;
}

/** Check values against the definition (§6.2): one per option, each 0…valueMax, and a
 * valid answer; the booth only ever makes valid ballots. */
export function checkSelections(definition, selections) {
  if (selections.length !== definition.questions.length) throw new EncodingError("one answer per question");
  definition.questions.forEach((q, qi) => {
    const sel = selections[qi];
    const top = valueMax(q);
    if (sel.length !== optionsOf(q).length || sel.some((m) => !Number.isInteger(m) || m < 0 || m > top)) {
      throw new EncodingError(`question ${q.id}: one value (0 to ${top}) per option`);
    }
    const problem = answerProblem(q, sel);
    if (problem !== null) throw new EncodingError(`question ${q.id}: ${problem}`);
  });
}

/**
 * Encrypt and sign a ballot, one option at a time: a generator that yields {done, total}
 * after each option and returns the ballot (JSON, as sent) with its secrets, which are kept
 * only in memory for a possible audit. The booth runs it between frames to stay responsive.
 */
export function* encryptionSteps(ctx, credential, selections) {
  const { answers, randomness } = yield* answerSteps(ctx, credential.public.toBytes(), selections);
  const body = { election: toHex(ctx.fingerprint), credential: pointHex(credential.public), answers };
  // Not signed here: the voter may still audit it, and an audited ballot must never be castable.
  return { body, selections, randomness };
}

/** The answers, encrypted and proven option by option, their proofs bound to `binding`. */
function* answerSteps(ctx, binding, selections) {
  checkSelections(ctx.definition, selections);
  const { key, fingerprint: fp } = ctx;
  const total = selections.reduce((n, s) => n + s.length, 0);
  let done = 0;
  const answers = [];
  const randomness = [];
  for (const [qi, q] of ctx.definition.questions.entries()) {
    const sel = selections[qi];
    const rs = sel.map(() => randomScalar());
    const cts = sel.map((m, oi) => encrypt(key, m, rs[oi]));
    const proofs = [];
    for (const [oi, m] of sel.entries()) {
      proofs.push(proofJson(proveRange(key, cts[oi], m, rs[oi], 0, valueMax(q), choiceContext(fp, binding, qi, oi), "ballot-choice")));
      yield { done: ++done, total };
    }
    const sum = sel.reduce((a, b) => a + b, 0);
    const rSum = mod(rs.reduce((a, b) => a + b, 0n));
    const [lo, hi] = sumRange(q);
    const overall = proveRange(key, addAll(cts), sum, rSum, lo, hi, overallContext(fp, binding, qi), "ballot-overall");
    answers.push({ choices: cts.map(ctJson), proofs, overall: proofJson(overall) });
    randomness.push(rs);
  }
  return { answers, randomness: randomness.map((rs) => rs.map(scalarHex)) };
}

/** §6.4: the credential's signature on a body, made only when the voter casts it. */
export function signBallot(credential, body) {
  const S = pointFromHex(body.credential, "credential");
  if (!S.equals(credential.public)) throw new ProofError("this ballot was made for another credential");
  const sig = proveKnowledge(credential.secret, S, signatureContext(body), "ballot-signature");
  return { ...body, signature: schnorrJson(sig) };
}

/** The same, all at once, and signed (tests and tools; the booth signs only on cast). */
export function encryptBallot(ctx, credential, selections) {
  const steps = encryptionSteps(ctx, credential, selections);
  for (;;) {
    const step = steps.next();
    if (step.done) return { ...step.value, ballot: signBallot(credential, step.value.body) };
  }
}

/** §6.6: what the booth reveals when its voter audits a ballot: the unsigned body, the marks
 * and the randomness, checkable by any implementation (`vecha audit`). */
export function auditData(ctx, made) {
  return { version: 3, election: ctx.id, ballot: made.body, selections: made.selections, randomness: made.randomness };
}

function signatureContext(body) {
  return new Transcript("ballot-body").raw("body", canonicalBytes(body)).digest();
}

/** §6.5: the first 32 bytes of T("tracker", body) in hex, for a ballot or its body (the
 * signature is not part of it, so the code shown before casting is the code on the board). */
export function trackerOf(ballot) {
  const { signature: _signature, ...body } = ballot;
  return toHex(new Transcript("tracker").raw("body", canonicalBytes(body)).digest().slice(0, 32));
}

function decodeProof(branches, what) {
  if (!Array.isArray(branches)) throw new EncodingError(`${what}: expected a list of branches`);
  return branches.map((b, i) => {
    if (!Array.isArray(b) || b.length !== 4) throw new EncodingError(`${what}[${i}]: expected [A, B, challenge, response]`);
    const at = (k) => `${what}[${i}][${k}]`;
    return [pointFromHex(b[0], at(0)), pointFromHex(b[1], at(1)), scalarFromHex(b[2], at(2)), scalarFromHex(b[3], at(3))];
  });
}

/** The answers' proofs (§6.4), bound to `binding`. */
function verifyAnswers(ctx, binding, answers) {
  const { key, fingerprint: fp } = ctx;
  const qs = ctx.definition.questions;
  if (answers.length !== qs.length) throw new ProofError("wrong number of answers");
  qs.forEach((q, qi) => {
    const a = answers[qi];
    if (a.choices.length !== optionsOf(q).length || a.proofs.length !== a.choices.length) {
      throw new ProofError(`question ${q.id}: wrong number of choices`);
    }
    const cts = a.choices.map((c, oi) => ({
      alpha: pointFromHex(c.alpha, `choices[${oi}].alpha`),
      beta: pointFromHex(c.beta, `choices[${oi}].beta`),
    }));
    cts.forEach((ct, oi) => {
      verifyRange(decodeProof(a.proofs[oi], "proof"), key, ct, 0, valueMax(q), choiceContext(fp, binding, qi, oi), "ballot-choice");
    });
    const [lo, hi] = sumRange(q);
    verifyRange(decodeProof(a.overall, "overall"), key, addAll(cts), lo, hi, overallContext(fp, binding, qi), "ballot-overall");
  });
}

/** Every check of §6.4 but the credential list: the booth re-checks its own ballot before
 * sending it, and the tests use it on ballots made by the Python core. */
export function verifyBallot(ctx, ballot) {
  if (ballot.election !== toHex(ctx.fingerprint)) throw new ProofError("the ballot is for another election");
  const S = pointFromHex(ballot.credential, "credential", { nonidentity: true });
  verifyAnswers(ctx, S.toBytes(), ballot.answers);
  const { signature, ...body } = ballot;
  verifyKnowledge(schnorrFromJson(signature, "signature"), S, signatureContext(body), "ballot-signature");
}

// ---- auditing (§6.6) and receipts (§6.5) ----------------------------------------------

/**
 * Benaloh audit: re-encrypt the claimed marks with the revealed randomness and compare with
 * the ballot's ciphertexts. Returns the marks it confirmed; throws if any option differs.
 */
export function auditBallot(ctx, ballot, selections, randomness) {
  ballot.answers.forEach((a, qi) => {
    a.choices.forEach((c, oi) => {
      const r = scalarFromHex(randomness[qi][oi], "randomness");
      const again = encrypt(ctx.key, selections[qi][oi], r);
      if (pointHex(again.alpha) !== c.alpha || pointHex(again.beta) !== c.beta) {
        throw new ProofError(`audit: question ${qi}, option ${oi} does not encrypt the claimed choice`);
      }
    });
  });
  return selections;
}

/** The board's Ed25519 signature on a receipt, and that it names this ballot. */
export function checkReceipt(ctx, ballot, receipt) {
  if (receipt.election !== ctx.id || receipt.tracker !== trackerOf(ballot) || !Number.isSafeInteger(receipt.index)) {
    throw new ProofError("the receipt is not for this ballot");
  }
  const message = canonicalBytes({ type: "vecha/v1/receipt", election: receipt.election, tracker: receipt.tracker, index: receipt.index });
  if (!ed25519.verify(fromHex(receipt.signature, 64, "signature"), message, ctx.boardKey)) {
    throw new ProofError("the receipt's signature does not verify under the board key");
  }
}

// ---- coercion-resistant elections (§6.10) ---------------------------------------------

/** S = from_uniform_bytes(T("coercion-credential", [election, code])): a real or a fake
 * code alike; nobody knows a scalar s with S = s·G. */
export function credentialPointOf(typed, fingerprint) {
  const code = normalizeCode(typed);
  return ristretto255_hasher.deriveToCurve(new Transcript("coercion-credential").raw("election", fingerprint).text("code", code).digest());
}

/** L(t) = from_uniform_bytes(T("link", [election, tracker])) for a 32-byte tracking code. */
export function linkPoint(fingerprint, tracker) {
  if (tracker.length !== 32) throw new EncodingError("a link names a 32-byte tracking code");
  return ristretto255_hasher.deriveToCurve(new Transcript("link").raw("election", fingerprint).raw("tracker", tracker).digest());
}

function randomNonzeroScalar() {
  for (;;) {
    const r = randomScalar();
    if (r !== 0n) return r;
  }
}

/**
 * A coercion-resistant election's ballot (§6.10), one option at a time like
 * `encryptionSteps`: C = E(S) for the code (real or fake: nothing here can tell), P = E(L)
 * for the tracking code `replaces` (32 bytes) of the ballot it replaces, or of 32 random
 * bytes. Returns the unsigned body and the randomness of C and P, kept in memory until cast.
 */
export function* coercionEncryptionSteps(ctx, code, selections, replaces = null) {
  const { key, fingerprint: fp } = ctx;
  const rC = randomNonzeroScalar();
  const rP = randomNonzeroScalar();
  const L = linkPoint(fp, replaces ?? randomBytes(32));
  const C = { alpha: mul(BASE, rC), beta: credentialPointOf(code, fp).add(mul(key, rC)) };
  const P = { alpha: mul(BASE, rP), beta: L.add(mul(key, rP)) };
  const binding = concat(C.alpha.toBytes(), C.beta.toBytes());
  const { answers, randomness } = yield* answerSteps(ctx, binding, selections);
  const body = { election: toHex(fp), credential: ctJson(C), predecessor: ctJson(P), answers };
  return { body, selections, randomness, secrets: { credential: rC, predecessor: rP } };
}

/** §6.10: the proofs of the randomness of C and P, bound to the whole body, made on cast. */
export function signCoercionBallot(secrets, body) {
  const context = signatureContext(body);
  const proof = (r, ct, purpose) => {
    const X = pointFromHex(ct.alpha, "alpha");
    if (!X.equals(mul(BASE, r))) throw new ProofError("this ballot was made with other randomness");
    return schnorrJson(proveKnowledge(r, X, context, purpose));
  };
  return {
    ...body,
    signature: {
      credential: proof(secrets.credential, body.credential, "ballot-credential"),
      predecessor: proof(secrets.predecessor, body.predecessor, "ballot-predecessor"),
    },
  };
}

/** Made and signed at once (tests and tools). */
export function encryptCoercionBallot(ctx, code, selections, replaces = null) {
  const steps = coercionEncryptionSteps(ctx, code, selections, replaces);
  for (;;) {
    const step = steps.next();
    if (step.done) return { ...step.value, ballot: signCoercionBallot(step.value.secrets, step.value.body) };
  }
}

/** Every check of §6.10: the election, both proofs of randomness, the answers' proofs. */
export function verifyCoercionBallot(ctx, ballot) {
  if (ballot.election !== toHex(ctx.fingerprint)) throw new ProofError("the ballot is for another election");
  const ct = (c, what) => ({ alpha: pointFromHex(c.alpha, `${what}.alpha`, { nonidentity: true }), beta: pointFromHex(c.beta, `${what}.beta`) });
  const C = ct(ballot.credential, "credential");
  const P = ct(ballot.predecessor, "predecessor");
  const { signature, ...body } = ballot;
  const context = signatureContext(body);
  for (const [name, X] of [["credential", C.alpha], ["predecessor", P.alpha]]) {
    verifyKnowledge(schnorrFromJson(signature[name], `signature.${name}`), X, context, `ballot-${name}`);
  }
  verifyAnswers(ctx, concat(C.alpha.toBytes(), C.beta.toBytes()), ballot.answers);
}
