// A private Prometheus (Debian's /usr/bin/prometheus, or $PROMETHEUS_BIN) on a free loopback port
// with its own config and storage in a temp folder, scraping the given targets every second. The
// Debian package's own service, if any, is neither used nor disturbed.
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./poll.js";
import { freePort } from "./pulse.js";

export const prometheusBin = process.env.PROMETHEUS_BIN || "/usr/bin/prometheus";

// Whether the binary is there (the test skips without it, or fails under CI).
export function hasPrometheus() {
  try {
    accessSync(prometheusBin, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// targets: {instance: "host:port"}; the instance label is the given name, as an operator's
// static_configs would set it.
export async function startPrometheus(targets, { scrapeInterval = "1s" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "pulse-prometheus-"));
  const port = await freePort();
  const staticConfigs = Object.entries(targets)
    .map(([instance, addr]) => `      - targets: ["${addr}"]\n        labels: {instance: "${instance}"}`)
    .join("\n");
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:
  scrape_interval: ${scrapeInterval}
  evaluation_interval: ${scrapeInterval}
scrape_configs:
  - job_name: pulse
    static_configs:
${staticConfigs}
`,
  );
  const log = openSync(join(dir, "prometheus.log"), "a");
  const child = spawn(
    prometheusBin,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
    ],
    { cwd: dir, stdio: ["ignore", log, log] },
  );
  let exited = false;
  child.on("exit", () => (exited = true));
  const prom = {
    url: `http://127.0.0.1:${port}`,
    dir,
    log: () => readFileSync(join(dir, "prometheus.log"), "utf8"),
    // An instant query; returns the result vector (throws on a Prometheus error).
    async query(expr) {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = await res.json();
      if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
      return body.data.result;
    },
    async stop() {
      if (exited) return;
      const done = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await done;
      clearTimeout(timer);
    },
  };
  await until(async () => {
    if (exited) throw Object.assign(new Error(`prometheus exited at start:\n${prom.log().slice(-2000)}`), { fatal: true });
    const up = await prom.query('up{job="pulse"} == 1');
    return up.length === Object.keys(targets).length;
  }, "prometheus has scraped every target");
  return prom;
}
