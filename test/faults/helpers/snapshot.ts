/**
 * Everything stored under a key prefix, for "nothing was stored" checks: each key with its value
 * as DUMP gives it (type and content, without the TTL, which only ever counts down).
 */
import type { Redis } from 'ioredis';

export async function snapshot(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  keys.sort();
  const values = await Promise.all(keys.map((key) => redis.dumpBuffer(key)));
  return new Map(keys.map((key, i) => [key, values[i]?.toString('hex') ?? '(gone)']));
}

/** The keys added, removed or changed between two snapshots; empty when nothing changed. */
export function changes(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const all = new Set([...before.keys(), ...after.keys()]);
  return [...all].filter((key) => before.get(key) !== after.get(key)).sort();
}
