// WebSocket handshakes over a plain TCP socket, for what a browser cannot do: send any Origin,
// or complete the upgrade and then never read (a client that cannot keep up).
import { randomBytes } from "node:crypto";
import { connect } from "node:net";

// Sends an upgrade request for path with extra headers; resolves to {status, socket} once the
// answer's status line is in. Close the socket when done (or keep it, unread, to stall).
export function handshake(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.once("connect", () => socket.write(lines.join("\r\n") + "\r\n\r\n"));
    socket.on("error", reject); // after the answer: ignored (the server may cut a stalled client)
    socket.once("data", (chunk) => {
      socket.pause(); // read nothing more: a stalled client's kernel buffers fill up
      resolve({ status: Number(String(chunk).split(" ")[1]), socket });
    });
  });
}
