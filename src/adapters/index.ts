/**
 * The platforms duban speaks, from the configuration: each one whose credentials are set, and the
 * terminal always. The only place outside a platform's folder that names the platforms.
 */
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { AppSignIn, PlatformAdapter } from '../core/platform.js';
import type { CallbackStore } from '../store/callbacks.js';
import type { ConnectionStore } from '../store/connections.js';
import { createConsole } from './console/index.js';
import { createDingtalk, type DingtalkConfig } from './dingtalk/index.js';
import type { CredentialStore } from './credentials.js';
import { createWecomApp, type WecomAppOptions } from './wecom/app.js';
import { wecomSignIn } from './wecom/dashboard.js';
import { createWecom, type WecomConfig } from './wecom/index.js';

export interface AdaptersConfig {
  wecom?: WecomConfig;
  /** WeCom's 自建应用: the dashboard's sign-in inside WeCom. */
  wecomApp?: Omit<WecomAppOptions, 'store' | 'log' | 'now'>;
  dingtalk?: DingtalkConfig;
}

export interface AdapterDeps {
  /** Each platform's answers and claims, its credentials and its connections, kept for all instances. */
  store: CallbackStore & CredentialStore & ConnectionStore;
  log: Logger;
  /** Where posts to the terminal's groups are printed. */
  write: (text: string) => void;
  /** Where the platforms' connections' states, and redeliveries an adapter answers itself, are counted; nowhere by default. */
  metrics?: Pick<Metrics, 'connection' | 'message'>;
}

export interface Adapters {
  adapters: PlatformAdapter[];
  /** The dashboard's sign-in inside a platform's app, when one is configured. */
  signIn?: AppSignIn;
  /** A line for the log about each platform (or part of one) that is off, and why. */
  off: string[];
}

export function createAdapters(config: AdaptersConfig, deps: AdapterDeps): Adapters {
  const adapters = [createConsole(deps.write)];
  const off: string[] = [];
  if (config.wecom) adapters.push(createWecom(config.wecom, deps));
  else off.push('wecom is off: neither WECOM_TOKEN and WECOM_ENCODING_AES_KEY (callback) nor WECOM_MODE=websocket with WECOM_BOT_ID and WECOM_BOT_SECRET are set');
  if (config.dingtalk) adapters.push(createDingtalk(config.dingtalk, deps));
  else off.push('dingtalk is off: DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are not set');
  if (!config.wecomApp) off.push('dashboard sign-in inside WeCom is off: WECOM_CORP_ID, WECOM_AGENT_ID and WECOM_AGENT_SECRET are not set (看板 links still work)');
  const signIn = config.wecomApp && wecomSignIn(createWecomApp({ ...config.wecomApp, store: deps.store, log: deps.log }), config.wecomApp.jssdkUrl);
  return { adapters, off, ...(signIn ? { signIn } : {}) };
}
