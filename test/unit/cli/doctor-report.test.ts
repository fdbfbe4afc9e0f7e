/**
 * `duban doctor`'s verdicts, from facts as doctor.ts gathers them: each test gives one fact and
 * reads the line it becomes (✅ works, ⚠️ worth fixing, ❌ broken) and the exit code.
 */
import { describe, expect, it } from 'vitest';
import { configReport, doctorReport, renderReport, type CountyFacts, type DoctorFacts, type Line, type Report, type Verdict } from '../../../src/cli/doctor-report.js';
import { loadConfig } from '../../../src/config.js';
import { createWorkCalendar } from '../../../src/domain/calendar.js';
import type { Group, Task } from '../../../src/domain/model.js';
import { taskOf } from '../../fixtures/county.js';

const BOT = { WECOM_MODE: 'websocket', WECOM_BOT_ID: 'aibDoctor01', WECOM_BOT_SECRET: 'botSecret0123456789' };
const APP = { WECOM_CORP_ID: 'ww0123456789abcdef', WECOM_AGENT_ID: '1000002', WECOM_AGENT_SECRET: 'app-secret-0123456789abcdefghijklmnopqrstuvw' };
const CALLBACK = { WECOM_TOKEN: 'QDG6eK', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const DINGTALK = { DINGTALK_CLIENT_ID: 'dingclient', DINGTALK_CLIENT_SECRET: 'dingsecret', DINGTALK_MODE: 'stream' };
const PUBLIC = { PUBLIC_URL: 'https://duban.example.gov.cn' };

const KEY = 'd2e1f0aa-key-that-must-never-show';
const webhook = (key = KEY, origin = 'https://qyapi.weixin.qq.com') => `${origin}/cgi-bin/webhook/send?key=${key}`;

const townships = [
  { id: '城关镇', name: '城关镇', villages: 12 },
  { id: '红星乡', name: '红星乡', villages: 9 },
];
const wecomGroups: Group[] = [
  { platform: 'wecom', chat: 'wrkAAA', township: '城关镇', name: '城关镇工作群', webhook: webhook('k1') },
  { platform: 'wecom', chat: 'wrkBBB', township: '红星乡', name: '红星乡工作群', webhook: webhook('k2') },
  { platform: 'wecom', chat: 'wrkLLL', role: 'leaders', name: '领导群', webhook: webhook('k3') },
];

function county(groups: readonly Group[] = wecomGroups, openTasks: readonly Task[] = [taskOf('T1')], granted = new Map<string, Map<string, string>>()): CountyFacts {
  return { state: 'loaded', name: '测试县', townships, groups, openTasks, granted };
}

/** Everything on and answering: WeCom over the long connection with its app, DingTalk in Stream mode, a county in order. */
function facts(env: Record<string, string> = { ...BOT, ...APP, ...DINGTALK, ...PUBLIC }, more: Partial<DoctorFacts> = {}): DoctorFacts {
  const config = loadConfig(env);
  return {
    today: '2026-12-03',
    config,
    publicUrlSet: env.PUBLIC_URL !== undefined,
    redis: { where: 'redis://127.0.0.1:6379', namedBy: 'default', up: true, durability: { aof: true, save: '', maxmemoryPolicy: 'noeviction', configRefused: false } },
    county: county(),
    calendar: createWorkCalendar(),
    ...(config.wecom?.mode === 'websocket' ? { wecomSocket: { kind: 'subscribed' as const } } : {}),
    ...(config.wecomApp ? { wecomApp: { kind: 'ok' as const } } : {}),
    ...(config.dingtalk ? { dingtalk: { kind: 'ok' as const } } : {}),
    health: { kind: 'ours', redisUp: true },
    ...more,
  };
}

const lines = (report: Report): Line[] => report.sections.flatMap((s) => s.lines);
/** The one line that contains `text`. */
function line(report: Report, text: string): Line {
  const found = lines(report).filter((l) => l.text.includes(text));
  if (found.length !== 1) throw new Error(`expected one line with 「${text}」, found ${String(found.length)}:\n${renderReport(report)}`);
  return found[0]!;
}
const verdictOf = (report: Report, text: string): Verdict => line(report, text).verdict;
const section = (report: Report, title: string): Line[] => report.sections.find((s) => s.title === title)?.lines ?? [];

describe('the whole report', () => {
  it('with everything on and answering, every line is ✅ and the exit code is 0', () => {
    const report = doctorReport(facts());
    expect(lines(report).filter((l) => l.verdict !== 'ok')).toEqual([]);
    expect(report.counts.bad).toBe(0);
    expect(report.exitCode).toBe(0);
  });

  it('prints a title, the sections in order (环境、Redis、企业微信、钉钉、群、看板地址、节假日) and a summary that counts the lines', () => {
    const report = doctorReport(facts(undefined, { redis: { where: 'redis://127.0.0.1:6379', namedBy: 'default', up: true, durability: { aof: false, save: '', maxmemoryPolicy: 'noeviction', configRefused: false } }, dingtalk: { kind: 'refused', code: 'invalidClientIdOrSecret', detail: 'invalidClientIdOrSecret 无效的clientId或者clientSecret' } }));
    const printed = renderReport(report);
    const titles = ['环境', 'Redis', '企业微信', '钉钉', '群', '看板地址', '节假日'];
    expect(printed.split('\n')[0]).toBe('督办助手 体检（只检查配置，不发任何消息）');
    const at = titles.map((t) => printed.split('\n').indexOf(t));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(printed).toContain(`${String(report.counts.ok)} 项正常，1 项提醒，1 项有问题。请先改好标 ❌ 的项`);
    expect(printed).toMatch(/^ {2}⚠️ Redis 没有开持久化/m);
    expect(printed).toMatch(/^ {2}❌ 应用凭据不对/m);
  });

  it('warnings alone do not fail: exit 0, and the last line says there is nothing that stops it working', () => {
    const report = doctorReport(facts({ ...BOT, ...DINGTALK }));
    expect(report.counts.warn).toBeGreaterThan(0);
    expect(report.exitCode).toBe(0);
    expect(renderReport(report)).toContain('没有影响运行的问题；标 ⚠️ 的项建议改好。');
  });

  it('an environment that does not parse is one ❌ per problem, says how to go on, and exits 1', () => {
    const report = configReport(['PORT: 应为 1–65535 之间的整数端口号，例如 3000', 'WECOM_TOKEN: 应为 3–32 个英文字母或数字']);
    expect(lines(report).map((l) => l.verdict)).toEqual(['bad', 'bad']);
    expect(report.exitCode).toBe(1);
    const printed = renderReport(report);
    expect(printed).toContain('  ❌ PORT: 应为 1–65535');
    expect(printed).toContain('请对照 .env.example 修改环境变量');
    expect(printed).toContain('0 项正常，0 项提醒，2 项有问题。');
  });

  it('the environment line names what is on', () => {
    expect(line(doctorReport(facts()), '环境变量无误').text).toBe('环境变量无误（已开启：企业微信机器人（长连接）、企业微信自建应用、钉钉（Stream 模式））');
    expect(line(doctorReport(facts({})), '环境变量无误').text).toContain('还没有开启任何平台');
  });
});

describe('Redis', () => {
  const withRedis = (redis: DoctorFacts['redis']) => doctorReport(facts(undefined, { redis }));
  const settings = (durability: Partial<{ aof: boolean; save: string; maxmemoryPolicy: string }>, configRefused = false) =>
    withRedis({ where: 'redis://127.0.0.1:6379', namedBy: 'default', up: true, durability: { ...durability, configRefused } });

  it('a Redis that answers is ✅ with its address', () => {
    expect(verdictOf(settings({ aof: true, save: '', maxmemoryPolicy: 'noeviction' }), 'Redis 连接正常：redis://127.0.0.1:6379')).toBe('ok');
  });

  it('a REDIS_URL that does not answer is ❌ naming the address, and fails the run', () => {
    const report = withRedis({ where: 'redis://10.0.0.5:6379', namedBy: 'url', up: false });
    expect(verdictOf(report, '连不上 REDIS_URL 指定的 Redis（redis://10.0.0.5:6379）')).toBe('bad');
    expect(report.exitCode).toBe(1);
  });

  it('Sentinels that do not answer are ❌ naming them, the master name and both passwords, not REDIS_URL', () => {
    const text = line(withRedis({ where: 'redis+sentinel://10.0.0.5:26379,10.0.0.6:26379/duban', namedBy: 'sentinels', up: false }), '连不上哨兵');
    expect(text.verdict).toBe('bad');
    expect(text.text).toContain('（redis+sentinel://10.0.0.5:26379,10.0.0.6:26379/duban）');
    expect(text.text).toContain('REDIS_MASTER_NAME');
    expect(text.text).toContain('REDIS_SENTINEL_PASSWORD');
    expect(text.text).not.toContain('REDIS_URL');
  });

  it('no Redis at all is ❌, says how to start one and that doctor starts none', () => {
    const text = line(withRedis({ where: '127.0.0.1:6379', namedBy: 'default', up: false }), '没有找到正在运行的 Redis');
    expect(text.verdict).toBe('bad');
    expect(text.text).toContain('sudo apt-get install redis-server');
    expect(text.text).toContain('duban doctor 不会启动');
  });

  it('without Redis, the groups and the tasks\' deadlines are ⚠️ not checked, and the long connection is not probed', () => {
    const report = doctorReport(facts(undefined, { redis: { where: '127.0.0.1:6379', namedBy: 'default', up: false }, county: { state: 'unread' }, wecomSocket: { kind: 'unchecked' } }));
    expect(section(report, '群')).toEqual([{ verdict: 'warn', text: '没有检查：Redis 连不上' }]);
    expect(verdictOf(report, '任务的截止日没有检查')).toBe('warn');
    expect(verdictOf(report, '长连接：没有测试')).toBe('warn');
  });

  it('AOF on is ✅', () => {
    expect(verdictOf(settings({ aof: true, save: '', maxmemoryPolicy: 'noeviction' }), '已开启 AOF')).toBe('ok');
  });

  it('RDB snapshots without AOF are ✅, with the advice to add AOF', () => {
    const found = line(settings({ aof: false, save: '3600 1 300 100', maxmemoryPolicy: 'noeviction' }), 'RDB 快照');
    expect(found.verdict).toBe('ok');
    expect(found.text).toContain('save 3600 1 300 100');
  });

  it('neither AOF nor snapshots is ⚠️: a restart loses confirmed reports', () => {
    expect(verdictOf(settings({ aof: false, save: '', maxmemoryPolicy: 'noeviction' }), '已确认的上报就没了')).toBe('warn');
  });

  it('CONFIG refused (a managed Redis) is ⚠️ saying persistence could not be checked', () => {
    expect(verdictOf(settings({ aof: false }, true), '没法检查持久化')).toBe('warn');
  });

  it('CONFIG refused but INFO showing AOF on is ✅', () => {
    expect(verdictOf(settings({ aof: true, maxmemoryPolicy: 'noeviction' }, true), '已开启 AOF')).toBe('ok');
  });

  it('noeviction is ✅, another maxmemory-policy is ⚠️ naming it, and an unknown one is ⚠️', () => {
    expect(verdictOf(settings({ aof: true, maxmemoryPolicy: 'noeviction' }), 'noeviction')).toBe('ok');
    expect(verdictOf(settings({ aof: true, maxmemoryPolicy: 'allkeys-lru' }), 'maxmemory-policy 是 allkeys-lru')).toBe('warn');
    expect(verdictOf(settings({ aof: true }, true), '没有告诉 maxmemory-policy')).toBe('warn');
  });
});

describe('WeCom', () => {
  it('callback mode with PUBLIC_URL is ✅ and gives the URL to fill in the robot\'s console', () => {
    expect(line(doctorReport(facts({ ...CALLBACK, ...PUBLIC })), '回调模式').text).toContain('https://duban.example.gov.cn/wecom/callback');
    expect(verdictOf(doctorReport(facts({ ...CALLBACK, ...PUBLIC })), '回调模式')).toBe('ok');
  });

  it('callback mode without PUBLIC_URL is ⚠️: WeCom must reach PUBLIC_URL/wecom/callback', () => {
    expect(verdictOf(doctorReport(facts({ ...CALLBACK })), '回调模式：没有设置 PUBLIC_URL')).toBe('warn');
  });

  it('a long connection held by a running instance is ✅ and says no subscribe was tried', () => {
    const found = line(doctorReport(facts(undefined, { wecomSocket: { kind: 'held' } })), '长连接：');
    expect(found).toEqual({ verdict: 'ok', text: '长连接：由正在运行的实例保持连接（为了不把它挤下线，没有另外测试订阅）' });
  });

  it('a subscribe WeCom accepted is ✅', () => {
    expect(verdictOf(doctorReport(facts()), '订阅成功')).toBe('ok');
  });

  it('a refused subscribe is ❌ naming WECOM_BOT_ID, WECOM_BOT_SECRET and the console\'s 长连接 setting, and fails the run', () => {
    const report = doctorReport(facts(undefined, { wecomSocket: { kind: 'refused', errcode: 40001, errmsg: 'invalid secret' } }));
    const found = line(report, '拒绝了订阅');
    expect(found.verdict).toBe('bad');
    expect(found.text).toContain('errcode 40001 invalid secret');
    expect(found.text).toContain('WECOM_BOT_ID 和 WECOM_BOT_SECRET');
    expect(found.text).toContain('「长连接」');
    expect(report.exitCode).toBe(1);
  });

  it('an unreachable long connection is ❌ naming the address and the firewall\'s outbound 443', () => {
    const found = line(doctorReport(facts(undefined, { wecomSocket: { kind: 'unreachable', reason: 'getaddrinfo ENOTFOUND openws.work.weixin.qq.com' } })), '长连接：连不上');
    expect(found.verdict).toBe('bad');
    expect(found.text).toContain('wss://openws.work.weixin.qq.com（getaddrinfo ENOTFOUND');
    expect(found.text).toContain('出站 443');
  });

  it('a connection that never answers the subscribe is ❌', () => {
    expect(verdictOf(doctorReport(facts(undefined, { wecomSocket: { kind: 'no-answer' } })), '秒内没有收到订阅的回应')).toBe('bad');
  });

  it('the 自建应用\'s token is ✅ with the corp id and agent id', () => {
    expect(line(doctorReport(facts()), '自建应用：').text).toBe('自建应用：取到了 access token（企业ID ww0123456789abcdef，AgentId 1000002）');
  });

  it.each([
    ['40013', '企业ID 不对', 'WECOM_CORP_ID'],
    ['40001', 'Secret 不对', 'WECOM_AGENT_SECRET'],
    ['42001', 'Secret 不对', 'WECOM_AGENT_SECRET'],
    ['60020', '企业可信IP', '出口 IP'],
    ['48002', '拒绝了取 access token', 'WECOM_CORP_ID、WECOM_AGENT_ID 和 WECOM_AGENT_SECRET'],
  ])('gettoken refused with %s is ❌ saying %s and what to fix', (code, says, fix) => {
    const found = line(doctorReport(facts(undefined, { wecomApp: { kind: 'refused', code, detail: `${code} from WeCom` } })), '自建应用：');
    expect(found.verdict).toBe('bad');
    expect(found.text).toContain(says);
    expect(found.text).toContain(fix);
    expect(found.text).toContain(`${code} from WeCom`);
  });

  it('gettoken unreachable is ❌ naming WECOM_API_BASE', () => {
    const found = line(doctorReport(facts(undefined, { wecomApp: { kind: 'unreachable', detail: 'fetch failed (ECONNREFUSED)' } })), '自建应用：');
    expect(found.verdict).toBe('bad');
    expect(found.text).toContain('连不上 https://qyapi.weixin.qq.com（fetch failed (ECONNREFUSED)）');
  });

  it('no 自建应用 on a WeCom county is ⚠️: the dashboard opens only by 看板 links', () => {
    expect(verdictOf(doctorReport(facts({ ...BOT })), '看板只能用「看板」链接打开')).toBe('warn');
  });

  it('no 自建应用 where WeCom is off says nothing of it', () => {
    expect(lines(doctorReport(facts({ ...DINGTALK }))).some((l) => l.text.includes('自建应用：'))).toBe(false);
  });

  it('WeCom off while the county has WeCom groups is ❌: nothing reaches them', () => {
    const report = doctorReport(facts({ ...DINGTALK }));
    const found = line(report, '企业微信没有开启，但县里有 3 个企业微信群');
    expect(found.verdict).toBe('bad');
    expect(report.exitCode).toBe(1);
  });

  it('WeCom off, DingTalk on and no WeCom group is ✅: WeCom is not used', () => {
    const report = doctorReport(facts({ ...DINGTALK }, { county: county([{ platform: 'dingtalk', chat: 'cidA', township: '城关镇' }, { platform: 'dingtalk', chat: 'cidL', role: 'leaders' }]) }));
    expect(section(report, '企业微信')).toEqual([{ verdict: 'ok', text: '没有使用企业微信（没有设置，县里也没有企业微信群）' }]);
  });

  it('the 自建应用 alone, on a DingTalk county, is its own line: WeCom is not said to be unused', () => {
    const report = doctorReport(facts({ ...APP, ...DINGTALK, ...PUBLIC }, { county: county([{ platform: 'dingtalk', chat: 'cidA', township: '城关镇' }]) }));
    expect(section(report, '企业微信')).toEqual([{ verdict: 'ok', text: '自建应用：取到了 access token（企业ID ww0123456789abcdef，AgentId 1000002）' }]);
  });

  it('neither platform on is ⚠️ for each: the bot answers only in the terminal', () => {
    const report = doctorReport(facts({}, { county: { state: 'none' } }));
    expect(verdictOf(report, '企业微信没有开启')).toBe('warn');
    expect(verdictOf(report, '钉钉没有开启')).toBe('warn');
  });
});

describe('DingTalk', () => {
  it('a token DingTalk handed out is ✅ with the client id', () => {
    expect(verdictOf(doctorReport(facts()), '应用凭据有效')).toBe('ok');
  });

  it('a token refused is ❌ with DingTalk\'s code and the variables to check', () => {
    const found = line(doctorReport(facts(undefined, { dingtalk: { kind: 'refused', code: 'invalidClientIdOrSecret', detail: 'invalidClientIdOrSecret 无效的clientId或者clientSecret' } })), '应用凭据不对');
    expect(found.verdict).toBe('bad');
    expect(found.text).toContain('invalidClientIdOrSecret 无效的clientId或者clientSecret');
    expect(found.text).toContain('DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET');
  });

  it('an unreachable token endpoint is ❌ naming DINGTALK_API_BASE', () => {
    expect(verdictOf(doctorReport(facts(undefined, { dingtalk: { kind: 'unreachable', detail: 'fetch failed (ETIMEDOUT)' } })), 'DINGTALK_API_BASE')).toBe('bad');
  });

  it('HTTP mode without PUBLIC_URL is ⚠️, with PUBLIC_URL ✅ giving the callback address', () => {
    expect(verdictOf(doctorReport(facts({ ...BOT, DINGTALK_CLIENT_ID: 'x', DINGTALK_CLIENT_SECRET: 'y' })), 'HTTP 回调：没有设置 PUBLIC_URL')).toBe('warn');
    expect(line(doctorReport(facts({ ...BOT, DINGTALK_CLIENT_ID: 'x', DINGTALK_CLIENT_SECRET: 'y', ...PUBLIC })), 'HTTP 回调：').text).toContain('https://duban.example.gov.cn/dingtalk/callback');
  });
});

describe('the groups', () => {
  const withGroups = (groups: readonly Group[], env?: Record<string, string>) => doctorReport(facts(env, { county: county(groups) }));

  it('no county loaded is ⚠️ with the duban load advice', () => {
    expect(line(doctorReport(facts(undefined, { county: { state: 'none' } })), 'duban load').verdict).toBe('warn');
  });

  it('a county with only terminal groups is ⚠️: no group to post to', () => {
    expect(verdictOf(withGroups([{ platform: 'console', chat: '城关镇工作群', township: '城关镇' }]), '还没有群')).toBe('warn');
  });

  it('well-formed webhooks are one ✅ line for the platform, not one per group', () => {
    expect(section(withGroups(wecomGroups), '群')).toEqual([{ verdict: 'ok', text: '企业微信 3 个群能发消息' }]);
  });

  it('a WeCom group without a webhook in callback mode is ❌: nothing can be posted there', () => {
    const report = withGroups([...wecomGroups, { platform: 'wecom', chat: 'wrkNEW', township: '红星乡', name: '红星乡二群' }], { ...CALLBACK, ...PUBLIC });
    const found = line(report, '「红星乡二群」（wrkNEW）没有 webhook');
    expect(found.verdict).toBe('bad');
    expect(found.text).toContain('群设置 → 消息推送');
    expect(report.exitCode).toBe(1);
  });

  it('WeCom groups without a webhook over the long connection are ✅, with one ⚠️ overall that @ needs a webhook', () => {
    const bare = wecomGroups.map(({ webhook: _, ...g }) => g);
    const lines_ = section(withGroups(bare), '群');
    expect(lines_).toEqual([
      { verdict: 'ok', text: '企业微信 3 个群能发消息' },
      { verdict: 'warn', text: expect.stringContaining('3 个企业微信群没有 webhook：消息走长连接能发，但提醒里 @ 不到人') as string },
    ]);
  });

  it('a malformed WeCom webhook is ❌ showing its origin and path, never its key', () => {
    const report = withGroups([{ ...wecomGroups[0]!, webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/sendd?key=${KEY}` }, ...wecomGroups.slice(1)]);
    const found = line(report, '「城关镇工作群」（wrkAAA）的 webhook 格式不对');
    expect(found.verdict).toBe('bad');
    expect(found.text).toContain('https://qyapi.weixin.qq.com/cgi-bin/webhook/sendd');
    expect(found.text).toContain('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…');
    expect(renderReport(report)).not.toContain(KEY);
  });

  it('a WeCom webhook without its key is ❌', () => {
    expect(verdictOf(withGroups([{ ...wecomGroups[0]!, webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }]), '格式不对')).toBe('bad');
  });

  it('a WeCom webhook off WECOM_API_BASE is ❌ naming the variable', () => {
    const report = withGroups(wecomGroups, { ...BOT, WECOM_API_BASE: 'https://wecom.gov.example.cn' });
    const found = lines(report).filter((l) => l.text.includes('不在 WECOM_API_BASE（https://wecom.gov.example.cn）上'));
    expect(found).toHaveLength(3);
    expect(found.every((l) => l.verdict === 'bad')).toBe(true);
    expect(renderReport(report)).not.toContain('k1');
  });

  it('a DingTalk group without a custom robot is ✅, with one ⚠️ overall that @ needs one; a malformed one is ❌', () => {
    const report = withGroups([
      ...wecomGroups,
      { platform: 'dingtalk', chat: 'cidA', township: '城关镇', name: '城关镇钉钉群' },
      { platform: 'dingtalk', chat: 'cidB', township: '红星乡', name: '红星乡钉钉群', webhook: 'https://oapi.dingtalk.com/robot/sendd?access_token=t' },
      { platform: 'dingtalk', chat: 'cidC', township: '红星乡', name: '红星乡二群', webhook: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECabc' },
    ]);
    expect(verdictOf(report, '钉钉 2 个群能发消息')).toBe('ok');
    expect(verdictOf(report, '1 个钉钉群没有自定义机器人')).toBe('warn');
    expect(line(report, '「红星乡钉钉群」（cidB）的 webhook 格式不对').text).toContain('https://oapi.dingtalk.com/robot/send?access_token=…');
  });

  it('groups of a platform that is off get no line of their own: the platform\'s ❌ says it', () => {
    const report = withGroups(wecomGroups, { ...DINGTALK });
    expect(section(report, '群').some((l) => l.text.includes('城关镇工作群'))).toBe(false);
  });

  it('a township with no group on a platform that is on is ⚠️ naming it', () => {
    expect(line(withGroups(wecomGroups.filter((g) => g.township !== '红星乡')), '没有群，提醒和通报发不到').text).toContain('红星乡');
  });

  it('no leaders\' group is ⚠️: the digest reaches no leader', () => {
    expect(verdictOf(withGroups(wecomGroups.filter((g) => g.role !== 'leaders')), '没有领导群')).toBe('warn');
  });
});

describe('PUBLIC_URL', () => {
  it('https is ✅, and a /healthz that duban answers with Redis up is ✅', () => {
    const report = doctorReport(facts());
    expect(verdictOf(report, 'PUBLIC_URL：https://duban.example.gov.cn')).toBe('ok');
    expect(verdictOf(report, '服务正在运行')).toBe('ok');
  });

  it('not set is ⚠️: the dashboard links would point at localhost', () => {
    expect(line(doctorReport(facts({ ...BOT })), '没有设置 PUBLIC_URL').text).toContain('http://localhost:3000/dashboard');
  });

  it('http is ⚠️, except on this machine', () => {
    expect(verdictOf(doctorReport(facts({ ...BOT, PUBLIC_URL: 'http://duban.example.gov.cn' })), 'PUBLIC_URL 是 http 地址')).toBe('warn');
    expect(verdictOf(doctorReport(facts({ ...BOT, PUBLIC_URL: 'http://127.0.0.1:3000' })), '只有本机打得开')).toBe('ok');
  });

  it('a /healthz out of reach is ⚠️ saying it may be fine from inside the network', () => {
    const found = line(doctorReport(facts(undefined, { health: { kind: 'unreachable', detail: 'fetch failed (ENOTFOUND)' } })), '从本机访问不到');
    expect(found.verdict).toBe('warn');
    expect(found.text).toContain('内外网隔离');
  });

  it('a /healthz out of reach on this machine is ⚠️ saying the server is not running here', () => {
    expect(verdictOf(doctorReport(facts({ ...BOT }, { health: { kind: 'unreachable', detail: 'fetch failed (ECONNREFUSED)' } })), '本机上督办助手没有在运行')).toBe('warn');
  });

  it('a server that answers but has lost its Redis is ❌', () => {
    expect(verdictOf(doctorReport(facts(undefined, { health: { kind: 'ours', redisUp: false } })), '连不上 Redis')).toBe('bad');
  });

  it('another answer at /healthz (a status, a redirect, someone else\'s page) is ⚠️', () => {
    expect(verdictOf(doctorReport(facts(undefined, { health: { kind: 'status', status: 502 } })), 'HTTP 502')).toBe('warn');
    expect(verdictOf(doctorReport(facts(undefined, { health: { kind: 'redirect', status: 'HTTP 301' } })), '被重定向')).toBe('warn');
    expect(verdictOf(doctorReport(facts(undefined, { health: { kind: 'not-ours' } })), '不是督办助手的')).toBe('warn');
  });
});

describe('the holiday calendar', () => {
  const withTasks = (tasks: readonly Task[], more: Partial<DoctorFacts> = {}, granted = new Map<string, Map<string, string>>()) => doctorReport(facts(undefined, { county: county(wecomGroups, tasks, granted), ...more }));

  it('every open task\'s deadline year and this year covered is ✅ naming the last year', () => {
    expect(line(withTasks([taskOf('T1')]), '节假日安排已收录到 2026 年')).toEqual({ verdict: 'ok', text: '节假日安排已收录到 2026 年：今年和所有进行中任务的截止日都在内' });
  });

  it('a deadline in a year not covered is ⚠️ naming the tasks, in order, how it counts and how to add the year', () => {
    const found = line(withTasks([taskOf('T10', { deadline: '2099-06-30' }), taskOf('T2', { deadline: '2099-12-31' }), taskOf('T3')]), '2099 年的节假日安排还没有收录');
    expect(found.verdict).toBe('warn');
    expect(found.text).toContain('T2、T10 的工作日按周一到周五估算');
    expect(found.text).toContain('calendar 下写上 2099 年的 rest');
    expect(found.text).not.toContain('T3');
  });

  it('a deadline granted into a year not covered counts too', () => {
    expect(line(withTasks([taskOf('T4')], {}, new Map([['T4', new Map([['城关镇', '2099-03-31']])]])), '2099 年').text).toContain('T4');
  });

  it('this year not covered is ⚠️ saying the daily posts go out Monday to Friday', () => {
    const found = line(withTasks([taskOf('T1', { deadline: '2099-12-31' })], { today: '2099-01-05' }), '2099 年');
    expect(found.text).toContain('T1');
    expect(found.text).toContain('今年的定时提醒按周一到周五发');
  });

  it('a year the setup file describes whole is covered', () => {
    expect(verdictOf(withTasks([taskOf('T1', { deadline: '2027-12-31' })], { calendar: createWorkCalendar({ years: [2027] }) }), '已收录到 2027 年')).toBe('ok');
  });

  it('closed tasks do not count: only the open tasks doctor is given', () => {
    expect(verdictOf(withTasks([]), '已收录到')).toBe('ok');
  });
});
