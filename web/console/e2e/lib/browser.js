// Debian's chromium driven by playwright-core (no browser download): headless, with the
// background services off (this machine's network is closed; they would only fail).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const artifacts = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts");
mkdirSync(artifacts, { recursive: true });

export const chromiumBin = process.env.CHROMIUM_BIN || "/usr/bin/chromium";

// args: more command-line switches (e.g. an --autoplay-policy).
export async function launch({ args = [] } = {}) {
  return chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...args,
    ],
  });
}

// Reads a data-* attribute of the first element matching selector ("" when absent).
export function attr(page, selector, name) {
  return page.evaluate(([s, n]) => document.querySelector(s)?.getAttribute(n) ?? "", [selector, name]);
}

// Saves a screenshot of the page to e2e/artifacts/; the README's (readme: true) also to docs/img/
// when UPDATE_DOCS_IMG=1. fullPage: the whole page, however high.
export async function screenshot(page, name, { readme = false, fullPage = false } = {}) {
  const path = join(artifacts, name);
  await page.mouse.move(0, 0); // no hover highlight
  // The page down to the end of its content, at most one screen high.
  const { width, height } = page.viewportSize();
  const content = await page.evaluate(() => document.body.scrollHeight + 8);
  await page.screenshot(fullPage ? { path, fullPage } : { path, clip: { x: 0, y: 0, width, height: Math.min(height, content) } });
  if (readme && process.env.UPDATE_DOCS_IMG) {
    const docs = join(artifacts, "..", "..", "..", "..", "docs", "img");
    mkdirSync(docs, { recursive: true });
    copyFileSync(path, join(docs, name));
  }
}
