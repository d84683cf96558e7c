// A command-line door into the booth's cryptography, for the cross-language tests: reads
// one JSON request on stdin, writes one JSON answer on stdout.
//   {"op": "encrypt", "info": {...}, "code": "...", "selections": [[...]]} -> {ballot, body, selections, randomness, tracker, audit}
//   {"op": "audit", "info": {...}, "ballot": {...}, "selections": [...], "randomness": [...]} -> {ok, error?}
//   {"op": "verify", "info": {...}, "ballot": {...}} -> {ok, error?}
//   {"op": "replay", "package": {...}} -> {ok, fingerprint, key, id} or {ok: false, error}
//   {"op": "blind", "key": {n, e}, "message": hex} -> {prepared, blinded, inverse}
//   {"op": "finalize", "key": {n, e}, "prepared", "blind_signature", "inverse"} -> {ok, signature?, error?}
//   {"op": "blind-sign", "jwk": {...}, "blinded": hex} -> {blind_signature}
import { readFileSync } from "node:fs";

import { blindMessage, blindSignForTests, finalizeSignature, registrarKey } from "../src/blind.js";
import * as v from "../src/crypto.js";
import { replayPackage } from "../src/package.js";

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
} else if (request.op === "audit") {
  answer = attempt(() => v.auditBallot(ctx, request.ballot, request.selections, request.randomness));
} else if (request.op === "replay") {
  try {
    const r = replayPackage(request.package);
    answer = { ok: true, fingerprint: v.toHex(r.fingerprint), key: v.toHex(r.key.toBytes()), id: r.id };
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
} else if (request.op === "verify") {
  answer = attempt(() => v.verifyBallot(ctx, request.ballot));
} else {
  throw new Error(`unknown op ${request.op}`);
}
process.stdout.write(JSON.stringify(answer));
