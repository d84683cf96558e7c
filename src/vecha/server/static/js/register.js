import {
  applicationBody,
  evidenceProblem,
  newPending,
  newRegistrationFile,
  readRegistrationFile,
  registrarOf,
  solvePuzzle,
  unblind
} from "./chunks/chunk-LHTZKS5O.js";
import {
  fingerprintText,
  replayDefinition,
  replayPackage
} from "./chunks/chunk-KMKYPYSB.js";
import {
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
  saveJsonFile,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

// src/register.js
var state = {
  step: "loading",
  // loading | error | start | form | working | file
  error: null,
  info: null,
  // the registrar's GET answer
  ctx: null,
  // {id, definition, fingerprint} from the replayed first entry
  rules: null,
  me: null,
  // this registrar's spec
  file: null,
  // the registration file, in memory only
  unsaved: false,
  formProblem: null,
  evidence: { fields: {}, files: {} },
  // what the applicant typed and attached, until sent
  progress: null,
  notice: null,
  // {kind: "status"|"alert", text}
  busy: false,
  rejected: false
  // this registrar rejected the file's application: apply again with a new file
};
var main = () => document.getElementById("main");
var base = () => `/registrar/${encodeURIComponent(state.ctx.id)}`;
var focusHeading = false;
function go(step) {
  state.step = step;
  focusHeading = true;
  render();
}
var registrarName = (r) => local(r.name, state.ctx.definition);
var notice = () => state.notice ? el("p", { class: state.notice.kind === "alert" ? "error" : "note", role: state.notice.kind }, state.notice.text) : null;
function render() {
  const root = main();
  document.title = `${t("register.title")} — ${t("app.name")}`;
  root.dataset.step = state.step;
  if (state.step === "loading") {
    fill(root, el("p", { role: "status" }, t("loading")));
    return;
  }
  if (state.step === "error") {
    fill(root, el("h1", {}, t("register.title")), errorBox(state.error));
    return;
  }
  const def = state.ctx.definition;
  const body = { start: startStep, form: formStep, working: workingStep, file: fileStep }[state.step]();
  fill(root, el("h1", {}, local(def.title, def)), body);
  if (focusHeading) {
    focusHeading = false;
    root.querySelector("h2")?.focus();
  }
}
function fileInput(id, onFile) {
  return el("input", {
    id,
    type: "file",
    accept: "application/json,.json",
    onchange: async (event) => {
      const chosen = event.target.files[0];
      if (chosen) onFile(await chosen.text());
    }
  });
}
function loadFile(text) {
  try {
    state.file = readRegistrationFile(text, state.ctx.id, state.ctx.fingerprint);
    state.unsaved = false;
    state.notice = null;
    go("file");
  } catch (e) {
    state.notice = { kind: "alert", text: t("register.bad-file", { message: e.message }) };
    render();
  }
}
function startStep() {
  const rules = state.rules;
  const names = rules.registrars.map(registrarName).join(", ");
  return el(
    "section",
    { "aria-labelledby": "start-title" },
    el("h2", { id: "start-title", tabindex: "-1" }, t("register.title")),
    el("p", {}, t("register.intro", { registrar: registrarName(state.me) })),
    el("p", {}, rules.required === rules.registrars.length && rules.required === 1 ? t("register.one-registrar") : t("register.required", { required: rules.required, total: rules.registrars.length, names })),
    el("p", { class: "note" }, t("register.private")),
    el("p", { class: "note", id: "fingerprint" }, t("booth.fingerprint", { fingerprint: fingerprintText(state.ctx.fingerprint) })),
    notice(),
    state.info.closed ? errorBox(t("register.closed")) : el("div", { class: "actions" }, el("button", { type: "button", class: "primary", "data-action": "register-new", onclick: () => (state.notice = null, go("form")) }, t("register.new"))),
    el("h3", {}, t("register.have-file")),
    el("label", { for: "registration-file" }, t("register.file-label")),
    el("p", { class: "hint", id: "registration-file-help" }, t("register.file-help")),
    fileInput("registration-file", loadFile)
  );
}
var fieldId = (f) => `field-${f.id}`;
function fieldControl(f) {
  const problem = state.formProblem?.field === f.id ? state.formProblem : null;
  const described = [`${fieldId(f)}-help`, problem ? `${fieldId(f)}-error` : null].filter(Boolean).join(" ");
  const common = { id: fieldId(f), name: f.id, "aria-describedby": described, "aria-invalid": problem ? "true" : null, required: f.required };
  let control;
  if (f.kind === "file") {
    control = el("input", {
      ...common,
      type: "file",
      accept: f.accept.join(","),
      onchange: async (event) => {
        const chosen = event.target.files[0];
        if (chosen) state.evidence.files[f.id] = { type: chosen.type || "application/octet-stream", name: chosen.name, data: new Uint8Array(await chosen.arrayBuffer()) };
        else delete state.evidence.files[f.id];
      }
    });
  } else if (f.kind === "free-text") {
    control = el("textarea", { ...common, rows: 4, maxlength: f.max_length });
    control.value = state.evidence.fields[f.id] ?? "";
  } else {
    control = el("input", { ...common, type: f.kind === "date" ? "date" : "text", autocomplete: "off", spellcheck: "false", maxlength: f.max_length });
    control.value = state.evidence.fields[f.id] ?? "";
  }
  const help = [f.required ? t("register.required-field") : t("register.optional-field")];
  if (f.kind === "file") help.push(t("register.file-limit", { types: f.accept.join(", "), size: Math.floor(state.rules.attachment_max_bytes / 1e3) }));
  if (f.kind === "date") help.push(t("register.date-help"));
  if (state.rules.duplicate_key.includes(f.id)) help.push(t("register.duplicate-help"));
  return el(
    "div",
    { class: "field" },
    el("label", { for: fieldId(f) }, local(f.label, state.ctx.definition)),
    el("p", { class: "hint", id: `${fieldId(f)}-help` }, help.join(" ")),
    control,
    problem ? el("p", { class: "error", id: `${fieldId(f)}-error`, role: "alert" }, problemText(problem)) : null
  );
}
function problemText(p) {
  return t(`register.problem.${p.problem}`, { accept: p.accept, max: p.max, size: p.max ? Math.floor(p.max / 1e3) : "" });
}
function readForm() {
  for (const f of state.rules.fields) {
    if (f.kind === "file") continue;
    const value = document.getElementById(fieldId(f)).value;
    if (value.trim()) state.evidence.fields[f.id] = f.kind === "free-text" ? value : value.trim();
    else delete state.evidence.fields[f.id];
  }
}
function formStep() {
  const submit = (event) => {
    event.preventDefault();
    readForm();
    state.formProblem = evidenceProblem(state.rules, state.evidence.fields, state.evidence.files);
    if (state.formProblem) {
      render();
      document.getElementById(`field-${state.formProblem.field}`).focus();
      return;
    }
    send();
  };
  return el(
    "section",
    { "aria-labelledby": "form-title" },
    el("h2", { id: "form-title", tabindex: "-1" }, t("register.form-title", { registrar: registrarName(state.me) })),
    el("p", { class: "note" }, t("register.sealed-note", { registrar: registrarName(state.me) })),
    state.file ? el("p", {}, t("register.same-file")) : null,
    el(
      "form",
      { onsubmit: submit, novalidate: true, autocomplete: "off" },
      state.rules.fields.map(fieldControl),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", "data-action": "register-back", onclick: () => go(state.file ? "file" : "start") }, t("register.back")),
        el("button", { type: "submit", class: "primary", "data-action": "register-send" }, t("register.send"))
      )
    )
  );
}
function workingStep() {
  return el(
    "section",
    { "aria-labelledby": "working-title" },
    el("h2", { id: "working-title", tabindex: "-1" }, t("register.working")),
    el("p", { role: "status" }, t("register.puzzle")),
    el("progress", { id: "progress", max: 1, value: 0, "aria-label": t("register.puzzle") })
  );
}
function showProgress(tries, expected) {
  const bar = document.getElementById("progress");
  if (bar) {
    bar.max = expected;
    bar.value = Math.min(tries, expected);
  }
}
async function send() {
  go("working");
  try {
    if (!state.file) state.file = newRegistrationFile(state.ctx.id, await newPending(state.ctx.fingerprint, state.rules, state.ctx.key ?? null));
    const body = applicationBody(state.ctx.fingerprint, state.rules, state.me.id, state.file.pending, state.evidence.fields, state.evidence.files);
    const puzzle = await api(`${base()}/puzzle`);
    const solved = await solvePuzzle(body, puzzle.seed, puzzle.bits, showProgress);
    const answer = await api(`${base()}/applications`, solved);
    state.file.applications[state.me.id] = { registrar: location.origin, code: answer.code };
    state.unsaved = true;
    state.evidence = { fields: {}, files: {} };
    state.notice = { kind: "status", text: t("register.applied", { code: answer.code }) };
    go("file");
  } catch (e) {
    state.notice = { kind: "alert", text: refusal(e) };
    go("form");
  }
}
function refusal(e) {
  if (!(e instanceof ApiError)) return t("register.failed", { message: e.message });
  if (e.code === "network") return e.message;
  const known = { "registration-closed": "register.closed", "already-applied": "register.already-applied", busy: "register.busy" }[e.code];
  return known ? t(known) : t("register.refused", { message: e.message });
}
function saveFile() {
  saveJsonFile(`vecha-registration-${state.ctx.id}.json`, state.file);
  state.unsaved = false;
  state.notice = { kind: "status", text: t("register.saved") };
  render();
}
async function checkDecision() {
  const mine = state.file.applications[state.me.id];
  state.busy = true;
  render();
  try {
    const status = await api(`${base()}/applications/${encodeURIComponent(mine.code)}`);
    if (status.status === "approved") {
      const own = state.file.pending.registrars[state.me.id];
      const answer = await api(`${base()}/applications/${encodeURIComponent(mine.code)}/signature`, { blinded: own.blinded });
      state.file.signatures[state.me.id] = await unblind(state.rules, state.me.id, state.file.pending, answer.blind_signature);
      state.unsaved = true;
      state.notice = { kind: "status", text: t("register.approved") };
    } else if (status.status === "rejected") {
      state.notice = { kind: "alert", text: t("register.rejected", { reason: status.reason ?? "" }) };
      state.rejected = true;
    } else {
      state.notice = { kind: "status", text: t("register.pending") };
    }
  } catch (e) {
    state.notice = { kind: "alert", text: refusal(e) };
  }
  state.busy = false;
  render();
}
function registrarRow(r) {
  const app = state.file.applications[r.id];
  const signed = r.id in state.file.signatures;
  const status = signed ? t("register.row-signed") : app ? t("register.row-applied", { code: app.code }) : t("register.row-none");
  return el("li", {}, el("strong", {}, registrarName(r)), r.id === state.me.id ? ` (${t("register.this-registrar")})` : "", ": ", status);
}
function fileStep() {
  const f = state.file;
  const signatures = Object.keys(f.signatures).length;
  const ready = signatures >= state.rules.required;
  const mine = f.applications[state.me.id];
  const actions = [];
  if (!mine && !state.info.closed) actions.push(el("button", { type: "button", class: "primary", "data-action": "register-apply-here", onclick: () => go("form") }, t("register.apply-here")));
  else if (!(state.me.id in f.signatures)) actions.push(el("button", { type: "button", class: "primary", "data-action": "register-check", onclick: checkDecision, disabled: state.busy }, t("register.check")));
  if (state.rejected) {
    actions.push(
      el("button", { type: "button", "data-action": "register-again", onclick: () => (state.file = null, state.rejected = false, state.notice = null, go("form")) }, t("register.again"))
    );
  }
  return el(
    "section",
    { "aria-labelledby": "file-title" },
    el("h2", { id: "file-title", tabindex: "-1" }, t("register.file-title")),
    notice(),
    el(
      "div",
      { class: state.unsaved ? "note warning" : "note" },
      el("p", {}, state.unsaved ? t("register.save-now") : t("register.keep-file")),
      el("div", { class: "actions" }, el("button", { type: "button", class: state.unsaved ? "primary" : null, "data-action": "register-save", onclick: saveFile }, t("register.save")))
    ),
    el("h3", {}, t("register.registrars", { required: state.rules.required })),
    el("ul", {}, state.rules.registrars.map(registrarRow)),
    ready ? el("p", { class: "ok", role: "status" }, t(state.ctx.definition.coercion ? "register.ready-roll" : "register.ready")) : el("p", {}, t("register.next", { required: state.rules.required, have: signatures })),
    el("div", { class: "actions" }, actions)
  );
}
async function start() {
  startPage("register.html", render);
  window.addEventListener("beforeunload", (event) => {
    if (state.unsaved) event.preventDefault();
  });
  try {
    if (!electionId) throw new ApiError(0, "no-election", t("error.no-election"));
    state.info = await api(`/registrar/${encodeURIComponent(electionId)}`);
    const pkg = await api(`/registrar/${encodeURIComponent(electionId)}/package`);
    state.ctx = replayDefinition(pkg);
    if (state.ctx.definition.coercion) state.ctx = replayPackage(pkg);
    if (state.ctx.id !== state.info.election || toHex(state.ctx.fingerprint) !== state.info.fingerprint || !state.ctx.definition.registration) {
      throw new Error(t("error.package-mismatch"));
    }
    state.rules = state.ctx.definition.registration;
    state.me = registrarOf(state.rules, state.info.registrar);
    state.step = "start";
  } catch (e) {
    state.error = e.status === 404 ? t("error.unknown-election") : e.message;
    state.step = "error";
  }
  render();
}
start();
