/**
 * What a single Redis (no replicas) pays for the Sentinel promise, and the scheduler's claim tried
 * again after a lost reply. A master with replicas, and one whose replica does not acknowledge,
 * are in test/faults/sentinel-failover.fault.ts: they need servers of their own.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { createDurableStore, isFailingOver, NotReplicatedError } from '../../src/store/durable.js';
import { createKeys } from '../../src/store/keys.js';
import { createRunStore } from '../../src/store/runs.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';

let db: TestRedis;
let redis: Redis;
beforeAll(async () => {
  db = await openTestRedis(import.meta.url);
  redis = db.redis;
});
afterAll(async () => {
  await db.close();
});

describe('a confirmation on a Redis without replicas', () => {
  it('needs no replica: keptOnReplica resolves without a WAIT, and asks ROLE once however many confirmations come at once', async () => {
    const durable = createDurableStore(redis);
    const calls = vi.spyOn(redis, 'call');
    const waits = vi.spyOn(redis, 'wait');
    try {
      await Promise.all(Array.from({ length: 20 }, () => durable.keptOnReplica()));
      await durable.keptOnReplica();
      expect(calls.mock.calls.filter(([command]) => command.toUpperCase() === 'ROLE')).toHaveLength(1);
      expect(waits).not.toHaveBeenCalled();
    } finally {
      calls.mockRestore();
      waits.mockRestore();
    }
  });
});

describe('a confirmation on a managed Redis that refuses ROLE', () => {
  it('reads the replicas from INFO instead, and waits for none when there are none', async () => {
    const durable = createDurableStore(redis);
    const refusal = Object.assign(new Error("ERR unknown command 'ROLE'"), { name: 'ReplyError' });
    const calls = vi.spyOn(redis, 'call').mockRejectedValue(refusal);
    const infos = vi.spyOn(redis, 'info');
    try {
      await durable.keptOnReplica();
      expect(infos).toHaveBeenCalledWith('replication');
    } finally {
      calls.mockRestore();
      infos.mockRestore();
    }
  });
});

describe('a failover seen from the store', () => {
  it('is told apart from a mistake: READONLY, LOADING and an unacknowledged write, also wrapped', () => {
    expect(isFailingOver(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(isFailingOver(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isFailingOver(new Error('wrapped', { cause: new NotReplicatedError() }))).toBe(true);
    expect(isFailingOver(new Error("ERR unknown command 'FOO'"))).toBe(false);
    expect(isFailingOver('READONLY')).toBe(false);
  });
});

describe('a scheduler slot claimed again after its reply was lost', () => {
  it('is still the claimer\'s, and nobody else\'s', async () => {
    const runs = createRunStore(redis, createKeys(db.prefix));
    expect(await runs.claimRun('tick:2026-12-05T01:00:00.000Z', 'instance-a', 60)).toBe(true);
    expect(await runs.claimRun('tick:2026-12-05T01:00:00.000Z', 'instance-a', 60)).toBe(true);
    expect(await runs.claimRun('tick:2026-12-05T01:00:00.000Z', 'instance-b', 60)).toBe(false);
  });
});
