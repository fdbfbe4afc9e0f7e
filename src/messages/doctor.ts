/**
 * What `duban doctor` prints (zh-CN), for a county's IT staff at a server's terminal: one line
 * per check, saying what works, or what to change and where (which variable, which console page).
 * Webhooks are credentials: only their origin and path are ever shown.
 */
import { PLATFORM_NAMES } from './vocabulary.js';

const WECOM = PLATFORM_NAMES.wecom;
const DINGTALK = PLATFORM_NAMES.dingtalk;
const LOAD = 'duban load 设置文件.yaml';
/** After a change to the setup file. */
const RELOAD = '改好设置文件后重新运行 duban load';

/** At most `max` names, then how many there are in all. */
const some = (names: readonly string[], max = 8): string =>
  names.length <= max ? names.join('、') : `${names.slice(0, max).join('、')} 等 ${String(names.length)} 个`;

export const doctor = {
  usage: `  doctor                         检查配置：环境变量、Redis、企业微信、钉钉、群、看板地址、节假日；
                                 只检查，不发任何消息；有问题时退出码为 1
`,
  title: '督办助手 体检（只检查配置，不发任何消息）',
  sections: { env: '环境', redis: 'Redis', wecom: WECOM, dingtalk: DINGTALK, groups: '群', publicUrl: '看板地址', calendar: '节假日' },
  icons: { ok: '✅', warn: '⚠️', bad: '❌' },
  /** `duban doctor` takes no argument. */
  extra: (arg: string): string => `duban doctor 不带参数，多了「${arg}」`,
  summary: (ok: number, warn: number, bad: number): string => `${String(ok)} 项正常，${String(warn)} 项提醒，${String(bad)} 项有问题。`,

  env: {
    ok: (on: readonly string[]): string => `环境变量无误（${on.length === 0 ? '还没有开启任何平台' : `已开启：${on.join('、')}`}）`,
    /** What is on, as `ok` lists it. */
    wecomCallback: `${WECOM}机器人（回调）`,
    wecomSocket: `${WECOM}机器人（长连接）`,
    wecomApp: `${WECOM}自建应用`,
    dingtalk: (mode: 'http' | 'stream'): string => `${DINGTALK}（${mode === 'stream' ? 'Stream 模式' : 'HTTP 回调'}）`,
    /** After the problems of a refused environment: nothing else could be checked. */
    fix: '请对照 .env.example 修改环境变量（或运行目录下的 .env）。其余检查要等环境变量改好后才能进行。',
  },

  redis: {
    up: (where: string): string => `Redis 连接正常：${where}`,
    unreachable: (where: string): string => `连不上 REDIS_URL 指定的 Redis（${where}）。请确认 Redis 已启动，地址、端口和密码正确，防火墙放行了这个端口`,
    sentinelsUnreachable: (where: string): string =>
      `连不上哨兵（${where}）或它们报告的 Redis 主节点。请确认哨兵和 Redis 都已启动，REDIS_MASTER_NAME 与哨兵配置里 sentinel monitor 的名字一致，地址、端口和密码（REDIS_PASSWORD、REDIS_SENTINEL_PASSWORD）正确，防火墙放行了这些端口`,
    none: [
      '没有找到正在运行的 Redis：REDIS_URL 没有设置，本机 127.0.0.1:6379 没有应答，./data 下也没有督办助手启动的 Redis。',
      '请启动 Redis（Debian/Ubuntu：sudo apt-get install redis-server，再 sudo systemctl enable --now redis-server），或把 REDIS_URL 设为一个可用的 Redis。',
      '（duban serve 找不到 Redis 时会在 ./data 自己启动一个；duban doctor 不会启动）',
    ].join(''),
    aof: 'Redis 持久化：已开启 AOF（appendonly yes），重启不丢已确认的上报',
    rdb: (save: string): string => `Redis 持久化：RDB 快照（save ${save}）。重启会丢掉最后一次快照之后的上报，建议再开 AOF（appendonly yes）`,
    noPersistence: 'Redis 没有开持久化（appendonly no，save 为空）：Redis 一重启，已确认的上报就没了。请在 redis.conf 里设 appendonly yes 后重启 Redis（或执行 CONFIG SET appendonly yes 再 CONFIG REWRITE）',
    persistenceUnknown: 'Redis 不允许 CONFIG 命令（托管的 Redis 常这样），没法检查持久化：请向提供 Redis 的部门确认已开启 AOF（appendonly yes）或 RDB 快照',
    noeviction: 'Redis 内存满时拒绝写入，不删数据（maxmemory-policy noeviction）',
    evicts: (policy: string): string => `Redis 的 maxmemory-policy 是 ${policy}：内存满时会删掉台账、去重标记等数据。请改为 noeviction（redis.conf 里 maxmemory-policy noeviction）`,
    policyUnknown: 'Redis 没有告诉 maxmemory-policy，没法检查：请向提供 Redis 的部门确认是 noeviction（内存满时拒绝写入，不删数据）',
  },

  /** A platform neither configured nor used by the county's groups. */
  unused: (platform: string): string => `没有使用${platform}（没有设置，县里也没有${platform}群）`,
  /** Neither platform is configured: the bot answers only in the terminal. */
  noPlatform: (platform: string, variables: string): string => `${platform}没有开启：要用请设置 ${variables}。两个平台都没开，机器人只能在终端里用`,
  /** Groups of a platform that is off: nothing reaches them and nothing from them is heard. */
  offWithGroups: (platform: string, groups: number, variables: string): string =>
    `${platform}没有开启，但县里有 ${String(groups)} 个${platform}群：这些群收不到提醒和通报，群里 @ 机器人也没有回应。请设置 ${variables}`,

  wecom: {
    variables: 'WECOM_TOKEN 和 WECOM_ENCODING_AES_KEY（回调），或 WECOM_MODE=websocket、WECOM_BOT_ID 和 WECOM_BOT_SECRET（长连接）',
    callback: (publicUrl: string): string => `回调模式：Token 和 EncodingAESKey 已设置；机器人后台「接收消息」的 URL 应填 ${publicUrl}/wecom/callback`,
    callbackWithoutPublicUrl: `回调模式：没有设置 PUBLIC_URL。${WECOM}要能从外网访问 https://本服务的域名/wecom/callback：请把 PUBLIC_URL 设为对外地址，并在机器人后台「接收消息」填同一个地址加 /wecom/callback`,
    socketHeld: '长连接：由正在运行的实例保持连接（为了不把它挤下线，没有另外测试订阅）',
    socketUnchecked: '长连接：没有测试。Redis 连不上，无法确认有没有正在运行的实例占着连接，测试订阅会把它挤下线',
    subscribed: (url: string): string => `长连接：${url} 订阅成功（BotID 和 Secret 正确），测试连接已断开`,
    refused: (errcode: number, errmsg: string): string =>
      `长连接：${WECOM}拒绝了订阅（errcode ${String(errcode)}${errmsg === '' ? '' : ` ${errmsg}`}）。请核对 WECOM_BOT_ID 和 WECOM_BOT_SECRET，并确认机器人后台「API模式」选的是「长连接」，不是「回调地址」`,
    unreachable: (url: string, reason: string): string => `长连接：连不上 ${url}（${reason}）。请检查 WECOM_WS_URL，以及防火墙是否放行出站 443 端口`,
    noAnswer: (url: string, seconds: number): string => `长连接：连上了 ${url}，但 ${String(seconds)} 秒内没有收到订阅的回应。请确认 WECOM_WS_URL 是${WECOM}的长连接地址（私有化部署以管理后台显示的为准）`,
    app: {
      ok: (corpId: string, agentId: string): string => `自建应用：取到了 access token（企业ID ${corpId}，AgentId ${agentId}）`,
      missing: `没有设置${WECOM}自建应用（WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_AGENT_SECRET）：看板只能用「看板」链接打开，不能从${WECOM}工作台打开`,
      corpId: (detail: string): string => `自建应用：企业ID 不对（${detail}）。请核对 WECOM_CORP_ID（管理后台 → 我的企业 → 企业信息 → 企业ID）`,
      secret: (detail: string): string => `自建应用：Secret 不对（${detail}）。请核对 WECOM_AGENT_SECRET（管理后台 → 应用管理 → 该应用 → Secret），改过 Secret 的要用新的`,
      ip: (detail: string): string => `自建应用：本服务器的出口 IP 不在应用的「企业可信IP」里（${detail}）。请在 管理后台 → 应用管理 → 该应用 → 企业可信IP 里加上本机的出口 IP`,
      refused: (detail: string): string => `自建应用：${WECOM}拒绝了取 access token（${detail}）。请核对 WECOM_CORP_ID、WECOM_AGENT_ID 和 WECOM_AGENT_SECRET`,
      unreachable: (base: string, detail: string): string => `自建应用：连不上 ${base}（${detail}）。请检查 WECOM_API_BASE，以及防火墙是否放行出站 443 端口`,
      failed: (base: string, detail: string): string => `自建应用：${base} 的回答不对（${detail}）。请确认 WECOM_API_BASE 是${WECOM}的接口地址，中间没有代理改写`,
    },
  },

  dingtalk: {
    variables: 'DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET',
    http: (publicUrl: string): string => `HTTP 回调：开发者后台机器人的「消息接收地址」应填 ${publicUrl}/dingtalk/callback`,
    httpWithoutPublicUrl: `HTTP 回调：没有设置 PUBLIC_URL。${DINGTALK}要能从外网访问 https://本服务的域名/dingtalk/callback：请设置 PUBLIC_URL；没有公网地址就用 DINGTALK_MODE=stream`,
    stream: (apiBase: string): string => `Stream 模式：不需要公网地址（本机要能出站访问 ${apiBase} 和 wss-open-connection.dingtalk.com 的 443 端口）`,
    ok: (clientId: string): string => `应用凭据有效：取到了 access token（Client ID ${clientId}）`,
    refused: (detail: string): string => `应用凭据不对：${DINGTALK}拒绝了取 access token（${detail}）。请核对 DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET（开发者后台 → 应用 → 凭证与基础信息）`,
    unreachable: (base: string, detail: string): string => `连不上 ${base}（${detail}）。请检查 DINGTALK_API_BASE，以及防火墙是否放行出站 443 端口`,
    failed: (base: string, detail: string): string => `${base} 的回答不对（${detail}）。请确认 DINGTALK_API_BASE 是${DINGTALK}的接口地址，中间没有代理改写`,
  },

  groups: {
    unchecked: '没有检查：Redis 连不上',
    noCounty: `还没有载入县的设置：先运行 ${LOAD}（可参照 examples/sample-county.yaml）`,
    none: (county: string): string => `「${county}」还没有群：在设置文件的 groups 里写上各乡镇的群和领导群，${RELOAD}；或让管理员在群里 @督办助手 发「绑定 乡镇名」`,
    /** A group as the setup file knows it: its name (or township) and chat id. */
    label: (name: string, chat: string): string => `「${name}」（${chat}）`,
    leaders: '领导群',
    fine: (platform: string, count: number): string => `${platform} ${String(count)} 个群能发消息`,
    wecomNoWebhook: (label: string): string =>
      `${label}没有 webhook：回调模式下机器人没法往这个群发提醒和通报。请在群里 群设置 → 消息推送 → 添加，把 webhook 地址写进设置文件这个群的 webhook，${RELOAD}`,
    notAUrl: (label: string): string => `${label}的 webhook 不是一个网址。${RELOAD}`,
    malformed: (label: string, shown: string, form: string): string => `${label}的 webhook 格式不对（${shown}）：应为 ${form}。${RELOAD}`,
    foreignOrigin: (label: string, shown: string, variable: string, origin: string): string =>
      `${label}的 webhook（${shown}）不在 ${variable}（${origin}）上，机器人不会往别的地址发。请改用 ${origin} 上的地址，或改 ${variable}`,
    wecomForm: (origin: string): string => `${origin}/cgi-bin/webhook/send?key=…（群设置 → 消息推送 → 复制 webhook 地址）`,
    dingtalkForm: (origin: string): string => `${origin}/robot/send?access_token=…（群设置 → 机器人 → 自定义机器人的 Webhook）`,
    /** Once, over every WeCom group without a webhook, in websocket mode. */
    wecomNoMentions: (labels: readonly string[]): string =>
      `${String(labels.length)} 个${WECOM}群没有 webhook：消息走长连接能发，但提醒里 @ 不到人。要 @ 人，请在这些群添加消息推送并把地址写进设置文件：${some(labels, 5)}`,
    /** Once, over every DingTalk group without a custom robot. */
    dingtalkNoMentions: (labels: readonly string[]): string =>
      `${String(labels.length)} 个${DINGTALK}群没有自定义机器人：消息由应用机器人发，但提醒里 @ 不到人。要 @ 人，请添加自定义机器人（安全设置选「加签」），把 webhook 和 secret 写进设置文件：${some(labels, 5)}`,
    townshipsWithout: (names: readonly string[]): string => `这些乡镇在已开启的平台上没有群，提醒和通报发不到：${some(names)}。在设置文件的 groups 里加上，${RELOAD}`,
    noLeaders: '没有领导群：每日预警和月度通报发不到领导。在设置文件里给领导群写 role: leaders，或让管理员在领导群里 @督办助手 发「绑定 领导群」',
  },

  publicUrl: {
    unset: (fallback: string): string => `没有设置 PUBLIC_URL：看板链接会是 ${fallback}/dashboard，别人的电脑和手机打不开。请设为对外地址，例如 PUBLIC_URL=https://duban.example.gov.cn`,
    https: (url: string): string => `PUBLIC_URL：${url}`,
    local: (url: string): string => `PUBLIC_URL：${url}（只有本机打得开）`,
    http: (url: string): string => `PUBLIC_URL 是 http 地址（${url}）：看板登录和链接不加密，${WECOM}自建应用也要 https。请在反向代理上配好证书后改为 https://…`,
    healthy: (url: string): string => `${url}/healthz 有应答：服务正在运行，Redis 正常`,
    redisDown: (url: string): string => `${url}/healthz 有应答，但服务说它连不上 Redis：请检查服务用的 REDIS_URL`,
    status: (url: string, status: number): string => `${url}/healthz 回答 HTTP ${String(status)}：这个地址上可能不是督办助手，或反向代理没有转发到它`,
    redirect: (url: string, status: string): string => `${url}/healthz 被重定向（${status}）：常见的是 http 跳到 https，请把 PUBLIC_URL 改为跳转后的地址`,
    notOurs: (url: string): string => `${url}/healthz 的回答不是督办助手的：请确认反向代理把这个地址转发到了 duban serve`,
    notRunning: (url: string, detail: string): string => `${url}/healthz 没有应答（${detail}）：本机上督办助手没有在运行。还没有启动服务（duban serve）时，这是正常的`,
    unreachable: (url: string, detail: string): string =>
      `从本机访问不到 ${url}/healthz（${detail}）。如果服务还没有启动（duban serve），这是正常的；政务云内外网隔离时本机访问不到也可能没问题，请用手机打开 ${url}/dashboard 试试`,
  },

  calendar: {
    covered: (last: number): string => `节假日安排已收录到 ${String(last)} 年：今年和所有进行中任务的截止日都在内`,
    /** Tasks (ids) whose deadlines fall in a year the calendar lacks; `thisYear` when it is today's year. */
    gap: (year: number, tasks: readonly string[], thisYear: boolean): string =>
      [
        `${String(year)} 年的节假日安排还没有收录：`,
        tasks.length > 0 ? `${some(tasks, 10)} 的工作日按周一到周五估算（回复里标「（估）」）` : '',
        tasks.length > 0 && thisYear ? '；' : '',
        thisYear ? '今年的定时提醒按周一到周五发（节假日照发，调休上班日不发）' : '',
        `。请升级 chinese-days（npm update chinese-days 后重启服务），或在设置文件的 calendar 下写上 ${String(year)} 年的 rest（休息日）和 work（调休上班日），把 ${String(year)} 加进 years，再运行 duban load 并重启服务`,
      ].join(''),
    unchecked: (last: number): string => `节假日安排收录到 ${String(last)} 年；任务的截止日没有检查：Redis 连不上`,
  },

  /** The last line, after the summary. */
  verdict: (bad: number, warn: number): string =>
    bad > 0 ? '请先改好标 ❌ 的项，改完再运行 duban doctor。' : warn > 0 ? '没有影响运行的问题；标 ⚠️ 的项建议改好。' : '一切正常。',
};

