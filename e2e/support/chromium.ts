// Debian's Chromium driven by playwright-core: no browser is ever downloaded, and the machine has no network.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Without these, Chromium tries to reach Google's services and stalls or fails on an offline machine. */
const OFFLINE_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: OFFLINE_ARGS });
}

const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

/** Where a test keeps a screenshot of what it checked (test-results/ is git-ignored). */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = name.replace(/[^\w.-]+/g, "-");
  return `${SCREENSHOTS}${file.endsWith(".png") ? file : `${file}.png`}`;
}
