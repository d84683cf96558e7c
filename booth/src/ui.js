// What every page shares: the language, the header, a DOM helper and the API client.
// Nothing is ever written to cookies or any browser storage: the language lives in the
// address (?lang=), and everything else in memory, gone when the tab closes.

import be from "../i18n/be.json";
import en from "../i18n/en.json";
import ru from "../i18n/ru.json";

export const CATALOGS = { be, ru, en };
export const LANGUAGE_NAMES = { be: "Беларуская", ru: "Русский", en: "English" };

const params = new URLSearchParams(location.search);
export const electionId = params.get("election");

function initialLanguage() {
  const asked = params.get("lang");
  if (asked && asked in CATALOGS) return asked;
  for (const l of navigator.languages ?? []) {
    const short = l.slice(0, 2).toLowerCase();
    if (short in CATALOGS) return short;
  }
  return "en";
}

let language = initialLanguage();
const listeners = [];

export const currentLanguage = () => language;

/** A translated string, with {name} placeholders filled in. */
export function t(key, vars = {}) {
  const text = CATALOGS[language][key] ?? CATALOGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** The election's own text (a string, or an object by language) in the voter's language. */
export function local(text, definition) {
  if (text === null || text === undefined) return "";
  if (typeof text === "string") return text;
  if (language in text) return text[language];
  // spec §6.1: else the first of the definition's languages the text has, else its first member
  const listed = (definition?.languages ?? []).find((l) => l in text);
  if (listed !== undefined) return text[listed];
  const first = Object.keys(text).sort()[0];
  return first === undefined ? "" : text[first];
}

/** How pages show a list's name: its `text` in the voter's language, else the name itself. */
export const listName = (list, definition) => (list.text ? local(list.text, definition) : list.name);

/** How pages show a candidate of a list (the name itself when the list gives no text for it). */
export function candidateName(list, name, definition) {
  const text = list.candidate_text?.[name];
  return text ? local(text, definition) : name;
}

/** How pages show an option (spec §6.2) from `optionsOf`: never its bare label when a text exists. */
export function optionName(question, option, definition) {
  if (question.kind === "choice" || question.kind === "ranked" || question.kind === "graded") {
    return option.text ? local(option.text, definition) : option.label;
  }
  const list = question.lists[option.list];
  if (option.candidate === undefined) return listName(list, definition);
  return `${listName(list, definition)} / ${candidateName(list, option.candidate, definition)}`;
}

export function setLanguage(lang) {
  language = lang;
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(null, "", url); // no new history entry
  document.documentElement.lang = lang;
  for (const f of listeners) f();
  document.querySelector(`.languages button[lang="${lang}"]`)?.focus();
}

export const onLanguageChange = (f) => listeners.push(f);

/** Create an element: el("p", {class: "x", onclick: f}, "text", child, …). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElementNS(
    tag === "svg" || attrs.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml",
    tag,
  );
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "svg" || v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  node.append(...present(children));
  return node;
}

/** Replace what `node` holds with `children` (nested lists allowed, as in `el`). */
export function fill(node, ...children) {
  node.replaceChildren(...present(children));
  return node;
}

const present = (children) => children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);

/** A link to another page of this site, keeping the election and the language. */
export function pageUrl(page, extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ election: electionId, ...extra, lang: language })) {
    if (v !== null && v !== undefined) q.set(k, v);
  }
  return `/${page}?${q}`;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GET or POST JSON under /api/v1; a refusal becomes an ApiError with the server's code.
 *  `token`: a bearer token (the review page's), sent in a header and never stored. */
export async function api(path, body, { token } = {}) {
  let response;
  const headers = body === undefined ? {} : { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error ?? "error", data.message ?? response.statusText);
  return data;
}

/** The page frame: skip link, header with the site name, navigation and languages. */
// The registrar's origin serves only registration's pages.
const REGISTRAR_PAGES = [
  ["register.html", "nav.register"],
  ["review.html", "nav.review"],
];

export function renderFrame(active) {
  const header = document.getElementById("site-header");
  const atRegistrar = REGISTRAR_PAGES.some(([page]) => page === active);
  const pages = atRegistrar
    ? REGISTRAR_PAGES
    : electionId
    ? [
        ["booth.html", "nav.booth"],
        ["board.html", "nav.board"],
        ["turnout.html", "nav.turnout"],
        ["results.html", "nav.results"],
      ]
    : [];
  const nav = el(
    "nav",
    { "aria-label": t("nav.label") },
    el(
      "ul",
      {},
      atRegistrar ? null : el("li", {}, el("a", { href: pageUrl("", { election: null }), "aria-current": active === "index.html" ? "page" : null }, t("nav.elections"))),
      pages.map(([page, key]) =>
        el("li", {}, el("a", { href: pageUrl(page), "aria-current": active === page ? "page" : null }, t(key))),
      ),
    ),
  );
  const langs = el(
    "div",
    { class: "languages", role: "group", "aria-label": t("lang.label") },
    Object.entries(LANGUAGE_NAMES).map(([code, name]) =>
      el(
        "button",
        { type: "button", lang: code, "aria-pressed": code === language ? "true" : "false", onclick: () => setLanguage(code) },
        name,
      ),
    ),
  );
  fill(
    header,
    el("a", { class: "skip", href: "#main" }, t("skip")),
    el("div", { class: "brand" }, el("span", { class: "name" }, t("app.name")), el("span", { class: "tagline" }, t("app.tagline"))),
    nav,
    langs,
  );
  document.documentElement.lang = language;
  drawMirrorStatus();
}

/** Show an error in the page's main area, announced to screen readers. */
/** Offer `value` to the browser as a JSON file to save (nothing is kept in the page). */
export function saveJsonFile(name, value) {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function errorBox(message) {
  return el("p", { class: "error", role: "alert" }, message);
}

/** Start a page: draw the frame now and again whenever the language changes. */
export function startPage(active, render) {
  const draw = () => {
    renderFrame(active);
    render();
  };
  onLanguageChange(draw);
  draw();
}

/** Loads the election's public information, or says why it cannot. */
let mirrorStatus = null; //: what the mirror serving this page says of itself (null at the box)

/** On a mirror (threat model §2.1), say so above the page: how far behind the ballot box it
 * is, and loudly if it caught the box signing two histories or stopped following it. */
function drawMirrorStatus() {
  const s = mirrorStatus;
  document.getElementById("mirror-status")?.remove();
  if (!s) return;
  const alarm = s.equivocations?.length || s.refused;
  const lines = [t("mirror.of", { source: s.source })];
  if (s.equivocations?.length) lines.push(t("mirror.equivocation", { height: s.equivocations[0] }));
  else if (s.refused) lines.push(t("mirror.refused"));
  else if (s.seconds_since_contact !== null && s.seconds_since_contact > 60) lines.push(t("mirror.lost", { seconds: Math.round(s.seconds_since_contact) }));
  else if (s.behind) lines.push(t("mirror.behind", { behind: s.behind }));
  else lines.push(t("mirror.up-to-date"));
  const box = el("div", { id: "mirror-status", class: alarm ? "error" : "note", role: alarm ? "alert" : "status" }, lines.map((line) => el("p", {}, line)));
  document.getElementById("main")?.before(box);
}

async function watchMirror(id) {
  try {
    mirrorStatus = await api(`/elections/${encodeURIComponent(id)}/mirror`);
  } catch {
    mirrorStatus = null; // the ballot box itself (it has no such route), or no answer
  }
  drawMirrorStatus();
}

export async function loadElection() {
  if (!electionId) throw new ApiError(0, "no-election", t("error.no-election"));
  try {
    const info = await api(`/elections/${encodeURIComponent(electionId)}`);
    watchMirror(electionId);
    return info;
  } catch (e) {
    if (e.status === 404) throw new ApiError(404, "unknown-election", t("error.unknown-election"));
    throw e;
  }
}

export const phaseText = (phase) => t(`phase.${phase}`);

/** How pages show a grade of a graded question. */
export function gradeName(question, grade, definition) {
  const text = question.grade_text?.[grade];
  return text ? local(text, definition) : grade;
}
