import {
  fingerprintText,
  replayDefinition
} from "./chunks/chunk-KMKYPYSB.js";
import {
  fromHex,
  toHex
} from "./chunks/chunk-OPJSJMZP.js";
import {
  el,
  electionId,
  errorBox,
  fill,
  pageUrl,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

// src/pins.js
var PinError = class extends Error {
  constructor(code, message, files = []) {
    super(message);
    this.code = code;
    this.files = files;
  }
};
var FINGERPRINT = /^[0-9a-f]{64}$/;
function normalizeFingerprint(text) {
  const hex = String(text ?? "").replace(/\s+/g, "").toLowerCase();
  return FINGERPRINT.test(hex) ? hex : null;
}
var urlOf = (path) => `/${path}`;
async function fetchPins(fetcher, election, fingerprint) {
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
var sha256 = async (bytes) => toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
async function fetchPinnedFiles(fetcher, pins, progress = () => {
}) {
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
      if (await sha256(body) !== pins[path]) wrong.push(`${path} (changed)`);
      else files.push({ path, body, headers: [...r.headers.entries()] });
    }
    progress(++done, paths.length);
  }
  if (wrong.length) throw new PinError("changed", `this address serves a changed booth: ${wrong.join(", ")}`, wrong);
  return files;
}

// src/install.js
var ABOUT = "/.vecha-installed.json";
var given = new URLSearchParams(location.search).get("fingerprint");
var state = { fingerprint: given ?? "", abroad: false, busy: false, progress: null, notice: null, installed: null };
function reason(e) {
  if (e instanceof PinError) {
    if (e.code === "changed") return t("install.changed", { files: e.files.join(", ") });
    return t(`install.error-${e.code}`);
  }
  return t("install.failed", { message: e.message });
}
function installed(registration) {
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  return new Promise((resolve, reject) => {
    const look = () => {
      if (worker.state === "activated") resolve();
      else if (worker.state === "redundant") reject(new Error(t("install.worker-refused")));
    };
    worker.addEventListener("statechange", look);
    look();
  });
}
async function readInstalled() {
  if (!navigator.serviceWorker?.controller) return null;
  const r = await fetch(ABOUT, { cache: "no-store" }).catch(() => null);
  return r?.ok ? r.json() : null;
}
async function install(event) {
  event.preventDefault();
  const fp = normalizeFingerprint(state.fingerprint);
  state.notice = null;
  if (!state.abroad) state.notice = { kind: "alert", text: t("install.confirm-first") };
  else if (!fp) state.notice = { kind: "alert", text: t("install.bad-fingerprint") };
  else if (!("serviceWorker" in navigator) || !window.isSecureContext) state.notice = { kind: "alert", text: t("install.unsupported") };
  if (state.notice) return render("install-notice");
  state.busy = true;
  render();
  try {
    const pins = await fetchPins(fetch, electionId, fp);
    const files = await fetchPinnedFiles(fetch, pins, (done, total) => {
      state.progress = t("install.checking", { done, total });
      render();
    });
    const registration = await navigator.serviceWorker.register(`/sw.js?${new URLSearchParams({ election: electionId, fingerprint: fp })}`, { scope: "/" });
    await installed(registration);
    state.installed = { election: electionId, fingerprint: fp, pins, files: files.length };
    state.notice = { kind: "status", text: t("install.done", { count: files.length }) };
  } catch (e) {
    state.notice = { kind: "alert", text: reason(e) };
  }
  state.busy = false;
  state.progress = null;
  render("install-notice");
}
async function remove() {
  for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
  for (const name of await caches.keys()) if (name.startsWith("vecha-booth-")) await caches.delete(name);
  state.installed = null;
  state.notice = { kind: "status", text: t("install.removed") };
  render("install-notice");
}
async function checkAddress() {
  state.busy = true;
  state.notice = null;
  render();
  try {
    const pins = state.installed.pins;
    const fresh = (url, options) => fetch(url, { ...options, headers: { "x-vecha-check": "1" } });
    await fetchPinnedFiles(fresh, pins);
    state.notice = { kind: "status", text: t("install.address-matches", { count: Object.keys(pins).length }) };
  } catch (e) {
    const changed = e instanceof PinError && e.code === "changed";
    state.notice = { kind: "alert", text: changed ? t("install.address-changed", { files: e.files.join(", ") }) : reason(e) };
  }
  state.busy = false;
  render("install-notice");
}
function render(focus) {
  document.title = `${t("install.title")} — ${t("app.name")}`;
  const main = document.getElementById("main");
  const notice = state.notice ? el("p", { id: "install-notice", tabindex: "-1", class: state.notice.kind === "alert" ? "error" : "note", role: state.notice.kind }, state.notice.text) : null;
  if (!electionId && !state.installed) {
    fill(main, el("h1", {}, t("install.title")), notice ?? errorBox(t("error.no-election")));
    if (focus) document.getElementById(focus)?.focus();
    return;
  }
  const mine = state.installed;
  fill(
    main,
    el("h1", {}, t("install.title")),
    el("p", { class: "error" }, el("strong", {}, t("install.warning"))),
    el("p", {}, t("install.help")),
    mine ? el(
      "section",
      { id: "install-installed", "aria-labelledby": "install-installed-title" },
      el("h2", { id: "install-installed-title" }, t("install.installed-title")),
      el("p", {}, t("install.installed", { election: mine.election, fingerprint: fingerprintText(fromHex(mine.fingerprint, 32)) })),
      el("p", {}, el("a", { href: pageUrl("booth.html", { election: mine.election }) }, t("install.open-booth"))),
      mine.pins ? el("button", { type: "button", id: "install-check", onclick: checkAddress, disabled: state.busy ? true : null }, t("install.check-address")) : null,
      el("button", { type: "button", id: "install-remove", onclick: remove, disabled: state.busy ? true : null }, t("install.remove"))
    ) : el(
      "form",
      { id: "install-form", onsubmit: install },
      el("label", { for: "install-fingerprint" }, t("install.fingerprint")),
      el("p", { id: "install-fingerprint-help", class: "hint" }, t("install.fingerprint-help")),
      el("input", {
        id: "install-fingerprint",
        value: state.fingerprint,
        autocomplete: "off",
        spellcheck: "false",
        "aria-describedby": "install-fingerprint-help",
        oninput: (e) => state.fingerprint = e.target.value
      }),
      el(
        "p",
        {},
        el("input", { id: "install-abroad", type: "checkbox", checked: state.abroad ? true : null, onchange: (e) => state.abroad = e.target.checked }),
        " ",
        el("label", { for: "install-abroad" }, t("install.abroad"))
      ),
      el("button", { type: "submit", id: "install-button", disabled: state.busy ? true : null }, t("install.button"))
    ),
    state.progress ? el("p", { role: "status", id: "install-progress" }, state.progress) : null,
    notice
  );
  if (focus) document.getElementById(focus)?.focus();
}
async function start() {
  startPage("install.html", render);
  state.installed = await readInstalled();
  render();
}
start();
