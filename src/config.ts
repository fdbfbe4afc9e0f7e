/**
 * The environment (docs/design.md §6), parsed once with one zod schema. A platform whose credentials
 * are absent is off. `.env.example` lists the same keys in the same order.
 */
import { z } from 'zod';
import { LEVELS, type Level } from './core/logger.js';
import { rememberSecret } from './core/redact.js';
import { trimEndChars } from './domain/parse/index.js';
import { cli } from './messages/index.js';
import { DEFAULT_MASTER_NAME, isSentinelUrl, parseSentinelList, parseSentinelUrl, sentinelUrl } from './store/sentinel-url.js';

const E = cli.env;

// An empty value (`WECOM_TOKEN=` copied from .env.example) means "not set".
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const base = (fallback: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? fallback : v),
    z.url({ protocol: /^https?$/, error: E.origin(fallback) }).transform((u) => trimEndChars(u, '/')),
  );

const PORT_ERROR = E.port;

const socket = (fallback: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? fallback : v),
    z.url({ protocol: /^wss?$/, error: E.socket(fallback) }).transform((u) => trimEndChars(u, '/')),
  );

/** The platforms' real origins: the defaults of the `*_API_BASE` variables. */
export const PLATFORM_ORIGINS = {
  wecomApi: 'https://qyapi.weixin.qq.com',
  /** Where a browser is sent to learn who it is inside WeCom (docs/protocols/wecom.md §6.5, page 91022). */
  wecomOauth: 'https://open.weixin.qq.com',
  /** The 智能机器人's long connection (docs/protocols/wecom.md §10). */
  wecomWs: 'wss://openws.work.weixin.qq.com',
  dingtalkApi: 'https://api.dingtalk.com',
  dingtalkOapi: 'https://oapi.dingtalk.com',
} as const;

export const envSchema = z.object({
  PORT: z.preprocess(
    (v) => (v === '' || v === undefined ? '3000' : v),
    z.coerce.number({ error: PORT_ERROR }).int({ error: PORT_ERROR }).min(1, { error: PORT_ERROR }).max(65535, { error: PORT_ERROR }),
  ),
  REDIS_URL: optional(
    z.string().refine((u) => (isSentinelUrl(u) ? parseSentinelUrl(u) !== undefined : z.url({ protocol: /^(rediss?|unix)$/ }).safeParse(u).success), { error: E.redisUrl }),
  ),
  // The robot's console makes the Token 3–32 letters or digits; anything else is a copy mistake.
  WECOM_TOKEN: optional(z.string().regex(/^[A-Za-z0-9]{3,32}$/, { error: E.wecomToken })),
  // WeCom's EncodingAESKey is 43 characters of base64 without the trailing '='.
  WECOM_ENCODING_AES_KEY: optional(z.string().regex(/^[A-Za-z0-9+/]{43}$/, { error: E.wecomAesKey })),
  WECOM_API_BASE: base(PLATFORM_ORIGINS.wecomApi),
  // One bot takes messages one way at a time: the console's 接收消息 setting is either the
  // callback URL or the long connection (docs/protocols/wecom.md §10).
  WECOM_MODE: z.preprocess((v) => (v === '' || v === undefined ? 'callback' : v), z.enum(['callback', 'websocket'], { error: E.wecomMode })),
  // The long connection's credentials, from the bot's API mode page (长连接): its BotID and Secret.
  WECOM_BOT_ID: optional(z.string().regex(/^[A-Za-z0-9_-]{4,64}$/, { error: E.wecomBotId })),
  WECOM_BOT_SECRET: optional(z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, { error: E.wecomBotSecret })),
  WECOM_WS_URL: socket(PLATFORM_ORIGINS.wecomWs),
  // The 自建应用 that opens the dashboard inside WeCom (OAuth2 and JS-SDK): the CorpID (ww… or
  // wx…, 18 characters as the console shows it), the AgentId a number, the Secret 43 characters.
  WECOM_CORP_ID: optional(z.string().regex(/^[A-Za-z0-9]{6,32}$/, { error: E.wecomCorpId })),
  WECOM_AGENT_ID: optional(z.string().regex(/^\d{1,10}$/, { error: E.wecomAgentId })),
  WECOM_AGENT_SECRET: optional(z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, { error: E.wecomAgentSecret })),
  // 政务微信 and other private deployments sign people in on their own host.
  WECOM_OAUTH_BASE: base(PLATFORM_ORIGINS.wecomOauth),
  // The @wecom/jssdk build the dashboard loads inside WeCom; unset, the one bundled here, from this server.
  WECOM_JSSDK_URL: optional(z.url({ protocol: /^https?$/, error: E.jssdkUrl })),
  DINGTALK_CLIENT_ID: optional(z.string()),
  DINGTALK_CLIENT_SECRET: optional(z.string()),
  DINGTALK_MODE: z.preprocess((v) => (v === '' || v === undefined ? 'http' : v), z.enum(['http', 'stream'], { error: E.dingtalkMode })),
  DINGTALK_API_BASE: base(PLATFORM_ORIGINS.dingtalkApi),
  DINGTALK_OAPI_BASE: base(PLATFORM_ORIGINS.dingtalkOapi),
  // Where people reach this server: the dashboard's links and WeCom's OAuth redirect are built on it.
  PUBLIC_URL: optional(
    z
      .url({ protocol: /^https?$/, error: E.publicUrl })
      // The routes sit at the root (/dashboard): a path here would make every link miss them.
      // zod runs this after a failed URL check too: what is no URL was said wrong above already.
      .refine((u) => !URL.canParse(u) || (new URL(u).pathname === '/' && new URL(u).search === ''), {
        error: E.publicUrlPath,
      })
      .transform((u) => new URL(u).origin),
  ),
  // How much the log says; unset: info, or the command's own level for the CLI's short commands.
  LOG_LEVEL: optional(z.enum(LEVELS, { error: E.logLevel })),
  // The bearer token of GET /metrics; unset, there is no /metrics. 16 characters at least: it
  // guards the server's counts from anyone who reaches the port, and it is masked in the log by value.
  METRICS_TOKEN: optional(z.string().regex(/^\S{16,256}$/, { error: E.metricsToken })),
  // Redis behind Sentinel, as an alternative to REDIS_URL=redis+sentinel://… (src/store/sentinel-url.ts).
  REDIS_SENTINELS: optional(z.string().transform((list, ctx) => parseSentinelList(list) ?? (ctx.addIssue({ code: 'custom', message: E.redisSentinels }), z.NEVER))),
  REDIS_MASTER_NAME: optional(z.string().regex(/^[A-Za-z0-9._-]+$/, { error: E.redisMasterName })),
  REDIS_PASSWORD: optional(z.string()),
  REDIS_SENTINEL_PASSWORD: optional(z.string()),
});

/** How the 智能机器人 takes messages: one of the two, as its console is set. */
export type WecomConfig = { apiBase: string } & (
  | { mode?: 'callback'; token: string; encodingAesKey: string }
  | { mode: 'websocket'; botId: string; botSecret: string; wsUrl: string }
);

export interface Config {
  port: number;
  /** `redis://`, `rediss://`, `unix://`, or `redis+sentinel://` (also when built from REDIS_SENTINELS). */
  redisUrl?: string;
  /** The 智能机器人, by its callback or its long connection. */
  wecom?: WecomConfig;
  /** The WeCom 自建应用 behind the dashboard; absent: the dashboard is reached by signed links only. */
  wecomApp?: { corpId: string; agentId: string; secret: string; apiBase: string; oauthBase: string; jssdkUrl?: string };
  dingtalk?: { clientId: string; clientSecret: string; mode: 'http' | 'stream'; apiBase: string; oapiBase: string };
  wecomApiBase: string;
  dingtalkApiBase: string;
  dingtalkOapiBase: string;
  /** The server's public origin, for the dashboard's links; `http://localhost:PORT` when unset. */
  publicUrl: string;
  /** LOG_LEVEL, when set. */
  logLevel?: Level;
  /** METRICS_TOKEN: `GET /metrics` is served to whoever presents it; absent, not at all. */
  metricsToken?: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(E.problems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = result.data;
  // Masked in every log line from here on (core/redact.ts), whatever the code that logs forgets.
  for (const secret of [e.WECOM_TOKEN, e.WECOM_ENCODING_AES_KEY, e.WECOM_BOT_SECRET, e.WECOM_AGENT_SECRET, e.DINGTALK_CLIENT_SECRET, e.METRICS_TOKEN, e.REDIS_PASSWORD, e.REDIS_SENTINEL_PASSWORD]) rememberSecret(secret);
  const problems: string[] = [];
  const redisUrl = redisUrlOf(e, problems);
  const pair = (a: string | undefined, b: string | undefined, names: readonly [string, string]): boolean => {
    if ((a === undefined) !== (b === undefined)) problems.push(E.pair(...names));
    return a !== undefined && b !== undefined;
  };
  const wecom = wecomOf(e, problems);
  const app = [e.WECOM_CORP_ID, e.WECOM_AGENT_ID, e.WECOM_AGENT_SECRET];
  const appOn = app.every((v) => v !== undefined);
  // WeCom sends people back to PUBLIC_URL after sign-in: localhost would be nobody's server.
  if (appOn && e.PUBLIC_URL === undefined) problems.push(E.appWithoutPublicUrl);
  if (!appOn && app.some((v) => v !== undefined)) problems.push(E.appPartial);
  const dingtalkOn = pair(e.DINGTALK_CLIENT_ID, e.DINGTALK_CLIENT_SECRET, ['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET']);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    redisUrl,
    wecom,
    wecomApp: appOn && e.WECOM_CORP_ID !== undefined && e.WECOM_AGENT_ID !== undefined && e.WECOM_AGENT_SECRET !== undefined
      ? { corpId: e.WECOM_CORP_ID, agentId: e.WECOM_AGENT_ID, secret: e.WECOM_AGENT_SECRET, apiBase: e.WECOM_API_BASE, oauthBase: e.WECOM_OAUTH_BASE, ...(e.WECOM_JSSDK_URL === undefined ? {} : { jssdkUrl: e.WECOM_JSSDK_URL }) }
      : undefined,
    dingtalk: dingtalkOn && e.DINGTALK_CLIENT_ID !== undefined && e.DINGTALK_CLIENT_SECRET !== undefined
      ? { clientId: e.DINGTALK_CLIENT_ID, clientSecret: e.DINGTALK_CLIENT_SECRET, mode: e.DINGTALK_MODE, apiBase: e.DINGTALK_API_BASE, oapiBase: e.DINGTALK_OAPI_BASE }
      : undefined,
    wecomApiBase: e.WECOM_API_BASE,
    dingtalkApiBase: e.DINGTALK_API_BASE,
    dingtalkOapiBase: e.DINGTALK_OAPI_BASE,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${String(e.PORT)}`,
    ...(e.LOG_LEVEL === undefined ? {} : { logLevel: e.LOG_LEVEL }),
    ...(e.METRICS_TOKEN === undefined ? {} : { metricsToken: e.METRICS_TOKEN }),
  };
}

/**
 * REDIS_URL, or the `redis+sentinel://` URL REDIS_SENTINELS and its companions spell: one address
 * for every caller of `connectRedis`, and for the children `duban serve` hands it to.
 */
function redisUrlOf(e: z.infer<typeof envSchema>, problems: string[]): string | undefined {
  if (e.REDIS_SENTINELS === undefined) {
    const stray = (['REDIS_MASTER_NAME', 'REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD'] as const).filter((name) => e[name] !== undefined);
    for (const name of stray) problems.push(E.sentinelOnly(name));
    return e.REDIS_URL;
  }
  if (e.REDIS_URL !== undefined) problems.push(E.redisTwice);
  return sentinelUrl({
    sentinels: e.REDIS_SENTINELS,
    name: e.REDIS_MASTER_NAME ?? DEFAULT_MASTER_NAME,
    ...(e.REDIS_PASSWORD === undefined ? {} : { password: e.REDIS_PASSWORD }),
    ...(e.REDIS_SENTINEL_PASSWORD === undefined ? {} : { sentinelPassword: e.REDIS_SENTINEL_PASSWORD }),
  });
}

/**
 * The bot's mode and the credentials it needs; a problem for each variable set for the other
 * mode, so a console switched to the long connection is not left half-configured here.
 */
function wecomOf(e: z.infer<typeof envSchema>, problems: string[]): WecomConfig | undefined {
  const callback = [e.WECOM_TOKEN, e.WECOM_ENCODING_AES_KEY];
  const socket = [e.WECOM_BOT_ID, e.WECOM_BOT_SECRET];
  const set = (values: readonly (string | undefined)[]) => values.some((v) => v !== undefined);
  if (e.WECOM_MODE === 'callback') {
    if (set(socket)) problems.push(E.wecomOtherMode('callback'));
    if (set(callback) && (e.WECOM_TOKEN === undefined || e.WECOM_ENCODING_AES_KEY === undefined)) problems.push(E.pair('WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'));
    return e.WECOM_TOKEN !== undefined && e.WECOM_ENCODING_AES_KEY !== undefined
      ? { mode: 'callback', token: e.WECOM_TOKEN, encodingAesKey: e.WECOM_ENCODING_AES_KEY, apiBase: e.WECOM_API_BASE }
      : undefined;
  }
  if (set(callback)) problems.push(E.wecomOtherMode('websocket'));
  if (e.WECOM_BOT_ID === undefined || e.WECOM_BOT_SECRET === undefined) {
    problems.push(E.wecomSocketNeeds);
    return undefined;
  }
  return { mode: 'websocket', botId: e.WECOM_BOT_ID, botSecret: e.WECOM_BOT_SECRET, wsUrl: e.WECOM_WS_URL, apiBase: e.WECOM_API_BASE };
}
