/**
 * Every platform folder has the same files (docs/architecture.md §5), so a newcomer who knows one
 * finds their way in the next, and a new platform knows what to write.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ADAPTERS = new URL('../../../src/adapters/', import.meta.url);
const SHARED = ['index.ts', 'inbound.ts', 'normalize.ts', 'render.ts', 'send.ts'];

const platforms = readdirSync(ADAPTERS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe('the platform adapters', () => {
  it('are the console, WeCom and DingTalk', () => {
    expect(platforms.sort()).toEqual(['console', 'dingtalk', 'wecom']);
  });

  it.each(platforms)('in %s/, have an index, an inbound, a normalize, a render and a send', (platform) => {
    const files = readdirSync(new URL(`${platform}/`, ADAPTERS));
    expect(SHARED.filter((file) => !files.includes(file))).toEqual([]);
  });
});
