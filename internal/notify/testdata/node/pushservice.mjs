// A Web Push service that checks Pulse's messages with code independent of Pulse's: the npm
// package http_ece (the encryption library of the web-push package) decrypts, and Node's crypto
// verifies the VAPID JWT. The Go tests start it:
//
//   node pushservice.mjs
//
// It makes a browser's subscription (a P-256 key pair and an auth secret), listens on 127.0.0.1 at
// a free port and prints "subscription <JSON>" (endpoint, keys.p256dh, keys.auth), then one JSON
// line per request: {"plaintext", "urgency", "topic", "ttl", "error"}. It answers 201 when the
// request verifies and decrypts, 400 otherwise.
import crypto from "node:crypto";
import http from "node:http";
import ece from "http_ece";

const browser = crypto.createECDH("prime256v1");
browser.generateKeys();
const auth = crypto.randomBytes(16);

function verifyVAPID(header, origin) {
  const m = /^vapid t=([^,]+), k=(\S+)$/.exec(header || "");
  if (!m) throw new Error(`Authorization ${JSON.stringify(header)} is not "vapid t=..., k=..."`);
  const [, token, k] = m;
  const point = Buffer.from(k, "base64url");
  const key = crypto.createPublicKey({
    key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33, 65).toString("base64url") },
    format: "jwk",
  });
  const [h, c, s] = token.split(".");
  const head = JSON.parse(Buffer.from(h, "base64url"));
  if (head.alg !== "ES256") throw new Error(`JWT alg ${head.alg}`);
  const ok = crypto.verify("sha256", Buffer.from(`${h}.${c}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  if (!ok) throw new Error("the JWT's signature does not verify with k=");
  const claims = JSON.parse(Buffer.from(c, "base64url"));
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud}, want ${origin}`);
  if (!(claims.exp > now && claims.exp <= now + 86400)) throw new Error(`exp ${claims.exp} not within 24 h`);
  if (!/^(mailto:|https:\/\/)/.test(claims.sub || "")) throw new Error(`sub ${claims.sub}`);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const line = { urgency: req.headers.urgency || "", topic: req.headers.topic || "", ttl: req.headers.ttl || "", plaintext: "", error: "" };
    try {
      if (req.headers["content-encoding"] !== "aes128gcm") throw new Error(`Content-Encoding ${req.headers["content-encoding"]}`);
      verifyVAPID(req.headers.authorization, `http://127.0.0.1:${server.address().port}`);
      line.plaintext = ece.decrypt(Buffer.concat(chunks), { version: "aes128gcm", privateKey: browser, authSecret: auth.toString("base64url") }).toString("utf8");
    } catch (e) {
      line.error = String(e && e.message ? e.message : e);
    }
    console.log(JSON.stringify(line));
    res.writeHead(line.error ? 400 : 201).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  const endpoint = `http://127.0.0.1:${server.address().port}/push/node-browser`;
  console.log("subscription " + JSON.stringify({ endpoint, keys: { p256dh: browser.getPublicKey().toString("base64url"), auth: auth.toString("base64url") } }));
});
