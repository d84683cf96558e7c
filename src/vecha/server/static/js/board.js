import {
  trackerOf
} from "./chunks/chunk-OPJSJMZP.js";
import {
  api,
  el,
  errorBox,
  fill,
  loadElection,
  local,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

// src/board.js
var PAGE = 50;
var params = new URLSearchParams(location.search);
var state = { info: null, error: null, page: null, start: 0, checkpoints: [], query: params.get("tracker") ?? "", found: null };
async function search(code) {
  state.query = code;
  const clean = code.replace(/\s+/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(clean)) {
    state.found = { error: t("board.bad-tracker") };
  } else {
    try {
      state.found = await api(`/elections/${encodeURIComponent(state.info.id)}/trackers/${clean}`);
      await loadPage(Math.floor(state.found.index / PAGE) * PAGE);
    } catch (e) {
      state.found = { error: e.status === 404 ? t("board.not-found") : e.message };
    }
  }
  render();
  document.getElementById("search-result")?.focus();
}
async function loadPage(start2) {
  state.start = Math.max(0, start2);
  state.page = await api(`/elections/${encodeURIComponent(state.info.id)}/board?start=${state.start}&limit=${PAGE}`);
}
function detail(entry) {
  if (entry.type === "ballot") return el("code", {}, trackerOf(entry.payload.ballot));
  if (entry.type === "credentials") return String(entry.payload.credentials?.length ?? "");
  if (entry.type === "trustee" || entry.type === "trustee-confirmation" || entry.type === "decryption") {
    return `#${entry.payload.index ?? entry.payload.trustee ?? ""}`;
  }
  return "";
}
var ENTRY_TYPES = {
  election: "entry.election",
  trustee: "entry.trustee",
  "trustee-confirmation": "entry.trustee-confirmation",
  "joint-key": "entry.joint-key",
  credentials: "entry.credentials",
  open: "entry.open",
  ballot: "entry.ballot",
  close: "entry.close",
  tally: "entry.tally",
  decryption: "entry.decryption",
  result: "entry.result"
};
function entryType(type) {
  const key = ENTRY_TYPES[type];
  if (!key) return type;
  const name = t(key);
  return name === type ? name : [name, " ", el("code", { class: "entry-type", lang: "en" }, type)];
}
function entriesTable() {
  const p = state.page;
  if (!p) return null;
  const highlight = state.found?.index;
  const last = p.start + p.entries.length - 1;
  return el(
    "div",
    {},
    el("h2", { id: "entries-title" }, t("board.entries", { from: p.start, to: last, height: p.height })),
    el(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "entries-title" },
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, ["board.col-index", "board.col-type", "board.col-time", "board.col-detail"].map((k) => el("th", { scope: "col" }, t(k))))),
        el(
          "tbody",
          {},
          p.entries.map(
            (e) => el(
              "tr",
              { class: e.index === highlight ? "highlight" : null, id: `entry-${e.index}` },
              el("td", {}, String(e.index)),
              el("td", {}, entryType(e.type)),
              el("td", { class: "time" }, e.time),
              el("td", { class: "detail" }, detail(e))
            )
          )
        )
      )
    ),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", disabled: p.start === 0, onclick: () => loadPage(p.start - PAGE).then(render) }, t("board.newer")),
      el("button", { type: "button", disabled: last >= p.height - 1, onclick: () => loadPage(p.start + PAGE).then(render) }, t("board.older"))
    )
  );
}
function render() {
  document.title = `${t("board.title")} — ${t("app.name")}`;
  const main = document.getElementById("main");
  if (state.error) return fill(main, el("h1", {}, t("board.title")), errorBox(state.error));
  if (!state.info) return fill(main, el("p", { role: "status" }, t("loading")));
  const def = state.info.definition;
  const input = el("input", { id: "tracker", type: "text", value: state.query, autocomplete: "off", spellcheck: "false", class: "code" });
  const f = state.found;
  fill(
    main,
    el("h1", {}, `${t("board.title")}: ${local(def.title, def)}`),
    el("p", {}, t("board.help")),
    el(
      "section",
      { "aria-labelledby": "search-title" },
      el("h2", { id: "search-title" }, t("board.search")),
      el(
        "form",
        { role: "search", onsubmit: (e) => (e.preventDefault(), search(input.value)) },
        el("label", { for: "tracker" }, t("board.search-label")),
        el("div", { class: "inline" }, input, el("button", { type: "submit" }, t("board.search-button")))
      ),
      f ? el(
        "div",
        { id: "search-result", tabindex: "-1", role: "status" },
        f.error ? el("p", { class: "error" }, f.error) : [el("p", { class: "ok" }, t("board.found", { index: f.index })), el("p", {}, t(f.counts === null ? "board.mixed" : f.counts ? "board.counts" : "board.replaced"))]
      ) : null
    ),
    entriesTable(),
    el(
      "section",
      { "aria-labelledby": "cp-title" },
      el("h2", { id: "cp-title" }, t("board.checkpoints")),
      el("ul", { class: "checkpoints" }, state.checkpoints.map((c) => el("li", {}, t("board.checkpoint", { height: c.height, head: c.head.slice(0, 16) })))),
      el("p", {}, el("a", { href: `/api/v1/elections/${encodeURIComponent(state.info.id)}/record`, download: "" }, t("board.download")))
    )
  );
}
async function start() {
  startPage("board.html", render);
  try {
    state.info = await loadElection();
    state.checkpoints = await api(`/elections/${encodeURIComponent(state.info.id)}/checkpoints`);
    await loadPage(0);
    render();
    if (state.query) await search(state.query);
  } catch (e) {
    state.error = e.message;
    render();
  }
}
start();
