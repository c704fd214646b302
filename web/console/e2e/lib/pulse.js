// Starts the real pulse binary ($PULSE_BIN) on a free loopback port with its own temp folder
// (config.yaml, SQLite alarm store, log), and restarts it on the same port and file.
import { spawn } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./poll.js";

// extraConfig: more YAML sections for config.yaml (e.g. a ws section), or a function of the
// server's base URL that makes them (e.g. notify.publicUrl).
export async function startPulse({ auth, extraConfig = "" } = {}) {
  const bin = process.env.PULSE_BIN;
  if (!bin) throw new Error("PULSE_BIN is not set: give the absolute path of a pulse binary built with the console (make build does)");
  const dir = mkdtempSync(join(tmpdir(), "pulse-e2e-"));
  const port = await freePort();
  let config = `server:
  address: "127.0.0.1:${port}"
logger:
  level: "info"
  stdout: true
database:
  default:
    link: "sqlite::@file(${join(dir, "pulse.db")})?busy_timeout=5000&journal_mode=WAL"
`;
  if (auth) {
    // auth = {secret, ingestKey}: tokens are HS256 with secret; ingestKey publishes everything.
    const keySha256 = createHash("sha256").update(auth.ingestKey).digest("hex");
    config += `auth:
  enabled: true
  jwt:
    hmacSecret: "${auth.secret}"
  ingestKeys:
    - name: "e2e"
      keySha256: "${keySha256}"
      allow: ["rowdata", "alarm"]
      businesses: ["*"]
`;
  }
  const extra = typeof extraConfig === "function" ? extraConfig(`http://127.0.0.1:${port}`) : extraConfig;
  writeFileSync(join(dir, "config.yaml"), config + extra);
  const server = { url: `http://127.0.0.1:${port}`, dir, port, child: undefined };

  server.start = async () => {
    const log = openSync(join(dir, "pulse.log"), "a");
    const child = spawn(bin, [], { cwd: dir, env: { ...process.env, GF_GCFG_PATH: dir }, stdio: ["ignore", log, log] });
    server.child = child;
    let exited = false;
    child.on("exit", () => (exited = true));
    await until(async () => {
      if (exited) throw new Error(`pulse exited at start:\n${server.log().slice(-2000)}`);
      const res = await fetch(`${server.url}/healthz`).catch(() => undefined);
      return res?.status === 200;
    }, "pulse answers /healthz");
  };

  // Stops the process (SIGTERM, then SIGKILL if it lingers) and waits for its exit.
  server.stop = async () => {
    const child = server.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  };

  server.restart = async () => {
    await server.stop();
    await server.start();
  };

  server.log = () => readFileSync(join(dir, "pulse.log"), "utf8");

  // POSTs JSON to the API; returns the parsed answer and throws on anything but code 0.
  server.post = async (path, body, headers = {}) => {
    const res = await fetch(server.url + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    if (res.status !== 200 || answer.code !== 0) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer.data;
  };

  server.get = async (path, headers = {}) => {
    const res = await fetch(server.url + path, { headers });
    const answer = await res.json();
    if (res.status !== 200 || answer.code !== 0) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer.data;
  };

  await server.start();
  return server;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// An HS256 JWT for claims, valid for an hour (what `pulse token` mints, made here without it).
export function mintToken(secret, claims) {
  const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iat: now, exp: now + 3600, ...claims })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}
