// rowdataHistory reads the row data a Pulse node keeps of a business, or of every id of a type
// (GET /api/v1/rowdata/history, PROTOCOL "Row-data history"): a chart fills its time window from
// it when it opens and after a reconnect, so that an outage is never drawn as data. The answer
// also names the unit of each field, from the server's rowdata.units.

import { PulseError } from "./api.js";
import type { RowDataMessage } from "./types.js";
import { serverUrl } from "./url.js";

export interface HistoryQuery {
  businessType: string;
  businessId: string; // "*": every id of the type, one series each (at most 1,000)
  since?: number; // server unix ms: only the items received at or after it (their ts); default: the whole window
  baseUrl?: string; // as connectRowData's; default: the page's origin (browsers)
  token?: string; // JWT, sent as Authorization: Bearer
  signal?: AbortSignal;
}

// One business's kept row data: the objects its dashboards received, oldest first.
export interface RowDataSeries {
  businessType: string;
  businessId: string;
  items: RowDataMessage[];
}

// units maps a field (a key of an item's data.data) to its unit, e.g. { voltage: "V" }; a field
// it does not name has none.
export interface RowDataHistory {
  series: RowDataSeries[];
  units: Record<string, string>;
}

// rowdataHistory answers one series for a business (its items may be empty), or for businessId
// "*" one per id of the type that has items, the most recently published first. A refusal or an
// unreachable server is a PulseError (status 0 for the latter): 400 a bad query, 401 no valid
// token, 403 a token whose rowdata patterns do not cover what was asked.
export async function rowdataHistory(q: HistoryQuery): Promise<RowDataHistory> {
  for (const name of ["businessType", "businessId"] as const) {
    if (typeof q[name] !== "string" || q[name] === "") throw new TypeError(`${name} must be a non-empty string`);
  }
  const params = new URLSearchParams({ businessType: q.businessType, businessId: q.businessId });
  if (q.since !== undefined) params.set("since", String(q.since));
  const path = `/api/v1/rowdata/history?${params}`;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (q.token !== undefined) headers.Authorization = `Bearer ${q.token}`;
  let res: Response;
  try {
    res = await fetch(serverUrl(q.baseUrl, path, "http"), { headers, signal: q.signal });
  } catch (err) {
    if (q.signal?.aborted) throw err;
    throw new PulseError(0, 0, `GET ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let parsed: { code?: unknown; message?: unknown; data?: RowDataHistory } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (res.status !== 200 || !parsed || parsed.code !== 0 || !parsed.data) {
    const code = typeof parsed?.code === "number" ? parsed.code : 0;
    const message = typeof parsed?.message === "string" && parsed.message ? parsed.message : text.trim() || res.statusText;
    throw new PulseError(res.status, code, message);
  }
  return { series: parsed.data.series ?? [], units: parsed.data.units ?? {} };
}
