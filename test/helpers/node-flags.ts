/**
 * The Node flags `duban` starts with: its first line, `#!/usr/bin/env -S node FLAGS` (why those
 * flags: src/cli/index.ts). The benchmark runs the bot's servers with them, as `duban serve` runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const SHEBANG = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/;

export function dubanNodeFlags(): string[] {
  const first = readFileSync(join(packageRoot(import.meta.url), 'src', 'cli', 'index.ts'), 'utf8').split('\n', 1)[0] ?? '';
  const flags = SHEBANG.exec(first)?.[1];
  if (flags === undefined) throw new Error(`src/cli/index.ts does not start with "#!/usr/bin/env -S node --flag…": ${first}`);
  return flags.split(' ').filter((flag) => flag !== '');
}
