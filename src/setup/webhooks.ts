/**
 * A group robot's send URL, as the setup file gives it: a fixed path and the robot's credential in
 * the query — WeCom's 消息推送 `/cgi-bin/webhook/send?key=…` (docs/protocols/wecom.md §4, page
 * 91770), DingTalk's custom robot `/robot/send?access_token=…`. `duban load` checks the form;
 * `duban doctor` also the origin, which the environment sets (WECOM_API_BASE, DINGTALK_OAPI_BASE)
 * and the bot holds every post to.
 */
export const WEBHOOK_FORMS = {
  wecom: { path: '/cgi-bin/webhook/send', credential: 'key' },
  dingtalk: { path: '/robot/send', credential: 'access_token' },
} as const;

export type WebhookPlatform = keyof typeof WEBHOOK_FORMS;

/** What is wrong with a webhook, if anything: not a URL, not on `origin`, or not the platform's path with its credential. */
export type WebhookShape = 'ok' | 'not-a-url' | 'foreign-origin' | 'malformed';

/** The path and credential of the platform's form; the origin too when one is given. */
export function webhookShape(platform: WebhookPlatform, raw: string, origin?: string): WebhookShape {
  if (!URL.canParse(raw)) return 'not-a-url';
  const url = new URL(raw);
  const { path, credential } = WEBHOOK_FORMS[platform];
  if (url.pathname !== path || (url.searchParams.get(credential) ?? '') === '') return 'malformed';
  if (origin !== undefined && url.origin !== new URL(origin).origin) return 'foreign-origin';
  return 'ok';
}
