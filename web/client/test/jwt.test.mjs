// expOf reads a JWT's exp without a key, from base64url text (no padding, "-" and "_").

import assert from "node:assert/strict";
import test from "node:test";

import { expOf } from "../dist/index.js";
import { mintToken } from "../test-helpers/pulse.mjs";

test("expOf reads exp from a JWT whose payload needs base64url and UTF-8", () => {
  // "张三" and "~~~" make the payload's base64url hold "-" or "_" and need UTF-8 decoding.
  const token = mintToken("secret-secret-secret-secret-secret", "张三~~~>>>???", 60);
  assert.match(token.split(".")[1], /[-_]/);
  const exp = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).exp;
  assert.equal(expOf(token), exp);
});

test("expOf is undefined for what is not a JWT with a numeric exp", () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  assert.equal(expOf("not a token"), undefined);
  assert.equal(expOf("a.%%%.c"), undefined);
  assert.equal(expOf(`x.${b64({ sub: "a" })}.y`), undefined);
  assert.equal(expOf(`x.${b64({ exp: "1764600000" })}.y`), undefined);
});
