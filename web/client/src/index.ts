// @pulse/client: row-data and alarm subscriptions that reconnect, resume and refresh their
// token, and the HTTP API for alarms. Protocol: docs/PROTOCOL.md in the Pulse repository.
export { connectRowData } from "./rowdata.js";
export { connectAlarms, type AlarmSubscription } from "./alarms.js";
export { createApi, PulseError, type Api, type AlarmTarget, type Business } from "./api.js";
export { expOf } from "./jwt.js";
export type * from "./types.js";
