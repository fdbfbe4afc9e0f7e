import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../../src/config.js';
import { redactText } from '../../src/core/redact.js';

const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

describe('loadConfig', () => {
  it('runs with nothing set: port 3000, both platforms off, the real platform origins', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.wecom).toBeUndefined();
    expect(config.dingtalk).toBeUndefined();
    expect(config.wecomApiBase).toBe('https://qyapi.weixin.qq.com');
    expect(config.dingtalkOapiBase).toBe('https://oapi.dingtalk.com');
  });

  it('treats the empty values of a copied .env.example as unset', () => {
    const env: Record<string, string> = {};
    for (const [, key, value] of readFileSync('.env.example', 'utf8').matchAll(/^([A-Z_]+)=(.*)$/gm)) if (key !== undefined) env[key] = value ?? '';
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('turns WeCom on when its token and 43-character key are both set', () => {
    const config = loadConfig({ WECOM_TOKEN: 'QDG6eK', WECOM_ENCODING_AES_KEY: AES_KEY, WECOM_API_BASE: 'http://127.0.0.1:9999/' });
    expect(config.wecom).toEqual({ mode: 'callback', token: 'QDG6eK', encodingAesKey: AES_KEY, apiBase: 'http://127.0.0.1:9999' });
  });

  it('turns WeCom on over the long connection with its bot id and secret, at the public address unless told another', () => {
    const config = loadConfig({ WECOM_MODE: 'websocket', WECOM_BOT_ID: 'aibAbc123', WECOM_BOT_SECRET: 'secretSecret123' });
    expect(config.wecom).toEqual({ mode: 'websocket', botId: 'aibAbc123', botSecret: 'secretSecret123', wsUrl: 'wss://openws.work.weixin.qq.com', apiBase: 'https://qyapi.weixin.qq.com' });
    const private_ = loadConfig({ WECOM_MODE: 'websocket', WECOM_BOT_ID: 'aibAbc123', WECOM_BOT_SECRET: 'secretSecret123', WECOM_WS_URL: 'ws://127.0.0.1:7001/' });
    expect(private_.wecom).toMatchObject({ wsUrl: 'ws://127.0.0.1:7001' });
  });

  it('refuses a long connection without its secret, and the other mode\'s variables beside a mode, naming what to change', () => {
    expect(() => loadConfig({ WECOM_MODE: 'websocket', WECOM_BOT_ID: 'aibAbc123' })).toThrow(/WECOM_BOT_SECRET/);
    expect(() => loadConfig({ WECOM_MODE: 'websocket', WECOM_BOT_ID: 'aibAbc123', WECOM_BOT_SECRET: 'secretSecret123', WECOM_TOKEN: 'QDG6eK', WECOM_ENCODING_AES_KEY: AES_KEY })).toThrow(/清空它们/);
    expect(() => loadConfig({ WECOM_BOT_ID: 'aibAbc123', WECOM_BOT_SECRET: 'secretSecret123' })).toThrow(/WECOM_MODE=websocket/);
    expect(() => loadConfig({ WECOM_MODE: 'socket' })).toThrow(/WECOM_MODE/);
    expect(() => loadConfig({ WECOM_MODE: 'websocket', WECOM_BOT_ID: 'aibAbc123', WECOM_BOT_SECRET: 'secretSecret123', WECOM_WS_URL: 'https://openws.work.weixin.qq.com' })).toThrow(/wss:\/\//);
  });

  it('names every wrong variable at once', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', WECOM_TOKEN: 'x', WECOM_ENCODING_AES_KEY: 'short', DINGTALK_MODE: 'socket' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      for (const name of ['PORT', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY', 'DINGTALK_MODE']) expect(message).toContain(name);
    }
  });

  it('turns the WeCom app on with its three settings and the public address, reduced to its origin', () => {
    const config = loadConfig({ WECOM_CORP_ID: 'ww0123456789abcdef', WECOM_AGENT_ID: '1000002', WECOM_AGENT_SECRET: 'x'.repeat(43), PUBLIC_URL: 'https://duban.example.gov.cn/' });
    expect(config.wecomApp).toEqual({ corpId: 'ww0123456789abcdef', agentId: '1000002', secret: 'x'.repeat(43), apiBase: 'https://qyapi.weixin.qq.com', oauthBase: 'https://open.weixin.qq.com' });
    expect(loadConfig({ WECOM_CORP_ID: 'ww0123456789abcdef', WECOM_AGENT_ID: '1000002', WECOM_AGENT_SECRET: 'x'.repeat(43), PUBLIC_URL: 'https://duban.example.gov.cn', WECOM_OAUTH_BASE: 'https://zwwx.example.gov.cn/' }).wecomApp?.oauthBase).toBe('https://zwwx.example.gov.cn');
    expect(config.publicUrl).toBe('https://duban.example.gov.cn');
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('refuses the WeCom app without the public address WeCom must send people back to', () => {
    expect(() => loadConfig({ WECOM_CORP_ID: 'ww0123456789abcdef', WECOM_AGENT_ID: '1000002', WECOM_AGENT_SECRET: 'x'.repeat(43) })).toThrow(/PUBLIC_URL/);
  });

  it('refuses a public address with a path, where the dashboard\'s links would miss it', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'https://example.gov.cn/duban' })).toThrow(/PUBLIC_URL: 只写协议、域名和端口/);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: 应为 1–65535 之间的整数端口号，例如 3000'],
    [{ PORT: '70000' }, 'PORT: 应为 1–65535 之间的整数端口号，例如 3000'],
    [{ REDIS_URL: '127.0.0.1:6379' }, 'REDIS_URL: 应写成 redis://主机:端口（例如 redis://127.0.0.1:6379）'],
    [{ DINGTALK_MODE: 'socket' }, 'DINGTALK_MODE: 应为 http（HTTP 回调）或 stream（Stream 模式）'],
    [{ WECOM_API_BASE: 'qyapi.weixin.qq.com' }, 'WECOM_API_BASE: 应为 http:// 或 https:// 开头的地址'],
    [{ PUBLIC_URL: 'duban.example.gov.cn' }, 'PUBLIC_URL: 应为 http:// 或 https:// 开头的地址'],
  ])('says in Chinese what %o should be', (env, said) => {
    expect(() => loadConfig(env)).toThrow(said);
  });

  it('refuses half a platform: a token without its key', () => {
    expect(() => loadConfig({ DINGTALK_CLIENT_ID: 'ding123' })).toThrow(/DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET/);
  });

  it('takes LOG_LEVEL by name, and refuses a level pino would not know from this list', () => {
    expect(loadConfig({}).logLevel).toBeUndefined();
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL/);
  });

  it('takes a METRICS_TOKEN of 16 characters or more, and masks it in the log from then on', () => {
    const token = 'metrics-token-in-config-test-42';
    expect(loadConfig({ METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(redactText(`Bearer ${token}`)).toBe('Bearer ***');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: 'has a space in it somewhere' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('.env.example', () => {
  it('lists exactly the variables of the schema, in the same order', () => {
    const keys = [...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
    expect(keys).toEqual(Object.keys(envSchema.shape));
  });
});
