// readEventStream reads a Server-Sent Events response body (the HTML standard's text/event-stream
// format) and calls onEvent for each event that has data; comments (the server's heartbeats) and
// retry: lines are skipped. It resolves when the body ends and rejects when reading fails (or is
// aborted).

export interface StreamEvent {
  event: string; // "message" when the event had no event: line
  data: string;
  id?: string;
}

export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (e: StreamEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let event = "";
  let id: string | undefined;
  let data: string[] = [];
  const line = (l: string) => {
    if (l === "") {
      if (data.length > 0) onEvent({ event: event || "message", data: data.join("\n"), id });
      event = "";
      id = undefined;
      data = [];
      return;
    }
    if (l.startsWith(":")) return; // a comment: the heartbeat
    const colon = l.indexOf(":");
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? "" : l.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") id = value;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      line(buffered.slice(0, nl).replace(/\r$/, ""));
      buffered = buffered.slice(nl + 1);
    }
  }
}
