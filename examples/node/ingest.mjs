// An ingest service in Node.js (18 or newer), with nothing but its standard library: it publishes
// a row-data item and raises an alarm over HTTP, and prints the server's answers. PULSE_URL is the
// server (default http://127.0.0.1:8000), PULSE_INGEST_KEY its ingest key when auth is on. It exits
// 1 when the server refuses or cannot be reached.
//
//   node examples/node/ingest.mjs
import { randomUUID } from 'node:crypto';

const base = (process.env.PULSE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const key = process.env.PULSE_INGEST_KEY;

// post sends body to path and returns the answer's data; a refusal throws with the server's
// {code, message}. The Idempotency-Key makes a retry of the same bytes safe: a service that
// retries sends the same key again (docs/PROTOCOL.md, "Retries: Idempotency-Key").
async function post(path, body) {
  const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  if (!res.ok || answer.code !== 0) {
    throw new Error(`pulse refused: HTTP ${res.status}, code ${answer.code}: ${answer.message}`);
  }
  return answer.data;
}

try {
  const rows = await post('/api/v1/rowdata', {
    businessType: 'example', businessId: 'node', data: { voltage: 229.8, current: 4.2 },
  });
  console.log(`row data: accepted ${rows.accepted}`);
  const alarms = await post('/api/v1/alarm', {
    alarmId: 'over-voltage', businessType: 'example', businessId: 'node',
    level: 'critical', title: 'Over-voltage', content: 'voltage 262 V > 250 V', data: { limit: 250 },
  });
  const [receipt] = alarms.items;
  console.log(`alarm: ${receipt.alarmId} stored, seq ${receipt.seq}`);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
