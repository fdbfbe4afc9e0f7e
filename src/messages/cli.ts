/**
 * What `duban` prints for the admin at the terminal (zh-CN): each subcommand's usage beside what
 * it says, the terminal chat's heading and prompt, the demo's, and why the environment or Redis
 * stops it. Log lines are not here: they are English, for operators.
 */
import type { Ymd } from '../domain/model.js';
import { doctor } from './doctor.js';
import { day, PLATFORM_NAMES } from './vocabulary.js';

/** `书记（或 联络员、管理员）`: the first of the names and the others as alternatives; `what` with none. */
const oneOf = (names: readonly string[], what: string): string => {
  const [first, ...others] = names;
  if (first === undefined) return what;
  return others.length === 0 ? first : `${first}（或 ${others.join('、')}）`;
};

/** Problems one to a line, under the sentence that says what was refused. */
const listed = (problems: readonly string[]): string => problems.map((e) => `  - ${e}`).join('\n');

const LOAD_EXAMPLE = 'duban load examples/sample-county.yaml';
const EXPORT_EXAMPLE = '例如：duban export ledger --out 台账.xlsx --month 2026-11（ledger 工作台账、ranking 月度排名、tasks 任务推进表）';

const serve = {
  usage: `  serve [--demo [--fresh]]       启动服务（npm start）；--demo：按今天生成的示范县（单独存放，碰不到正式的县），
                                 并在终端里对话；--fresh：示范县重新生成
`,
  freshWithoutDemo: '--fresh 只用于示范县：duban serve --demo --fresh',
  started: (port: number, redis: string): string => `督办助手已启动：http://127.0.0.1:${String(port)}/healthz（Redis：${redis}）`,
  dashboard: (publicUrl: string): string => `挂图作战看板：${publicUrl}/dashboard（领导或管理员私聊督办助手发送「看板」获取登录链接）`,
  logFile: (file: string): string => `运行日志写在 ${file}`,
  portTaken: (port: number): string => `端口 ${String(port)} 已被占用（也许督办助手已经在运行）。请先停掉占用它的程序，或换一个端口，例如：PORT=${String(port + 1)} npm run demo`,
};

const load = {
  usage: `  load FILE                      载入或更新县的设置文件（YAML 或 JSON）
`,
  which: `请给出设置文件，例如：${LOAD_EXAMPLE}`,
  refused: (file: string, problems: readonly string[]): string => `设置文件 ${file} 有误，未做任何修改：\n${listed(problems)}`,
  loaded: (county: string, townships: number, groups: number, people: number, tasks: number): string =>
    `已载入「${county}」：${String(townships)} 个乡镇、${String(groups)} 个群、${String(people)} 人、${String(tasks)} 项任务。`,
  /** The chart's font is a subset: a rare character in a name would be drawn as a box. */
  missingGlyphs: (chars: readonly string[]): string =>
    `注意：排名图的字体里没有这些字，图上会显示成方框：${chars.join('、')}。请按 src/render/fonts/README.md 用这个设置文件重建字体。`,
};

const say = {
  usage: `  say --platform P --chat C --user U [--name N] [--id MSGID] [--demo] 文字…
                                 以某人身份在某群里说一句话，打印机器人的回复（不写 --chat 即私聊；--demo：对示范县说）
`,
  who: '请用 --user 说明是谁在说话，例如：--user 联络员',
  what: '请写出要说的话，例如：duban say --chat 城关镇工作群 --user 联络员 上报 T2 80%',
};

const chat = {
  usage: `  chat [--platform P] [--chat C] [--user U] [--demo]
                                 在终端里和机器人对话
`,
  /**
   * Heads `duban chat` and the demo's terminal. 帮助 is the one example that works for whoever
   * speaks wherever: its own examples are then made for them.
   */
  heading: (users: readonly string[], chats: readonly string[]): string[] => [
    '督办助手 终端对话。直接输入要对机器人说的话，先试试：帮助',
    `切换身份：:user ${oneOf(users, '用户ID')}  切换群：:chat ${oneOf(chats, '群ID')}  私聊：:direct  退出：:quit`,
  ],
  /** `chat`: the group spoken in; none is a direct chat. */
  prompt: (chat: string | undefined, name: string): string => `[${chat ?? '私聊'} · ${name}] > `,
  /** Heads a post printed in the terminal, for the group it is for. */
  postHeading: (group: string): string => `── 发往「${group}」 ──`,
  imageSaved: (file: string): string => `（图片已保存到 ${file}）`,
};

const job = {
  usage: `  job NAME|all [--at 时间] [--dry-run] [--demo]
                                 立即运行一个定时任务（all：全部，每个群合成一条），如同时钟指向 --at
                                 （如 2026-12-01T09:00+08:00，须在办公时间内）；等消息发完再退出；--dry-run 只打印要发的消息
`,
  /** `all`: the word for every job of the daily slot. */
  which: (name: string | undefined, names: readonly string[], all: string): string =>
    `${name === undefined ? '请给出任务名' : `没有定时任务「${name}」`}。可用的有：${[...names, all].join('、')}（${all}：全部，每个群合成一条，和每天定时发的一样）`,
  at: (value: string): string => `--at 应为日期时间，例如 2026-12-01T09:00（北京时间）或 2026-12-01T09:00+08:00，不能是「${value}」`,
  outsideOfficeHours: (day: Ymd, time: string, start: string, end: string): string =>
    `--at ${day} ${time} 不在办公时间（工作日 ${start}–${end}，北京时间）内：这时的定时消息要压到下一个办公时间才发，什么也没有发。请用办公时间内的时刻，例如 --at ${day}T${start}`,
  restDay: (day: Ymd, label: string): string => `${day} 不是工作日，${label} 不发消息。`,
  dryRun: (posts: number, already: number): string => `共 ${String(posts)} 条，未发送（--dry-run）${already > 0 ? `；另有 ${String(already)} 条之前已发` : ''}。`,
  /** A group's posts go out in turn at its robot's pace: said, or a long wait looks like a hang. */
  waiting: (posts: number, server: boolean, minutes: number): string =>
    `等待 ${String(posts)} 条${server ? '由正在运行的服务' : ''}送达（各群按顺序、按平台限速发送；排在前面、等工作时间的消息会让后面的一起等，最长 ${String(minutes)} 分钟；按 Ctrl-C 退出不影响已排队的消息）……`,
  outcome: (label: string, day: Ymd, o: { posts: number; added: number; already: number; sent: number; dead: number; pending: number }): string =>
    `${label}（${day}）：${String(o.posts)} 条，新发 ${String(o.added)}、之前已发 ${String(o.already)}；送达 ${String(o.sent)}，失败 ${String(o.dead)}，未完成 ${String(o.pending)}。`,
  platformOff: (posts: number): string =>
    `另有 ${String(posts)} 条发往未开启的平台（未设置${PLATFORM_NAMES.wecom}或${PLATFORM_NAMES.dingtalk}的凭据），没有发送。`,
  unsent: (dead: boolean, key: string): string => `  ${dead ? '失败' : '未完成'}：${key}`,
};

const importing = {
  usage: `  import FILE.xlsx [--demo]      导入任务分解表（Excel）：编号或任务名称相同的任务更新，其余新建
`,
  which: '请给出一个任务分解表（.xlsx），例如：duban import examples/任务分解表.xlsx',
  notXlsx: (file: string): string => `「${file}」不是 .xlsx 文件：请在 Excel 或 WPS 里另存为 .xlsx，例如：duban import 任务分解表.xlsx`,
  /** A workbook refused before it is read (its size, its format). */
  refused: (file: string, why: string): string => `${file} 没有导入：${why}`,
  failed: (file: string, problems: readonly string[]): string => `任务分解表 ${file} 有误，没有导入任何任务：\n${listed(problems)}`,
};

const exporting = {
  usage: `  export ledger|ranking|tasks --out FILE.xlsx [--month YYYY-MM] [--demo]
                                 导出到 Excel：ledger 工作台账、ranking 月度排名、tasks 任务推进表；
                                 --month 只导出该月的台账、该月的排名、该月底的任务进度
`,
  which: (kind: string | undefined, kinds: readonly string[]): string =>
    `${kind === undefined ? '请写明要导出什么' : `不能导出「${kind}」`}，可选 ${kinds.join('、')}。${EXPORT_EXAMPLE}`,
  extra: (extra: string): string => `多了「${extra}」。${EXPORT_EXAMPLE}`,
  out: `请用 --out 写明导出到哪个文件。${EXPORT_EXAMPLE}`,
  outXlsx: (out: string): string => `--out 的文件名应以 .xlsx 结尾，不能是「${out}」。${EXPORT_EXAMPLE}`,
  month: (month: string): string => `--month 应写成 YYYY-MM，例如 2026-11，不能是「${month}」`,
  /** A missing folder, or the file still open in Excel. */
  unwritable: (out: string, reason: string): string => `写不进文件 ${out}：${reason}`,
};

/** 12.3 MB: a file's size as people say it. */
const bytesText = (bytes: number): string =>
  bytes < 1024 ? `${String(bytes)} 字节` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const BACKUP_EXAMPLE = 'duban backup /var/backups/duban/$(date +%F).json.gz';

const backup = {
  usage: `  backup FILE                    把县的全部数据（设置、台账、进度、月度排名、延期申请等）备份到一个文件；
                                 文件名以 .gz 结尾则压缩。格式见 docs/backup.md
`,
  which: `请给出备份文件名，例如：${BACKUP_EXAMPLE}`,
  extra: (extra: string): string => `多了「${extra}」。${BACKUP_EXAMPLE}`,
  /** Nothing under the prefix: most often REDIS_URL points at another Redis. */
  empty: (prefix: string): string => `没有可备份的数据：这个 Redis 里没有督办助手的数据（键前缀 ${prefix}）。请确认 REDIS_URL 指向正在使用的 Redis。`,
  noCounty: '注意：这些数据里没有县的设置（还没有载入设置文件？），备份照常写出。',
  /** A missing folder, a full disk, no right to write there. */
  unwritable: (file: string, reason: string): string => `写不进备份文件 ${file}：${reason}`,
  done: (county: string | null, keys: number, file: string, bytes: number): string =>
    `已备份${county === null ? '' : `「${county}」`}：${String(keys)} 个键，写入 ${file}（${bytesText(bytes)}）。`,
  skipped: (keys: number): string => `另有 ${String(keys)} 个临时的键（回复缓存、发送队列、限速计数等）按设计不备份，见 docs/backup.md。`,
  unknown: (keys: number): string => `其中 ${String(keys)} 个键不是督办助手认识的种类，照原样备份。`,
  /** Said once: the file holds the groups' webhooks and the dashboard's signing key. */
  secret: '备份文件里有群机器人的 webhook 地址和看板的签名密钥，请像设置文件一样妥善保管（文件只有本用户可读）。',
};

const restore = {
  usage: `  restore FILE [--force]         从备份文件恢复县的全部数据；Redis 里已有数据时不恢复，除非加 --force
                                 （先删除已有的数据）。请先停掉正在运行的服务
`,
  which: '请给出备份文件，例如：duban restore /var/backups/duban/2026-12-01.json.gz',
  extra: (extra: string): string => `多了「${extra}」。例如：duban restore 备份.json.gz`,
  /** The file is not a backup this version can restore. */
  unreadable: (file: string, why: string): string => `${file} 不能用来恢复，没有做任何修改：${why}`,
  gzip: (detail: string): string => `文件像是 gzip 压缩的，但解压失败（${detail}）。文件可能不完整或已损坏`,
  json: (detail: string): string => `不是完整的 JSON（${detail}）。文件可能不完整或已损坏`,
  notBackup: '不是督办助手的备份文件（没有 "format": "duban-backup"）',
  newer: (version: number, supported: number): string =>
    `这是新版督办助手写的备份（格式第 ${String(version)} 版），这个版本只认第 ${String(supported)} 版及以前的。请先升级督办助手再恢复`,
  invalid: (issues: readonly string[]): string => `内容不符合备份格式：\n${listed(issues)}`,
  /** Something is there already: what, and how to replace it. */
  occupied: (file: string, prefix: string, county: string | undefined, keys: number, examples: readonly string[]): string =>
    [
      `没有恢复：这个 Redis 里已经有数据（键前缀 ${prefix}）${county === undefined ? '' : `，县「${county}」`}，共 ${String(keys)} 个键，例如：`,
      listed(examples),
      '恢复到有数据的库里会和已有的数据混在一起。确实要用备份替换它们，请先停掉正在运行的服务，再加 --force（先删除这些键）：',
      `  duban restore ${file} --force`,
    ].join('\n'),
  cleared: (keys: number): string => `已删除原有的 ${String(keys)} 个键（--force）。`,
  done: (county: string | null, keys: number, file: string, createdAt: string): string =>
    `已从 ${file} 恢复${county === null ? '' : `「${county}」`}：${String(keys)} 个键（备份于 ${createdAt}，北京时间）。`,
  expired: (keys: number): string => `另有 ${String(keys)} 个有期限的键（如撤回记录、定时任务标记）在备份之后已经到期，没有恢复。`,
  /** Cut off part-way: the county's own keys go last, so the bot sees no county until it is whole. */
  interrupted: (file: string, written: number, total: number, at: string, reason: string): string =>
    [
      `恢复中断：${String(total)} 个键只写入了 ${String(written)} 个，写 ${at} 等键时 Redis 报错：${reason}`,
      '县的设置最后写入，所以现在库里没有完整的县，机器人会当作还没有载入。排除问题后请重新恢复：',
      `  duban restore ${file} --force`,
    ].join('\n'),
};

export const cli = {
  usage: `用法：duban <命令> [选项]

${[serve, load, say, chat, job, importing, exporting, backup, restore, doctor].map((c) => c.usage).join('')}`,
  unknownCommand: (command: string): string => `不认识的命令「${command}」。`,
  platform: (platforms: readonly string[]): string => `--platform 应为 ${platforms.join('、')} 之一`,
  fileMissing: (file: string): string => `找不到文件：${file}`,
  /** Talking to a bot with no county loaded only gets "not bound" answers. */
  noCounty: `提示：还没有载入县的设置，机器人不认识任何群和人。先运行：npx ${LOAD_EXAMPLE}`,
  /** The Excel commands need the county's townships and tasks. */
  noCountyForExcel: `还没有载入县的设置：乡镇和任务都从设置文件来。先运行：npx ${LOAD_EXAMPLE}`,

  serve,
  load,
  say,
  chat,
  job,
  import: importing,
  export: exporting,
  backup,
  restore,

  /** The demo county (`npm run demo`). */
  demo: {
    built: (today: Ymd): string =>
      `示范县已按今天（${day(today)}）生成：任务、上报和上月排名都是编的，只存在演示用的数据里，碰不到正式的县。重新开始：npm run demo -- --fresh`,
    kept: '接着用今天生成的示范县（你刚才的上报都在）。重新开始：npm run demo -- --fresh',
  },

  /** The environment (.env), checked before anything starts. */
  env: {
    problems: (problems: readonly string[]): string => `环境变量有误：\n${listed(problems)}\n请对照 .env.example 修改。`,
    origin: (fallback: string): string => `应为 http:// 或 https:// 开头的地址，不设置就是 ${fallback}`,
    port: '应为 1–65535 之间的整数端口号，例如 3000',
    redisUrl: '应写成 redis://主机:端口（例如 redis://127.0.0.1:6379）、rediss://…、unix:///路径/redis.sock，或哨兵 redis+sentinel://主机:端口,主机:端口/主节点名；不设置则用本机 6379 端口',
    redisSentinels: '应写成逗号分隔的哨兵地址，例如 10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379（端口不写则为 26379）',
    redisMasterName: '应为哨兵监控的主节点名（sentinel.conf 里 sentinel monitor 后的名字，字母、数字、点、下划线或短横线），不设置就是 mymaster',
    /** Both ways of naming Redis are set. */
    redisTwice: 'REDIS_URL 和 REDIS_SENTINELS 只能设置一个：用哨兵时可以只设 REDIS_SENTINELS（和 REDIS_MASTER_NAME），也可以把它们写进 REDIS_URL=redis+sentinel://…',
    /** A Sentinel-only variable without REDIS_SENTINELS. */
    sentinelOnly: (name: string): string => `${name} 只在设置了 REDIS_SENTINELS 时使用；不用哨兵时，密码请写进 REDIS_URL（redis://:密码@主机:端口）`,
    wecomToken: `应为 3–32 个英文字母或数字（${PLATFORM_NAMES.wecom}后台“Token”）`,
    wecomAesKey: `应为 43 个字符（${PLATFORM_NAMES.wecom}后台“EncodingAESKey”）`,
    wecomCorpId: `应为${PLATFORM_NAMES.wecom}后台“我的企业”里的企业ID（如 ww 开头的 18 位）`,
    wecomAgentId: '应为自建应用的 AgentId（数字）',
    wecomAgentSecret: '应为自建应用的 Secret（约 43 个字符）',
    dingtalkMode: '应为 http（HTTP 回调）或 stream（Stream 模式）',
    socket: (fallback: string): string => `应为 wss:// 开头的长连接地址，不设置就是 ${fallback}`,
    wecomMode: `应为 callback（回调地址）或 websocket（长连接，不需要公网地址），与${PLATFORM_NAMES.wecom}机器人后台“API模式”里选的一致`,
    wecomBotId: `应为${PLATFORM_NAMES.wecom}机器人后台“长连接”里的 BotID（字母、数字、下划线或短横线）`,
    wecomBotSecret: `应为${PLATFORM_NAMES.wecom}机器人后台“长连接”里的 Secret`,
    /** Variables of the other mode are set: one bot has one mode at a time. */
    wecomOtherMode: (mode: 'callback' | 'websocket'): string =>
      mode === 'callback'
        ? `设置了 WECOM_BOT_ID 或 WECOM_BOT_SECRET（长连接用），但 WECOM_MODE 是 callback。用长连接请设 WECOM_MODE=websocket，并清空 WECOM_TOKEN 和 WECOM_ENCODING_AES_KEY；一个机器人同时只能用一种接收方式`
        : `WECOM_MODE=websocket 时不用 WECOM_TOKEN 和 WECOM_ENCODING_AES_KEY（那是回调地址用的），请清空它们；一个机器人同时只能用一种接收方式`,
    wecomSocketNeeds: `WECOM_MODE=websocket 需要 WECOM_BOT_ID 和 WECOM_BOT_SECRET（${PLATFORM_NAMES.wecom}机器人后台 → API模式 → 长连接）`,
    jssdkUrl: '应为 http:// 或 https:// 开头的脚本地址（私有化部署自己的 JS-SDK），不设置就用本服务器自带的',
    publicUrl: '应为 http:// 或 https:// 开头的地址，例如 https://duban.example.gov.cn',
    publicUrlPath: '只写协议、域名和端口，例如 https://duban.example.gov.cn（看板在 /dashboard）',
    /** Two variables that turn a platform on together. */
    pair: (a: string, b: string): string => `${a} 和 ${b} 要么都设置，要么都不设置（不设置则关闭该平台）`,
    appWithoutPublicUrl: `设置了 WECOM_CORP_ID 等${PLATFORM_NAMES.wecom}应用变量时，还要设置 PUBLIC_URL（看板的对外地址，须与应用的可信域名一致）`,
    appPartial: 'WECOM_CORP_ID、WECOM_AGENT_ID 和 WECOM_AGENT_SECRET 要么都设置，要么都不设置（不设置则看板只能用「看板」链接打开）',
    logLevel: '应为 debug、info、warn、error 或 silent（日志详细程度），不设置就是 info',
    metricsToken: '应为至少 16 个字符、不含空白的随机字符串（例如 openssl rand -hex 24 生成），不设置则不开放 /metrics',
  },

  /** No Redis to start or to answer. */
  redis: {
    unreachable: (address: string): string => `连不上 REDIS_URL 指定的 Redis（${address}）。请确认 Redis 已启动、地址正确。`,
    /** REDIS_SENTINELS, or a REDIS_URL naming Sentinels: the same advice as duban doctor's. */
    sentinelsUnreachable: (address: string): string => doctor.redis.sentinelsUnreachable(address),
    none: [
      '没有可用的 Redis：REDIS_URL 未设置，127.0.0.1:6379 没有 Redis，也无法启动 redis-server。',
      '请安装 Redis（Debian/Ubuntu：sudo apt-get install redis-server；macOS：brew install redis），',
      '或者把 REDIS_URL 设为一个可用的 Redis，例如 REDIS_URL=redis://127.0.0.1:6379',
    ].join('\n'),
    /** Redis stopped answering while a message was handled. */
    lost: 'Redis 不可用，这条消息没有处理。请确认 Redis 正在运行后重试。',
  },
} as const;
