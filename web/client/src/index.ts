// @pulse/client: row-data and alarm subscriptions that reconnect, resume and refresh their
// token, the HTTP API for alarms, and the row-data history charts fill their window from.
// Protocol: docs/PROTOCOL.md in the Pulse repository.
export { connectRowData } from "./rowdata.js";
export { connectAlarms, type AlarmSubscription } from "./alarms.js";
export { createApi, PulseError, type Api, type AlarmTarget, type Business } from "./api.js";
export { rowdataHistory, type HistoryQuery, type RowDataHistory, type RowDataSeries } from "./history.js";
export { expOf } from "./jwt.js";
export type * from "./types.js";
