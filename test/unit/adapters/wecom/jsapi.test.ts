/** The JS-SDK signature (docs/protocols/wecom.md §6.3, page 96909) and the OAuth2 authorize URL (docs/protocols/wecom.md §6.5, page 91022): no network, no Redis. */
import { getJsApiSignature } from '@wecom/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../../../src/adapters/credentials.js';
import { createWecomApp, jsApiSignature, type WecomApp } from '../../../../src/adapters/wecom/app.js';
import { createLogger } from '../../../../src/core/logger.js';

/** The example of docs/protocols/wecom.md §6.3, page 96909. */
const OFFICIAL = {
  nonceStr: 'Wm3WZYTPz0wzccnW',
  ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
  timestamp: 1414587457,
  url: 'http://mp.weixin.qq.com?params=value',
};
const OFFICIAL_SIGNATURE = '0f9de62fce790f9a083d5c99e95740ceb90c27ed';

describe('the JS-SDK signature', () => {
  it('matches the official example', () => {
    expect(jsApiSignature(OFFICIAL)).toBe(OFFICIAL_SIGNATURE);
  });

  it('takes the timestamp as a number or as the string the page sends', () => {
    expect(jsApiSignature({ ...OFFICIAL, timestamp: '1414587457' })).toBe(OFFICIAL_SIGNATURE);
  });

  it('is the same for the page URL with a #fragment', () => {
    expect(jsApiSignature({ ...OFFICIAL, url: `${OFFICIAL.url}#/dashboard?month=2026-03` })).toBe(OFFICIAL_SIGNATURE);
    expect(jsApiSignature({ ...OFFICIAL, url: `${OFFICIAL.url}#` })).toBe(OFFICIAL_SIGNATURE);
  });

  it('signs the URL as given, without encoding it', () => {
    const raw = jsApiSignature({ ...OFFICIAL, url: 'https://duban.example.cn/dashboard?town=城关镇&x=a b' });
    const encoded = jsApiSignature({ ...OFFICIAL, url: 'https://duban.example.cn/dashboard?town=%E5%9F%8E%E5%85%B3%E9%95%87&x=a%20b' });
    expect(raw).not.toBe(encoded);
  });

  it('agrees with @wecom/crypto\'s getJsApiSignature, the helper WeCom\'s JS-SDK docs point to, on many pages and tickets', () => {
    fc.assert(
      // It makes up a nonce and a timestamp when given none (empty, 0); we always give both.
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 4_102_444_800 }), fc.webUrl({ withQueryParameters: true }), (ticket, nonceStr, timestamp, url) => {
        expect(jsApiSignature({ ticket, nonceStr, timestamp, url })).toBe(getJsApiSignature({ ticket, nonceStr, timestamp, url }).signature);
      }),
    );
  });

  it('changes with every field', () => {
    for (const changed of [{ nonceStr: 'x' }, { ticket: 'x' }, { timestamp: 1 }, { url: 'http://mp.weixin.qq.com?params=other' }]) {
      expect(jsApiSignature({ ...OFFICIAL, ...changed })).not.toBe(OFFICIAL_SIGNATURE);
    }
  });
});

/** authorizeUrl makes no request and touches no credential. */
const untouched: CredentialStore = {
  credential: () => Promise.reject(new Error('no credential is needed')),
  saveCredential: () => Promise.reject(new Error('no credential is needed')),
  dropCredential: () => Promise.reject(new Error('no credential is needed')),
};
const app: WecomApp = createWecomApp({
  corpId: 'ww0123456789abcdef',
  agentId: '1000002',
  secret: 'app-secret-0123456789abcdefghijklmnopqrstuvw',
  apiBase: 'http://127.0.0.1:9',
  store: untouched,
  log: createLogger('silent'),
});

describe('the OAuth2 authorize URL', () => {
  const redirect = 'https://duban.example.cn/dashboard/auth?next=/dashboard#top';

  it('is the documented link, parameters in order, the redirect URI percent-encoded, ending with #wechat_redirect', () => {
    expect(app.authorizeUrl(redirect, 'a1B2c3')).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww0123456789abcdef' +
        '&redirect_uri=https%3A%2F%2Fduban.example.cn%2Fdashboard%2Fauth%3Fnext%3D%2Fdashboard%23top' +
        '&response_type=code&scope=snsapi_base&state=a1B2c3&agentid=1000002#wechat_redirect',
    );
  });

  it('has exactly the documented parameters', () => {
    const url = new URL(app.authorizeUrl(redirect, 'xyz'));
    expect(url.origin + url.pathname).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
    expect([...url.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state', 'agentid']);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      appid: 'ww0123456789abcdef',
      redirect_uri: redirect,
      response_type: 'code',
      scope: 'snsapi_base',
      state: 'xyz',
      agentid: '1000002',
    });
    expect(url.hash).toBe('#wechat_redirect');
  });

  it('stays on open.weixin.qq.com whatever the API base is: the browser goes there, not the server', () => {
    expect(app.authorizeUrl(redirect, '')).toMatch(/^https:\/\/open\.weixin\.qq\.com\//);
  });

  it('goes to a private deployment’s own sign-in host (政务微信) when one is configured', () => {
    const deployment = createWecomApp({ corpId: 'ww0123456789abcdef', agentId: '1000002', secret: 'app-secret-0123456789abcdefghijklmnopqrstuvw', apiBase: 'https://zwwx.example.gov.cn', oauthBase: 'https://zwwx.example.gov.cn', store: untouched, log: createLogger('silent') });
    const url = new URL(deployment.authorizeUrl(redirect, 'xyz'));
    expect(url.origin + url.pathname).toBe('https://zwwx.example.gov.cn/connect/oauth2/authorize');
  });

  it('refuses a state WeCom would not carry back: only letters and digits, at most 128', () => {
    expect(() => app.authorizeUrl(redirect, 'a-b')).toThrow(RangeError);
    expect(() => app.authorizeUrl(redirect, 'a'.repeat(129))).toThrow(RangeError);
    expect(app.authorizeUrl(redirect, 'a'.repeat(128))).toContain(`state=${'a'.repeat(128)}&`);
  });
});
