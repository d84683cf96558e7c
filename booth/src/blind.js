// RSA blind signatures for registration (spec §6.7: RFC 9474, RSABSSA-SHA384-PSS-Randomized),
// on the applicant's device, with Cloudflare's implementation of the RFC over WebCrypto: the
// device prepares and blinds its public credential, sends only the blinded message, and turns
// the registrar's blind signature into an ordinary RSA-PSS signature. The inverse of the
// blinding factor never leaves the device.
import { RSABSSA } from "@cloudflare/blindrsa-ts";

import { fromHex, toHex } from "./crypto.js";

const suite = RSABSSA.SHA384.PSS.Randomized();

const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const bytesOfHex = (text, what) => fromHex(text, text.length / 2, what);
const evenHex = (text) => (text.length % 2 ? `0${text}` : text);

/** A registrar's public key `{n, e}` (spec §6.7) as a WebCrypto key for RSA-PSS with SHA-384. */
export function registrarKey(key, usages = ["verify"]) {
  const jwk = { kty: "RSA", alg: "PS384", ext: true, n: base64url(bytesOfHex(key.n, "n")), e: base64url(bytesOfHex(evenHex(key.e), "e")) };
  return crypto.subtle.importKey("jwk", jwk, { name: "RSA-PSS", hash: "SHA-384" }, true, usages);
}

/** Prepare (a random 32-byte prefix, then the message) and blind; returns hex strings. */
export async function blindMessage(key, message) {
  const prepared = suite.prepare(message);
  const { blindedMsg, inv } = await suite.blind(key, prepared);
  return { prepared: toHex(prepared), blinded: toHex(blindedMsg), inverse: toHex(inv) };
}

/** Unblind the registrar's answer into a signature on the prepared message, and check it
 *  (a registrar that answered with anything else is caught here). */
export async function finalizeSignature(key, prepared, blindSignature, inverse) {
  const signature = await suite.finalize(key, bytesOfHex(prepared, "prepared"), bytesOfHex(blindSignature, "blind signature"), bytesOfHex(inverse, "inverse"));
  return toHex(signature);
}

/** The registrar's side, for the cross-language tests only (a registrar signs in Python). */
export async function blindSignForTests(privateJwk, blinded) {
  const key = await crypto.subtle.importKey("jwk", privateJwk, { name: "RSA-PSS", hash: "SHA-384" }, true, ["sign"]);
  return toHex(await suite.blindSign(key, bytesOfHex(blinded, "blinded message")));
}
