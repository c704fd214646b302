import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { el } from "../dom";

const COLORS = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176", "#4db6ac", "#f06292"];
// Points kept per chart whatever the window, so a fast publisher cannot exhaust the page.
const MAX_POINTS = 20000;
const HEIGHT = 180;

// One live line chart: one numeric field, one line per series (per business when the panel
// follows a whole type). Points are kept in time order; those older than the window (measured
// from the newest point, so a publisher's clock skew does not empty the chart) are dropped.
export class FieldChart {
  readonly node: HTMLElement;
  private plotHost = el("div", { class: "plot" });
  private times: number[] = []; // unix ms, ascending
  private columns: (number | null)[][] = []; // one per series, aligned with times
  private series: string[] = [];
  private plot: uPlot | undefined;
  private resize = new ResizeObserver(() => this.plot?.setSize(this.size()));

  constructor(
    readonly field: string,
    private windowMs: number,
  ) {
    this.node = el("figure", { class: "chart", "data-field": field, "data-points": 0 }, el("figcaption", {}, field), this.plotHost);
    this.resize.observe(this.plotHost);
  }

  add(series: string, time: number, value: number): void {
    let s = this.series.indexOf(series);
    if (s < 0) {
      s = this.series.push(series) - 1;
      this.columns.push(this.times.map(() => null));
      this.plot?.destroy(); // uPlot's series are fixed: a new line means a new plot
      this.plot = undefined;
    }
    // Usually the newest point: append. Late ones are inserted in order (binary search).
    let i = this.times.length;
    if (i && time < this.times[i - 1]) {
      let lo = 0;
      while (lo < i) {
        const mid = (lo + i) >> 1;
        if (this.times[mid] <= time) lo = mid + 1;
        else i = mid;
      }
    }
    this.times.splice(i, 0, time);
    this.columns.forEach((col, c) => col.splice(i, 0, c === s ? value : null));
    this.trim();
    this.node.dataset.points = String(this.times.length);
  }

  setWindow(ms: number): void {
    this.windowMs = ms;
    this.trim();
    this.node.dataset.points = String(this.times.length);
  }

  // Draws what was added since the last draw (the panel calls this once per frame).
  draw(): void {
    const data: uPlot.AlignedData = [this.times.map((t) => t / 1000), ...this.columns];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const single = this.series.length === 1;
    this.plot = new uPlot(
      {
        ...this.size(),
        legend: { show: !single },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis(), axis()],
        series: [
          {},
          ...this.series.map((name, i) => ({
            label: single ? this.field : name,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            spanGaps: true,
            points: { show: false },
          })),
        ],
      },
      data,
      this.plotHost,
    );
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
  }

  private trim(): void {
    const newest = this.times[this.times.length - 1] ?? 0;
    let drop = 0;
    while (drop < this.times.length && this.times[drop] < newest - this.windowMs) drop++;
    drop = Math.max(drop, this.times.length - MAX_POINTS);
    if (drop <= 0) return;
    this.times.splice(0, drop);
    for (const col of this.columns) col.splice(0, drop);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.plotHost.clientWidth), height: HEIGHT };
  }
}

function axis(): uPlot.Axis {
  return { stroke: "#9aa4b2", grid: { stroke: "#2a3140", width: 1 }, ticks: { stroke: "#2a3140", width: 1 } };
}
