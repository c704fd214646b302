import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { el } from "../dom";
import { seriesStyle } from "./palette";
import { formatClock, formatValue } from "./time";

// Points kept per chart whatever the window, so a fast publisher cannot exhaust the page.
const MAX_POINTS = 20000;
const HEIGHT = 180;
// A series' line breaks where two of its points are further apart than this many times its
// usual interval (the median of its last intervals), and never for less than MIN_GAP_MS.
const GAP_FACTOR = 3;
const MIN_GAP_MS = 1000;

// One series of a chart: a business (or a field) with its style, fixed by its key.
export interface SeriesKey {
  key: string; // what the colour and dash are derived from: "type/id"
  label: string; // what the legend says
}

// One live line chart: one numeric field, one line per series (per business when the panel
// follows a whole type). The x-axis is the chosen window ending now, whatever the data holds;
// a line is drawn only between points that follow each other at the series' own pace, so an
// outage shows as a gap. Each series has its own colour and dash, derived from its business, so
// that a business looks the same in every chart and whatever the order its data arrived in.
export class FieldChart {
  readonly node: HTMLElement;
  private plotHost = el("div", { class: "plot" });
  private lastValue = el("span", { class: "last", "data-testid": "last" });
  private times: number[] = []; // unix ms, ascending, unique
  private columns: (number | undefined)[][] = []; // one per series, aligned with times
  private series: SeriesKey[] = [];
  private plot: uPlot | undefined;
  private gapsOf: [number, number][][] = []; // per series, computed once per draw
  private count = 0; // points held (cells of columns that hold a value)
  private unit = "";
  private observer = new ResizeObserver(() => this.plot?.setSize(this.size()));

  constructor(
    readonly field: string,
    private windowMs: number,
    private height: () => number = () => HEIGHT,
    private label = field,
    private syncKey = "", // charts with the same key show the same moment under the pointer
  ) {
    this.node = el(
      "figure",
      { class: "chart", "data-field": field, "data-points": 0, "data-series": 0 },
      el("figcaption", {}, el("span", { class: "field" }, field), this.lastValue),
      this.plotHost,
    );
    this.observer.observe(this.plotHost);
  }

  setUnit(unit: string): void {
    if (!unit || unit === this.unit) return;
    this.unit = unit;
    this.node.dataset.unit = unit;
    this.rebuild();
  }

  // Adds a point; a point of the same series at the same time replaces it (history and the live
  // socket may both bring it).
  add(series: SeriesKey, time: number, value: number): void {
    let s = this.series.findIndex((k) => k.key === series.key);
    if (s < 0) {
      s = this.series.push(series) - 1;
      this.columns.push(this.times.map(() => undefined));
      this.node.dataset.series = String(this.series.length);
      this.node.dataset.styles = JSON.stringify(Object.fromEntries(this.series.map((k) => [k.label, seriesStyle(k.key)])));
      this.rebuild(); // uPlot's series are fixed: a new line means a new plot
    }
    // Usually the newest point: append. Late ones go in order (binary search).
    let i = this.times.length;
    if (i && time <= this.times[i - 1]) {
      let lo = 0;
      while (lo < i) {
        const mid = (lo + i) >> 1;
        if (this.times[mid] < time) lo = mid + 1;
        else i = mid;
      }
    }
    if (this.times[i] === time) {
      if (this.columns[s][i] === undefined) this.count++;
      this.columns[s][i] = value;
    } else {
      this.times.splice(i, 0, time);
      this.columns.forEach((col, c) => col.splice(i, 0, c === s ? value : undefined));
      this.count++;
    }
    this.trim();
    this.node.dataset.points = String(this.count);
  }

  setWindow(ms: number): void {
    this.windowMs = ms;
    this.trim();
  }

  // Draws the data and moves the x-axis to end now (the panel calls this once per frame when
  // data came, and every second so that the window moves on).
  draw(): void {
    this.trim();
    this.showLast();
    if (!this.series.length) return;
    this.gapsOf = this.columns.map((_, s) => this.gaps(s));
    const data = [this.times.map((t) => t / 1000), ...this.columns] as uPlot.AlignedData;
    if (this.plot) this.plot.setData(data);
    else this.plot = new uPlot(this.options(), data, this.plotHost);
    // A canvas says nothing to a screen reader: it is named as an image of the field, with the
    // last value.
    const canvas = this.plot.root.querySelector("canvas");
    canvas?.setAttribute("role", "img");
    canvas?.setAttribute("aria-label", `Chart of ${this.label}${this.node.dataset.last ? `, last value ${this.node.dataset.last}` : ""}`);
    // For tests: the plot (to find a time's pixel) and each series' look.
    (this.node as HTMLElement & { uplot?: uPlot }).uplot = this.plot;
    this.node.dataset.gaps = String(this.gapsOf.reduce((n, g) => n + g.length, 0));
  }

  resize(): void {
    this.plot?.setSize(this.size());
  }

  // Draws the chart anew with the page's current type size and theme.
  restyle(): void {
    this.rebuild();
    this.draw();
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot?.destroy();
  }

  private rebuild(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  private options(): uPlot.Options {
    // The axes' type follows the page's (larger on a wall), and so does the room between labels.
    const font = Math.round(0.8 * (parseFloat(getComputedStyle(document.documentElement).fontSize) || 15));
    const xAxisValues = (_: uPlot, splits: number[], __: number, space: number) =>
      splits.map((v) => formatClock(v * 1000, space < 60 || this.windowMs <= 300_000));
    return {
      ...this.size(),
      cursor: { drag: { x: false, y: false }, sync: this.syncKey ? { key: this.syncKey, setSeries: false } : undefined },
      // The x-axis as drawn (unix ms), for tests.
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== "x") return;
            this.node.dataset.xMin = String(Math.round((u.scales.x.min ?? 0) * 1000));
            this.node.dataset.xMax = String(Math.round((u.scales.x.max ?? 0) * 1000));
          },
        ],
      },
      legend: { show: true, live: true },
      scales: {
        x: { time: true, range: () => [(Date.now() - this.windowMs) / 1000, Date.now() / 1000] },
        y: { range: (_, min, max) => yRange(min, max) },
      },
      axes: [
        { ...axisStyle(font), space: 5 * font, values: xAxisValues },
        {
          ...axisStyle(font),
          space: 2 * font,
          values: (_, splits) => splits.map((v) => formatValue(v)),
          // As wide as its longest label (plus the tick and the gap), so that no label is cut.
          size: (u, values) => Math.ceil(20 + Math.max(font, ...(values ?? []).map((v) => measure(u, String(v))))),
        },
      ],
      series: [
        {
          label: "Time",
          value: (_, v, __, idx) => formatClock((idx == null ? this.times[this.times.length - 1] / 1000 : v) * 1000, true),
        },
        ...this.series.map((key, i): uPlot.Series => {
          const style = seriesStyle(key.key);
          return {
            label: key.label,
            stroke: style.color,
            dash: style.dash,
            width: Math.max(2, font / 8),
            spanGaps: false,
            gaps: (u, s) => (this.gapsOf[s - 1] ?? []).map(([a, b]) => [u.valToPos(a / 1000, "x", true), u.valToPos(b / 1000, "x", true)]),
            points: { show: (u, s) => this.sparse(u, s), size: 5, fill: style.color },
            // Off the chart, the legend shows the series' last value, not "--".
            value: (_, v, __, idx) => this.withUnit(idx == null ? this.last(i) : v),
          };
        }),
      ],
    };
  }

  // The gaps of series s: [from, to] in unix ms, between two points of the series further apart
  // than its own usual interval allows.
  private gaps(s: number): [number, number][] {
    const col = this.columns[s];
    const own: number[] = [];
    for (let i = 0; i < this.times.length; i++) if (col[i] !== undefined) own.push(this.times[i]);
    const steps = own.slice(1).map((t, i) => t - own[i]);
    if (!steps.length) return [];
    const recent = steps.slice(-200).sort((a, b) => a - b);
    const limit = Math.max(MIN_GAP_MS, GAP_FACTOR * recent[recent.length >> 1]);
    const gaps: [number, number][] = [];
    steps.forEach((step, i) => {
      if (step > limit) gaps.push([own[i], own[i + 1]]);
    });
    return gaps;
  }

  // Points are marked when the series has few of them for the chart's width (a lone point has
  // no line; sparse ones are easier to hover).
  private sparse(u: uPlot, s: number): boolean {
    const most = u.bbox.width / (24 * devicePixelRatio);
    let n = 0;
    for (const v of this.columns[s - 1]) if (v !== undefined && ++n > most) return false;
    return true;
  }

  private last(i: number): number | null {
    const col = this.columns[i];
    for (let j = col.length - 1; j >= 0; j--) if (col[j] !== undefined) return col[j]!;
    return null;
  }

  private withUnit(v: number | null | undefined): string {
    if (v == null) return "";
    return this.unit ? `${formatValue(v)} ${this.unit}` : formatValue(v);
  }

  // The caption's last value: the newest point's, with its series when there are several.
  private showLast(): void {
    let newest = -1;
    let series = -1;
    for (let j = this.times.length - 1; j >= 0 && series < 0; j--) {
      const s = this.columns.findIndex((col) => col[j] !== undefined);
      if (s >= 0) [newest, series] = [j, s];
    }
    if (series < 0) {
      this.lastValue.textContent = this.unit ? `(${this.unit})` : "";
      return;
    }
    const text = this.withUnit(this.columns[series][newest]);
    this.lastValue.textContent = this.series.length > 1 ? `${this.series[series].label}: ${text}` : text;
    this.node.dataset.last = text;
  }

  // Drops what fell out of the window (now minus the window, on this browser's clock), and the
  // oldest points beyond MAX_POINTS.
  private trim(): void {
    const from = Date.now() - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop] < from) drop++;
    drop = Math.max(drop, this.times.length - MAX_POINTS);
    if (drop <= 0) return;
    this.times.splice(0, drop);
    for (const col of this.columns) for (const v of col.splice(0, drop)) if (v !== undefined) this.count--;
    this.node.dataset.points = String(this.count);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.plotHost.clientWidth), height: this.height() };
  }
}

// The width of a label in the axes' font.
function measure(u: uPlot, text: string): number {
  const ctx = u.ctx;
  ctx.save();
  ctx.font = u.axes[1].font?.[0] ?? ctx.font;
  const width = ctx.measureText(text).width / devicePixelRatio;
  ctx.restore();
  return width;
}

// A y range with some room around the data, and a sane one for a flat line.
function yRange(min: number | null, max: number | null): [number, number] {
  if (min == null || max == null) return [0, 1];
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  }
  const pad = (max - min) * 0.08;
  return [min - pad, max + pad];
}

function axisStyle(fontPx: number): uPlot.Axis {
  const css = getComputedStyle(document.documentElement);
  const stroke = css.getPropertyValue("--muted").trim() || "#9aa4b2";
  const line = css.getPropertyValue("--line").trim() || "#2a3140";
  return {
    stroke,
    font: `${fontPx}px system-ui, sans-serif`,
    grid: { stroke: line, width: 1 },
    ticks: { stroke: line, width: 1 },
  };
}
