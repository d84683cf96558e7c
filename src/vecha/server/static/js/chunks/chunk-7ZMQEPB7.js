import {
  el
} from "./chunk-PEI32QKA.js";

// src/chart.js
function barChart(rows, label) {
  const width = 640;
  const bar = 22;
  const gap = 8;
  const labelWidth = 180;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * (bar + gap) + gap;
  return el(
    "svg",
    { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, preserveAspectRatio: "xMinYMin meet" },
    el("title", { svg: true }, label),
    rows.map((r, i) => {
      const y = gap + i * (bar + gap);
      const w = (width - labelWidth - 60) * r.value / max;
      return el(
        "g",
        { svg: true },
        el("text", { svg: true, x: labelWidth - 8, y: y + bar * 0.7, "text-anchor": "end", class: "chart-label" }, r.label),
        el("rect", { svg: true, x: labelWidth, y, width: Math.max(w, r.value ? 2 : 0), height: bar, class: "chart-bar" }),
        el("text", { svg: true, x: labelWidth + w + 6, y: y + bar * 0.7, class: "chart-value" }, String(r.value))
      );
    })
  );
}

export {
  barChart
};
