// A webhook receiver that verifies Pulse's Standard Webhooks signatures with the npm package
// standardwebhooks, an implementation independent of Pulse's. The Go tests start it:
//
//   SECRETS="whsec_a,whsec_b" node receiver.mjs
//
// It listens on 127.0.0.1 at a free port and prints "listening <port>", then one JSON line per
// request: {"id", "type", "verified": [secret index that verifies, ...], "error"}. It answers 204
// when every secret verifies the request, 400 otherwise (a permanent refusal).
import http from "node:http";
import { Webhook } from "standardwebhooks";

const secrets = (process.env.SECRETS || "").split(",").filter(Boolean);
if (secrets.length === 0) {
  console.error("SECRETS is empty");
  process.exit(2);
}
const hooks = secrets.map((s) => new Webhook(s));

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const verified = [];
    let error = "";
    let type = "";
    hooks.forEach((h, i) => {
      try {
        const payload = h.verify(body, req.headers);
        verified.push(i);
        type = payload.type;
      } catch (e) {
        error = String(e && e.message);
      }
    });
    const ok = verified.length === hooks.length;
    console.log(JSON.stringify({ id: req.headers["webhook-id"] || "", type, verified, error: ok ? "" : error }));
    res.writeHead(ok ? 204 : 400);
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => console.log("listening " + server.address().port));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
