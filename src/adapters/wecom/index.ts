/** WeCom, assembled from its config: the callback the server mounts and the sender the outbox uses. */
import type { Logger } from '../../core/logger.js';
import type { Router } from '../../core/router.js';
import type { Store } from '../../store/types.js';
import { createWecomCallback, type WecomCallback } from './callback.js';
import { createWecomCrypto } from './crypto.js';
import { createWecomSender, type WecomSender } from './send.js';

export interface WecomConfig {
  token: string;
  encodingAesKey: string;
  apiBase: string;
}

export interface Wecom {
  callback: WecomCallback;
  sender: WecomSender;
}

export function createWecom(config: WecomConfig, deps: { route: Router; store: Store; log: Logger; replyWithinMs?: number }): Wecom {
  const log = deps.log.child({ platform: 'wecom' });
  const sender = createWecomSender({ apiBase: config.apiBase, log });
  const crypto = createWecomCrypto({ token: config.token, encodingAesKey: config.encodingAesKey });
  const callback = createWecomCallback({ crypto, route: deps.route, store: deps.store, sender, log, replyWithinMs: deps.replyWithinMs });
  return { callback, sender };
}
