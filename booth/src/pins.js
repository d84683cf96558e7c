// The booth's pins (spec §8.7): entry 0 of an election pins the SHA-256 of every file of the
// booth and the public pages. The installed booth (install.js, sw.js) fetches entry 0,
// holds it to the fingerprint the voter was given, fetches every pinned file and keeps only
// a booth whose every file matches. No DOM: the page and the service worker both use it.

import { toHex } from "./crypto.js";
import { replayDefinition } from "./package.js";

export class PinError extends Error {
  constructor(code, message, files = []) {
    super(message);
    this.code = code; // "no-election" | "fingerprint" | "unpinned" | "changed"
    this.files = files; // for "changed": ["js/booth.js (changed)", "x.js (missing)"]
  }
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

/** A fingerprint as a voter may paste it (any case, spaces); null if it is not 32 bytes of hex. */
export function normalizeFingerprint(text) {
  const hex = String(text ?? "").replace(/\s+/g, "").toLowerCase();
  return FINGERPRINT.test(hex) ? hex : null;
}

/** The URL path a pinned file is served at, and back: "index.html" is also the site's root. */
export const urlOf = (path) => `/${path}`;
export function pinnedPathOf(pathname, pins) {
  const path = pathname === "/" ? "index.html" : decodeURIComponent(pathname.slice(1));
  return Object.hasOwn(pins, path) ? path : null;
}

/** Entry 0 of `election` from this origin, replayed and held to `fingerprint`: its pins. */
export async function fetchPins(fetcher, election, fingerprint) {
  let page;
  try {
    const r = await fetcher(`/api/v1/elections/${encodeURIComponent(election)}/board?start=0&limit=1`, { cache: "no-store", credentials: "omit" });
    if (!r.ok) throw new Error(String(r.status));
    page = await r.json();
  } catch (e) {
    throw new PinError("no-election", `entry 0 of election ${election} could not be fetched: ${e.message}`);
  }
  const replayed = replayDefinition({ version: 3, entries: (page.entries ?? []).slice(0, 1) });
  if (toHex(replayed.fingerprint) !== fingerprint || replayed.id !== election) {
    throw new PinError("fingerprint", "this address serves another election than the fingerprint you were given");
  }
  if (!replayed.pins) throw new PinError("unpinned", "this election pins no booth: there is nothing to check an installed booth against");
  return replayed.pins;
}

const sha256 = async (bytes) => toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));

/**
 * Fetch every pinned file from this origin and compare: [{path, body, headers}] when all
 * match (headers as served, so a copy keeps the page's Content-Security-Policy); otherwise a PinError("changed") naming each file that differs or is missing.
 * `progress(done, total)` is told after each file.
 */
export async function fetchPinnedFiles(fetcher, pins, progress = () => {}) {
  const paths = Object.keys(pins).sort();
  const files = [];
  const wrong = [];
  let done = 0;
  for (const path of paths) {
    let r = null;
    try {
      r = await fetcher(urlOf(path), { cache: "no-store", credentials: "omit", redirect: "error" });
    } catch {
      r = null;
    }
    if (!r || !r.ok) {
      wrong.push(`${path} (missing)`);
    } else {
      const body = new Uint8Array(await r.arrayBuffer());
      if ((await sha256(body)) !== pins[path]) wrong.push(`${path} (changed)`);
      else files.push({ path, body, headers: [...r.headers.entries()] });
    }
    progress(++done, paths.length);
  }
  if (wrong.length) throw new PinError("changed", `this address serves a changed booth: ${wrong.join(", ")}`, wrong);
  return files;
}
