/**
 * Launching Debian's Chromium through playwright-core (no bundled browser download). The
 * networking flags matter on locked-down hosts: without them Chromium's background connections are
 * refused and start-up stalls.
 */
import { accessSync, constants } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ChromiumUnavailableError } from './errors.ts';

export const CHROMIUM_PATH = process.env['TENANTPROOF_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(executablePath = CHROMIUM_PATH): boolean {
  try {
    accessSync(executablePath, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Launches Chromium, or throws `ChromiumUnavailableError` saying why and how to install it. */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!chromiumAvailable(executablePath)) throw new ChromiumUnavailableError(executablePath, 'no executable there');
  let chromium: typeof import('playwright-core').chromium;
  try {
    // Loaded lazily: playwright-core is a dev dependency, and a run without --pdf never needs it.
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new ChromiumUnavailableError(
      executablePath,
      `playwright-core could not be loaded: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  try {
    return await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: 60_000 });
  } catch (e) {
    throw new ChromiumUnavailableError(executablePath, `it did not start: ${(e as Error).message.split('\n')[0]}`);
  }
}
