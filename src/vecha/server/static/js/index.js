import {
  api,
  el,
  errorBox,
  fill,
  local,
  pageUrl,
  phaseText,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

// src/index.js
var elections = null;
var failure = null;
function render() {
  document.title = `${t("elections.title")} — ${t("app.name")}`;
  const main = document.getElementById("main");
  const items = (elections ?? []).map(
    (e) => el(
      "li",
      { class: "card" },
      el("h2", {}, local(e.title)),
      el("p", {}, t("elections.phase", { phase: phaseText(e.phase) })),
      el("p", {}, t("elections.ballots", { count: e.ballots })),
      el(
        "ul",
        { class: "links" },
        [
          ["booth.html", "nav.booth"],
          ["board.html", "nav.board"],
          ["turnout.html", "nav.turnout"],
          ["results.html", "nav.results"],
          ["install.html", "nav.install"]
          // opt-in, for voters abroad: the page says so first
        ].map(([page, key]) => el("li", {}, el("a", { href: pageUrl(page, { election: e.id }) }, t(key))))
      )
    )
  );
  fill(
    main,
    el("h1", {}, t("elections.title")),
    failure ? errorBox(failure) : null,
    elections === null && !failure ? el("p", { role: "status" }, t("loading")) : null,
    elections?.length === 0 ? el("p", {}, t("elections.none")) : null,
    items.length ? el("ul", { class: "cards" }, items) : null
  );
}
startPage("index.html", render);
api("/elections").then((list) => elections = list).catch((e) => failure = e.message).finally(render);
