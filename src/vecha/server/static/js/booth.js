import {
  newCode,
  readRegistrationFile,
  rollEntryOf,
  signedCredential,
  withoutRollRandomness
} from "./chunks/chunk-LHTZKS5O.js";
import {
  agrees,
  fingerprintText,
  replayPackage
} from "./chunks/chunk-KMKYPYSB.js";
import {
  framesOf,
  qrImage
} from "./chunks/chunk-WN3ZKNZ4.js";
import {
  CodeError,
  auditBallot,
  auditData,
  checkReceipt,
  coercionEncryptionSteps,
  credentialFromCode,
  encryptionSteps,
  fromHex,
  normalizeCode,
  optionsOf,
  pointHex,
  signBallot,
  signCoercionBallot,
  trackerOf
} from "./chunks/chunk-OPJSJMZP.js";
import {
  ApiError,
  api,
  candidateName,
  el,
  errorBox,
  fill,
  gradeName,
  listName,
  loadElection,
  local,
  optionName,
  pageUrl,
  phaseText,
  saveJsonFile,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

// src/booth.js
var STEPS = ["code", "questions", "review", "sealed", "done"];
var state = {
  step: "loading",
  info: null,
  ctx: null,
  loadError: null,
  credential: null,
  // {secret, public}: in memory only, dropped after casting
  // a coercion-resistant election (spec §6.10): the code itself (real or fake: the booth
  // cannot tell, and does not try) and the tracking code of the ballot it replaces, if given
  code: null,
  replaces: null,
  previousError: null,
  typedPrevious: null,
  fakeCode: null,
  // a fake code made on request, shown until the page changes step
  registration: null,
  // {credential, signatures} from a registration file, sent with the ballot
  fileError: null,
  codeError: null,
  marks: [],
  // per question, one value per option (spec §6.2): a mark 0/1, a rank, a grade index
  questionErrors: [],
  made: null,
  // {body, selections, randomness} of the ballot on show: unsigned until cast
  progress: null,
  audit: null,
  // {ok, message, selections, data}
  receipt: null,
  history: null,
  // the ballots under the credential, as the box lists them after casting
  castError: null,
  busy: false,
  // before voting opens, in a coercion-resistant election: the registration file put on the
  // roll here, rewritten without its randomness for the voter to save
  roll: null,
  // {file, saved} once posted
  rollError: null
};
var main = () => document.getElementById("main");
var focusHeading = false;
function go(step) {
  state.step = step;
  focusHeading = true;
  render();
}
function render() {
  const root = main();
  document.title = `${t("booth.title")} — ${t("app.name")}`;
  if (state.step === "loading") {
    fill(root, el("p", { role: "status" }, t("loading")));
    return;
  }
  if (state.loadError) {
    fill(root, el("h1", {}, t("booth.title")), errorBox(state.loadError));
    return;
  }
  const def = state.info.definition;
  const n = STEPS.indexOf(state.step === "audit" ? "sealed" : state.step === "handoff" ? "done" : state.step) + 1;
  const body = {
    code: codeStep,
    questions: questionsStep,
    review: reviewStep,
    sealed: sealedStep,
    audit: auditStep,
    handoff: handoffStep,
    done: doneStep,
    closed: closedStep
  }[state.step]();
  root.dataset.step = state.step;
  fill(
    root,
    el("h1", {}, local(def.title, def)),
    state.step === "closed" ? null : el("p", { class: "step" }, t("booth.step", { n, total: STEPS.length })),
    body
  );
  if (focusHeading) {
    focusHeading = false;
    root.querySelector("h2")?.focus();
  }
}
var heading = (key) => el("h2", { tabindex: "-1" }, t(key));
function closedStep() {
  const rollOpen = state.ctx?.definition?.coercion === true && state.info.phase === "keyed";
  return el("section", {}, heading("booth.title"), errorBox(t("booth.not-open", { phase: phaseText(state.info.phase) })), rollOpen ? rollForm() : null);
}
function rollForm() {
  const open = async (event) => {
    const chosen = event.target.files[0];
    if (!chosen) return;
    state.busy = true;
    render();
    try {
      const file = readRegistrationFile(await chosen.text(), state.ctx.id, state.ctx.fingerprint);
      const rules = state.ctx.definition.registration;
      if (Object.keys(file.signatures).length < rules.required) throw new Error(t("code.file-unsigned", { required: rules.required }));
      if (!file.pending.roll) throw new Error(t("roll.not-coercion"));
      if (file.pending.roll.randomness) {
        await api(`/elections/${encodeURIComponent(state.ctx.id)}/roll-entries`, rollEntryOf(file, state.ctx.fingerprint));
        state.roll = { file: withoutRollRandomness(file), saved: false };
      } else {
        state.roll = { file, saved: true };
      }
      state.rollError = null;
    } catch (e) {
      state.rollError = e instanceof ApiError ? t("roll.refused", { message: e.message }) : t("code.bad-file", { message: e.message });
    }
    state.busy = false;
    render();
    document.getElementById(state.rollError ? "roll-file" : "roll-done")?.focus();
  };
  const save = () => {
    saveJsonFile(`vecha-registration-${state.ctx.id}.json`, state.roll.file);
    state.roll.saved = true;
    render();
    document.getElementById("roll-done")?.focus();
  };
  if (state.roll) {
    return el(
      "div",
      { class: "roll" },
      el("h3", {}, t("roll.title")),
      el("p", { class: "ok", role: "status", id: "roll-done", tabindex: "-1" }, t(state.roll.saved ? "roll.saved" : "roll.posted")),
      state.roll.saved ? null : el("div", { class: "actions" }, el("button", { type: "button", class: "primary", "data-action": "roll-save", onclick: save }, t("roll.save")))
    );
  }
  return el(
    "div",
    { class: "roll" },
    el("h3", {}, t("roll.title")),
    el("p", { id: "roll-help" }, t("roll.help")),
    el("label", { for: "roll-file" }, t("code.file-label")),
    el("input", {
      id: "roll-file",
      type: "file",
      accept: "application/json,.json",
      disabled: state.busy,
      "aria-describedby": state.rollError ? "roll-help roll-error" : "roll-help",
      onchange: open
    }),
    state.busy ? el("p", { role: "status" }, t("roll.sending")) : null,
    state.rollError ? el("p", { id: "roll-error", class: "error", role: "alert" }, state.rollError) : null
  );
}
function codeStep() {
  const input = el("input", {
    id: "code",
    name: "code",
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    autocorrect: "off",
    spellcheck: "false",
    inputmode: "text",
    "aria-describedby": state.codeError ? "code-help code-error" : "code-help",
    "aria-invalid": state.codeError ? "true" : null,
    class: "code"
  });
  input.value = state.typedCode ?? "";
  const submit = (event) => {
    event.preventDefault();
    const typed = input.value.trim();
    if (!typed) {
      state.codeError = t("code.empty");
    } else {
      try {
        if (coercion()) {
          state.typedPrevious = document.getElementById("previous").value;
          const previous = state.typedPrevious.replace(/\s/g, "").toLowerCase();
          state.previousError = previous && !/^[0-9a-f]{64}$/.test(previous) ? t("coercion.previous-bad") : null;
          state.code = normalizeCode(typed);
          if (state.previousError) throw new CodeError("coercion.previous-bad");
          state.replaces = previous ? fromHex(previous, 32) : null;
        } else {
          state.credential = credentialFromCode(typed, state.ctx.fingerprint);
        }
        state.codeError = null;
        state.typedCode = null;
        state.fakeCode = null;
        state.typedPrevious = null;
        input.value = "";
        go("questions");
        return;
      } catch (e) {
        if (!(e instanceof CodeError)) throw e;
        state.codeError = e.key === "coercion.previous-bad" ? null : t(e.key, { detail: e.detail });
        state.typedCode = typed;
      }
    }
    render();
    document.getElementById("code").focus();
  };
  return el(
    "section",
    { "aria-labelledby": "code-title" },
    el("h2", { id: "code-title", tabindex: "-1" }, t("code.title")),
    state.ctx.definition.registration ? registrationFileForm() : null,
    el("p", { class: "note" }, t("booth.private")),
    el("p", { class: "note", id: "fingerprint" }, t("booth.fingerprint", { fingerprint: fingerprintText(state.ctx.fingerprint) })),
    el(
      "form",
      { onsubmit: submit, novalidate: true, autocomplete: "off" },
      el("label", { for: "code" }, t("code.label")),
      el("p", { id: "code-help", class: "hint" }, t("code.help")),
      input,
      state.codeError ? el("p", { id: "code-error", class: "error", role: "alert" }, state.codeError) : null,
      coercion() ? previousField() : null,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", "data-action": "code-continue" }, t("code.continue")))
    ),
    coercion() ? fakeCodeOffer() : null,
    el("p", { class: "note" }, el("a", { href: pageUrl("handin.html"), id: "handin-link" }, t("nav.handin")))
  );
}
var coercion = () => state.ctx?.definition?.coercion === true;
function previousField() {
  const input = el("input", {
    id: "previous",
    name: "previous",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    class: "tracker-input",
    "aria-describedby": state.previousError ? "previous-help previous-error" : "previous-help",
    "aria-invalid": state.previousError ? "true" : null
  });
  input.value = state.typedPrevious ?? "";
  return el(
    "div",
    { class: "previous" },
    el("label", { for: "previous" }, t("coercion.previous-label")),
    el("p", { id: "previous-help", class: "hint" }, t("coercion.previous-help")),
    input,
    state.previousError ? el("p", { id: "previous-error", class: "error", role: "alert" }, state.previousError) : null
  );
}
function fakeCodeOffer() {
  const make = () => {
    state.fakeCode = newCode();
    render();
    document.getElementById("fake-code")?.focus();
  };
  return el(
    "details",
    { class: "fake-codes", id: "fake-codes", open: state.fakeCode ? true : null },
    // stays open to show the code
    el("summary", {}, t("coercion.fake-title")),
    el("p", {}, t("coercion.fake-help")),
    el("button", { type: "button", "data-action": "fake-code", onclick: make }, t("coercion.fake-make")),
    state.fakeCode ? el("p", { id: "fake-code", class: "code", role: "status", tabindex: "-1" }, t("coercion.fake-shown", { code: state.fakeCode })) : null
  );
}
function registrationFileForm() {
  const open = async (event) => {
    const chosen = event.target.files[0];
    if (!chosen) return;
    try {
      const file = readRegistrationFile(await chosen.text(), state.ctx.id, state.ctx.fingerprint);
      const rules = state.ctx.definition.registration;
      if (Object.keys(file.signatures).length < rules.required) throw new Error(t("code.file-unsigned", { required: rules.required }));
      if (coercion()) {
        state.code = normalizeCode(file.pending.code);
      } else {
        state.credential = credentialFromCode(file.pending.code, state.ctx.fingerprint);
        state.registration = signedCredential(file, state.ctx.fingerprint);
      }
      state.fileError = null;
      go("questions");
    } catch (e) {
      state.fileError = t("code.bad-file", { message: e.message });
      render();
      document.getElementById("registration-file").focus();
    }
  };
  return el(
    "div",
    { class: "registration-file" },
    el("label", { for: "registration-file" }, t("code.file-label")),
    el("p", { class: "hint", id: "registration-file-help" }, t("code.file-help")),
    el("input", {
      id: "registration-file",
      type: "file",
      accept: "application/json,.json",
      "aria-describedby": state.fileError ? "registration-file-help registration-file-error" : "registration-file-help",
      onchange: open
    }),
    state.fileError ? el("p", { id: "registration-file-error", class: "error", role: "alert" }, state.fileError) : null
  );
}
var preferences = (q) => q.kind === "list-pr" ? q.preferences ?? 1 : 1;
function ruleText(q, def) {
  if (q.kind === "ranked") return q.min > 0 ? t("questions.rank-help-min", { min: q.min, max: q.max }) : t("questions.rank-help", { max: q.max });
  if (q.kind === "graded") return t("questions.grade-help", { lowest: gradeName(q, q.grades[0], def) });
  if (q.kind === "list-pr" && preferences(q) > 1) return t("questions.preferences-help", { count: preferences(q) });
  if (q.kind === "list-pr") return t("questions.list-help");
  if (q.min === q.max) return q.max === 1 ? t("questions.choose-one") : t("questions.choose-exactly", { min: q.min });
  if (q.min === 0) return q.max === 1 ? t("questions.choose-one") : t("questions.choose-up-to", { max: q.max });
  return t("questions.choose-between", { min: q.min, max: q.max });
}
function optionInput(qi, oi, type, label, extra = {}) {
  const id = `q${qi}-o${oi}`;
  const checked = oi >= 0 ? state.marks[qi][oi] === 1 : state.marks[qi].every((m) => m === 0) && state.touched?.[qi];
  const input = el("input", {
    type,
    id,
    name: `q${qi}`,
    value: String(oi),
    checked: checked ? true : null,
    onchange: (e) => {
      (state.touched ??= [])[qi] = true;
      if (type === "radio") state.marks[qi] = state.marks[qi].map((_, k) => k === oi ? 1 : 0);
      else state.marks[qi][oi] = e.target.checked ? 1 : 0;
    }
  });
  return el("div", { class: `option ${extra.class ?? ""}` }, input, el("label", { for: id }, label));
}
function rankedOrder(q, qi, def) {
  return optionsOf(q).map((o, oi) => ({ name: optionName(q, o, def), rank: state.marks[qi][oi] })).filter((x) => x.rank > 0).sort((a, b) => a.rank - b.rank);
}
function orderText(q, qi, def) {
  const order = rankedOrder(q, qi, def);
  return order.length ? t("questions.your-order", { order: order.map((x) => `${x.rank}. ${x.name}`).join(", ") }) : t("questions.no-order");
}
function rankedField(q, qi, def, hintId, error) {
  const orderId = `q${qi}-order`;
  const rows = optionsOf(q).map((o, oi) => {
    const id = `q${qi}-o${oi}`;
    const select = el(
      "select",
      {
        id,
        name: `q${qi}-o${oi}`,
        "aria-describedby": hintId,
        onchange: (e) => {
          state.marks[qi][oi] = Number(e.target.value);
          document.getElementById(orderId).textContent = orderText(q, qi, def);
        }
      },
      el("option", { value: "0", selected: state.marks[qi][oi] === 0 ? true : null }, t("questions.not-ranked")),
      Array.from(
        { length: q.max },
        (_, k) => el("option", { value: String(k + 1), selected: state.marks[qi][oi] === k + 1 ? true : null }, t("questions.rank-n", { rank: k + 1 }))
      )
    );
    return el("div", { class: "option rank" }, el("label", { for: id }, optionName(q, o, def)), select);
  });
  return el(
    "fieldset",
    { class: "question", "aria-describedby": error ? `${hintId} q${qi}-error` : hintId },
    el("legend", {}, el("h3", {}, local(q.title, def))),
    el("p", { id: hintId, class: "hint" }, ruleText(q, def)),
    rows,
    el("p", { id: orderId, class: "order", role: "status", "aria-live": "polite" }, orderText(q, qi, def)),
    error ? el("p", { id: `q${qi}-error`, class: "error", role: "alert" }, error) : null
  );
}
function gradedField(q, qi, def, hintId, error) {
  const groups = optionsOf(q).map((o, oi) => {
    const name = `q${qi}-o${oi}`;
    const labelId = `${name}-name`;
    return el(
      "div",
      { class: "grades", role: "radiogroup", "aria-labelledby": labelId },
      el("h4", { id: labelId }, optionName(q, o, def)),
      q.grades.map((g, gi) => {
        const id = `${name}-g${gi}`;
        const input = el("input", {
          type: "radio",
          id,
          name,
          value: String(gi),
          checked: state.touched?.[qi]?.[oi] && state.marks[qi][oi] === gi ? true : null,
          onchange: () => {
            state.marks[qi][oi] = gi;
            ((state.touched ??= [])[qi] ??= [])[oi] = true;
          }
        });
        return el("div", { class: "option" }, input, el("label", { for: id }, gradeName(q, g, def)));
      })
    );
  });
  return el(
    "fieldset",
    { class: "question", "aria-describedby": error ? `${hintId} q${qi}-error` : hintId },
    el("legend", {}, el("h3", {}, local(q.title, def))),
    el("p", { id: hintId, class: "hint" }, ruleText(q, def)),
    groups,
    error ? el("p", { id: `q${qi}-error`, class: "error", role: "alert" }, error) : null
  );
}
function answerError(q, marks, def) {
  const title = local(q.title, def);
  if (q.kind === "graded") return null;
  if (q.kind === "ranked") {
    const ranks = marks.filter((m) => m > 0);
    const twice = ranks.find((r, i) => ranks.indexOf(r) !== i);
    if (twice !== void 0) return t("questions.rank-twice", { title, rank: twice });
    const missing = ranks.length ? Array.from({ length: Math.max(...ranks) }, (_, k) => k + 1).find((r) => !ranks.includes(r)) : void 0;
    if (missing !== void 0) return t("questions.rank-gap", { title, rank: missing });
    if (ranks.length < q.min) return t("questions.rank-too-few", { title, min: q.min });
    return null;
  }
  const n = marks.reduce((a, b) => a + b, 0);
  if (q.kind === "list-pr" && preferences(q) > 1) {
    const marked = optionsOf(q).filter((_, oi) => marks[oi] === 1);
    if (new Set(marked.map((o) => o.list)).size > 1) return t("questions.one-list", { title });
    if (marked.filter((o) => o.candidate !== void 0).length > preferences(q)) return t("questions.too-many-preferences", { title, count: preferences(q) });
    return null;
  }
  if (n < q.min) return t("questions.too-few", { title, min: q.min });
  if (n > q.max) return t("questions.too-many", { title, max: q.max });
  return null;
}
function questionField(q, qi, def) {
  const hintId0 = `q${qi}-hint`;
  if (q.kind === "ranked") return rankedField(q, qi, def, hintId0, state.questionErrors[qi]);
  if (q.kind === "graded") return gradedField(q, qi, def, hintId0, state.questionErrors[qi]);
  const single = q.kind === "list-pr" && preferences(q) === 1 || q.kind === "choice" && q.max === 1;
  const type = single ? "radio" : "checkbox";
  const options = optionsOf(q);
  const hintId = `q${qi}-hint`;
  let controls;
  if (q.kind === "list-pr") {
    controls = q.lists.map((list, li) => {
      const listIndex = options.findIndex((o) => o.list === li && o.candidate === void 0);
      const headingId = `q${qi}-l${li}`;
      return el(
        "div",
        { class: "list", role: "group", "aria-labelledby": headingId },
        el("h4", { id: headingId }, t("questions.list", { name: listName(list, def) })),
        optionInput(qi, listIndex, type, t("questions.list-vote", { name: listName(list, def) }), { class: "list-vote" }),
        list.candidates.length ? el(
          "div",
          { class: "candidates", role: "group", "aria-label": t("questions.candidates-of", { name: listName(list, def) }) },
          list.candidates.map((c, ci) => optionInput(qi, listIndex + 1 + ci, type, candidateName(list, c, def)))
        ) : null
      );
    });
  } else {
    controls = options.map((o, oi) => optionInput(qi, oi, type, optionName(q, o, def)));
  }
  const blank = single && q.min === 0 ? optionInput(qi, -1, "radio", t("questions.blank"), { class: "blank" }) : null;
  const error = state.questionErrors[qi];
  return el(
    "fieldset",
    { class: "question", "aria-describedby": error ? `${hintId} q${qi}-error` : hintId },
    el("legend", {}, el("h3", {}, local(q.title, def))),
    el("p", { id: hintId, class: "hint" }, ruleText(q, def)),
    controls,
    blank,
    error ? el("p", { id: `q${qi}-error`, class: "error", role: "alert" }, error) : null
  );
}
function questionsStep() {
  const def = state.info.definition;
  const submit = (event) => {
    event.preventDefault();
    state.questionErrors = def.questions.map((q, qi) => answerError(q, state.marks[qi], def));
    const first = state.questionErrors.findIndex((e) => e);
    if (first < 0) return go("review");
    render();
    main().querySelector(`#q${first}-error`)?.closest("fieldset")?.querySelector("input, select")?.focus();
  };
  return el(
    "section",
    {},
    heading("questions.title"),
    el(
      "form",
      { onsubmit: submit, novalidate: true, autocomplete: "off" },
      def.questions.map((q, qi) => questionField(q, qi, def)),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", "data-action": "questions-back", onclick: () => go("code") }, t("questions.back")),
        el("button", { type: "submit", class: "primary", "data-action": "questions-continue" }, t("questions.continue"))
      )
    )
  );
}
function choicesList(selections) {
  const def = state.info.definition;
  return el(
    "dl",
    { class: "choices" },
    def.questions.map((q, qi) => {
      const options = optionsOf(q);
      let labels;
      if (q.kind === "ranked") {
        labels = options.map((o, oi) => ({ name: optionName(q, o, def), rank: selections[qi][oi] })).filter((x) => x.rank > 0).sort((a, b) => a.rank - b.rank).map((x) => `${x.rank}. ${x.name}`);
      } else if (q.kind === "graded") {
        labels = options.map((o, oi) => {
          const grade = gradeName(q, q.grades[selections[qi][oi]], def);
          const graded = state.touched?.[qi]?.[oi];
          return `${optionName(q, o, def)}: ${graded ? grade : t("review.ungraded", { grade })}`;
        });
      } else {
        labels = options.filter((_, oi) => selections[qi][oi] === 1).map((o) => optionName(q, o, def));
      }
      return [el("dt", {}, local(q.title, def)), el("dd", {}, labels.length ? labels.join(q.kind === "graded" ? "; " : ", ") : t("review.blank"))];
    })
  );
}
async function encryptAndShow() {
  state.busy = true;
  state.progress = { done: 0, total: 1 };
  state.audit = null;
  go("sealed");
  const marks = state.marks.map((m) => [...m]);
  const steps = coercion() ? coercionEncryptionSteps(state.ctx, state.code, marks, state.replaces) : encryptionSteps(state.ctx, state.credential, marks);
  let last = performance.now();
  for (; ; ) {
    const step = steps.next();
    if (step.done) {
      state.made = step.value;
      break;
    }
    state.progress = step.value;
    if (performance.now() - last > 50) {
      updateProgress();
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  }
  state.busy = false;
  state.progress = null;
  focusHeading = true;
  render();
}
function reviewStep() {
  return el(
    "section",
    {},
    heading("review.title"),
    el("p", {}, t("review.help")),
    choicesList(state.marks),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", "data-action": "review-change", onclick: () => go("questions") }, t("review.change")),
      el("button", { type: "button", class: "primary", "data-action": "review-encrypt", onclick: encryptAndShow }, t("review.encrypt"))
    )
  );
}
function updateProgress() {
  const bar = document.getElementById("progress");
  if (bar && state.progress) {
    bar.max = state.progress.total;
    bar.value = state.progress.done;
  }
}
var grouped = (hex) => hex.match(/.{1,8}/g).flatMap((g, k) => k ? [" ", el("span", { class: "group" }, g)] : [el("span", { class: "group" }, g)]);
async function cast() {
  state.busy = true;
  state.castError = null;
  render();
  const ballot = signed();
  try {
    const submission = { ballot, channel: "web" };
    if (state.registration) submission.registration = state.registration;
    const receipt = await api(`/elections/${encodeURIComponent(state.info.id)}/ballots`, submission);
    try {
      checkReceipt(state.ctx, ballot, receipt);
    } catch (e) {
      throw new ApiError(0, "bad-receipt", t("cast.bad-receipt", { message: e.message }));
    }
    state.receipt = receipt;
    state.history = coercion() ? null : await credentialHistory(state.credential);
    state.credential = null;
    state.code = null;
    state.replaces = null;
    state.registration = null;
    state.made = null;
    state.marks = state.marks.map((m) => m.map(() => 0));
    state.touched = null;
    state.busy = false;
    go("done");
  } catch (e) {
    state.busy = false;
    if (!(e instanceof ApiError)) throw e;
    const known = { "unlisted-credential": "cast.unlisted-credential", "not-open": "cast.not-open" }[e.code];
    state.castError = known ? t(known) : e.code === "network" || e.code === "bad-receipt" ? e.message : t("error.server", { message: e.message });
    render();
    main().querySelector(".error")?.focus();
  }
}
function signed() {
  return coercion() ? signCoercionBallot(state.made.secrets, state.made.body) : signBallot(state.credential, state.made.body);
}
async function credentialHistory(credential) {
  try {
    const found = await api(`/elections/${encodeURIComponent(state.info.id)}/credentials/${pointHex(credential.public)}`);
    return found.ballots;
  } catch {
    return null;
  }
}
function historyView() {
  if (!state.history) return null;
  const mine = state.receipt.tracker;
  return el(
    "details",
    { id: "credential-history" },
    el("summary", {}, t("done.history", { count: state.history.length })),
    el("p", {}, t("done.history-help")),
    el(
      "ol",
      {},
      state.history.map(
        (b) => el(
          "li",
          {},
          el("span", { class: "tracker" }, b.tracker.slice(0, 16)),
          ` ${b.time}`,
          b.tracker === mine ? ` — ${t("done.history-this")}` : "",
          b.counts ? ` — ${t("done.history-counts")}` : ""
        )
      )
    )
  );
}
function audit() {
  const { body, selections, randomness } = state.made;
  let outcome;
  try {
    outcome = { ok: true, selections: auditBallot(state.ctx, body, selections, randomness) };
  } catch (e) {
    outcome = { ok: false, message: e.message };
  }
  state.audit = { ...outcome, data: JSON.stringify(auditData(state.ctx, state.made), null, 1) };
  state.made = null;
  go("audit");
}
function sealedStep() {
  if (!state.made) {
    return el(
      "section",
      {},
      heading("sealed.progress"),
      el("progress", { id: "progress", max: state.progress?.total ?? 1, value: state.progress?.done ?? 0, "aria-label": t("sealed.progress") })
    );
  }
  const tracker = trackerOf(state.made.body);
  return el(
    "section",
    {},
    heading("sealed.title"),
    el("p", {}, t("sealed.tracker")),
    el("p", { class: "tracker", id: "sealed-tracker" }, grouped(tracker)),
    el("p", {}, t("sealed.help")),
    state.castError ? el("p", { class: "error", role: "alert", tabindex: "-1" }, state.castError) : null,
    state.busy ? el("p", { role: "status" }, t("sealed.casting")) : null,
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", "data-action": "sealed-audit", onclick: audit, disabled: state.busy }, t("sealed.audit")),
      el("button", { type: "button", class: "primary", "data-action": "sealed-cast", onclick: cast, disabled: state.busy }, t("sealed.cast"))
    ),
    el(
      "details",
      { class: "handoff-offer" },
      el("summary", {}, t("handoff.offer")),
      el("p", {}, t("handoff.offer-help")),
      el("button", { type: "button", "data-action": "sealed-handoff", onclick: handOff, disabled: state.busy }, t("handoff.make"))
    )
  );
}
async function handOff() {
  const ballot = signed();
  const submission = { ballot, channel: "web" };
  if (state.registration) submission.registration = state.registration;
  const frames = await framesOf(submission);
  state.handoff = { tracker: trackerOf(ballot), codes: frames.map((f) => qrImage(f).url) };
  state.credential = null;
  state.code = null;
  state.replaces = null;
  state.registration = null;
  state.made = null;
  state.marks = state.marks.map((m) => m.map(() => 0));
  state.touched = null;
  go("handoff");
}
function handoffStep() {
  const h = state.handoff;
  const n = h.codes.length;
  return el(
    "section",
    {},
    heading("handoff.title"),
    el("p", {}, t("handoff.help", { count: n })),
    el("p", {}, t("sealed.tracker")),
    el("p", { class: "tracker", id: "handoff-tracker" }, grouped(h.tracker)),
    el(
      "ol",
      { class: "qr-codes" },
      h.codes.map(
        (url, k) => el("li", {}, el("img", { src: url, alt: t("handoff.code-alt", { k: k + 1, n }), class: "qr", "data-code": String(k + 1) }), el("p", {}, t("handoff.code", { k: k + 1, n })))
      )
    ),
    el("p", {}, t("handoff.after"))
  );
}
function auditStep() {
  const a = state.audit;
  return el(
    "section",
    {},
    heading("audit.title"),
    a.ok ? [el("p", { class: "ok", role: "status", id: "audit-ok" }, t("audit.ok")), el("p", {}, t("audit.contains")), choicesList(a.selections)] : el("p", { class: "error", role: "alert", id: "audit-failed" }, t("audit.failed", { message: a.message })),
    el("details", {}, el("summary", {}, t("audit.data")), el("pre", { class: "data", id: "audit-data", tabindex: "0" }, a.data)),
    el("div", { class: "actions" }, el("button", { type: "button", class: "primary", "data-action": "audit-again", onclick: encryptAndShow }, t("audit.again")))
  );
}
function doneStep() {
  const r = state.receipt;
  return el(
    "section",
    {},
    heading("done.title"),
    el("p", { class: "ok" }, t("done.receipt")),
    el(
      "dl",
      { class: "receipt" },
      el("dt", {}, t("done.tracker")),
      el("dd", { class: "tracker", id: "receipt-tracker" }, grouped(r.tracker)),
      el("dt", {}, t("done.index")),
      el("dd", { id: "receipt-index" }, String(r.index))
    ),
    el("details", {}, el("summary", {}, t("done.receipt-data")), el("pre", { class: "data", id: "receipt-json", tabindex: "0" }, JSON.stringify(r))),
    el("p", {}, el("a", { href: pageUrl("board.html", { tracker: r.tracker }), id: "find-ballot" }, t("done.find"))),
    el("p", {}, t(coercion() ? "done.coercion-keep" : "done.keep")),
    historyView(),
    el("p", { class: "note" }, t(coercion() ? "done.coercion-revote" : "done.revote")),
    el(
      "div",
      { class: "actions" },
      // replace(): the finished booth does not stay in the history either
      el("button", { type: "button", class: "primary", "data-action": "done-finish", onclick: () => location.replace(pageUrl("booth.html")) }, t("done.finish"))
    )
  );
}
async function start() {
  startPage("booth.html", render);
  try {
    state.info = await loadElection();
    if (state.info.phase !== "open") {
      if (state.info.definition.coercion && state.info.phase === "keyed") {
        const replayed = replayPackage(await api(`/elections/${encodeURIComponent(state.info.id)}/package`));
        if (!agrees(replayed, state.info)) throw new Error(t("error.package-mismatch"));
        state.ctx = replayed;
      }
      state.step = "closed";
    } else {
      const replayed = replayPackage(await api(`/elections/${encodeURIComponent(state.info.id)}/package`));
      if (!agrees(replayed, state.info)) throw new Error(t("error.package-mismatch"));
      state.ctx = replayed;
      state.marks = state.info.definition.questions.map((q) => optionsOf(q).map(() => 0));
      state.step = "code";
    }
  } catch (e) {
    state.loadError = e.message;
    state.step = "error";
  }
  render();
}
start();
