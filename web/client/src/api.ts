// createApi calls Pulse's HTTP API for people and consoles: list alarms (filtered, a page at a
// time), acknowledge and clear them (one, or many at once, with a comment), an alarm's events, the
// businesses that recently published row data, and notices to one user.

import type { Alarm, AlarmMessage, AlarmPage, AlarmQuery, AlarmRef, BulkItem, Change, Delivery, NewSilence, Notice, Silence } from "./types.js";
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

// An alarm is named by an AlarmRef (an Alarm is one): the canonical paths
// /api/v1/alarms/{businessType}/{businessId}/{alarmId}/... A string is the alarm's id alone, the
// v1 short form, which the server refuses (409, code 1410) when alarms of several businesses in
// the caller's scope have it.
export type AlarmTarget = AlarmRef | string;

export interface Api {
  // listAlarms reads one page of the list; pass its nextCursor as cursor for the next.
  listAlarms(q?: AlarmQuery): Promise<AlarmPage>;
  // alarmPages reads the pages one after the other, from q's cursor (or the first) to the last.
  alarmPages(q?: AlarmQuery): AsyncGenerator<AlarmPage>;
  // ack and clear: the second argument is a Change, or (as before) the user's name.
  ack(alarm: AlarmTarget, change?: Change | string): Promise<Alarm>;
  clear(alarm: AlarmTarget, change?: Change): Promise<Alarm>;
  // bulkAck and bulkClear change 1 to 500 alarms at once, each on its own: one item per alarm, in
  // order. The whole call fails (PulseError) only for a bad request, a token without ack (403) or
  // the store (503).
  bulkAck(alarms: AlarmRef[], change?: Change): Promise<BulkItem[]>;
  bulkClear(alarms: AlarmRef[], change?: Change): Promise<BulkItem[]>;
  alarmEvents(alarm: AlarmTarget, q?: { limit?: number }): Promise<AlarmMessage[]>;
  businesses(): Promise<Business[]>;
  // Silences (needs a token with ack; business patterns within its alarms patterns): make one,
  // list those not ended (within the token's patterns), end one now.
  createSilence(s: NewSilence): Promise<Silence>;
  silences(): Promise<Silence[]>;
  deleteSilence(id: string): Promise<void>;
  // deliveries are the notification records of an alarm: every attempt to notify someone of it.
  deliveries(alarm: AlarmTarget): Promise<Delivery[]>;
  // sendNotice sends a notice to every open socket of user (needs a token with ack, and the
  // notice's business within its alarms patterns). It resolves the same whether or not the user
  // is connected.
  sendNotice(user: string, notice: Notice): Promise<void>;
  setToken(token: string): void;
}

export function createApi(o: { baseUrl?: string; token?: string }): Api {
  let token = o.token;
  serverUrl(o.baseUrl, "/", "http"); // a bad baseUrl fails here

  async function call<T>(method: "GET" | "POST" | "DELETE", path: string, body?: object): Promise<T> {
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

  const alarmPath = (alarm: AlarmTarget, what: string) => {
    if (typeof alarm === "string") {
      if (alarm === "") throw new TypeError("alarmId must be a non-empty string");
      return `/api/v1/alarms/${encodeURIComponent(alarm)}/${what}`;
    }
    const { businessType, businessId, alarmId } = alarm ?? ({} as AlarmRef);
    for (const [name, v] of Object.entries({ businessType, businessId, alarmId })) {
      if (typeof v !== "string" || v === "") throw new TypeError(`${name} must be a non-empty string`);
    }
    const seg = encodeURIComponent;
    return `/api/v1/alarms/${seg(businessType)}/${seg(businessId)}/${seg(alarmId)}/${what}`;
  };
  const changeBody = (change?: Change | string) => {
    const c = typeof change === "string" ? { user: change } : (change ?? {});
    const body: Change = {};
    if (c.user !== undefined) body.user = c.user;
    if (c.comment !== undefined && c.comment !== "") body.comment = c.comment;
    return body;
  };
  const listAlarms = async (q: AlarmQuery = {}) => {
    const params = new URLSearchParams();
    const list = (v: string | string[]) => (Array.isArray(v) ? v.join(",") : v);
    if (q.status !== undefined) params.set("status", list(q.status));
    if (q.level !== undefined) params.set("level", list(q.level));
    if (q.business !== undefined) params.set("business", q.business);
    if (q.q !== undefined && q.q !== "") params.set("q", q.q);
    if (q.from !== undefined) params.set("from", String(q.from));
    if (q.to !== undefined) params.set("to", String(q.to));
    if (q.limit !== undefined) params.set("limit", String(q.limit));
    if (q.cursor !== undefined && q.cursor !== "") params.set("cursor", q.cursor);
    const query = params.toString() ? `?${params}` : "";
    const page = await call<AlarmPage>("GET", `/api/v1/alarms${query}`);
    return page.nextCursor ? { items: page.items, nextCursor: page.nextCursor } : { items: page.items };
  };
  const bulk = async (what: "ack" | "clear", alarms: AlarmRef[], change?: Change) => {
    const refs = alarms.map(({ businessType, businessId, alarmId }) => ({ businessType, businessId, alarmId }));
    return (await call<{ items: BulkItem[] }>("POST", `/api/v1/alarms/${what}`, { alarms: refs, ...changeBody(change) })).items;
  };

  return {
    listAlarms,
    async *alarmPages(q = {}) {
      let cursor = q.cursor;
      do {
        const page = await listAlarms({ ...q, cursor });
        yield page;
        cursor = page.nextCursor;
      } while (cursor);
    },
    ack: (alarm, change) => call<Alarm>("POST", alarmPath(alarm, "ack"), changeBody(change)),
    clear: (alarm, change) => call<Alarm>("POST", alarmPath(alarm, "clear"), changeBody(change)),
    bulkAck: (alarms, change) => bulk("ack", alarms, change),
    bulkClear: (alarms, change) => bulk("clear", alarms, change),
    async alarmEvents(alarm, q = {}) {
      const query = q.limit !== undefined ? `?limit=${q.limit}` : "";
      return (await call<{ items: AlarmMessage[] }>("GET", alarmPath(alarm, "events") + query)).items;
    },
    async businesses() {
      return (await call<{ items: Business[] }>("GET", "/api/v1/businesses")).items;
    },
    createSilence: (s) => call<Silence>("POST", "/api/v1/silences", s),
    async silences() {
      return (await call<{ items: Silence[] }>("GET", "/api/v1/silences")).items;
    },
    async deleteSilence(id) {
      if (typeof id !== "string" || id === "") throw new TypeError("id must be a non-empty string");
      await call<object>("DELETE", `/api/v1/silences/${encodeURIComponent(id)}`);
    },
    async deliveries(alarm) {
      return (await call<{ items?: Delivery[] } | null>("GET", alarmPath(alarm, "deliveries")))?.items ?? [];
    },
    async sendNotice(user, notice) {
      if (typeof user !== "string" || user === "") throw new TypeError("user must be a non-empty string");
      await call<object>("POST", `/api/v1/users/${encodeURIComponent(user)}/notices`, notice);
    },
    setToken(t) {
      token = t;
    },
  };
}
