// A command-line door into the booth's cryptography, for the cross-language tests: reads
// one JSON request on stdin, writes one JSON answer on stdout.
//   {"op": "encrypt", "info": {...}, "code": "...", "selections": [[...]]} -> {ballot, body, selections, randomness, tracker, audit}
//   {"op": "audit", "info": {...}, "ballot": {...}, "selections": [...], "randomness": [...]} -> {ok, error?}
//   {"op": "verify", "info": {...}, "ballot": {...}} -> {ok, error?}
//   {"op": "coercion-encrypt", "info": {...}, "code": "...", "selections": [[...]], "replaces"?: hex} -> {ballot, tracker}
//   {"op": "coercion-verify", "info": {...}, "ballot": {...}} -> {ok, error?}
//   {"op": "replay", "package": {...}, "definitionOnly"?: true} -> {ok, fingerprint, key, id, pins} or {ok: false, error}
//   {"op": "blind", "key": {n, e}, "message": hex} -> {prepared, blinded, inverse}
//   {"op": "finalize", "key": {n, e}, "prepared", "blind_signature", "inverse"} -> {ok, signature?, error?}
//   {"op": "blind-sign", "jwk": {...}, "blinded": hex} -> {blind_signature}
//   {"op": "apply", "fingerprint", "rules", "registrar", "fields", "files": {id: {type, name, data: base64}}, "seed", "bits", "pending"?} -> {pending, application}
//   {"op": "open-evidence", "fingerprint", "registrar", "reviewer", "seed": hex, "sealed": {...}} -> {ok, evidence?, error?}
//   {"op": "reviewer-key", "seed": hex} -> {public}
//   {"op": "unblind", "rules", "registrar", "pending", "blind_signature"} -> {ok, signature?, error?}
//   {"op": "signed-credential", "file", "fingerprint"} -> {credential, signatures}
import { readFileSync } from "node:fs";

import * as a from "../src/application.js";
import { blindMessage, blindSignForTests, finalizeSignature, registrarKey } from "../src/blind.js";
import * as v from "../src/crypto.js";
import * as h from "../src/handoff.js";
import { replayDefinition, replayPackage } from "../src/package.js";
import { openEvidence, reviewerKeyPair } from "../src/seal.js";

const request = JSON.parse(readFileSync(0, "utf8"));
const ctx = request.info ? v.electionContext(request.info) : null;

function attempt(fn) {
  try {
    fn();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e.message };
  }
}

let answer;
if (request.op === "encrypt") {
  const made = v.encryptBallot(ctx, v.credentialFromCode(request.code, ctx.fingerprint), request.selections);
  answer = { ...made, tracker: v.trackerOf(made.ballot), audit: v.auditData(ctx, made) };
} else if (request.op === "coercion-encrypt") {
  const replaces = request.replaces ? v.fromHex(request.replaces, 32, "replaces") : null;
  const made = v.encryptCoercionBallot(ctx, request.code, request.selections, replaces);
  answer = { ballot: made.ballot, tracker: v.trackerOf(made.ballot) };
} else if (request.op === "coercion-verify") {
  answer = attempt(() => v.verifyCoercionBallot(ctx, request.ballot));
} else if (request.op === "audit") {
  answer = attempt(() => v.auditBallot(ctx, request.ballot, request.selections, request.randomness));
} else if (request.op === "replay") {
  try {
    const r = request.definitionOnly ? replayDefinition(request.package) : replayPackage(request.package);
    const key = r.key ? v.toHex(r.key.toBytes()) : null;
    answer = { ok: true, fingerprint: v.toHex(r.fingerprint), key, id: r.id, pins: r.pins };
  } catch (e) {
    answer = { ok: false, error: e.message };
  }
} else if (request.op === "blind") {
  answer = await blindMessage(await registrarKey(request.key), v.fromHex(request.message, request.message.length / 2));
} else if (request.op === "finalize") {
  try {
    const key = await registrarKey(request.key);
    answer = { ok: true, signature: await finalizeSignature(key, request.prepared, request.blind_signature, request.inverse) };
  } catch (e) {
    answer = { ok: false, error: String(e.message ?? e) };
  }
} else if (request.op === "blind-sign") {
  answer = { blind_signature: await blindSignForTests(request.jwk, request.blinded) };
} else if (request.op === "apply") {
  const fp = v.fromHex(request.fingerprint, 32);
  const key = request.key ? v.pointFromHex(request.key, "key") : null; // a coercion-resistant election's
  const pending = request.pending ?? (await a.newPending(fp, request.rules, key));
  const files = Object.fromEntries(Object.entries(request.files).map(([k, f]) => [k, { ...f, data: a.fromBase64(f.data) }]));
  const body = a.applicationBody(fp, request.rules, request.registrar, pending, request.fields, files);
  answer = { pending, application: await a.solvePuzzle(body, request.seed, request.bits) };
} else if (request.op === "open-evidence") {
  try {
    const s = request.sealed;
    const sealed = { keys: s.keys.map((k) => v.fromHex(k, k.length / 2)), nonce: v.fromHex(s.nonce, 24), ciphertext: a.fromBase64(s.ciphertext) };
    const plain = openEvidence(sealed, v.fromHex(request.fingerprint, 32), request.registrar, request.reviewer, reviewerKeyPair(v.fromHex(request.seed, 32)));
    answer = { ok: true, evidence: new TextDecoder().decode(plain) };
  } catch (e) {
    answer = { ok: false, error: e.message };
  }
} else if (request.op === "reviewer-key") {
  answer = { public: v.toHex(reviewerKeyPair(v.fromHex(request.seed, 32)).public) };
} else if (request.op === "unblind") {
  try {
    answer = { ok: true, signature: await a.unblind(request.rules, request.registrar, request.pending, request.blind_signature) };
  } catch (e) {
    answer = { ok: false, error: e.message };
  }
} else if (request.op === "roll-entry") {
  try {
    answer = { ok: true, entry: a.rollEntryOf(request.file, v.fromHex(request.fingerprint, 32)), file: a.withoutRollRandomness(request.file) };
  } catch (e) {
    answer = { ok: false, error: e.message };
  }
} else if (request.op === "signed-credential") {
  answer = a.signedCredential(request.file, v.fromHex(request.fingerprint, 32));
} else if (request.op === "handoff-frames") {
  answer = { frames: (await h.framesOf(request.submission)).map((f) => v.toHex(f)) };
} else if (request.op === "handoff-read") {
  try {
    answer = { ok: true, submission: await h.submissionOf(request.frames.map((f) => v.fromHex(f, f.length / 2))) };
  } catch (e) {
    answer = { ok: false, error: e.message, code: e.code };
  }
} else if (request.op === "verify") {
  answer = attempt(() => v.verifyBallot(ctx, request.ballot));
} else {
  throw new Error(`unknown op ${request.op}`);
}
process.stdout.write(JSON.stringify(answer));
