/**
 * WeCom's way into the dashboard (`AppSignIn`): OAuth2 `snsapi_base` inside WeCom's browser
 * (docs/protocols/wecom.md §6.5, page 91022) says who is looking, and @wecom/jssdk, served from
 * our origin, is the page's bridge to the app.
 *
 * The board is for leaders (docs/design.md §1): the page's script (`/dashboard/app.js`, plain
 * ES2017, no modules, no build) registers @wecom/jssdk inside WeCom and hides the menu items that would spread the page — forward, send to WeChat, favourite, copy link, open in
 * the browser, e-mail. The names are WeCom's 所有菜单项列表
 * (docs/protocols/wecom.md §6.6, page 90508); the SDK's types leave `menuList` as plain strings.
 *
 * The page works without it: outside WeCom (no `data-corp-id`, no `ww`) it does nothing, and
 * any failure — signature refused, older client — is swallowed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AppSignIn } from '../../core/platform.js';
import type { WecomApp } from './app.js';

export const HIDDEN_MENU_ITEMS = [
  'menuItem:share:appMessage',
  'menuItem:share:wechat',
  'menuItem:favorite',
  'menuItem:copyUrl',
  'menuItem:openWithSafari',
  'menuItem:share:email',
] as const;

export const DASHBOARD_SCRIPT = `(function () {
  'use strict';
  var body = document.body;
  var ww = window.ww;
  var corpId = body && body.dataset.corpId;
  if (!corpId || !ww) return;
  var ignore = function () {};
  // The server signs the page's URL (the SDK passes it without the #fragment).
  var signer = function (kind) {
    return function (url) {
      return fetch('/dashboard/jssdk/sign?kind=' + kind + '&url=' + encodeURIComponent(url), { credentials: 'same-origin' })
        .then(function (r) {
          if (!r.ok) throw new Error('sign ' + r.status);
          return r.json();
        });
    };
  };
  try {
    var options = { corpId: corpId, jsApiList: ['hideMenuItems'], getConfigSignature: signer('corp') };
    if (body.dataset.agentId) {
      options.agentId = body.dataset.agentId;
      options.getAgentConfigSignature = signer('agent');
    }
    ww.register(options);
    // The SDK runs config on demand, so this call may follow register at once.
    var done = ww.hideMenuItems({ menuList: ${JSON.stringify(HIDDEN_MENU_ITEMS)} });
    if (done && typeof done.catch === 'function') done.catch(ignore);
  } catch (e) {
    ignore(e);
  }
})();
`;

/** WeCom's in-app browser says `wxwork` in its user agent (docs/protocols/wecom.md §6.6, page 90664). */
const IN_WECOM = /\bwxwork\//i;

/** `jssdkUrl`: a private deployment's own JS-SDK script, loaded from there instead of the build bundled here. */
export function wecomSignIn(app: WecomApp, jssdkUrl?: string): AppSignIn {
  let sdk: string | undefined;
  return {
    platform: 'wecom',
    inApp: (userAgent) => IN_WECOM.test(userAgent),
    authorizeUrl: (redirectUri, state) => app.authorizeUrl(redirectUri, state),
    userIdForCode: (code) => app.userIdForCode(code),
    page: {
      attributes: { 'corp-id': app.corpId, 'agent-id': app.agentId },
      // @wecom/jssdk's browser build, from our origin, so the page loads nothing from elsewhere —
      // unless the deployment (政务微信) serves a build of its own, which its app's bridge may need.
      library: jssdkUrl === undefined
        ? { path: '/dashboard/jssdk.js', source: () => (sdk ??= readFileSync(createRequire(import.meta.url).resolve('@wecom/jssdk/dist/wecom.global.prod.js'), 'utf8')) }
        : { path: jssdkUrl },
    },
    script: DASHBOARD_SCRIPT,
    signPath: '/dashboard/jssdk/sign',
    sign: (kind, url) => app.signature(kind === 'agent' ? 'agent' : 'corp', url),
  };
}
