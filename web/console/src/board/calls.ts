import type { Alarm, AlarmMessage } from "@pulse/client";
import type { Session } from "../session";

// The board's calls to the people's alarm API on the canonical paths, which name the alarm's
// business beside its id (/api/v1/alarms/{businessType}/{businessId}/{alarmId}/...): the short
// form is ambiguous (409) as soon as two businesses use one alarmId. They are board-local until
// the client library has them; they answer like it does (the data, or an Error with status and
// code).

export interface AlarmRef {
  businessType: string;
  businessId: string;
  alarmId: string;
}

export class CallError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ListQuery {
  status: string;
  from?: number;
  to?: number;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface Page {
  items: Alarm[];
  nextCursor: string;
}

export class AlarmCalls {
  constructor(private session: Session) {}

  // With auth off the server takes the user from the body; with auth on, from the token.
  private who(): { user?: string } {
    return this.session.authOn ? {} : { user: this.session.user };
  }

  // Whether the server refused a comment (one older than the people's alarm API): the board
  // then says that comments are not kept.
  commentsRefused = false;

  ack(a: AlarmRef, comment = ""): Promise<Alarm> {
    return this.withComment("POST", path(a, "ack"), comment);
  }

  clear(a: AlarmRef, comment = ""): Promise<Alarm> {
    return this.withComment("POST", path(a, "clear"), comment);
  }

  private async withComment<T>(method: "POST", url: string, comment: string): Promise<T> {
    if (comment && !this.commentsRefused) {
      try {
        return await this.call<T>(method, url, { ...this.who(), comment });
      } catch (err) {
        const e = err as CallError;
        if (e.status !== 400 || !/comment/.test(e.message)) throw err;
        this.commentsRefused = true;
      }
    }
    return this.call<T>(method, url, this.who());
  }

  async events(a: AlarmRef): Promise<AlarmMessage[]> {
    return (await this.call<{ items: AlarmMessage[] }>("GET", path(a, "events"))).items;
  }

  // Acknowledges many alarms with one comment: POST /api/v1/alarms/ack where the server has it
  // (the people's alarm API), else one canonical ack each. Returns how many were acknowledged
  // and the first refusal's message.
  async ackMany(alarms: AlarmRef[], comment: string): Promise<{ acked: number; refused: string[] }> {
    const refs = alarms.map(({ businessType, businessId, alarmId }) => ({ businessType, businessId, alarmId }));
    try {
      const data = await this.call<{ items: { ok?: boolean; code?: number; message?: string }[] }>("POST", "/api/v1/alarms/ack", {
        alarms: refs,
        ...this.who(),
        ...(comment ? { comment } : {}),
      });
      const refused = data.items.filter((i) => i.ok === false || (i.code !== undefined && i.code !== 0)).map((i) => i.message ?? "refused");
      return { acked: data.items.length - refused.length, refused };
    } catch (err) {
      const e = err as CallError;
      if (e.status !== 404 && e.status !== 405) throw err;
    }
    let acked = 0;
    const refused: string[] = [];
    for (const a of refs) {
      try {
        await this.ack(a, comment);
        acked++;
      } catch (err) {
        refused.push(`${a.alarmId}: ${(err as Error).message}`);
      }
    }
    return { acked, refused };
  }

  // A page of stored alarms, newest first (GET /api/v1/alarms with status, from/to, q, cursor).
  async list(q: ListQuery): Promise<Page> {
    const params = new URLSearchParams({ status: q.status, limit: String(q.limit ?? 100) });
    if (q.from) params.set("from", String(q.from));
    if (q.to) params.set("to", String(q.to));
    if (q.q) params.set("q", q.q);
    if (q.cursor) params.set("cursor", q.cursor);
    let data: { items: Alarm[]; nextCursor?: string };
    try {
      data = await this.call("GET", `/api/v1/alarms?${params}`);
    } catch (err) {
      // A server older than the people's alarm API takes only status and limit: the newest page
      // then comes whole, and the caller narrows it.
      const e = err as CallError;
      if (e.status !== 400 || !/unknown parameter/.test(e.message)) throw err;
      this.listFiltersRefused = true;
      data = await this.call("GET", `/api/v1/alarms?status=${encodeURIComponent(q.status)}&limit=1000`);
    }
    return { items: data.items ?? [], nextCursor: data.nextCursor ?? "" };
  }

  // Whether the server refused the list's filters (see list).
  listFiltersRefused = false;

  private async call<T>(method: "GET" | "POST", url: string, body?: object): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.session.token) headers.Authorization = `Bearer ${this.session.token}`;
    if (body) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
    } catch (err) {
      throw new CallError(0, 0, `${method} ${url}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: { code?: number; message?: string; data?: unknown } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.status !== 200 || !parsed || parsed.code !== 0) {
      throw new CallError(res.status, parsed?.code ?? 0, parsed?.message || text.trim() || res.statusText);
    }
    return parsed.data as T;
  }
}

// An alarm published without a business type (or id) has no canonical path: the short form names
// it (the server answers 409 if that is ambiguous).
function path(a: AlarmRef, what: string): string {
  const seg = (s: string) => encodeURIComponent(s);
  if (!a.businessType || !a.businessId) return `/api/v1/alarms/${seg(a.alarmId)}/${what}`;
  return `/api/v1/alarms/${seg(a.businessType)}/${seg(a.businessId)}/${seg(a.alarmId)}/${what}`;
}
