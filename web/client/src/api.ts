// createApi calls Pulse's HTTP API for people and consoles: list, acknowledge and clear alarms,
// an alarm's events, the businesses that recently published row data.

import type { Alarm, AlarmMessage } from "./types.js";
import { serverUrl } from "./url.js";

// PulseError is any answer but 200: status is the HTTP status (0 when the server could not be
// reached), code and message come from the server's {code,message} body (PROTOCOL §11).
export class PulseError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "PulseError";
  }
}

export interface Business {
  businessType: string;
  businessId: string;
  lastTime: number; // unix ms of the last publish
}

export interface Api {
  listAlarms(q?: { status?: string; limit?: number }): Promise<Alarm[]>;
  ack(alarmId: string, user?: string): Promise<Alarm>;
  clear(alarmId: string): Promise<Alarm>;
  alarmEvents(alarmId: string): Promise<AlarmMessage[]>;
  businesses(): Promise<Business[]>;
  setToken(token: string): void;
}

export function createApi(o: { baseUrl?: string; token?: string }): Api {
  let token = o.token;
  serverUrl(o.baseUrl, "/", "http"); // a bad baseUrl fails here

  async function call<T>(method: "GET" | "POST", path: string, body?: object): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(serverUrl(o.baseUrl, path, "http"), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new PulseError(0, 0, `${method} ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    let parsed: { code?: unknown; message?: unknown; data?: unknown } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // e.g. the plain-text 400 of an undecodable path
    }
    if (res.status !== 200 || !parsed || parsed.code !== 0) {
      const code = typeof parsed?.code === "number" ? parsed.code : 0;
      const message = typeof parsed?.message === "string" && parsed.message ? parsed.message : text.trim() || res.statusText;
      throw new PulseError(res.status, code, message);
    }
    return parsed.data as T;
  }

  const alarmPath = (alarmId: string, what: string) => {
    if (typeof alarmId !== "string" || alarmId === "") throw new TypeError("alarmId must be a non-empty string");
    return `/api/v1/alarms/${encodeURIComponent(alarmId)}/${what}`;
  };

  return {
    async listAlarms(q = {}) {
      const params = new URLSearchParams();
      if (q.status !== undefined) params.set("status", q.status);
      if (q.limit !== undefined) params.set("limit", String(q.limit));
      const query = params.toString() ? `?${params}` : "";
      return (await call<{ items: Alarm[] }>("GET", `/api/v1/alarms${query}`)).items;
    },
    ack: (alarmId, user) => call<Alarm>("POST", alarmPath(alarmId, "ack"), user === undefined ? {} : { user }),
    clear: (alarmId) => call<Alarm>("POST", alarmPath(alarmId, "clear"), {}),
    async alarmEvents(alarmId) {
      return (await call<{ items: AlarmMessage[] }>("GET", alarmPath(alarmId, "events"))).items;
    },
    async businesses() {
      return (await call<{ items: Business[] }>("GET", "/api/v1/businesses")).items;
    },
    setToken(t) {
      token = t;
    },
  };
}
