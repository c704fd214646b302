// Draws a Grafana dashboard JSON from a real Prometheus the way Grafana lays it out, for the
// dashboard's test (Grafana itself cannot be installed here): gridPos on a 24-column grid, each
// panel's PromQL run through Prometheus's HTTP API with Grafana's variables filled in, timeseries
// drawn with uPlot, stat panels as a number coloured by their mappings and thresholds.
// Only what the dashboard uses is supported; anything else is shown as the panel's error, so the
// test fails rather than showing less. Query string: prometheus (its URL), from and to (unix
// seconds), scrape (the data source's scrape interval, seconds).
import uPlot from "/uplot/uPlot.esm.js";

const params = new URLSearchParams(location.search);
const prometheus = params.get("prometheus");
const from = Number(params.get("from"));
const to = Number(params.get("to"));
const scrape = Number(params.get("scrape") ?? 15);

// Grafana's classic palette and named colours (dark theme).
const palette = ["#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2", "#B877D9", "#705DA0", "#37872D", "#FADE2A", "#447EBC", "#C15C17"];
const named = { green: "#73BF69", red: "#F2495C", yellow: "#FADE2A", orange: "#FF9830", blue: "#5794F2", purple: "#B877D9", text: "#ccccdc" };
const color = (c) => named[c] ?? c;

main().catch((err) => {
  document.body.dataset.error = String(err?.message ?? err);
  document.getElementById("grid").textContent = `cannot render: ${err?.message ?? err}`;
});

async function main() {
  const dashboard = await (await fetch("/dashboard.json")).json();
  document.getElementById("title").textContent = dashboard.title;
  document.title = `${dashboard.title} (rendered)`;
  const variables = templateVariables(dashboard);
  showPickers(dashboard);

  const grid = document.getElementById("grid");
  const rendered = [];
  for (const panel of dashboard.panels) {
    const el = document.createElement("section");
    const { x, y, w, h } = panel.gridPos;
    el.style.gridColumn = `${x + 1} / span ${w}`;
    el.style.gridRow = `${y + 1} / span ${h}`;
    el.dataset.title = panel.title;
    el.dataset.type = panel.type;
    grid.append(el);
    if (panel.type === "row") {
      el.className = "row";
      el.textContent = panel.title;
      continue;
    }
    el.className = `panel ${panel.type}`;
    const title = document.createElement("h2");
    title.textContent = panel.title;
    const body = document.createElement("div");
    body.className = "body";
    el.append(title, body);
    rendered.push(renderPanel(panel, el, body, variables));
  }
  await Promise.all(rendered);
  document.body.dataset.rendered = "true";
}

// The value each dashboard variable takes: "All" with the variable's allValue, as Grafana does
// when allValue is set; anything else is not supported here.
function templateVariables(dashboard) {
  const values = {};
  for (const v of dashboard.templating?.list ?? []) {
    const current = [v.current?.value].flat();
    if (v.includeAll && current.includes("$__all") && v.allValue !== undefined) values[v.name] = v.allValue;
    else if (v.type === "custom" || v.type === "constant") values[v.name] = current.join("|");
    else values[v.name] = undefined; // its queries report the variable as unsupported
  }
  return values;
}

function showPickers(dashboard) {
  const vars = document.getElementById("variables");
  for (const v of dashboard.templating?.list ?? []) {
    const picker = document.createElement("span");
    picker.className = "picker";
    picker.innerHTML = `<span class="label"></span><span class="value"></span>`;
    picker.querySelector(".label").textContent = v.label ?? v.name;
    picker.querySelector(".value").textContent = [v.current?.text].flat().join(" + ") + " ▾";
    vars.append(picker);
  }
  const time = (s) => new Date(s * 1000).toLocaleTimeString("en-GB", { timeZone: "UTC" });
  document.getElementById("range").innerHTML = `<span></span><span></span>`;
  const [range, refresh] = document.querySelectorAll("#range span");
  range.textContent = `${time(from)} to ${time(to)} UTC (${to - from} s)`;
  refresh.textContent = `⟳ ${dashboard.refresh ?? "off"}`;
}

// Grafana's query interval for a panel: the range over its width in pixels (its max data
// points), at least the scrape interval; $__rate_interval is the larger of that plus one scrape
// and four scrapes.
function intervalsFor(widthPx) {
  const interval = Math.max(scrape, Math.ceil((to - from) / Math.max(widthPx, 1)));
  return { interval, rateInterval: Math.max(interval + scrape, 4 * scrape), range: to - from };
}

function substitute(expr, variables, iv) {
  const builtins = { __rate_interval: `${iv.rateInterval}s`, __interval: `${iv.interval}s`, __range: `${iv.range}s` };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced, bare) => {
    const name = braced ?? bare;
    const value = builtins[name] ?? variables[name];
    if (value === undefined) throw new Error(`variable ${whole} is not supported by this renderer`);
    return value;
  });
}

async function runTarget(target, variables, iv) {
  const expr = substitute(target.expr, variables, iv);
  const q = new URLSearchParams({ query: expr });
  let url;
  if (target.instant) {
    q.set("time", String(to));
    url = `${prometheus}/api/v1/query?${q}`;
  } else {
    q.set("start", String(Math.floor(from / iv.interval) * iv.interval)); // Grafana aligns to the step
    q.set("end", String(to));
    q.set("step", String(iv.interval));
    url = `${prometheus}/api/v1/query_range?${q}`;
  }
  const res = await fetch(url);
  const answer = await res.json().catch(() => ({ status: "error", error: `HTTP ${res.status}` }));
  if (answer.status !== "success") throw new Error(`${target.refId}: ${answer.error ?? "query failed"}`);
  return answer.data.result.map((r) => {
    // A legend naming a label the result lacks would show a blank in Grafana: a dashboard bug.
    const missing = [...(target.legendFormat ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).filter((l) => !(l in r.metric));
    if (missing.length) throw new Error(`${target.refId}: legend ${target.legendFormat}: the result has no label ${missing.join(", ")}`);
    return {
      refId: target.refId,
      legend: legendOf(target.legendFormat, r.metric, expr),
      points: (r.values ?? [r.value]).map(([t, v]) => [t, finite(Number(v))]),
    };
  });
}

const finite = (v) => (Number.isFinite(v) ? v : null);

// Grafana's series name: the legend format with {{label}} filled in, else the labels, else the query.
function legendOf(format, metric, expr) {
  if (format && format !== "__auto") return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l) => metric[l] ?? "");
  const { __name__: name = "", ...labels } = metric;
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return pairs.length || name ? `${name}{${pairs.join(", ")}}` : expr;
}

async function renderPanel(panel, el, body, variables) {
  const iv = intervalsFor(body.clientWidth);
  const targets = (panel.targets ?? []).filter((t) => !t.hide);
  const outcomes = await Promise.allSettled(targets.map((t) => runTarget(t, variables, iv)));
  const errors = outcomes.filter((o) => o.status === "rejected").map((o) => o.reason.message);
  const series = outcomes.flatMap((o) => (o.status === "fulfilled" ? o.value : []));
  // What the test reads: per series its query, name, how many points have a value, the last value.
  el.dataset.series = JSON.stringify(
    series.map((s) => ({
      refId: s.refId,
      legend: s.legend,
      values: s.points.filter(([, v]) => v !== null).length,
      last: s.points.findLast(([, v]) => v !== null)?.[1] ?? null,
      max: Math.max(...s.points.map(([, v]) => v ?? -Infinity)),
    })),
  );
  el.dataset.errors = JSON.stringify(errors);
  const defaults = panel.fieldConfig?.defaults ?? {};
  if (errors.length) {
    el.dataset.state = "error";
    body.innerHTML = `<div class="error"></div>`;
    body.firstChild.textContent = errors.join("\n");
  } else if (!series.some((s) => s.points.some(([, v]) => v !== null))) {
    el.dataset.state = "nodata";
    body.innerHTML = `<div class="empty">No data</div>`;
  } else if (panel.type === "stat") {
    el.dataset.state = "ok";
    renderStat(el, body, series, defaults);
  } else if (panel.type === "timeseries") {
    try {
      const fields = series.map((s) => fieldConfig(s, defaults, panel.fieldConfig?.overrides));
      el.dataset.state = "ok";
      renderTimeseries(body, series, fields, panel.options?.legend);
    } catch (err) {
      el.dataset.state = "error";
      el.dataset.errors = JSON.stringify([err.message]);
      body.innerHTML = `<div class="error"></div>`;
      body.firstChild.textContent = err.message;
    }
  } else {
    el.dataset.state = "error";
    body.innerHTML = `<div class="error">panel type ${panel.type} is not supported by this renderer</div>`;
  }
}

// A stat panel: the last value of each series (reduce "lastNotNull"), its text and colour from a
// value mapping, else from the thresholds; colorMode "background" colours the panel.
function renderStat(el, body, series, defaults) {
  let background = "";
  for (const s of series) {
    const value = s.points.findLast(([, v]) => v !== null)?.[1] ?? null;
    const mapped = (defaults.mappings ?? []).find((m) => m.type === "value" && m.options?.[String(value)])?.options[String(value)];
    const steps = defaults.thresholds?.steps ?? [];
    const step = steps.filter((st) => st.value === null || value >= st.value).at(-1);
    const c = color(mapped?.color ?? step?.color ?? "text");
    const div = document.createElement("div");
    div.className = "value";
    div.textContent = mapped?.text ?? format(defaults.unit, value);
    body.append(div);
    background ||= c;
  }
  el.classList.add("colored");
  el.style.background = `linear-gradient(120deg, color-mix(in srgb, ${background} 80%, #000), ${background})`;
}

// A series' unit and custom options: the panel's defaults with the overrides that match it (by
// query or by name).
function fieldConfig(s, defaults, overrides = []) {
  const field = { unit: defaults.unit, custom: { ...defaults.custom } };
  for (const { matcher, properties } of overrides) {
    if (matcher.id !== "byFrameRefID" && matcher.id !== "byName") throw new Error(`override matcher ${matcher.id} is not supported by this renderer`);
    if (matcher.options !== (matcher.id === "byFrameRefID" ? s.refId : s.legend)) continue;
    for (const { id, value } of properties) {
      if (id === "unit") field.unit = value;
      else if (id.startsWith("custom.")) field.custom[id.slice("custom.".length)] = value;
      else throw new Error(`override property ${id} is not supported by this renderer`);
    }
  }
  return field;
}

function renderTimeseries(body, series, fields, legendOptions) {
  const chart = document.createElement("div");
  chart.className = "chart";
  body.append(chart);
  const colors = series.map((_, i) => palette[i % palette.length]);
  if (legendOptions?.showLegend !== false) {
    const legend = document.createElement("div");
    legend.className = "legend";
    series.forEach((s, i) => {
      const item = document.createElement("span");
      item.innerHTML = `<i></i><b></b>`;
      item.querySelector("i").style.background = colors[i];
      item.querySelector("b").textContent = s.legend;
      item.querySelector("b").style.fontWeight = "normal";
      legend.append(item);
    });
    body.append(legend);
  }

  // uPlot wants one x array shared by every series.
  const xs = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const data = [xs, ...series.map((s) => {
    const byTime = new Map(s.points);
    return xs.map((t) => byTime.get(t) ?? null);
  })];
  const alpha = (f) => Math.round(((f.custom.fillOpacity ?? 0) / 100) * 255).toString(16).padStart(2, "0");
  // Series placed "right" get a scale and an axis of their own on the right, in their unit.
  const scaleOf = (f) => (f.custom.axisPlacement === "right" ? "right" : "y");
  const unitOf = (scale) => fields.find((f) => scaleOf(f) === scale)?.unit;
  const hasRight = fields.some((f) => scaleOf(f) === "right");
  const axis = {
    stroke: "rgba(204, 204, 220, 0.65)",
    grid: { stroke: "rgba(204, 204, 220, 0.08)", width: 1 },
    ticks: { show: false },
    font: '11px Inter, "DejaVu Sans", sans-serif',
  };
  new uPlot(
    {
      width: chart.clientWidth,
      height: chart.clientHeight,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: true, range: [from, to] },
        // From 0 (or the lowest value, if negative) to a little over the highest, as Grafana draws rates.
        y: { range: yRange },
        ...(hasRight ? { right: { range: yRange } } : {}),
      },
      axes: [
        { ...axis, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString("en-GB", { timeZone: "UTC" })) },
        { ...axis, size: 72, values: (_u, ticks) => ticks.map((t) => format(unitOf("y"), t)) },
        ...(hasRight
          ? [{ ...axis, scale: "right", side: 1, size: 72, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => format(unitOf("right"), t)) }]
          : []),
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.legend,
          scale: scaleOf(fields[i]),
          stroke: colors[i],
          width: fields[i].custom.lineWidth ?? 1,
          fill: alpha(fields[i]) !== "00" ? colors[i] + alpha(fields[i]) : undefined,
          points: { show: false },
        })),
      ],
    },
    data,
    chart,
  );
}

function yRange(_u, min, max) {
  const low = Math.min(0, min ?? 0);
  return [low, max > low ? max * 1.08 : low + 1];
}

// Grafana's units, as it prints them: short (K, Mil, Bil), ops (ops/s), reqps (req/s), s (µs, ms,
// s, min), bytes (IEC), percentunit (0.5: 50%).
function format(unit, v) {
  if (v === null || v === undefined) return "No data";
  const scaled = (steps, base) => {
    let i = 0;
    while (Math.abs(v) >= base ** (i + 1) && i < steps.length - 1) i++;
    return `${decimals(v / base ** i)}${steps[i]}`;
  };
  switch (unit) {
    case "percentunit":
      return `${decimals(v * 100)}%`;
    case "ops":
      return scaled([" ops/s", " K ops/s", " M ops/s", " B ops/s"], 1000);
    case "reqps":
      return scaled([" req/s", " K req/s", " M req/s", " B req/s"], 1000);
    case "bytes":
      return scaled([" B", " KiB", " MiB", " GiB", " TiB"], 1024);
    case "s": {
      const a = Math.abs(v);
      if (a === 0) return "0 s";
      if (a < 1e-3) return `${decimals(v * 1e6)} µs`;
      if (a < 1) return `${decimals(v * 1e3)} ms`;
      if (a < 60) return `${decimals(v)} s`;
      return `${decimals(v / 60)} min`;
    }
    default:
      return scaled(["", " K", " Mil", " Bil", " Tri"], 1000);
  }
}

// About three significant digits, no trailing zeros.
function decimals(v) {
  const a = Math.abs(v);
  if (a === 0) return "0";
  const d = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a)));
  return String(Number(v.toFixed(d)));
}
