// A static file server on a free loopback port: routes maps a URL prefix to a folder or a file
// (a path ending in / serves the folder's index.html).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };

export function serve(routes) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const prefix = Object.keys(routes)
      .filter((p) => path === p || path.startsWith(p.endsWith("/") ? p : p + "/"))
      .sort((a, b) => b.length - a.length)[0];
    const rest = prefix === undefined ? "" : normalize(path.slice(prefix.length));
    if (prefix === undefined || rest.startsWith("..")) {
      res.writeHead(404).end();
      return;
    }
    const file = join(routes[prefix], rest, path.endsWith("/") ? "index.html" : "");
    try {
      const body = await readFile(file);
      res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  // close ends every connection too: server.close alone waits for the ones a browser still holds
  // open without a request (its preconnections), which a test's teardown once waited on for minutes.
  const close = () =>
    new Promise((r) => {
      server.close(r);
      server.closeAllConnections();
    });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close })));
}
