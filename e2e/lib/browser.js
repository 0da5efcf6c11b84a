// Headless Chromium from the Debian package, driven by playwright-core.
// Nothing is downloaded: the browser is /usr/bin/chromium (CHROMIUM names
// another), with a fresh profile for each launch.

import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

export const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** launch starts Chromium with a new profile folder under dir. */
export async function launch(dir) {
  const profile = fs.mkdtempSync(path.join(dir, "profile-"));
  // A persistent context is the only way to hand Chromium our own
  // --user-data-dir; playwright-core refuses it as a plain argument.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    locale: "en-GB",
    timezoneId: "Asia/Bangkok",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return context;
}

export const screenshots = path.join(path.dirname(path.dirname(new URL(import.meta.url).pathname)), "screenshots");

/** shot saves a full-page screenshot as screenshots/NAME.png. */
export async function shot(page, name) {
  fs.mkdirSync(screenshots, { recursive: true });
  const file = path.join(screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * until calls check every 100 ms until it returns a truthy value, and
 * returns that; it throws after ms, saying what was awaited and what
 * check last saw (check may return {ok, saw}).
 */
export async function until(what, check, ms = 30000) {
  const deadline = Date.now() + ms;
  let saw;
  for (;;) {
    try {
      const r = await check();
      if (r && typeof r === "object" && "ok" in r) {
        if (r.ok) return r;
        saw = r.saw;
      } else if (r) {
        return r;
      } else {
        saw = r;
      }
    } catch (err) {
      saw = err.message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s; last saw ${JSON.stringify(saw)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** textMatches waits until locator's visible text matches re, and returns it. */
export async function textMatches(locator, re, ms = 30000) {
  const r = await until(
    `text of ${locator} to match ${re}`,
    async () => {
      const t = await locator.innerText({ timeout: 1000 });
      return { ok: re.test(t), saw: t, text: t };
    },
    ms,
  );
  return r.text;
}
