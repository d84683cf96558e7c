// The installed booth, for voters abroad only (threat model §2.1, spec §8.7). Opt-in: this
// page is the only one that links the web app manifest or registers the service worker, and
// it does so only after the voter says they are outside the country and asks for it. Before
// installing, every booth file this address serves is held to the pins of the election's
// entry 0, itself held to the fingerprint the voter was given; a changed booth is named and
// nothing is installed. Once installed, the booth opens from this device's checked copy.
import { PinError, fetchPinnedFiles, fetchPins, normalizeFingerprint } from "./pins.js";
import { fingerprintText } from "./package.js";
import { fromHex } from "./crypto.js";
import { el, electionId, errorBox, fill, pageUrl, startPage, t } from "./ui.js";

const ABOUT = "/.vecha-installed.json";
const given = new URLSearchParams(location.search).get("fingerprint");
const state = { fingerprint: given ?? "", abroad: false, busy: false, progress: null, notice: null, installed: null };

function reason(e) {
  if (e instanceof PinError) {
    if (e.code === "changed") return t("install.changed", { files: e.files.join(", ") });
    return t(`install.error-${e.code}`);
  }
  return t("install.failed", { message: e.message });
}

/** The service worker for this election, once installed and active (or a reason it failed). */
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

/** From the installed copy: does what this address serves now still match the pins? */
async function checkAddress() {
  state.busy = true;
  state.notice = null;
  render();
  try {
    // the header asks the service worker, which answers the booth's requests from this
    // device's copy, for what the address serves now (a script's fetch alone can set it)
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
  const notice = state.notice
    ? el("p", { id: "install-notice", tabindex: "-1", class: state.notice.kind === "alert" ? "error" : "note", role: state.notice.kind }, state.notice.text)
    : null;
  // opened from the installed app, whose start page names no election: the copy's election
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
    mine
      ? el(
          "section",
          { id: "install-installed", "aria-labelledby": "install-installed-title" },
          el("h2", { id: "install-installed-title" }, t("install.installed-title")),
          el("p", {}, t("install.installed", { election: mine.election, fingerprint: fingerprintText(fromHex(mine.fingerprint, 32)) })),
          el("p", {}, el("a", { href: pageUrl("booth.html", { election: mine.election }) }, t("install.open-booth"))),
          mine.pins ? el("button", { type: "button", id: "install-check", onclick: checkAddress, disabled: state.busy ? true : null }, t("install.check-address")) : null,
          el("button", { type: "button", id: "install-remove", onclick: remove, disabled: state.busy ? true : null }, t("install.remove")),
        )
      : el(
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
            oninput: (e) => (state.fingerprint = e.target.value),
          }),
          el(
            "p",
            {},
            el("input", { id: "install-abroad", type: "checkbox", checked: state.abroad ? true : null, onchange: (e) => (state.abroad = e.target.checked) }),
            " ",
            el("label", { for: "install-abroad" }, t("install.abroad")),
          ),
          el("button", { type: "submit", id: "install-button", disabled: state.busy ? true : null }, t("install.button")),
        ),
    state.progress ? el("p", { role: "status", id: "install-progress" }, state.progress) : null,
    notice,
  );
  if (focus) document.getElementById(focus)?.focus();
}

async function start() {
  startPage("install.html", render);
  state.installed = await readInstalled();
  render();
}

start();
