// The installed booth's service worker (spec §8.7), registered only from install.html, by a
// voter abroad who asked for it. Its script address names the election and the fingerprint
// the voter was given: `/sw.js?election=ID&fingerprint=HEX`. On install it fetches entry 0,
// holds it to that fingerprint, fetches every pinned file and keeps them only if every one
// matches its pin; the installation fails otherwise, and nothing is kept. From then on the
// booth's files come from this device's copy, whatever the address serves later; the API
// (the board, ballots, receipts) always goes to the network.

import { fetchPinnedFiles, fetchPins, pinnedPathOf, urlOf } from "./pins.js";

const params = new URL(self.location.href).searchParams;
const election = params.get("election") ?? "";
const fingerprint = params.get("fingerprint") ?? "";
const CACHE = `vecha-booth-${fingerprint}`;
/** What this copy is, for the install page to show: {election, fingerprint, pins, installed}. */
const ABOUT = "/.vecha-installed.json";
let pins = null;

async function install() {
  const pinned = await fetchPins(fetch, election, fingerprint);
  const files = await fetchPinnedFiles(fetch, pinned);
  await caches.delete(CACHE);
  const cache = await caches.open(CACHE);
  for (const f of files) await cache.put(urlOf(f.path), new Response(f.body, { headers: f.headers }));
  const about = { election, fingerprint, pins: pinned, files: files.length };
  await cache.put(ABOUT, new Response(JSON.stringify(about), { headers: { "content-type": "application/json" } }));
  pins = pinned;
  await self.skipWaiting();
}

async function activate() {
  for (const name of await caches.keys()) if (name.startsWith("vecha-booth-") && name !== CACHE) await caches.delete(name);
  await self.clients.claim();
}

async function installedPins() {
  if (pins) return pins;
  const about = await (await caches.open(CACHE)).match(ABOUT);
  pins = about ? (await about.json()).pins : {};
  return pins;
}

async function answer(request) {
  const url = new URL(request.url);
  const cache = await caches.open(CACHE);
  if (url.pathname === ABOUT) return (await cache.match(ABOUT)) ?? new Response("{}", { status: 404 });
  const path = pinnedPathOf(url.pathname, await installedPins());
  // not a booth file; or the install page, from this copy, checking what the address serves
  // now (a header only a script's fetch can set: no link or page load can ask for it)
  if (path === null || request.headers.get("x-vecha-check") === "1") return fetch(request);
  // a pinned file: this device's checked copy, never the network's
  return (await cache.match(urlOf(path))) ?? new Response("not installed", { status: 503 });
}

self.addEventListener("install", (event) => event.waitUntil(install()));
self.addEventListener("activate", (event) => event.waitUntil(activate()));
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  event.respondWith(answer(event.request));
});
