import {
  barChart
} from "./chunks/chunk-QN66AWRB.js";
import {
  api,
  candidateName,
  el,
  errorBox,
  fill,
  listName,
  loadElection,
  local,
  startPage,
  t
} from "./chunks/chunk-JC6VH672.js";

// src/results.js
var state = { info: null, result: null, error: null, pending: false };
function listQuestion(q, rq, def) {
  const alloc = rq.allocation;
  const elected = new Map(rq.lists.map((l) => [l.list, l]));
  const vacant = alloc.vacant + rq.lists.reduce((n, l) => n + l.vacant, 0);
  return [
    el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        {},
        el("caption", {}, t("results.seats")),
        el("thead", {}, el("tr", {}, ["results.col-list", "results.col-votes", "results.col-seats", "results.elected"].map((k) => el("th", { scope: "col" }, t(k))))),
        el(
          "tbody",
          {},
          q.lists.map((list) => {
            const got = elected.get(list.name);
            const passed = alloc.passed.includes(list.name);
            return el(
              "tr",
              {},
              el("th", { scope: "row" }, listName(list, def)),
              el("td", {}, String(rq.list_votes[list.name] ?? 0)),
              el("td", {}, passed ? String(alloc.seats[list.name] ?? 0) : `0 (${t("results.below-threshold")})`),
              el(
                "td",
                {},
                got?.elected.length ? el(
                  "ul",
                  { class: "elected" },
                  got.elected.map(
                    (c) => el(
                      "li",
                      {},
                      c.by === "preference" ? t("results.elected-by-preference", { name: candidateName(list, c.name, def), votes: c.preference_votes }) : t("results.elected-by-list", { name: candidateName(list, c.name, def) })
                    )
                  )
                ) : "—"
              )
            );
          })
        )
      )
    ),
    barChart(q.lists.map((l) => ({ label: listName(l, def), value: alloc.seats[l.name] ?? 0 })), t("results.chart")),
    vacant ? el("p", { id: `vacant-${q.id}` }, t("results.vacant", { count: vacant })) : null,
    el("p", {}, t("results.blank", { count: rq.blank }))
  ];
}
function choiceQuestion(q, rq, def) {
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ["results.col-option", "results.col-votes"].map((k) => el("th", { scope: "col" }, t(k))))),
      // the definition's order of options (a result's JSON sorts its keys)
      el(
        "tbody",
        {},
        q.options.map(
          (option) => el("tr", {}, el("th", { scope: "row" }, q.option_text?.[option] ? local(q.option_text[option], def) : option), el("td", {}, String(rq.counts[option] ?? 0)))
        )
      )
    ),
    rq.blank === null || rq.blank === void 0 ? null : el("p", {}, t("results.blank", { count: rq.blank }))
  );
}
function render() {
  document.title = `${t("results.title")} — ${t("app.name")}`;
  const main = document.getElementById("main");
  if (state.error) return fill(main, el("h1", {}, t("results.title")), errorBox(state.error));
  if (!state.info) return fill(main, el("p", { role: "status" }, t("loading")));
  const def = state.info.definition;
  const id = encodeURIComponent(state.info.id);
  const r = state.result;
  fill(
    main,
    el("h1", {}, `${t("results.title")}: ${local(def.title, def)}`),
    r ? el("p", {}, t("results.counted", { counted: r.counted })) : el("p", {}, t("results.none")),
    r ? def.questions.map(
      (q, qi) => el("section", { class: "question-result" }, el("h2", {}, local(q.title, def)), q.kind === "list-pr" ? listQuestion(q, r.questions[qi], def) : choiceQuestion(q, r.questions[qi], def))
    ) : null,
    el(
      "section",
      { "aria-labelledby": "verify-title" },
      el("h2", { id: "verify-title" }, t("results.verify-title")),
      el("p", {}, t("results.verify-help")),
      el("p", {}, el("a", { href: `/api/v1/elections/${id}/record`, download: "", id: "download-record" }, t("results.download"))),
      el("pre", { class: "commands", tabindex: "0" }, `unzip ${state.info.id}-record.zip -d record
vecha verify record`)
    )
  );
}
async function start() {
  startPage("results.html", render);
  try {
    state.info = await loadElection();
    try {
      state.result = await api(`/elections/${encodeURIComponent(state.info.id)}/result`);
    } catch (e) {
      if (e.status !== 409) throw e;
    }
  } catch (e) {
    state.error = e.message;
  }
  render();
}
start();
