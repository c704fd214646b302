// expOf returns a JWT's exp claim (unix seconds), or undefined when the token has none or is not
// a JWT. Reading it needs no key: the server checks the signature.
export function expOf(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const exp: unknown = JSON.parse(new TextDecoder().decode(bytes)).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}
