// Sealing the applicant's evidence to the reviewers (spec §6.8), byte for byte what
// libsodium does in the Python core, with @noble's primitives:
// - the evidence: XChaCha20-Poly1305 (IETF, libsodium's crypto_aead_xchacha20poly1305_ietf),
//   under a fresh 32-byte key and 24-byte nonce, with associated data binding the election
//   and the registrar;
// - that key, for each reviewer: libsodium's sealed box (crypto_box_seal): an ephemeral
//   X25519 key pair, the box key HSalsa20(X25519(esk, pk), 0), the nonce BLAKE2b-24(epk ‖ pk),
//   and XSalsa20-Poly1305 (secretbox); the output is epk ‖ tag ‖ ciphertext.
// A reviewer's key pair comes from its 32-byte seed as crypto_box_seed_keypair makes it: the
// secret is the first half of SHA-512(seed). No DOM and no network.

import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hsalsa, xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";

import { ProofError, Transcript } from "./crypto.js";

export const SEAL_OVERHEAD = 48; // the ephemeral public key and the tag

const concat = (a, b) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

// "expand 32-byte k", as four little-endian words: Salsa20's constant
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

const words = (bytes) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(4 * i, true));
};

const wordBytes = (w) => {
  const out = new Uint8Array(4 * w.length);
  const view = new DataView(out.buffer);
  w.forEach((x, i) => view.setUint32(4 * i, x, true));
  return out;
};

/** crypto_box_beforenm: HSalsa20 of the X25519 shared secret with a zero input. */
function boxKey(secret, publicKey) {
  const shared = x25519.getSharedSecret(secret, publicKey);
  const out = new Uint32Array(8);
  hsalsa(SIGMA, words(shared), new Uint32Array(4), out);
  return wordBytes(out);
}

const sealNonce = (ephemeral, recipient) => blake2b(concat(ephemeral, recipient), { dkLen: 24 });

/** A reviewer's X25519 key pair from its seed: {secret, public}. */
export function reviewerKeyPair(seed) {
  if (seed.length !== 32) throw new ProofError("a reviewer seed is 32 bytes");
  const secret = sha512(seed).slice(0, 32);
  return { secret, public: x25519.getPublicKey(secret) };
}

/** crypto_box_seal: `message` sealed to `recipient`'s X25519 public key. */
export function sealTo(message, recipient) {
  const ephemeral = x25519.utils.randomSecretKey();
  const epk = x25519.getPublicKey(ephemeral);
  const box = xsalsa20poly1305(boxKey(ephemeral, recipient), sealNonce(epk, recipient)).encrypt(message);
  return concat(epk, box);
}

/** crypto_box_seal_open; a ProofError if the box was not sealed to this key pair. */
export function openSealed(sealed, pair) {
  if (sealed.length < SEAL_OVERHEAD) throw new ProofError("a sealed box is at least 48 bytes");
  const epk = sealed.slice(0, 32);
  try {
    return xsalsa20poly1305(boxKey(pair.secret, epk), sealNonce(epk, pair.public)).decrypt(sealed.slice(32));
  } catch {
    throw new ProofError("the sealed key does not open with this reviewer key");
  }
}

/** The evidence's associated data: T("evidence", [("election", fp), ("registrar", id)]). */
export const evidenceAd = (fingerprint, registrar) => new Transcript("evidence").raw("election", fingerprint).text("registrar", registrar).digest();

/** Seal evidence bytes for one registrar's reviewers: {keys, nonce, ciphertext} as bytes. */
export function sealEvidence(plain, fingerprint, registrar, reviewers) {
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const ciphertext = xchacha20poly1305(key, nonce, evidenceAd(fingerprint, registrar)).encrypt(plain);
  return { keys: reviewers.map((r) => sealTo(key, r)), nonce, ciphertext };
}

/** A reviewer opens sealed evidence with its key pair (their `reviewer`-th sealed key). */
export function openEvidence(sealed, fingerprint, registrar, reviewer, pair) {
  if (!(reviewer >= 1 && reviewer <= sealed.keys.length)) throw new ProofError(`no sealed key for reviewer ${reviewer}`);
  const key = openSealed(sealed.keys[reviewer - 1], pair);
  try {
    return xchacha20poly1305(key, sealed.nonce, evidenceAd(fingerprint, registrar)).decrypt(sealed.ciphertext);
  } catch {
    throw new ProofError("the evidence does not open with its sealed key");
  }
}
