import {
  barChart
} from "./chunks/chunk-7ZMQEPB7.js";
import {
  api,
  candidateName,
  el,
  errorBox,
  fill,
  gradeName,
  listName,
  loadElection,
  local,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

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
var nameIn = (q, def) => (c) => q.candidate_text?.[c] ? local(q.candidate_text[c], def) : c;
function table(caption, head, rows) {
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)
    )
  );
}
function wholeBallotQuestion(q, rq, def) {
  const name = nameIn(q, def);
  const names = (list) => list.map(name).join(", ");
  const grade = (index) => gradeName(q, q.grades[index], def);
  const rounds = rq.rounds.map((r) => {
    const totals = Object.entries(r.totals).map(([c, n]) => `${name(c)}: ${q.kind === "graded" ? grade(Number(n)) : n}`);
    const then = [t(`results.action.${r.action}`, { names: names(r.candidates) })];
    if (r.tie) then.push(t(`results.tie.${r.tie}`));
    if (r.exhausted !== "0") then.push(t("results.exhausted", { count: r.exhausted }));
    return el("tr", {}, el("th", { scope: "row" }, String(r.round)), el("td", {}, totals.join("; ")), el("td", {}, then.join(" ")));
  });
  const parts = [
    el("p", { class: "winners" }, el("strong", {}, t("results.winners", { names: names(rq.elected) }))),
    el("p", {}, t("results.count-summary", { method: t(`results.method.${rq.method}`), ballots: rq.ballots, blank: rq.blank, invalid: rq.invalid })),
    rq.quota ? el("p", {}, t("results.quota", { quota: rq.quota })) : null
  ];
  if (q.kind === "graded") {
    parts.push(
      table(
        t("results.grades-caption"),
        [t("results.col-candidate"), ...q.grades.map((g) => gradeName(q, g, def)), t("results.majority-grade")],
        q.candidates.map(
          (c) => el("tr", {}, el("th", { scope: "row" }, name(c)), rq.grades[c].map((n) => el("td", {}, String(n))), el("td", {}, grade(rq.majority_grades[c])))
        )
      )
    );
  }
  if (rq.pairwise) {
    parts.push(
      table(
        t("results.pairwise-caption"),
        [t("results.col-candidate"), ...q.candidates.map(name)],
        q.candidates.map((a) => el("tr", {}, el("th", { scope: "row" }, name(a)), q.candidates.map((b) => el("td", {}, a === b ? "—" : String(rq.pairwise[a][b])))))
      )
    );
  }
  parts.push(table(t("results.rounds"), [t("results.col-round"), t("results.col-totals"), t("results.col-then")], rounds));
  return parts;
}
function questionResult(q, rq, def) {
  if (q.kind === "ranked" || q.kind === "graded") return wholeBallotQuestion(q, rq, def);
  return q.kind === "list-pr" ? listQuestion(q, rq, def) : choiceQuestion(q, rq, def);
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
      (q, qi) => el("section", { class: "question-result" }, el("h2", {}, local(q.title, def)), questionResult(q, r.questions[qi], def))
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
