import { describe, expect, it } from 'vitest';
import { readAccess, signAccess, type Access } from '../../../src/core/access.js';

const secret = Buffer.alloc(32, 7);
const now = Date.parse('2026-11-23T09:00:00+08:00');
const link: Access = { kind: 'link', platform: 'wecom', user: 'lisi', expires: now + 60_000 };

describe('dashboard access tokens', () => {
  it('give back the person a link was signed for while it is fresh', () => {
    expect(readAccess(secret, signAccess(secret, link), 'link', now)).toEqual(link);
  });

  it('say a link has expired once its time is over', () => {
    expect(readAccess(secret, signAccess(secret, link), 'link', now + 60_000)).toBe('expired');
  });

  it('refuse a link altered in any way, or signed with another secret', () => {
    const token = signAccess(secret, link);
    const forged = signAccess(Buffer.alloc(32, 8), { ...link, user: 'zhangsan' });
    const swapped = `${forged.split('.')[0] ?? ''}.${token.split('.')[1] ?? ''}`;
    expect(readAccess(secret, forged, 'link', now)).toBeUndefined();
    expect(readAccess(secret, swapped, 'link', now)).toBeUndefined();
    expect(readAccess(secret, `${token}0`, 'link', now)).toBeUndefined();
    expect(readAccess(secret, '', 'link', now)).toBeUndefined();
  });

  it('do not let a link serve as a session cookie, nor the other way round', () => {
    const session = signAccess(secret, { ...link, kind: 'session' });
    expect(readAccess(secret, signAccess(secret, link), 'session', now)).toBeUndefined();
    expect(readAccess(secret, session, 'link', now)).toBeUndefined();
  });

  it('keep a user id with Chinese or markup characters intact', () => {
    const odd: Access = { ...link, platform: 'dingtalk', user: '王_芳*01' };
    expect(readAccess(secret, signAccess(secret, odd), 'link', now)).toEqual(odd);
  });

  it('are written without the characters chat markdown would escape, so a link survives in a message', () => {
    expect(signAccess(secret, { ...link, user: '王_芳*01' })).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
  });
});
