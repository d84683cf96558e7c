// A command-line door into the booth's cryptography, for the cross-language tests: reads
// one JSON request on stdin, writes one JSON answer on stdout.
//   {"op": "encrypt", "info": {...}, "code": "...", "selections": [[...]]} -> {ballot, body, selections, randomness, tracker, audit}
//   {"op": "audit", "info": {...}, "ballot": {...}, "selections": [...], "randomness": [...]} -> {ok, error?}
//   {"op": "verify", "info": {...}, "ballot": {...}} -> {ok, error?}
import { readFileSync } from "node:fs";

import * as v from "../src/crypto.js";

const request = JSON.parse(readFileSync(0, "utf8"));
const ctx = v.electionContext(request.info);

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
} else if (request.op === "verify") {
  answer = attempt(() => v.verifyBallot(ctx, request.ballot));
} else {
  throw new Error(`unknown op ${request.op}`);
}
process.stdout.write(JSON.stringify(answer));
