// Handing a ballot off (spec §6.9): a signed submission as a short sequence of QR codes,
// and back. The same frames as vecha/election/handoff.py; the tests hold the two together.
import jsQR from "jsqr";
import qrcode from "qrcode-generator";

import { EncodingError, Transcript, canonicalBytes, concat } from "./crypto.js";

const MAGIC = [0x56, 0x51]; // "VQ"
const VERSION = 1;
export const CHUNK = 640;
const HEADER = 13;
const MAX_SUBMISSION = 1 << 20;

const digestOf = (payload) => new Transcript("handoff").raw("payload", payload).digest().slice(0, 8);

async function through(stream, bytes) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** The frames (one per QR code) that carry `submission`: zlib (RFC 1950), cut into chunks. */
export async function framesOf(submission) {
  const payload = await through(new CompressionStream("deflate"), canonicalBytes(submission));
  const n = Math.ceil(payload.length / CHUNK);
  if (n > 255) throw new EncodingError(`this ballot needs ${n} codes; a hand-off carries at most 255`);
  const digest = digestOf(payload);
  return Array.from({ length: n }, (_, k) =>
    concat(new Uint8Array([...MAGIC, VERSION, k, n]), digest, payload.slice(k * CHUNK, (k + 1) * CHUNK)),
  );
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The submission these frames carry (any order, repeats allowed); `EncodingError` with
 * the reason (`code`: not-vecha, version, two-ballots, missing, damaged, not-a-ballot). */
export async function submissionOf(frames) {
  const fail = (code, message, extra = {}) => {
    throw Object.assign(new EncodingError(message), { code, ...extra });
  };
  const chunks = new Map();
  let expected = null;
  frames.forEach((frame, i) => {
    if (frame.length <= HEADER || frame[0] !== MAGIC[0] || frame[1] !== MAGIC[1]) fail("not-vecha", `code ${i + 1} is not a Vecha ballot code`);
    if (frame[2] !== VERSION) fail("version", `code ${i + 1} is of hand-off version ${frame[2]}`);
    const [k, n, digest] = [frame[3], frame[4], frame.slice(5, 13)];
    if (k >= n) fail("not-vecha", `code ${i + 1} says it is part ${k + 1} of ${n}`);
    if (expected === null) expected = { n, digest };
    else if (expected.n !== n || !same(expected.digest, digest)) fail("two-ballots", "these codes carry two different ballots");
    const chunk = frame.slice(HEADER);
    if (chunks.has(k) && !same(chunks.get(k), chunk)) fail("two-ballots", `two different codes say they are part ${k + 1}`);
    chunks.set(k, chunk);
  });
  if (expected === null) fail("missing", "no code given", { missing: [] });
  const missing = [];
  for (let k = 0; k < expected.n; k++) if (!chunks.has(k)) missing.push(k + 1);
  if (missing.length) fail("missing", `codes missing: part ${missing.join(", ")} of ${expected.n}`, { missing, of: expected.n });
  const payload = concat(...Array.from({ length: expected.n }, (_, k) => chunks.get(k)));
  if (!same(digestOf(payload), expected.digest)) fail("damaged", "the codes are damaged");
  let data;
  try {
    data = await through(new DecompressionStream("deflate"), payload);
  } catch {
    fail("damaged", "the codes do not hold a compressed ballot");
  }
  if (data.length > MAX_SUBMISSION) fail("damaged", "the codes hold more than a ballot");
  let submission;
  try {
    submission = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    fail("not-a-ballot", "the codes do not hold a ballot submission");
  }
  const keys = submission && typeof submission === "object" ? Object.keys(submission) : [];
  if (!keys.includes("ballot") || !keys.includes("channel") || keys.some((x) => !["ballot", "channel", "registration"].includes(x))) {
    fail("not-a-ballot", "the codes do not hold a ballot submission");
  }
  if (!same(canonicalBytes(submission), data)) fail("not-a-ballot", "the codes' ballot is not in canonical form");
  return submission;
}

/** A QR code of one frame (byte mode, level M) as a data: URL (a GIF) for an <img>. */
export function qrImage(frame) {
  const qr = qrcode(0, "M");
  qr.addData(String.fromCharCode(...frame), "Byte"); // chars 0–255: one byte each (qrcode.stringToBytes)
  qr.make();
  return { url: qr.createDataURL(5, 4), modules: qr.getModuleCount() };
}

/** The frame a QR code in this image holds, or null (pixels from a canvas). */
export function readQr(imageData) {
  const found = jsQR(imageData.data, imageData.width, imageData.height, { inversionAttempts: "attemptBoth" });
  return found ? new Uint8Array(found.binaryData) : null;
}
