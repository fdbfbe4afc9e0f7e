import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { redactText } from '../../../src/core/redact.js';
import { sentinelOptions } from '../../../src/store/connect.js';
import { parseSentinelList, parseSentinelUrl, sentinelUrl } from '../../../src/store/sentinel-url.js';

describe('a redis+sentinel:// address', () => {
  it('names the sentinels, the master and the passwords', () => {
    expect(parseSentinelUrl('redis+sentinel://:s3cret-pass@10.0.0.1:26379,10.0.0.2:26380,sentinel-3/duban-master?sentinelPassword=sentinel-pass')).toEqual({
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }, { host: 'sentinel-3', port: 26379 }],
      name: 'duban-master',
      password: 's3cret-pass',
      sentinelPassword: 'sentinel-pass',
    });
  });

  it('monitors mymaster when no name is given, as the stock sentinel.conf does', () => {
    expect(parseSentinelUrl('redis+sentinel://127.0.0.1:26379')).toEqual({ sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'mymaster' });
    expect(parseSentinelUrl('redis+sentinel://127.0.0.1:26379/')).toMatchObject({ name: 'mymaster' });
  });

  it('reads an ACL user, a percent-encoded password, a password with an @ and an IPv6 sentinel', () => {
    expect(parseSentinelUrl('redis+sentinel://duban:p%40ss%2Fword@[::1]:26379/m')).toEqual({ sentinels: [{ host: '::1', port: 26379 }], name: 'm', username: 'duban', password: 'p@ss/word' });
    expect(parseSentinelUrl('redis+sentinel://:p@ss@h1:1,h2:2/m')).toMatchObject({ password: 'p@ss', sentinels: [{ host: 'h1', port: 1 }, { host: 'h2', port: 2 }] });
  });

  it('is not one when the scheme differs, a host is missing or a port is out of range', () => {
    expect(parseSentinelUrl('redis://127.0.0.1:6379')).toBeUndefined();
    expect(parseSentinelUrl('redis+sentinel:///mymaster')).toBeUndefined();
    expect(parseSentinelUrl('redis+sentinel://h1:26379,,h2/m')).toBeUndefined();
    expect(parseSentinelUrl('redis+sentinel://h1:70000/m')).toBeUndefined();
    expect(parseSentinelUrl('redis+sentinel://h1/bad name')).toBeUndefined();
    expect(parseSentinelList('h1:26379 h2:26379')).toBeUndefined();
  });

  it('is spelled back as it was read', () => {
    const settings = { sentinels: [{ host: 'a', port: 1 }, { host: '::1', port: 2 }], name: 'm', password: 'p@ss', sentinelPassword: 's&p' };
    expect(parseSentinelUrl(sentinelUrl(settings))).toEqual(settings);
  });

  it('becomes ioredis sentinel options that fail fast while there is no master', () => {
    expect(sentinelOptions({ sentinels: [{ host: 'a', port: 1 }], name: 'm', password: 'p' })).toMatchObject({
      sentinels: [{ host: 'a', port: 1 }],
      name: 'm',
      role: 'master',
      password: 'p',
      enableOfflineQueue: false,
    });
  });
});

describe('the environment naming Redis behind Sentinel', () => {
  it('takes REDIS_URL=redis+sentinel://… as it is', () => {
    expect(loadConfig({ REDIS_URL: 'redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster' }).redisUrl).toBe('redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster');
  });

  it('spells REDIS_SENTINELS, REDIS_MASTER_NAME and the passwords as one redis+sentinel:// address, and masks both passwords in logs', () => {
    const { redisUrl } = loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2', REDIS_MASTER_NAME: 'duban', REDIS_PASSWORD: 'data-node-pass', REDIS_SENTINEL_PASSWORD: 'sentinel-node-pass' });
    expect(parseSentinelUrl(redisUrl ?? '')).toEqual({
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }],
      name: 'duban',
      password: 'data-node-pass',
      sentinelPassword: 'sentinel-node-pass',
    });
    expect(redactText('auth data-node-pass then sentinel-node-pass')).not.toMatch(/node-pass/);
  });

  it('refuses both REDIS_URL and REDIS_SENTINELS, a malformed sentinel list, and a Sentinel password without sentinels', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_SENTINELS: '127.0.0.1:26379' })).toThrow(/只能设置一个/);
    expect(() => loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379;127.0.0.1:26380' })).toThrow(/REDIS_SENTINELS: 应写成逗号分隔的哨兵地址/);
    expect(() => loadConfig({ REDIS_PASSWORD: 'data-node-pass' })).toThrow(/REDIS_PASSWORD 只在设置了 REDIS_SENTINELS 时使用/);
    expect(() => loadConfig({ REDIS_URL: 'redis+sentinel://h1:99999/m' })).toThrow(/REDIS_URL: 应写成/);
  });
});
