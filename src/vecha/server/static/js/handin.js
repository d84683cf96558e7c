import {
  readQr,
  submissionOf
} from "./chunks/chunk-WN3ZKNZ4.js";
import {
  EncodingError,
  checkReceipt,
  electionContext,
  toHex
} from "./chunks/chunk-OPJSJMZP.js";
import {
  ApiError,
  api,
  el,
  errorBox,
  fill,
  loadElection,
  local,
  startPage,
  t
} from "./chunks/chunk-PEI32QKA.js";

// src/handin.js
var state = { info: null, error: null, frames: [], notice: null, receipt: null, busy: false };
async function framesIn(file) {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const frame = readQr(context.getImageData(0, 0, canvas.width, canvas.height));
  return frame ? [frame] : [];
}
function reason(e) {
  const key = { "not-vecha": "handin.not-vecha", "two-ballots": "handin.two-ballots", damaged: "handin.damaged", "not-a-ballot": "handin.damaged", version: "handin.not-vecha" }[e.code];
  if (e.code === "missing" && e.of) return t("handin.missing", { parts: e.missing.join(", "), n: e.of });
  return key ? t(key) : e.message;
}
async function read(event) {
  const files = [...event.target.files];
  state.notice = null;
  state.receipt = null;
  let unreadable = 0;
  for (const file of files) {
    try {
      const found = await framesIn(file);
      if (!found.length) unreadable += 1;
      state.frames.push(...found);
    } catch {
      unreadable += 1;
    }
  }
  event.target.value = "";
  if (unreadable) {
    state.notice = { kind: "alert", text: t("handin.unreadable", { count: unreadable }) };
    return render();
  }
  try {
    const submission = await submissionOf(state.frames);
    await cast(submission);
  } catch (e) {
    if (e instanceof EncodingError) {
      state.notice = { kind: e.code === "missing" ? "status" : "alert", text: reason(e) };
      if (e.code !== "missing") state.frames = [];
      return render();
    }
    throw e;
  }
}
async function cast(submission) {
  const ctx = electionContext(state.info);
  if (submission.ballot.election !== toHex(ctx.fingerprint)) {
    state.frames = [];
    state.notice = { kind: "alert", text: t("handin.other-election") };
    return render();
  }
  state.busy = true;
  render();
  try {
    const receipt = await api(`/elections/${encodeURIComponent(state.info.id)}/ballots`, submission);
    checkReceipt(ctx, submission.ballot, receipt);
    state.receipt = receipt;
    state.frames = [];
  } catch (e) {
    state.notice = { kind: "alert", text: e instanceof ApiError ? t("handin.refused", { message: e.message }) : t("cast.bad-receipt", { message: e.message }) };
  }
  state.busy = false;
  render();
  document.getElementById(state.receipt ? "handin-receipt" : "handin-notice")?.focus();
}
function render() {
  document.title = `${t("handin.title")} — ${t("app.name")}`;
  const main = document.getElementById("main");
  if (state.error) return fill(main, el("h1", {}, t("handin.title")), errorBox(state.error));
  if (!state.info) return fill(main, el("p", { role: "status" }, t("loading")));
  const def = state.info.definition;
  const notice = state.notice ? el("p", { id: "handin-notice", tabindex: "-1", class: state.notice.kind === "alert" ? "error" : "note", role: state.notice.kind }, state.notice.text) : null;
  fill(
    main,
    el("h1", {}, `${t("handin.title")}: ${local(def.title, def)}`),
    el("p", {}, t("handin.help")),
    el("label", { for: "handin-images" }, t("handin.choose")),
    el("input", { id: "handin-images", type: "file", accept: "image/*", multiple: true, onchange: read, disabled: state.busy ? true : null }),
    state.frames.length ? el("p", { role: "status", id: "handin-count" }, t("handin.found", { count: state.frames.length })) : null,
    state.busy ? el("p", { role: "status" }, t("sealed.casting")) : null,
    notice,
    state.receipt ? el(
      "section",
      { id: "handin-receipt", tabindex: "-1", "aria-labelledby": "handin-done" },
      el("h2", { id: "handin-done" }, t("handin.done")),
      el("p", {}, t("done.tracker")),
      el("p", { class: "tracker", id: "handin-tracker" }, state.receipt.tracker),
      el("p", {}, t("handin.done-help"))
    ) : null
  );
}
async function start() {
  startPage("handin.html", render);
  try {
    state.info = await loadElection();
  } catch (e) {
    state.error = e.message;
  }
  render();
}
start();
