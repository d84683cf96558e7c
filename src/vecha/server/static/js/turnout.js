import {
  barChart
} from "./chunks/chunk-G36457GU.js";
import {
  api,
  el,
  errorBox,
  loadElection,
  local,
  startPage,
  t
} from "./chunks/chunk-PNPTM63I.js";

// src/turnout.js
var REFRESH_MS = 5e3;
var state = { info: null, turnout: null, error: null };
function table(caption, rows, firstColumn) {
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, [firstColumn, "turnout.col-channel", "turnout.col-ballots", "turnout.col-voters"].map((k) => el("th", { scope: "col" }, t(k))))),
      el(
        "tbody",
        {},
        rows.map((r) => el("tr", {}, el("th", { scope: "row" }, r.period), el("td", {}, t(`channel.${r.channel}`)), el("td", {}, String(r.ballots)), el("td", {}, String(r.voters))))
      )
    )
  );
}
function hourlyTotals(hours) {
  const totals = /* @__PURE__ */ new Map();
  for (const h of hours) totals.set(h.period, (totals.get(h.period) ?? 0) + h.ballots);
  return [...totals].map(([period, value]) => ({ label: period.slice(5, 16).replace("T", " "), value }));
}
function dataSection() {
  const d = state.turnout;
  if (!d) return el("p", { role: "status" }, t("loading"));
  const channels = Object.entries(d.channels).map(([channel, c]) => ({ period: "", channel, ...c }));
  return el(
    "div",
    {},
    el("p", { class: "summary", id: "turnout-summary" }, t("turnout.summary", d)),
    d.ballots === 0 ? el("p", {}, t("turnout.none")) : [
      el("h2", {}, t("turnout.by-hour")),
      barChart(hourlyTotals(d.hours), t("turnout.chart")),
      table(t("turnout.by-hour"), d.hours, "turnout.col-period"),
      table(t("turnout.by-day"), d.days, "turnout.col-period"),
      table(t("turnout.by-channel"), channels, "turnout.col-period")
    ]
  );
}
function render() {
  document.title = `${t("turnout.title")} — ${t("app.name")}`;
  const main = document.getElementById("main");
  if (state.error) return main.replaceChildren(el("h1", {}, t("turnout.title")), errorBox(state.error));
  if (!state.info) return main.replaceChildren(el("p", { role: "status" }, t("loading")));
  const def = state.info.definition;
  main.replaceChildren(
    el("h1", {}, `${t("turnout.title")}: ${local(def.title, def)}`),
    state.info.phase === "open" ? el("p", { class: "note" }, t("turnout.live")) : null,
    el("div", { id: "turnout-data" }, dataSection())
  );
}
async function refresh() {
  const id = encodeURIComponent(state.info.id);
  state.turnout = await api(`/elections/${id}/turnout`);
  const data = document.getElementById("turnout-data");
  if (data) data.replaceChildren(dataSection());
}
async function start() {
  startPage("turnout.html", render);
  try {
    state.info = await loadElection();
    render();
    await refresh();
    if (state.info.phase === "open") setInterval(() => refresh().catch(() => {
    }), REFRESH_MS);
  } catch (e) {
    state.error = e.message;
    render();
  }
}
start();
