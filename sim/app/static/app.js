// sim app: the page's logic. Scenario text goes into the DOM with textContent only.
"use strict";
const $ = (id) => document.getElementById(id);
const PLOT_CONFIG = {displaylogo: false, responsive: true, showSendToCloud: false};
const state = {spec: null, levers: {}, params: {}, job: null};

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function api(path, body) {
  const opts = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body)};
  const res = await fetch(path, opts);
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function pct(x) { return (100 * x).toFixed(1) + "%"; }
function fmt(x) { return Number(x).toPrecision(4).replace(/\.?0+$/, "").replace(/\.?0+e/, "e"); }
function setStatus(text, isError) { $("status").textContent = text; $("status").className = isError ? "error" : "muted"; }

async function init() {
  const data = await api("/api/scenarios");
  for (const name of data.scenarios) $("scenario").append(new Option(name, name));
  $("scenario").addEventListener("change", () => loadScenario($("scenario").value));
  $("run").addEventListener("click", run);
  $("download").addEventListener("click", download);
  $("report").addEventListener("click", () => { if (state.job) window.open("/report?job=" + state.job, "_blank"); });
  $("reset").addEventListener("click", () => buildControls(state.spec));
  $("filter").addEventListener("input", filterParams);
  if (data.scenarios.length) await loadScenario(data.scenarios[0]);
  else setStatus("no scenario files (.yaml) in this folder", true);
}

async function loadScenario(name) {
  setStatus("loading " + name + " …");
  try {
    const spec = await api("/api/scenario?name=" + encodeURIComponent(name));
    $("runs").replaceChildren(...spec.run_choices.map((n) => new Option(n.toLocaleString("en"), n)));
    $("runs").value = String(spec.run_choices.includes(spec.runs) ? spec.runs : spec.run_choices[0]);
    $("title").textContent = spec.title;
    buildControls(spec);
    setStatus("ready: move a slider or flip a lever, then run");
    document.body.dataset.state = "ready";
  } catch (err) { setStatus(String(err.message || err), true); }
}

function buildControls(spec) {
  state.spec = spec; state.levers = {}; state.params = {};
  const levers = $("levers"); levers.replaceChildren();
  for (const lv of spec.levers) {
    state.levers[lv.id] = lv.on;
    const label = el("label", "lever"); const box = el("input");
    box.type = "checkbox"; box.checked = lv.on; box.dataset.lever = lv.id;
    box.addEventListener("change", () => { state.levers[lv.id] = box.checked; });
    label.append(box, " ", lv.name);
    if (lv.description) label.append(el("span", "muted", lv.description));
    levers.append(label);
  }
  if (!spec.levers.length) levers.append(el("p", "muted", "this scenario has no levers"));
  const params = $("params"); params.replaceChildren();
  const groups = {};
  for (const p of spec.params) {
    if (!groups[p.group]) {
      const det = el("details"); det.append(el("summary", null, p.group)); groups[p.group] = det; params.append(det);
    }
    groups[p.group].append(paramControl(p));
  }
  filterParams();
}

function slider(p, key, min, max, value, box) {
  const row = el("div", "row"); const input = el("input"); const out = el("span", "num", fmt(value));
  input.type = "range"; input.min = min; input.max = max; input.step = p.step;
  input.value = Math.min(Math.max(value, min), max); input.dataset.path = p.path; input.dataset.key = key;
  input.setAttribute("aria-label", p.label + " " + key);
  input.addEventListener("input", () => {
    state.params[p.path] = {...(state.params[p.path] || {centre: p.centre, spread: p.spread}), [key]: Number(input.value)};
    out.textContent = fmt(input.value); box.classList.add("changed");
  });
  row.append(el("span", "muted", key), input, out);
  return row;
}

function paramControl(p) {
  const box = el("div", "param"); box.dataset.path = p.path;
  box.append(el("div", "label", p.label), el("div", "path", p.path + " · now " + p.dist));
  if (p.quote) box.append(el("div", "prov", "\u201c" + p.quote + "\u201d" + (p.source ? " (" + p.source + ")" : "")));
  else if (p.assumption) box.append(el("div", "prov", "assumption: " + p.assumption));
  box.append(slider(p, "centre", p.min, p.max, p.centre, box), slider(p, "spread", 0, p.spread_max, p.spread, box));
  return box;
}

function filterParams() {
  const words = $("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const box of document.querySelectorAll(".param")) {
    const text = box.textContent.toLowerCase();
    box.hidden = !words.every((w) => text.includes(w));
  }
  for (const det of document.querySelectorAll("#params details")) {
    det.hidden = words.length > 0 && !det.querySelector(".param:not([hidden])");
    if (words.length) det.open = true;
  }
}

function request() {
  return {name: $("scenario").value, runs: Number($("runs").value), levers: state.levers, params: state.params};
}

async function run() {
  $("run").disabled = true; $("report").disabled = true; document.body.dataset.state = "running";
  $("progress").hidden = false; $("progress").value = 0; setStatus("starting …");
  try {
    const job = await api("/api/run", request());
    await poll(job.id);
  } catch (err) {
    setStatus(String(err.message || err), true); document.body.dataset.state = "error";
  } finally { $("run").disabled = false; }
}

async function poll(id) {
  for (;;) {
    const job = await api("/api/job?id=" + encodeURIComponent(id));
    $("progress").value = job.total ? job.done / job.total : 0;
    setStatus(`running: ${job.done.toLocaleString("en")} of ${job.total.toLocaleString("en")} runs (${job.elapsed_s} s)`);
    if (job.state === "done") { state.job = id; show(job.result); return; }
    if (job.state === "error") throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function show(result) {
  $("progress").hidden = true; $("report").disabled = false;
  setStatus(`done in ${result.elapsed_s} s`);
  $("meta").textContent = `${result.runs.toLocaleString("en")} runs each, seed ${result.seed}, ` +
    `paired with common random numbers (batch ${result.batch_size})`;
  $("changes").replaceChildren(...(result.changes.length ? result.changes : ["no change: what-if = baseline"])
    .map((c) => el("li", null, c)));
  $("cards").replaceChildren(...result.cards.map(card));
  Plotly.react("fan", result.fan.data, result.fan.layout, PLOT_CONFIG);
  Plotly.react("tte", result.tte.data, result.tte.layout, PLOT_CONFIG);
  document.body.dataset.state = "done";
}

function card(c) {
  const box = el("div", "card"); box.dataset.outcome = c.id; box.dataset.pVariant = c.p_variant;
  box.dataset.pBase = c.p_base;
  const sign = c.diff > 0 ? "+" : "";
  const cls = !c.distinguishable ? "same" : c.diff > 0 ? "up" : "down";
  box.append(el("div", "name", c.name), el("div", "big variant", pct(c.p_variant)),
    el("div", "muted", `baseline ${pct(c.p_base)} (${pct(c.ci_base[0])}–${pct(c.ci_base[1])})`),
    el("div", cls, (c.diff > 0 ? "\u25b2 " : c.diff < 0 ? "\u25bc " : "") + `${sign}${(100 * c.diff).toFixed(1)} pts, 95% CI ${(100 * c.diff_ci[0]).toFixed(1)} to ` +
      `${(100 * c.diff_ci[1]).toFixed(1)}` + (c.distinguishable ? "" : " (not distinguishable)")));
  return box;
}

async function download() {
  try {
    const data = await api("/api/variant", request());
    const url = URL.createObjectURL(new Blob([data.text], {type: "application/x-yaml"}));
    const a = el("a"); a.href = url; a.download = data.file; document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setStatus("downloaded " + data.file + ": save it beside " + $("scenario").value);
  } catch (err) { setStatus(String(err.message || err), true); }
}

init().catch((err) => setStatus(String(err.message || err), true));
