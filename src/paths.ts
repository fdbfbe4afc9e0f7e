import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up to `package.json`: the same module runs from `src/`
 * (vitest) and from `dist/src/` (the build), so paths relative to the module would differ.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`duban: no package.json above ${fileURLToPath(from)}`);
    dir = parent;
  }
}

export const SAMPLE_COUNTY = (): string => join(packageRoot(), 'examples', 'sample-county.yaml');

/** Where the demo's private Redis and its log live, under the data folder. */
export const demoDataDir = (dataDir: string): string => resolve(dataDir, 'demo');

/** Where a terminal chat's log goes (the demo's, or `duban chat`'s): not into the conversation. */
export const chatLogFile = (dataDir: string, demo: boolean): string => join(demo ? demoDataDir(dataDir) : resolve(dataDir), 'duban.log');
