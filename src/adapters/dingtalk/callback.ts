/**
 * The robot's HTTP callback: signature and timestamp first, then the message is taken and
 * DingTalk is answered at once with `{"msgtype":"empty"}` (an answer body would itself be posted
 * into the chat); the reply follows through the sessionWebhook. Koa stays in `src/server/`.
 */
import { jsonOr400 } from '../../core/errors.js';
import type { PlatformRoute } from '../../core/platform.js';
import type { DingtalkInbound } from './inbound.js';
import { verifyCallbackSign } from './sign.js';

export const EMPTY_ANSWER = '{"msgtype":"empty"}';

export interface DingtalkCallback {
  /** The response body for one POST; VerifyError, DecodeError or StoreUnavailableError otherwise. */
  handle(headers: { timestamp?: string; sign?: string }, body: string): Promise<string>;
}

export function createDingtalkCallback(deps: { appSecret: string; inbound: DingtalkInbound; now?: () => number }): DingtalkCallback {
  const now = deps.now ?? Date.now;
  return {
    async handle(headers, body) {
      verifyCallbackSign(headers, deps.appSecret, now());
      await deps.inbound.receive(jsonOr400(body, 'body'));
      return EMPTY_ANSWER;
    },
  };
}

/** The path DingTalk calls in HTTP mode: the robot's 消息接收地址. */
const CALLBACK_PATH = '/dingtalk/callback';

/** The callback as the route the server mounts. */
export const callbackRoute = (callback: DingtalkCallback): PlatformRoute => ({
  method: 'POST',
  path: CALLBACK_PATH,
  handle: async (request) => ({ type: 'application/json', body: await callback.handle({ timestamp: request.header('timestamp'), sign: request.header('sign') }, request.body) }),
});
