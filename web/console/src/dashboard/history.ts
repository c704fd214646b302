// The row-data history a panel fills its window from (contract "Row-data history for charts
// (v3)"): GET /api/v1/rowdata/history, one series per business, oldest first, and the units the
// server is configured with for the fields (rowdata.units).

import type { RowDataMessage } from "@pulse/client";

export interface History {
  // The rowdata objects as a dashboard's socket receives them, oldest first.
  series: { businessType: string; businessId: string; items: RowDataMessage[] }[];
  units: Record<string, string>;
}

// HistoryError carries the HTTP status (0: the server could not be reached): 401 and 403 say the
// token is not good enough for this business, which a WebSocket refused at the door cannot say.
export class HistoryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchHistory(q: { type: string; id: string; since: number; token?: string }): Promise<History> {
  const params = new URLSearchParams({ businessType: q.type, businessId: q.id, since: String(Math.floor(q.since)) });
  const headers: Record<string, string> = { Accept: "application/json" };
  if (q.token) headers.Authorization = `Bearer ${q.token}`;
  let res: Response;
  try {
    res = await fetch(`/api/v1/rowdata/history?${params}`, { headers });
  } catch (err) {
    throw new HistoryError(0, err instanceof Error ? err.message : String(err));
  }
  const body = (await res.json().catch(() => undefined)) as { code?: number; message?: string; data?: Partial<History> } | undefined;
  if (res.status !== 200 || body?.code !== 0) throw new HistoryError(res.status, body?.message || res.statusText);
  return { series: body.data?.series ?? [], units: body.data?.units ?? {} };
}
