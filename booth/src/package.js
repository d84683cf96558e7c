// The election package (spec §8.7), replayed by the booth: the board's first entries, from
// the definition through the joint key, checked with the rules of §8.4 (hash chain, the
// trustees' proofs and identity signatures, the announcements' digest, the verification
// keys and the joint key). The booth takes the fingerprint, the definition and the key from
// here, not from what a server says about them, so a booth served by a mirror trusts no box.
// No DOM and no network, like crypto.js.

import { ed25519 } from "@noble/curves/ed25519.js";

import { IDENTITY, ProofError, Transcript, canonicalBytes, fromHex, mulPublic, pointFromHex, schnorrFromJson, toHex, verifyKnowledge } from "./crypto.js";

const ZERO_HASH = new Uint8Array(32);
const ENTRY_KEYS = ["election", "index", "parent", "payload", "time", "type", "version"];

const u32be = (n) => Uint8Array.of((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const sameKeys = (obj, keys) => obj !== null && typeof obj === "object" && !Array.isArray(obj) && JSON.stringify(Object.keys(obj).sort()) === JSON.stringify([...keys].sort());
const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function fail(index, message) {
  throw new ProofError(`election package, entry ${index}: ${message}`);
}

/** §5.1: the identity key's Ed25519 signature over the message without its signature. */
function checkSigned(kind, fp, message, identity, index, who) {
  const { signature, ...body } = message;
  const signed = canonicalBytes({ type: `vecha/v2/${kind}`, election: toHex(fp), body });
  if (!ed25519.verify(fromHex(signature, 64, "signature"), signed, identity)) {
    fail(index, `${who}'s ${kind} is not signed by its identity key`);
  }
}

/** Σ_k j^k·C_k: f(j)·G from the commitments. */
function evaluate(commitments, j) {
  let acc = IDENTITY;
  let power = 1n;
  for (const c of commitments) {
    acc = acc.add(mulPublic(c, power));
    power *= BigInt(j);
  }
  return acc;
}

const PIN_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** §8.7: `booth.files`, path → hex SHA-256; null where entry 0 pins no booth. */
function boothPins(booth, index) {
  const files = booth?.files;
  if (!sameKeys(booth, ["files"]) || files === null || typeof files !== "object" || Array.isArray(files)) fail(index, "booth pins are {files: {path: sha256}}");
  const paths = Object.keys(files);
  if (!paths.length || paths.length > 512) fail(index, "a booth pins 1 to 512 files");
  for (const path of paths) {
    if (!PIN_PATH.test(path) || path.split("/").some((part) => part === "." || part === "..")) fail(index, `a pinned path ${JSON.stringify(path)} is not allowed`);
    fromHex(files[path], 32, `the pin of ${path}`);
  }
  return files;
}

/**
 * Replay a package; returns what the booth needs: {id, definition, fingerprint, key,
 * boardKey, pins} (pins: the booth's files, path → hex SHA-256, or null). Throws a ProofError naming the entry that breaks a rule.
 */
export function replayPackage(pkg, { definitionOnly = false } = {}) {
  if (!sameKeys(pkg, ["version", "entries"]) || pkg.version !== 3 || !Array.isArray(pkg.entries) || !pkg.entries.length) {
    throw new ProofError("not an election package (version 3)");
  }
  let parent = ZERO_HASH;
  let fp = null;
  let definition = null;
  let boardKey = null;
  const announcements = [];
  const confirmations = [];
  let key = null;
  let pins = null;
  pkg.entries.forEach((entry, i) => {
    if (!sameKeys(entry, ENTRY_KEYS) || entry.version !== 3 || entry.index !== i) fail(i, "not an entry at this index");
    if (entry.parent !== toHex(parent)) fail(i, "broken hash link");
    const hash = new Transcript("board-entry").raw("parent", parent).raw("entry", canonicalBytes(entry)).digest().slice(0, 32);
    const p = entry.payload;
    if (i === 0) {
      const pinned = sameKeys(p, ["definition", "board_key", "booth"]);
      if (entry.type !== "election" || !(pinned || sameKeys(p, ["definition", "board_key"])) || p.definition?.id !== entry.election) fail(i, "not the election's definition");
      fp = hash;
      definition = p.definition;
      boardKey = fromHex(p.board_key, 32, "board_key");
      if (pinned) pins = boothPins(p.booth, i);
    } else if (entry.election !== definition.id) {
      fail(i, "belongs to another election");
    }
    const identities = (definition.trustees.identities ?? []).map((k) => fromHex(k, 32, "identity"));
    const n = definition.trustees.count;
    if (entry.type === "trustee") {
      const j = announcements.length + 1;
      if (p.index !== j || j > n) fail(i, `expected trustee ${j}'s announcement`);
      const transport = fromHex(p.transport_key, 32, "transport_key");
      const commitments = p.commitments.map((c) => pointFromHex(c, "commitment", { nonidentity: true }));
      if (commitments.length !== definition.trustees.threshold) fail(i, `trustee ${j}: wrong number of commitments`);
      verifyKnowledge(schnorrFromJson(p.proof), commitments[0], concat(fp, u32be(j), transport), "trustee-key");
      checkSigned("trustee-announcement", fp, p, identities[j - 1], i, `trustee ${j}`);
      announcements.push({ json: p, commitments });
    } else if (entry.type === "trustee-confirmation") {
      const j = confirmations.length + 1;
      if (announcements.length !== n || p.index !== j || j > n) fail(i, `expected trustee ${j}'s confirmation`);
      confirmations.push({ json: p, X: pointFromHex(p.verification_key, "verification_key", { nonidentity: true }) });
    } else if (entry.type === "joint-key") {
      if (confirmations.length !== n) fail(i, "the joint key before every confirmation");
      const t = new Transcript("ceremony-announcements").number("announcements#", n);
      for (const a of announcements) t.raw("announcement", canonicalBytes(a.json));
      const digest = t.digest().slice(0, 32);
      for (const [k, c] of confirmations.entries()) {
        const j = k + 1;
        if (c.json.announcements !== toHex(digest)) fail(i, `trustee ${j} confirmed other announcements`);
        verifyKnowledge(schnorrFromJson(c.json.proof), c.X, concat(fp, u32be(j), digest), "trustee-share");
        checkSigned("trustee-confirmation", fp, c.json, identities[j - 1], i, `trustee ${j}`);
        const expected = announcements.reduce((acc, a) => acc.add(evaluate(a.commitments, j)), IDENTITY);
        if (!expected.equals(c.X)) fail(i, `trustee ${j}'s verification key does not match the commitments`);
      }
      const sum = announcements.reduce((acc, a) => acc.add(a.commitments[0]), IDENTITY);
      key = pointFromHex(p.public_key, "public_key", { nonidentity: true });
      if (!sum.equals(key)) fail(i, "the joint key is not the sum of the trustees' commitments");
    } else if (i > 0) {
      fail(i, `an election package ends at the joint key, not at a ${entry.type} entry`);
    }
    parent = hash;
  });
  if (definitionOnly) return { id: definition.id, definition, fingerprint: fp, boardKey, pins };
  if (key === null) throw new ProofError("the election package stops before the trustees' joint key");
  return { id: definition.id, definition, fingerprint: fp, key, boardKey, pins };
}

/** The first entry alone, as a registrar serves it: {id, definition, fingerprint, boardKey}. */
export function replayDefinition(pkg) {
  if (!Array.isArray(pkg?.entries)) throw new ProofError("not an election package (version 3)");
  return replayPackage({ ...pkg, entries: pkg.entries.slice(0, 1) }, { definitionOnly: true });
}

/** The fingerprint as people compare it: the first 16 bytes in groups of four hex digits. */
export const fingerprintText = (fp) => toHex(fp).slice(0, 32).match(/.{4}/g).join(" ");

/** Does what a server says about the election agree with the package it replayed? */
export function agrees(replayed, info) {
  return (
    info.id === replayed.id &&
    info.fingerprint === toHex(replayed.fingerprint) &&
    info.public_key === toHex(replayed.key.toBytes()) &&
    equalBytes(fromHex(info.board_key, 32, "board_key"), replayed.boardKey)
  );
}
