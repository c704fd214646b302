// Helpers for the client's tests: a real pulse binary in a temp folder, HS256 tokens, publishing
// over HTTP, polling, and a WebSocket the test can keep from connecting. Not a test file itself
// (node --test runs every file under test/).

import { execFileSync, spawn } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

// until polls check (sync or async) until it returns a truthy value, and returns it. Tests wait
// for what they expect this way, with a generous limit; they never assert on how fast it came.
export async function until(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// pulseBinary is $PULSE_BIN, or a pulse built from this repository into a temp folder.
let built;
export function pulseBinary() {
  if (process.env.PULSE_BIN) {
    if (!existsSync(process.env.PULSE_BIN)) throw new Error(`PULSE_BIN=${process.env.PULSE_BIN}: no such file`);
    return process.env.PULSE_BIN;
  }
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), "pulse-client-bin-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    built = join(dir, "pulse");
    execFileSync("go", ["build", "-o", built, "."], { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
  }
  return built;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), "pulse-client-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Pulse is one server process: start() runs the binary with a config.yaml in dir (its own port,
// the SQLite file db), waits for /healthz, and stop() ends it. Start it again for a restart.
export class Pulse {
  constructor({ dir, port, db, auth, ws, units }) {
    Object.assign(this, { dir, port, db, auth, ws, units });
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.output = "";
  }

  config() {
    const lines = [
      "server:",
      `  address: "127.0.0.1:${this.port}"`,
      "logger:",
      '  level: "warning"',
      "  stdout: true",
      "database:",
      "  default:",
      `    link: "sqlite::@file(${this.db})"`,
      "ws:",
      `  writeDelay: "${this.ws?.writeDelay ?? "2ms"}"`,
    ];
    if (this.units) lines.push("rowdata:", `  units: ${JSON.stringify(this.units)}`); // YAML takes JSON
    if (this.auth) {
      lines.push(
        "auth:",
        "  enabled: true",
        "  jwt:",
        `    hmacSecret: "${this.auth.secret}"`,
        '    leeway: "0s"',
        "  ingestKeys:",
        '    - name: "client-tests"',
        `      keySha256: "${createHash("sha256").update(this.auth.ingestKey).digest("hex")}"`,
        '      allow: ["rowdata", "alarm"]',
        '      businesses: ["*"]',
        "      rate: 0",
      );
    }
    return lines.join("\n") + "\n";
  }

  async start() {
    writeFileSync(join(this.dir, "config.yaml"), this.config());
    const proc = spawn(pulseBinary(), [], {
      cwd: this.dir,
      env: { ...process.env, GF_GCFG_PATH: this.dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once("exit", resolve));
    let exitedEarly = false;
    void this.exited.then(() => (exitedEarly = true));
    proc.stdout.on("data", (b) => (this.output += b));
    proc.stderr.on("data", (b) => (this.output += b));
    await until(async () => {
      if (exitedEarly) throw new Error(`pulse exited at start:\n${this.output}`);
      try {
        return (await fetch(`${this.baseUrl}/healthz`)).status === 200;
      } catch {
        return false;
      }
    }, `pulse on port ${this.port} to answer /healthz`);
  }

  // stop ends the server: SIGTERM lets it close its sockets with 1001, SIGKILL drops them.
  async stop(signal = "SIGTERM") {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    const killer = setTimeout(() => this.proc.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(killer);
  }

  async post(path, body) {
    const headers = { "Content-Type": "application/json" };
    if (this.auth) headers.Authorization = `Bearer ${this.auth.ingestKey}`;
    const res = await fetch(this.baseUrl + path, { method: "POST", headers, body: JSON.stringify(body) });
    const answer = await res.json();
    if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer.data;
  }

  publishRowData(items) {
    return this.post("/api/v1/rowdata", { items });
  }

  // raiseAlarms returns the seq of each alarm's event, in order.
  async raiseAlarms(items) {
    return (await this.post("/api/v1/alarm", { items })).items.map((i) => i.seq);
  }
}

// startPulse starts a server for test t (stopped when t ends) in a fresh folder and database.
export async function startPulse(t, opts = {}) {
  const dir = tempDir(t);
  const pulse = new Pulse({ dir, port: await freePort(), db: join(dir, "pulse.db"), ...opts });
  t.after(() => pulse.stop("SIGKILL"));
  await pulse.start();
  return pulse;
}

export function authConfig() {
  return { secret: randomBytes(32).toString("hex"), ingestKey: randomBytes(24).toString("hex") };
}

// mintToken signs an HS256 JWT for sub that expires ttlSeconds from now.
export function mintToken(secret, sub, ttlSeconds, pulse = { rowdata: ["*"], alarms: ["*"], ack: true }) {
  const now = Math.floor(Date.now() / 1000);
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub, iat: now, exp: now + ttlSeconds, pulse })}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

// gate returns a WebSocket class the client can be given: it records the URLs it opens and the
// frames it receives, and while gate.open is false it sends the client to deadPort, where nothing
// listens, as if the server were down; so a test decides when a reconnect may succeed.
export function gate(deadPort) {
  const g = { open: true, urls: [], frames: [] };
  g.WebSocket = class GatedWebSocket extends WebSocket {
    constructor(url, protocols) {
      const target = new URL(url);
      if (!g.open) target.port = String(deadPort);
      super(target.href, protocols);
      g.urls.push(target);
      this.addEventListener("message", (ev) => g.frames.push(ev.data));
    }
  };
  return g;
}

// record collects every event of a subscription, in order.
export function record(sub, names) {
  const log = [];
  for (const name of names) sub.on(name, (value) => log.push({ name, value }));
  return log;
}

// noUpgradeProxy is an HTTP proxy in front of target (a base URL) that passes plain requests on,
// streaming their answers, and refuses every WebSocket upgrade with 403, as some corporate proxies
// do; refused counts the upgrades it refused. close() stops it.
export async function noUpgradeProxy(t, target) {
  const to = new URL(target);
  const p = { refused: 0 };
  const server = createHttpServer((req, res) => {
    const out = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    res.on("close", () => out.destroy());
    req.pipe(out);
  });
  server.on("upgrade", (req, socket) => {
    p.refused++;
    socket.end("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 24\r\nConnection: close\r\n\r\nWebSocket not allowed.\r\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  p.baseUrl = `http://127.0.0.1:${server.address().port}`;
  p.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  t.after(() => p.close());
  return p;
}
