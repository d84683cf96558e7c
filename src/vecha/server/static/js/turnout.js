import {
  barChart
} from "./chunks/chunk-7ZMQEPB7.js";
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

// src/turnout.js
var REFRESH_MS = 5e3;
var state = { info: null, turnout: null, error: null };
function table(caption, columns, rows) {
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, columns.map((k) => el("th", { scope: "col" }, t(k))))),
      el("tbody", {}, rows.map(([head, ...cells]) => el("tr", {}, el("th", { scope: "row" }, head), cells.map((c) => el("td", {}, String(c))))))
    )
  );
}
var PERIOD_COLUMNS = ["turnout.col-period", "turnout.col-channel", "turnout.col-ballots", "turnout.col-voters"];
var voters = (n) => n === null ? t("turnout.unknown") : n;
var periodRows = (buckets) => buckets.map((b) => [b.period, t(`channel.${b.channel}`), b.ballots, voters(b.voters)]);
function hourlyTotals(hours) {
  const totals = /* @__PURE__ */ new Map();
  for (const h of hours) totals.set(h.period, (totals.get(h.period) ?? 0) + h.ballots);
  return [...totals].map(([period, value]) => ({ label: period.slice(5, 16).replace("T", " "), value }));
}
function dataSection() {
  const d = state.turnout;
  if (!d) return el("p", { role: "status" }, t("loading"));
  const channels = Object.entries(d.channels).map(([channel, c]) => [t(`channel.${channel}`), c.ballots, voters(c.voters)]);
  return el(
    "div",
    {},
    el("p", { class: "summary", id: "turnout-summary" }, t(d.voters === null ? "turnout.summary-ballots" : "turnout.summary", d)),
    d.ballots === 0 ? el("p", {}, t("turnout.none")) : [
      el("h2", {}, t("turnout.by-hour")),
      barChart(hourlyTotals(d.hours), t("turnout.chart")),
      table(t("turnout.by-hour"), PERIOD_COLUMNS, periodRows(d.hours)),
      table(t("turnout.by-day"), PERIOD_COLUMNS, periodRows(d.days)),
      table(t("turnout.by-channel"), ["turnout.col-channel", "turnout.col-ballots", "turnout.col-voters"], channels)
    ]
  );
}
function render() {
  document.title = `${t("turnout.title")} — ${t("app.name")}`;
  const main = document.getElementById("main");
  if (state.error) return fill(main, el("h1", {}, t("turnout.title")), errorBox(state.error));
  if (!state.info) return fill(main, el("p", { role: "status" }, t("loading")));
  const def = state.info.definition;
  fill(
    main,
    el("h1", {}, `${t("turnout.title")}: ${local(def.title, def)}`),
    state.info.phase === "open" ? el("p", { class: "note" }, t("turnout.live")) : null,
    el("div", { id: "turnout-data" }, dataSection())
  );
}
async function refresh() {
  const id = encodeURIComponent(state.info.id);
  state.turnout = await api(`/elections/${id}/turnout`);
  const data = document.getElementById("turnout-data");
  if (data) fill(data, dataSection());
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
