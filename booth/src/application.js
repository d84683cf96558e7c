// An application for a credential as the applicant's browser makes it (spec §6.8), the same
// bytes as the Python core's `vecha.election.application`: the device makes the credential
// code, prepares and blinds the message of its public credential once per registrar, seals
// the evidence to one registrar's reviewers, and solves the puzzle bound to the application.
// What it must keep until the registrars decide — the code and each blinding's inverse —
// goes into the registration file (the format `vecha register` writes), which the applicant
// saves; nothing is kept in the browser. No DOM and no network.

import { blindMessage, finalizeSignature, registrarKey } from "./blind.js";
import {
  BASE,
  ProofError,
  Transcript,
  canonicalBytes,
  checkCharacter,
  concat,
  credentialFromCode,
  credentialPointOf,
  fromHex,
  mul,
  pointFromHex,
  proveKnowledge,
  randomScalar,
  scalarFromHex,
  scalarHex,
  schnorrJson,
  toHex,
} from "./crypto.js";
import { sealEvidence } from "./seal.js";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX_LENGTH = 32;

export const base64 = (bytes) => {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};

export const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A fresh credential code (spec §6.3): 16 random characters and the check character. */
export function newCode() {
  const random = crypto.getRandomValues(new Uint8Array(16));
  const data = Array.from(random, (b) => ALPHABET[b & 31]).join(""); // 256 is a multiple of 32: uniform
  return `${data}${checkCharacter(data)}`.match(/.{1,4}/g).join("-");
}

/** T("registered-credential", [("election", fp), ("credential", S)]): what a registrar signs. */
export const credentialMessage = (fingerprint, publicCredential) =>
  new Transcript("registered-credential").raw("election", fingerprint).point("credential", publicCredential).digest();

/** The evidence's bytes: canonical JSON of {fields, files: {id: {type, name, data}}}. */
export function evidenceBytes(fields, files) {
  const encoded = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, { type: f.type, name: f.name, data: base64(f.data) }]));
  return canonicalBytes({ fields, files: encoded });
}

/** What is wrong with the evidence against the definition's fields, as {field, problem, ...}
 *  for the form (null when nothing is); the same rules as the core's `Evidence.make`. */
export function evidenceProblem(rules, fields, files) {
  for (const f of rules.fields) {
    if (f.kind === "file") {
      const given = files[f.id];
      if (!given) {
        if (f.required) return { field: f.id, problem: "required" };
        continue;
      }
      if (!f.accept.includes(given.type)) return { field: f.id, problem: "file-type", accept: f.accept.join(", ") };
      if (given.data.length > rules.attachment_max_bytes) return { field: f.id, problem: "file-size", max: rules.attachment_max_bytes };
      continue;
    }
    const value = fields[f.id];
    if (value === undefined || !value.trim()) {
      if (f.required) return { field: f.id, problem: "required" };
      continue;
    }
    if ([...value].length > f.max_length || (value.includes("\n") && f.kind !== "free-text")) {
      return { field: f.id, problem: "length", max: f.max_length };
    }
    if (f.kind === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return { field: f.id, problem: "date" };
  }
  return null;
}

/** §6.10: T("roll-entry", [("election", fp), ("alpha", α), ("beta", β)]): what a registrar
 *  of a coercion-resistant election signs blindly, for R = (α, β) = E(S). */
export const rollMessage = (fingerprint, alpha, beta) =>
  new Transcript("roll-entry").raw("election", fingerprint).point("alpha", alpha).point("beta", beta).digest();

function nonzeroScalar() {
  for (;;) {
    const r = randomScalar();
    if (r !== 0n) return r;
  }
}

/** The device's state: the code, and per registrar the prepared message, the blinded message
 *  and the inverse (spec §6.7), as the registration file holds them (`pending`). Given the
 *  election's joint key (a coercion-resistant election), the registrars sign the roll entry's
 *  R = (r·G, S + r·K) instead of a public credential; R and r go into the file, r only until
 *  the roll entry is posted. */
export async function newPending(fingerprint, rules, electionKey = null) {
  const code = newCode();
  let message;
  let roll = null;
  if (electionKey === null) {
    message = credentialMessage(fingerprint, credentialFromCode(code, fingerprint).public);
  } else {
    const r = nonzeroScalar();
    const alpha = mul(BASE, r);
    const beta = credentialPointOf(code, fingerprint).add(mul(electionKey, r));
    message = rollMessage(fingerprint, alpha, beta);
    roll = { alpha: toHex(alpha.toBytes()), beta: toHex(beta.toBytes()), randomness: scalarHex(r) };
  }
  const registrars = {};
  for (const r of rules.registrars) {
    const made = await blindMessage(await registrarKey(r.blind_key), message);
    registrars[r.id] = { prepared: made.prepared, inverse: made.inverse, blinded: made.blinded };
  }
  return { ...(roll ? { roll } : {}), code, fingerprint: toHex(fingerprint), registrars };
}

/** A coercion-resistant election's file whose roll entry is not posted yet: the entry to post
 *  (spec §6.10: R, the proof of r bound to fp ‖ α ‖ β, the signatures by registrar id). */
export function rollEntryOf(file, fingerprint) {
  const roll = file.pending.roll;
  if (!roll?.randomness) throw new ProofError("this registration file holds no roll entry to post");
  const alpha = pointFromHex(roll.alpha, "the roll entry's alpha", { nonidentity: true });
  const beta = pointFromHex(roll.beta, "the roll entry's beta");
  const r = scalarFromHex(roll.randomness, "the roll entry's randomness");
  if (!alpha.equals(mul(BASE, r))) throw new ProofError("this registration file's roll entry is damaged");
  const p = proveKnowledge(r, alpha, concat(fingerprint, alpha.toBytes(), beta.toBytes()), "roll-entry");
  const signatures = Object.keys(file.signatures)
    .sort()
    .map((id) => file.signatures[id]);
  return { credential: { alpha: roll.alpha, beta: roll.beta }, proof: schnorrJson(p), signatures };
}

/** The same file once its roll entry is on the board, without r: from then on nobody, the
 *  voter included, can show which roll entry is theirs (docs/coercion.md §3). */
export function withoutRollRandomness(file) {
  const { randomness: _, ...roll } = file.pending.roll;
  return { ...file, pending: { ...file.pending, roll } };
}

/** A new registration file (the format of `vecha register apply`); `box` may be null. */
export const newRegistrationFile = (election, pending, box = null) => ({ version: 2, election, box, pending, applications: {}, signatures: {} });

/** A registration file read back, checked against the election it claims to be for. */
export function readRegistrationFile(text, election, fingerprint) {
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    throw new ProofError("not a registration file (not JSON)");
  }
  const p = obj?.pending;
  if (obj?.version !== 2 || typeof p?.code !== "string" || typeof p?.registrars !== "object" || typeof obj.applications !== "object" || typeof obj.signatures !== "object") {
    throw new ProofError("not a registration file");
  }
  if (obj.election !== election || p.fingerprint !== toHex(fingerprint)) throw new ProofError("this registration file is for another election");
  credentialFromCode(p.code, fingerprint); // a damaged code fails here
  return obj;
}

export const registrarOf = (rules, id) => {
  const r = rules.registrars.find((x) => x.id === id);
  if (!r) throw new ProofError(`no registrar ${id} in this election`);
  return r;
};

const digestOf = (body) => new Transcript("application").raw("body", canonicalBytes(body)).digest();

/** The application for one registrar, without its puzzle. */
export function applicationBody(fingerprint, rules, registrarId, pending, fields, files) {
  const spec = registrarOf(rules, registrarId);
  const duplicateKey = Object.fromEntries(rules.duplicate_key.map((k) => [k, fields[k]]));
  const sealed = sealEvidence(evidenceBytes(fields, files), fingerprint, registrarId, spec.reviewers.map((k) => fromHex(k, 32, "reviewer key")));
  return {
    election: toHex(fingerprint),
    registrar: registrarId,
    blinded: pending.registrars[registrarId].blinded,
    duplicate_key: duplicateKey,
    evidence: { keys: sealed.keys.map(toHex), nonce: toHex(sealed.nonce), ciphertext: base64(sealed.ciphertext) },
  };
}

const leadingZeros = (h, bits) => bits === 0 || ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> (32 - bits) === 0;

/** Does `nonce` solve the puzzle (spec §6.8)? T("application-puzzle", seed, application, nonce). */
export function puzzleOk(seed, body, nonce, bits) {
  const h = new Transcript("application-puzzle").raw("seed", seed).raw("application", digestOf(body)).raw("nonce", nonce).digest();
  return leadingZeros(h, bits);
}

/** Solve the puzzle (about 2^bits hashes), yielding to the page between rounds so that it
 *  stays responsive and can show `progress(tries, expected)`. Returns the application with
 *  its puzzle. */
export async function solvePuzzle(body, seedHex, bits, progress = () => {}) {
  const seed = fromHex(seedHex, 32, "puzzle seed");
  const prefix = new Transcript("application-puzzle").raw("seed", seed).raw("application", digestOf(body));
  const nonce = crypto.getRandomValues(new Uint8Array(8));
  const view = new DataView(nonce.buffer);
  nonce[4] = nonce[5] = nonce[6] = nonce[7] = 0; // the counter counts in the low half
  for (let tries = 0; ; ) {
    for (let k = 0; k < 2048; k++, tries++) {
      view.setUint32(4, tries >>> 0);
      if (leadingZeros(prefix.copy().raw("nonce", nonce).digest(), bits)) {
        return { ...body, puzzle: { seed: seedHex, nonce: toHex(nonce) } };
      }
    }
    progress(tries, 2 ** bits);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Unblind a registrar's blind signature into its entry of the file's `signatures`
 *  (a ProofError if the registrar answered with anything that does not verify). */
export async function unblind(rules, registrarId, pending, blindSignature) {
  const spec = registrarOf(rules, registrarId);
  const own = pending.registrars[registrarId];
  const key = await registrarKey(spec.blind_key);
  const size = fromHex(spec.blind_key.n, spec.blind_key.n.length / 2, "n").length;
  let signature;
  try {
    signature = await finalizeSignature(key, own.prepared, blindSignature, own.inverse.padStart(2 * size, "0"));
  } catch {
    throw new ProofError(`registrar ${registrarId}'s signature does not verify`);
  }
  return { registrar: registrarId, prefix: own.prepared.slice(0, 2 * PREFIX_LENGTH), signature };
}

/** What the booth sends with the first ballot: {credential, signatures} (spec §6.8). */
export function signedCredential(file, fingerprint) {
  const cred = credentialFromCode(file.pending.code, fingerprint);
  const signatures = Object.keys(file.signatures)
    .sort()
    .map((r) => file.signatures[r]);
  return { credential: toHex(cred.public.toBytes()), signatures };
}
