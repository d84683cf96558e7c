import {
  fromBase64,
  openEvidence,
  registrarOf,
  reviewerKeyPair
} from "./chunks/chunk-LHTZKS5O.js";
import {
  fingerprintText,
  replayDefinition
} from "./chunks/chunk-KMKYPYSB.js";
import {
  fromHex,
  toHex
} from "./chunks/chunk-OPJSJMZP.js";
import {
  ApiError,
  api,
  el,
  electionId,
  errorBox,
  fill,
  local,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

// src/review.js
var state = {
  step: "loading",
  // loading | error | sign-in | list
  error: null,
  info: null,
  ctx: null,
  rules: null,
  me: null,
  token: null,
  // in memory only
  pair: null,
  // the reviewer's key pair, in memory only
  reviewer: null,
  // the reviewer's number at this registrar
  items: [],
  // {code, applied, duplicates, evidence?: {fields, files}, error?}
  notice: null,
  busy: false
};
var main = () => document.getElementById("main");
var base = () => `/registrar/${encodeURIComponent(state.ctx.id)}`;
var focusHeading = false;
var decoder = new TextDecoder();
function go(step) {
  state.step = step;
  focusHeading = true;
  render();
}
var notice = () => state.notice ? el("p", { class: state.notice.kind === "alert" ? "error" : "note", role: state.notice.kind }, state.notice.text) : null;
function render() {
  const root = main();
  document.title = `${t("review.title")} — ${t("app.name")}`;
  root.dataset.step = state.step;
  if (state.step === "loading") {
    fill(root, el("p", { role: "status" }, t("loading")));
    return;
  }
  if (state.step === "error") {
    fill(root, el("h1", {}, t("review.title")), errorBox(state.error));
    return;
  }
  const def = state.ctx.definition;
  fill(root, el("h1", {}, local(def.title, def)), state.step === "sign-in" ? signInStep() : listStep());
  if (focusHeading) {
    focusHeading = false;
    root.querySelector("h2")?.focus();
  }
}
function keyPairOf(text) {
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    throw new Error(t("review.bad-key"));
  }
  if (obj?.version !== 2 || typeof obj.reviewer_seed !== "string") throw new Error(t("review.bad-key"));
  const pair = reviewerKeyPair(fromHex(obj.reviewer_seed, 32, "reviewer_seed"));
  if (toHex(pair.public) !== obj.public) throw new Error(t("review.bad-key"));
  return pair;
}
async function signIn(event) {
  event.preventDefault();
  const token = document.getElementById("token").value.trim();
  const chosen = document.getElementById("key-file").files[0];
  state.notice = null;
  try {
    if (!token) throw new Error(t("review.no-token"));
    if (!chosen) throw new Error(t("review.no-key"));
    const pair = keyPairOf(await chosen.text());
    const answer = await api(`${base()}/review`, void 0, { token });
    const expected = state.me.reviewers[answer.reviewer - 1];
    if (expected !== toHex(pair.public)) throw new Error(t("review.wrong-key", { reviewer: answer.reviewer }));
    Object.assign(state, { token, pair, reviewer: answer.reviewer });
    document.getElementById("token").value = "";
    takeList(answer.applications);
    go("list");
  } catch (e) {
    state.notice = { kind: "alert", text: e instanceof ApiError && e.status === 401 ? t("review.bad-token") : e.message };
    render();
    document.getElementById("token").focus();
  }
}
function signInStep() {
  return el(
    "section",
    { "aria-labelledby": "sign-in-title" },
    el("h2", { id: "sign-in-title", tabindex: "-1" }, t("review.sign-in", { registrar: local(state.me.name, state.ctx.definition) })),
    el("p", { class: "note" }, t("review.private")),
    el("p", { class: "note", id: "fingerprint" }, t("booth.fingerprint", { fingerprint: fingerprintText(state.ctx.fingerprint) })),
    notice(),
    el(
      "form",
      { onsubmit: signIn, novalidate: true, autocomplete: "off" },
      el("label", { for: "token" }, t("review.token")),
      el("input", { id: "token", type: "password", autocomplete: "off", spellcheck: "false" }),
      el("label", { for: "key-file" }, t("review.key")),
      el("p", { class: "hint", id: "key-help" }, t("review.key-help")),
      el("input", { id: "key-file", type: "file", accept: "application/json,.json", "aria-describedby": "key-help" }),
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", "data-action": "review-sign-in" }, t("review.open")))
    )
  );
}
function takeList(applications) {
  state.items = applications.map((item) => {
    const out = { code: item.code, applied: item.applied, duplicates: item.duplicates };
    try {
      const s = item.evidence;
      const sealed = { keys: s.keys.map((k) => fromHex(k, k.length / 2, "sealed key")), nonce: fromHex(s.nonce, 24, "nonce"), ciphertext: fromBase64(s.ciphertext) };
      const plain = JSON.parse(decoder.decode(openEvidence(sealed, state.ctx.fingerprint, state.me.id, state.reviewer, state.pair)));
      out.evidence = plain;
    } catch (e) {
      out.error = e.message;
    }
    return out;
  });
}
async function refresh() {
  state.busy = true;
  render();
  try {
    takeList((await api(`${base()}/review`, void 0, { token: state.token })).applications);
    state.notice = { kind: "status", text: t("review.count", { count: state.items.length }) };
  } catch (e) {
    state.notice = { kind: "alert", text: e.message };
  }
  state.busy = false;
  render();
}
async function decide(item, approve) {
  const reason = document.getElementById(`reason-${item.code}`).value.trim();
  if (!approve && !reason) {
    state.notice = { kind: "alert", text: t("review.reason-needed") };
    render();
    document.getElementById(`reason-${item.code}`).focus();
    return;
  }
  const body = { decision: approve ? "approve" : "reject", reason };
  if (approve) body.duplicate_key = Object.fromEntries(state.rules.duplicate_key.map((k) => [k, item.evidence.fields[k]]));
  state.busy = true;
  try {
    const outcome = await api(`${base()}/applications/${encodeURIComponent(item.code)}/decision`, body, { token: state.token });
    state.items = state.items.filter((x) => x !== item);
    state.notice = { kind: "status", text: t(`review.outcome.${outcome.status}`, { code: item.code }) };
  } catch (e) {
    state.notice = { kind: "alert", text: t("review.refused", { code: item.code, message: e.message }) };
  }
  state.busy = false;
  render();
}
function fileView(field, file) {
  const label = local(field.label, state.ctx.definition);
  const href = `data:${file.type};base64,${file.data}`;
  return [
    file.type.startsWith("image/") ? el("img", { src: href, alt: t("review.image-alt", { field: label, name: file.name }), class: "evidence" }) : null,
    el("a", { href, download: file.name }, t("review.download", { name: file.name }))
  ];
}
function evidenceView(item) {
  if (item.error) return errorBox(t("review.no-open", { message: item.error }));
  const fields = state.rules.fields.filter((f) => f.kind === "file" ? f.id in item.evidence.files : f.id in item.evidence.fields);
  return el(
    "dl",
    {},
    fields.map((f) => [
      el("dt", {}, local(f.label, state.ctx.definition)),
      el("dd", {}, f.kind === "file" ? fileView(f, item.evidence.files[f.id]) : item.evidence.fields[f.id])
    ])
  );
}
function itemView(item) {
  const dupes = item.duplicates.length ? el("p", { class: "error" }, t("review.duplicates", { codes: item.duplicates.map((d) => `${d.code} (${t(`review.status.${d.status}`)})`).join(", ") })) : null;
  return el(
    "article",
    { class: "application", "aria-labelledby": `title-${item.code}` },
    el("h3", { id: `title-${item.code}` }, t("review.application", { code: item.code })),
    el("p", { class: "hint" }, t("review.applied", { time: item.applied })),
    dupes,
    evidenceView(item),
    el("label", { for: `reason-${item.code}` }, t("review.reason")),
    el("textarea", { id: `reason-${item.code}`, rows: 2, maxlength: 2e3 }),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", "data-action": "review-reject", onclick: () => decide(item, false), disabled: state.busy }, t("review.reject")),
      item.evidence ? el("button", { type: "button", class: "primary", "data-action": "review-approve", onclick: () => decide(item, true), disabled: state.busy }, t("review.approve")) : null
    )
  );
}
function listStep() {
  return el(
    "section",
    { "aria-labelledby": "list-title" },
    el("h2", { id: "list-title", tabindex: "-1" }, t("review.list", { reviewer: state.reviewer })),
    notice(),
    state.items.length ? state.items.map(itemView) : el("p", {}, t("review.none")),
    el("div", { class: "actions" }, el("button", { type: "button", "data-action": "review-refresh", onclick: refresh, disabled: state.busy }, t("review.refresh")))
  );
}
async function start() {
  startPage("review.html", render);
  try {
    if (!electionId) throw new ApiError(0, "no-election", t("error.no-election"));
    state.info = await api(`/registrar/${encodeURIComponent(electionId)}`);
    state.ctx = replayDefinition(await api(`/registrar/${encodeURIComponent(electionId)}/package`));
    if (state.ctx.id !== state.info.election || toHex(state.ctx.fingerprint) !== state.info.fingerprint || !state.ctx.definition.registration) {
      throw new Error(t("error.package-mismatch"));
    }
    state.rules = state.ctx.definition.registration;
    state.me = registrarOf(state.rules, state.info.registrar);
    state.step = "sign-in";
  } catch (e) {
    state.error = e.status === 404 ? t("error.unknown-election") : e.message;
    state.step = "error";
  }
  render();
}
start();
