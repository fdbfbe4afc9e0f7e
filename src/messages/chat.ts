/**
 * What the bot says in chat (zh-CN): replies, refusals and the posts the jobs send, composed from
 * the shared vocabulary (./vocabulary.ts). Each command's summary, usage and examples sit under
 * `commands.<name>` with the replies only it gives; words more than one command, job or the
 * dashboard say are above them.
 */
import type { OutgoingMessage, Line, Span } from '../core/types.js';
import type { CountUnit, Light, Target, Task, Township, Ymd } from '../domain/model.js';
import { TASK_DOMAINS } from '../domain/model.js';
import { addDays } from '../domain/dates.js';
import type { ExampleTask } from '../domain/examples.js';
import type { Problem } from '../domain/problems.js';
import { cycle, type CycleExamples } from './cycle.js';
import { dashboard } from './dashboard.js';
import { signOff, type SignOffExamples } from './sign-off.js';
import { day, deadlineDay, extendedNote, extensionValue, LIGHTS, monthName, NOT_DONE, NOT_REPORTED, percentOf, perMille, PLATFORM_NAMES, tasksTally, trimNumber, whenDay } from './vocabulary.js';

/** The last days before a deadline, said as a person would: today, tomorrow, or today is the last working day. */
function closeDue(deadline: Ymd, today: Ymd, workdaysAfter: number): string | undefined {
  if (deadline === today) return '今天截止';
  // The deadline falls on a rest day: today is the last working day before it.
  if (workdaysAfter === 0) return `${day(deadline, today)}截止，今天是最后一个工作日`;
  if (deadline === addDays(today, 1)) return '明天截止';
  return undefined;
}

/** Counted in 名, 人 or 位, a target counts people: 人数, not 个数. */
const countNoun = (unit: CountUnit = '个'): string => (unit === '名' || unit === '人' || unit === '位' ? '人数' : '个数');

/** `🔴逾期3项`, `🟡滞后2项`: a light's count, as the digest and the warning list head it. */
const lightCount = (light: Light, n: number): Span => ({ text: `${LIGHTS[light].icon}${LIGHTS[light].short}${String(n)}项`, tone: LIGHTS[light].tone });

export interface StandingView {
  light: Light;
  /** Working days after today up to the deadline, as the reminder ladder counts them. */
  workdaysAfter: number;
  overdueDays: number;
  deadline: Ymd;
  /** The task's own deadline, when a grant moved this one past it. */
  extendedFrom?: Ymd;
  estimated: boolean;
}

/**
 * What the examples a person is shown are made of, chosen for them (src/core/command.ts
 * `examplesHere`): tasks they can name and report on where they ask, so every example works as shown.
 */
export interface ExampleSource extends CycleExamples, SignOffExamples {
  /** A task this person can name here: their township's first under way, else the county's. */
  task?: Task;
  /** Tasks this person can report on here, one of each kind of target, with what their township owes and has reported. */
  reportable: readonly ExampleTask[];
  /** A township this group could be bound to: its own, else the county's first. */
  township?: string;
  /** The leaders' group, which 绑定 领导群 marks. */
  leadersGroup: boolean;
  /** The county's task closed last, which 恢复 could reopen. */
  closed?: Task;
}

/**
 * `上报 T2 80%`, `上报 T3 18名`, `上报 T6 完成`: a report in the task's own unit, above what the
 * township has reported (`current`), so that typing it records progress and never lowers it.
 */
function reportExample(task: Task, required: number, current = 0): string {
  switch (task.target.kind) {
    case 'percent':
      return `上报 ${task.id} ${current < 80 ? '80%' : '完成'}`;
    case 'count': {
      const half = Math.ceil(required / 2);
      return `上报 ${task.id} ${trimNumber(current < half ? half : required)}${task.target.unit ?? '个'}`;
    }
    case 'done':
      return `上报 ${task.id} 完成`;
  }
}

/** An amount after Chinese words: `进度 80%`, `进度已完成` — a space before digits only. */
const besideWords = (shown: string): string => (/^[0-9]/.test(shown) ? ` ${shown}` : shown);

/** The one example a short hint shows: a report where this person can report, else the ranking, which works everywhere. */
const everydayExample = (s: ExampleSource): string => {
  const first = s.reportable[0];
  return first === undefined ? '排名' : reportExample(first.task, first.required, first.current);
};

const quoted = (words: readonly string[]): string => words.map((w) => `「${w}」`).join('');

/** What is wrong with a number that is not read, said so a clerk sees what to retype. */
const VALUE_HINTS: Readonly<Record<NonNullable<Extract<Problem, { code: 'value-unknown' }>['hint']>, string>> = {
  letter: '数字里夹着字母，请只用数字（0 不要打成字母 O）',
  'per-mille': '进度用百分号 %，不用千分号 ‰',
  digits: '请用普通数字 0～9 或汉字数字',
  split: '一个数字请连着写，中间不要加空格或标点',
};

const VALUE_RANGE: Readonly<Record<Extract<Problem, { code: 'value-range' }>['why'], (text: string) => string>> = {
  negative: (t) => `进度「${t}」是负数，请写已完成的数，最少是 0`,
  'over-100': (t) => `进度「${t}」超出范围，百分比应在 0 到 100 之间`,
  'too-large': (t) => `进度「${t}」的数字太大了，请核对后再报`,
};

const deadlineBeforeStart = (start: Ymd, deadline: Ymd): string => `截止日期${deadline}早于开始日期${start}`;

export const text = {
  apology: '抱歉，我这边出了点问题，没能处理这条消息。请稍后再试；如果一直不行，请联系管理员。',

  /** A message over the router's cap: refused before it is read. */
  messageTooLong: (max: number, noteMax: number, s: ExampleSource): OutgoingMessage => ({
    lines: [
      [`这条消息太长了（超过${String(max)}个字），我没有处理。`],
      [`请一条消息只发一个命令，说明写短一些（上报的说明最多${String(noteMax)}个字），例如：${everydayExample(s)}`],
    ],
  }),

  unknown: (word: string, s: ExampleSource): OutgoingMessage => ({
    lines: [[`没看懂「${word}」。`], [`发送「帮助」查看我能做的事，例如：${everydayExample(s)}`]],
  }),

  usage: (usage: string, examples: readonly string[], problem: string): OutgoingMessage => ({
    lines: [[`${problem}。`], [`正确格式：${usage}`], ...(examples.length > 0 ? [[`例如：${examples.join('、')}`]] : [])],
  }),

  /** What an empty command lacks: `缺少任务编号和进度`. */
  missing: (needs: string): string => `缺少${needs}`,

  problem(p: Problem): string {
    switch (p.code) {
      case 'empty':
        return '缺少内容';
      case 'task-ref':
        return `看不懂任务「${p.text}」，请写任务编号`;
      case 'task-missing':
        return '缺少任务编号';
      case 'value-missing':
        return '缺少进度';
      case 'value-unknown':
        return `看不懂进度「${p.text}」${p.hint === undefined ? '' : `：${VALUE_HINTS[p.hint]}`}`;
      case 'value-range':
        return VALUE_RANGE[p.why](p.text);
      case 'fraction-invalid':
        return `「${p.text}」写法不对：完成数不能大于总数，总数不能为 0`;
      case 'date-unknown':
        return `看不懂日期「${p.text}」`;
      case 'date-invalid':
        return `日期「${p.text}」不存在`;
      case 'month-unknown':
        return `看不懂月份「${p.text}」`;
      case 'target-unknown':
        return `看不懂目标「${p.text}」`;
      case 'domain-unknown':
        return `没有「${p.text}」这个领域，可选：${TASK_DOMAINS.join('、')}`;
      case 'title-missing':
        return '缺少任务名称';
      case 'deadline-missing':
        return '缺少截止日期';
      case 'date-missing':
        return '缺少延期到的日期';
      case 'reason-missing':
        return '缺少理由';
      case 'township-missing':
        return '缺少乡镇名称';
      case 'request-number':
        return `「${p.text}」不是申请编号，编号是一个数字`;
      case 'too-long':
        return `说明太长了，最多${String(p.max)}个字`;
      case 'value-kind':
        return p.expected === 'percent'
          ? `这项任务按百分比上报，「${p.text}」不是百分比`
          : p.expected === 'count'
            ? `这项任务按${countNoun(p.unit)}上报${p.required === undefined ? '' : `（目标${trimNumber(p.required)}${p.unit ?? '个'}）`}，「${p.text}」不是${countNoun(p.unit)}，请写已完成的${countNoun(p.unit)}`
            : `这项任务只需上报「完成」或完成的百分比，「${p.text}」不合适`;
      case 'count-too-high':
        return `「${p.text}」比目标${trimNumber(p.required)}${p.unit ?? '个'}多出太多，请核对后再报`;
      case 'fraction-of':
        return `这项任务的目标是${trimNumber(p.required)}${p.unit ?? '个'}，「${p.text}」的总数对不上，请写已完成的${countNoun(p.unit)}，如 ${trimNumber(Math.ceil(p.required / 2))}${p.unit ?? '个'}`;
      case 'start-after-deadline':
        return deadlineBeforeStart(p.start, p.deadline);
      case 'deadline-past':
        return `截止日期${day(p.deadline)}已经过去了，新建的任务要在今天或以后截止`;
      case 'townships-missing':
        return '「乡镇：」后面缺少乡镇名称';
      case 'townships-twice':
        return '乡镇名单和「除…以外」只能写一种';
      case 'townships-unknown':
        return `没有找到乡镇${p.names.map((n) => `「${n}」`).join('')}，现有乡镇：${p.known.join('、')}`;
      case 'townships-none':
        return '除去这些乡镇以后就没有乡镇了';
    }
  },

  day,
  extensionValue,
  monthName,
  percentOf,
  perMille,

  light: (light: Light): Span => ({ text: LIGHTS[light].icon, tone: LIGHTS[light].tone }),
  lightLabel: (light: Light): Span => ({ text: `${LIGHTS[light].icon}${LIGHTS[light].label}`, tone: LIGHTS[light].tone }),

  /** `截止12月9日，剩5个工作日` / `明天截止` / `今天截止` / `截止11月30日，已逾期3天`. */
  timeLeft(s: StandingView, today: Ymd): string {
    const due = deadlineDay(s.deadline, today, s.extendedFrom);
    if (s.light === 'done') return `截止${due}`;
    if (s.light === 'done-late') return `${LIGHTS['done-late'].label}，截止${due}`;
    if (s.overdueDays > 0) return `截止${due}，已逾期${String(s.overdueDays)}天`;
    const close = closeDue(s.deadline, today, s.workdaysAfter);
    if (close !== undefined) return s.extendedFrom === undefined ? close : `${close}（${extendedNote(s.extendedFrom, today)}）`;
    return `截止${due}，剩${String(s.workdaysAfter)}个工作日${text.showsEstimate(s, today) ? '（估）' : ''}`;
  },

  /** Whether `timeLeft` shows `（估）`: only a count of working days still to come is estimated. */
  showsEstimate: (s: StandingView, today: Ymd): boolean =>
    s.estimated && s.light !== 'done' && s.light !== 'done-late' && s.overdueDays <= 0 && closeDue(s.deadline, today, s.workdaysAfter) === undefined,

  /**
   * A light's label and the time left, to stand side by side saying 已逾期 once:
   * `🔴已逾期2天` + `截止11月30日`, `🟢正常推进` + `截止12月31日，剩20个工作日`.
   */
  standing(s: StandingView, today: Ymd): { label: Span; time: string } {
    if (s.light === 'overdue' && s.overdueDays > 0) {
      return { label: { text: `${LIGHTS.overdue.icon}${LIGHTS.overdue.label}${String(s.overdueDays)}天`, tone: LIGHTS.overdue.tone }, time: `截止${deadlineDay(s.deadline, today, s.extendedFrom)}` };
    }
    // The label says 逾期完成 already; the time says only when it was due.
    if (s.light === 'done-late') return { label: text.lightLabel(s.light), time: `截止${deadlineDay(s.deadline, today, s.extendedFrom)}` };
    return { label: text.lightLabel(s.light), time: text.timeLeft(s, today) };
  },

  /** How far a township is, in the target's own terms. */
  amount(target: Target, amount: number | undefined, required: number): string {
    if (amount === undefined) return NOT_REPORTED.label;
    switch (target.kind) {
      case 'percent':
        return `${trimNumber(amount)}%`;
      case 'count':
        // The unit only where it is not 个: `35/36名` says people, `8/12` needs no word.
        return `${trimNumber(amount)}/${trimNumber(required)}${target.unit === undefined || target.unit === '个' ? '' : target.unit}`;
      case 'done':
        return amount >= 1 ? LIGHTS.done.label : amount > 0 ? percentOf(amount) : NOT_DONE;
    }
  },

  target(target: Target, township?: Township): string {
    switch (target.kind) {
      case 'percent':
        return target.percent === 100 ? '全部完成' : `完成${trimNumber(target.percent)}%`;
      case 'count': {
        const unit = target.unit ?? '个';
        return target.per === 'village'
          ? `每村${trimNumber(target.count)}${unit}${township ? `（共${trimNumber(target.count * township.villages)}${unit}）` : ''}`
          : `${trimNumber(target.count)}${unit}`;
      }
      case 'done':
        return '按期完成';
    }
  },

  estimatedNote: (year: number): string =>
    `注：${String(year)}年起的法定节假日安排还没有收录，“（估）”处按周一至周五估算工作日。`,

  taskTitle: (task: Task): Span[] => [{ text: task.id, tone: 'strong' }, ` ${task.title}`],

  // —— permissions and places ——
  /** `action` is a verb phrase: 只有管理员可以给任务销号。 */
  adminOnly: (action: string): string => `只有管理员可以${action}。如需办理，请联系县委组织部管理员。`,
  leaderOnly: (action: string): string => `只有领导和管理员可以${action}。`,
  groupOnly: (word: string): string => `「${word}」要在群里 @我 使用。`,
  directOnly: (word: string): string => `「${word}」请私聊我发送：回复只给你本人看。`,
  leadersPlaceOnly: (word: string): string => `「${word}」请在领导群里 @我，或私聊我发送。`,
  townshipGroupOnly: (word: string): string =>
    `「${word}」要在乡镇工作群里 @我 使用，我会记到这个群所属的乡镇名下。`,
  askInTownshipGroup: (word: string): string => `「${word}」请在乡镇工作群里 @我，我会按这个群所属的乡镇回答。`,
  /** `township`: one of the county's, for the example. */
  groupNotBound: (township: string | undefined): string =>
    `这个群还没有绑定乡镇。请管理员在群里 @我 发送：绑定 乡镇名称${township === undefined ? '' : `（例如：绑定 ${township}）`}。`,

  // —— tasks, as several commands, jobs and the dashboard name them ——
  taskNotFound: (ref: string): string => `没有找到任务「${ref}」。发送「任务」查看任务清单和编号。`,
  taskAmbiguous: (ref: string, candidates: readonly Task[]): OutgoingMessage => ({
    lines: [
      [`「${ref}」对应多项任务，请写任务编号：`],
      ...candidates.map((t): Line => [`${t.id} ${t.title}`]),
    ],
  }),
  noOpenTasks: (whose: string): string => `${whose}目前没有进行中的任务。`,

  /** `城关镇的任务（11项：进行中8项，已完成3项）`: under way is open and not yet done. */
  tasksTitle: (whose: string, underWay: number, done: number): string => `${whose}的任务（${tasksTally(underWay, done)}）`,
  county: '全县',
  countyTaskLine: (deadline: Ymd, today: Ymd, done: number, all: number): string =>
    `：截止${day(deadline, today)}，${String(done)}/${String(all)}个乡镇完成`,
  countySummary: (done: number, all: number, reported: number): string =>
    `全县：${String(done)}/${String(all)}个乡镇已完成，${String(reported)}个已上报`,
  reportExample,

  // —— the ranking, as 排名, the monthly post and the dashboard show it ——
  rankingTitle: (month: string, asOf: Ymd, final: boolean): string =>
    `${monthName(month)}完成情况排名${final ? '' : `（截至${day(asOf)}）`}`,
  rankingEmpty: (month: string): string => `${monthName(month)}没有需要排名的任务。`,
  rankingRule: '得分 = 各项任务完成率按权重平均（满分100）；同分看逾期任务少者、先完成者。',
  bottomMark: '⚠️后三位',
  bottomNote: '“⚠️后三位”仅在领导群和领导私聊中显示。',
  /** The ranking chart's legend, bar labels and average line. */
  chart: {
    legend: { overdue: '有逾期', behind: LIGHTS.behind.label, onPace: LIGHTS['on-pace'].label, done: '全部完成' },
    overdue: (n: number): string => `${LIGHTS.overdue.short}${String(n)}项`,
    behind: (n: number): string => `${LIGHTS.behind.short}${String(n)}项`,
    average: '全县平均',
  },

  // —— long messages and the platforms ——
  /** Marks the second and later parts of a message split to fit a platform's size limit. */
  continued: '（续）',
  /** Ends a reply cut to fit a platform's size limit. */
  truncated: (lines: number): string => `……还有${String(lines)}行，消息太长没有显示。`,
  /** Sent after the platform was already answered, when the message then could not be handled. */
  notHandled: '抱歉，刚才这条消息没能处理完，请稍后重新发送（同一条上报重发不会重复记入台账）。',
  /** Sent when more messages came at once than the bot takes in: this one was neither handled nor recorded. */
  busy: '抱歉，刚才同时收到的消息太多，这条没有处理，也没有记录。请过一分钟后把这条消息重新发一次。',
  /** A picture, voice or file sent to the bot. */
  textOnly: '我只看得懂文字消息。发送「帮助」查看我能做的事。',
  outbox: {
    /** To the leaders' groups, once a day, when a group's robot refuses posts for good. */
    deadLetter: (group: string, code: string): OutgoingMessage => ({
      title: '群机器人失效提醒',
      lines: [
        [`「${group}」的机器人已无法发消息（错误码 ${code}），提醒和排名发不进这个群。`],
        [{ text: '请管理员在该群重新添加机器人，并更新设置文件中的 webhook 后重新载入。', tone: 'muted' }],
      ],
    }),
  },
  wecom: {
    /** The passive reply when the answer is not ready within WeCom's window; the answer follows via response_url. */
    working: '收到，正在处理，稍后回复你。',
  },

  /** What the scheduled jobs post unprompted (issue 5), and the warning list 预警 shows on demand. */
  jobs: {
    /** What a township still lacks on a task: `已报 8/12，还差4个`, `已报 60%`, `未上报`. */
    missing(target: Target, amount: number | undefined, required: number): string {
      if (amount === undefined) return NOT_REPORTED.label;
      switch (target.kind) {
        case 'count': {
          const short = Math.max(0, required - amount);
          return `已报 ${trimNumber(amount)}/${trimNumber(required)}，还差${trimNumber(short)}${target.unit ?? '个'}`;
        }
        case 'percent':
          return `已报 ${trimNumber(amount)}%`;
        case 'done':
          return amount > 0 ? `已报 ${percentOf(amount)}` : NOT_DONE;
      }
    },
    /**
     * When a reminded task is due, counted as the ladder counts (working days after today) and as
     * the 任务 and 截止 replies say it: `今天截止`, `明天截止`, `还剩3个工作日，11月30日截止`.
     */
    due(deadline: Ymd, today: Ymd, workdaysAfter: number, estimated: boolean, extendedFrom?: Ymd): string {
      const close = closeDue(deadline, today, workdaysAfter);
      if (close !== undefined) return extendedFrom === undefined ? close : `${close}（${extendedNote(extendedFrom, today)}）`;
      return `还剩${String(workdaysAfter)}个工作日${estimated ? '（估）' : ''}，${deadlineDay(deadline, today, extendedFrom)}截止`;
    },
    /** Whether `due` shows `（估）`: an estimated count of working days, not 今天/明天截止. */
    dueShowsEstimate: (deadline: Ymd, today: Ymd, workdaysAfter: number, estimated: boolean): boolean =>
      estimated && closeDue(deadline, today, workdaysAfter) === undefined,
    overdue: (deadline: Ymd, today: Ymd, days: number, extendedFrom?: Ymd): string =>
      `${LIGHTS.overdue.label}${String(days)}天（${day(deadline, today)}截止${extendedFrom === undefined ? '' : `，${extendedNote(extendedFrom, today)}`}）`,
    /** One task in a reminder or a warning: light, id and title, when, what is missing. */
    item: (light: Light, task: Task, when: string, missing: string): Line => [
      text.light(light),
      ' ',
      ...text.taskTitle(task),
      `：${when}；${missing}`,
    ],

    /** A township group's one message of the day: what is due soon and what is overdue. */
    reminderTitle: (township: string, today: Ymd): string => `${township}督办提醒（${day(today)}）`,
    dueSoon: (count: number): string => `即将截止（${String(count)}项）`,
    overdueNow: (count: number): string => `已过截止日期、尚未完成（${String(count)}项）`,
    reportHint: (example: string, overdue: boolean): Line => [
      { text: `有新进展请在群里 @我 上报，例如：${example}${overdue ? '；逾期如有特殊情况，请与县委组织部沟通' : ''}`, tone: 'muted' },
    ],

    /** The leaders' daily digest: one phone screen. */
    digestTitle: (today: Ymd): string => `预警摘要（${day(today)}）`,
    digestCounts: (overdue: number, overdueTownships: number, behind: number, behindTownships: number): Line => [
      lightCount('overdue', overdue),
      overdue > 0 ? `（${String(overdueTownships)}个乡镇）` : '',
      '，',
      lightCount('behind', behind),
      behind > 0 ? `（${String(behindTownships)}个乡镇）` : '',
    ],
    digestChanges: (newlyOverdue: number, newlyDone: number): string =>
      `较上个工作日：${newlyOverdue > 0 ? `新逾期${String(newlyOverdue)}项` : '没有新逾期'}，${newlyDone > 0 ? `新完成${String(newlyDone)}项` : '没有新完成'}`,
    digestWorst: '问题较多的乡镇：',
    digestLongest: '逾期最久：',
    longOverdue: (township: string, task: Task, days: number): Line => [`${township} `, ...text.taskTitle(task), `：${LIGHTS.overdue.label}${String(days)}天`],
    digestFull: '完整清单：在领导群发「预警 全部」，或私聊我发「看板」。',

    /** Every township's 🔴 and 🟡 items (`预警 全部`). */
    warningListTitle: (today: Ymd): string => `预警清单（${day(today)}）`,
    warningHeader: (townships: number, overdue: number, behind: number): Line => [
      `${String(townships)}个乡镇有预警：`,
      lightCount('overdue', overdue),
      '，',
      lightCount('behind', behind),
    ],
    warningTownship: (name: string, overdue: number, behind: number): Line => [
      { text: name, tone: 'strong' },
      `：${[overdue > 0 ? `${LIGHTS.overdue.icon}${String(overdue)}` : '', behind > 0 ? `${LIGHTS.behind.icon}${String(behind)}` : ''].filter((s) => s !== '').join(' ')}`,
    ],
    /** Indents an item under its township in the leaders' summary. */
    indent: '　',
    warningLegend: [{ text: `${LIGHTS.overdue.icon} 已过截止日期未完成；${LIGHTS.behind.icon} 进度落后于时间进度，或离截止不足3个工作日未完成。`, tone: 'muted' }] as Line,

    monthlyTitle: (month: string): string => `${monthName(month)}任务完成情况通报`,
    /** Points out a township group's own line in the monthly ranking. */
    ownMarker: '👉 ',

    calendarGuard: (year: number): OutgoingMessage => ({
      title: `请补充${String(year)}年节假日安排`,
      lines: [
        [`督办助手还没有收录${String(year)}年的法定节假日和调休安排。`],
        [`在补上之前，${String(year)}年的工作日只能按周一至周五估算，剩余工作日等处会标“（估）”，遇到节假日和调休上班日会算错。`],
        [{ text: '补充办法（任选其一）：', tone: 'strong' }],
        ['1. 把督办助手更新到新版本（新版本带有新一年的安排）；'],
        [`2. 在设置文件的 calendar 下填写${String(year)}年的休息日（rest）和调休上班日（work），在 years 中加上 ${String(year)}，然后重新载入设置文件。`],
        [{ text: '补上之前，每周提醒一次。', tone: 'muted' }],
      ],
    }),
  },

  dashboard,

  /**
   * Each command's words to people, together: what it is for (`summary`), what a refusal says it
   * does (`action`, a verb phrase: 只有管理员可以给任务销号), what it cannot do without (`needs`:
   * 缺少任务编号和进度), its right form, examples made for the person who reads them (shown by 帮助
   * and with a wrong input), then the replies it gives. A command spreads its entry into its spec.
   */
  commands: {
    /** 申请延期, 同意, 不同意, 待办: ./cycle.ts. */
    ...cycle,
    /** 签收 and what it shows elsewhere: ./sign-off.ts. */
    ...signOff,
    help: {
      summary: '查看我能做的事',
      action: '查看帮助',
      usage: '帮助',
      example: '帮助',
      title: (direct: boolean): string => (direct ? '督办助手能做这些（直接发给我）' : '督办助手能做这些（在群里 @我 发送）'),
      line: (word: string, summary: string, examples: readonly string[]): Line => [
        { text: word, tone: 'strong' },
        ` ${summary}${examples.length > 0 ? `，例如：${examples.join('、')}` : ''}`,
      ],
      /** The commands this person may use, but elsewhere. */
      elsewhere: {
        group: (words: readonly string[]): string => `另有${quoted(words)}，要在群里 @我 使用。`,
        'township-group': (words: readonly string[]): string => `另有${quoted(words)}，要在乡镇工作群里 @我 使用。`,
        direct: (words: readonly string[]): string => `另有${quoted(words)}，要私聊我使用。`,
        leaders: (words: readonly string[]): string => `另有${quoted(words)}，要在领导群里 @我 或私聊我使用。`,
      },
      footer: (s: ExampleSource): string | undefined => {
        const id = s.task?.id;
        if (id === undefined) return undefined;
        const n = id.replace(/^T/, '');
        const values = s.reportable.length > 0 ? '；进度照「上报」的例子写，百分比也可以写 八成、百分之八十' : '';
        return `任务可以写 ${id}、${n}、${n}号，或任务名称的一部分${values}。`;
      },
    },
    tasks: { summary: '查看任务清单、进度和截止时间', action: '查看任务', usage: '任务', example: '任务' },
    report: {
      summary: '上报一项任务的进度',
      action: '上报进度',
      needs: '任务编号和进度',
      usage: '上报 任务编号 进度 [说明]',
      example: (s: ExampleSource): string[] => s.reportable.map((r) => reportExample(r.task, r.required, r.current)),
      /** `T2 80%` sent without the word, when it would be recorded as a report. */
      suggestion: (said: string): string => `要上报吗？发送「上报 ${said}」`,
      notAssigned: (task: Task, township: Township): string => `${task.id}「${task.title}」不是${township.name}的任务。发送「任务」可以查看${township.name}的任务。`,
      closed: (task: Task): string => `${task.id}「${task.title}」已销号，不用再上报了。`,
      reported: (township: Township, task: Task, shown: string, correction: boolean): Line => [
        { text: correction ? '已更正' : '已记录', tone: 'strong' },
        `：${township.name} ${task.id} ${task.title}，进度${besideWords(shown)}`,
      ],
      previousWas: (shown: string): string => `（原为 ${shown}）`,
      /** The same report sent again (a resend after a failure, or a phone that sent it twice): kept once. */
      alreadyRecorded: (time: string): string => `这条上报${time}已记录，这次没有重复记录。`,
      rankLine: (rank: number, of: number, month: string): string =>
        `${monthName(month)}排名：第${String(rank)}名（共${String(of)}个乡镇）`,
    },
    progress: {
      summary: '查看一项任务在各乡镇的进度',
      action: '查看进度',
      usage: '进度 任务编号',
      example: (s: ExampleSource): string[] => [s.task ? `进度 ${s.task.id}` : '进度'],
      /** A task id sent alone: `T2`. */
      suggestion: (taskId: string): string => `要查看进度吗？发送「进度 ${taskId}」`,
      title: (task: Task): string => `${task.id} ${task.title}`,
      header: (task: Task, today: Ymd): string =>
        `目标：${text.target(task.target)}；截止${day(task.deadline, today)}`,
    },
    deadlines: {
      summary: '查看最近的截止时间',
      action: '查看截止时间',
      usage: '截止 或 截止 任务编号',
      example: (s: ExampleSource): string[] => ['截止', ...(s.task ? [`截止 ${s.task.id}`] : [])],
      title: (whose: string): string => `${whose}的截止时间`,
      overdue: (count: number): string => `已逾期（${String(count)}项）：`,
      upcoming: (count: number): string => `即将截止（${String(count)}项，近的在前）：`,
      done: (ids: readonly string[]): string => `已完成：${ids.join('、')}`,
      /** After a county task past its deadline: how many townships have not done it. */
      townshipsNotDone: (count: number): string => `，${String(count)}个乡镇未完成`,
    },
    ranking: {
      summary: '查看本月完成情况排名',
      action: '查看排名',
      usage: '排名，或 排名 上月、排名 月份、排名 任务编号',
      example: (s: ExampleSource): string[] => ['排名', '排名 上月', ...(s.task ? [`排名 ${s.task.id}`] : [])],
      taskTitle: (task: Task): string => `${task.id} ${task.title}：各乡镇完成情况`,
      noRecords: (month: string): string => `${monthName(month)}及以前没有任何上报记录，排不出名次。`,
      future: (month: string): string => `${monthName(month)}还没到，没有排名。发送「排名」查看本月排名。`,
    },
    undo: {
      summary: '撤回你30分钟内的上一次上报',
      action: '撤回上报',
      usage: '撤回',
      // Only where this person reports (a township's group): elsewhere there is nothing of theirs to take back.
      example: (s: ExampleSource): string[] => (s.reportable.length > 0 ? ['撤回'] : []),
      nothing: '没有找到你最近的上报，无需撤回。',
      /** `example`: a report of that task in its own unit; absent when the task is gone from the county. */
      tooLate: (minutes: number, example: string | undefined): string =>
        `你最近的上报已超过${String(minutes)}分钟，不能撤回了。如需更正，请直接重新上报正确的进度${example === undefined ? '。' : `，例如：${example}`}`,
      /** `what`: `T2 80%`, or the task alone when the amount is not known. */
      already: (what: string, example: string | undefined): string =>
        `你最近的上报（${what}）已经撤回了。撤回只能撤回最近一次上报；如需更正，请直接重新上报${example === undefined ? '。' : `，例如：${example}`}`,
      elsewhere: (township: string, what: string): string =>
        `你最近的上报（${what}）记在${township}名下。撤回要在${township}的工作群里 @我 发送「撤回」。`,
      notLast: (asked: string, last: string): string =>
        `你最近一次上报的是 ${last}，不是 ${asked}。撤回只能撤回最近的一次；${asked} 如需更正，请直接重新上报正确的进度。`,
      /** 通过 closed the township's part of the task: the report stands. */
      approved: (taskId: string): string => `${taskId}这次上报已审核通过（办结），不能撤回。`,
      superseded: (taskId: string): string =>
        `${taskId} 在你之后已有新的上报，不能撤回。如需更正，请直接重新上报正确的进度。`,
      undone: (taskId: string, township: string, restored: string | undefined): string =>
        restored === undefined
          ? `已撤回你的上一次上报（${taskId}）。${township} ${taskId} 恢复为${NOT_REPORTED.label}。`
          : `已撤回你的上一次上报（${taskId}）。${township} ${taskId} 的进度恢复为${besideWords(restored)}。`,
    },
    bind: {
      summary: '把本群绑定到乡镇，或设为领导群',
      action: '绑定工作群',
      needs: '乡镇名称',
      usage: '绑定 乡镇名称，或 绑定 领导群',
      example: (s: ExampleSource): string[] => (s.leadersGroup ? ['绑定 领导群'] : s.township === undefined ? [] : [`绑定 ${s.township}`]),
      boundTownship: (name: string): string => `已将本群绑定为「${name}」工作群。群里的上报都会记在${name}名下。`,
      alreadyBound: (name: string): string => `本群已经是「${name}」工作群，不用再绑定。`,
      alreadyLeaders: '本群已经是领导群，不用再绑定。',
      boundLeaders: '已将本群设为领导群：这里可以看到全县排名和后三位提示。',
      townshipUnknown: (name: string, known: readonly string[]): string =>
        `没有找到乡镇「${name}」。现有乡镇：${known.join('、')}`,
    },
    newTask: {
      summary: '新建一项任务',
      action: '新建任务',
      needs: '任务名称和截止日期',
      usage: '新建任务 任务名称 截止日期 [目标] [领域] [乡镇：乡镇名、乡镇名 或 除乡镇名以外]',
      example: '新建任务 阵地建设 截止12月31日 目标每村1个 领域农村',
      /** An example of 新建任务 for some townships, with names the county has. */
      scopeExample: (names: readonly string[]): string => `新建任务 阵地建设 截止12月31日 乡镇：${names.join('、')}`,
      /** Which townships a new task is for: all, the ones named, or all but the ones named. */
      scope: {
        all: '全部乡镇',
        only: (names: readonly string[]): string => names.join('、'),
        except: (names: readonly string[], left: number): string => `除${names.join('、')}以外的${String(left)}个乡镇`,
      },
      /** `scope`: what `scope` says; `uncoveredYear`: the deadline's year when the holiday calendar lacks it. */
      created: (task: Task, today: Ymd, scope: string, uncoveredYear?: number): OutgoingMessage => ({
        lines: [
          [{ text: '已新建任务', tone: 'strong' }, ` ${task.id} ${task.title}`],
          [`领域：${task.domain}；目标：${text.target(task.target)}；${day(task.start, today)}至${day(task.deadline, today)}；适用：${scope}`],
          ...(uncoveredYear === undefined
            ? []
            : [[{ text: `注意：${String(uncoveredYear)}年的法定节假日安排还没有收录，工作日先按周一至周五估算。`, tone: 'warn' as const }]]),
        ],
      }),
      titleTaken: (task: Task): string =>
        `已经有同名的任务：${task.id}「${task.title}」。如果是同一项任务，不用再建；如果是另一项，请换个名称再建。`,
    },
    close: {
      summary: '给任务销号',
      action: '给任务销号',
      needs: '任务编号',
      usage: '销号 任务编号',
      example: (s: ExampleSource): string[] => (s.task ? [`销号 ${s.task.id}`] : []),
      closed: (task: Task): string =>
        `已销号：${task.id} ${task.title}。它不再提醒，也不再计入以后的排名。如果销错了，发送「恢复 ${task.id}」可以恢复。`,
      alreadyClosed: (task: Task): string => `${task.id}「${task.title}」早已销号。`,
    },
    reopen: {
      summary: '恢复一项已销号的任务',
      action: '恢复已销号的任务',
      needs: '任务编号',
      usage: '恢复 任务编号',
      example: (s: ExampleSource): string[] => (s.closed ? [`恢复 ${s.closed.id}`] : []),
      reopened: (task: Task, today: Ymd): string =>
        `已恢复：${task.id} ${task.title}（截止${day(task.deadline, today)}）。乡镇可以继续上报，它重新计入提醒和排名。`,
      notClosed: (task: Task): string => `${task.id}「${task.title}」没有销号，不用恢复。`,
    },
    /** 催办: the replies to the leader who asks, and the post the township groups receive. */
    nudge: {
      summary: '向进度落后的乡镇群发督办提醒',
      action: '催办',
      needs: '任务编号或乡镇名称',
      usage: '催办 任务编号，或 催办 乡镇名称',
      example: (s: ExampleSource): string[] => (s.task ? [`催办 ${s.task.id}`] : []),
      /** `task` and `township`: ones of this county, so the example works as shown. */
      unknown: (input: string, task: string | undefined, township: string | undefined): string =>
        `看不懂「${input}」：请写任务编号${task === undefined ? '' : `（如 ${task}）`}或乡镇名称${township === undefined ? '' : `（如 ${township}）`}。`,
      title: (township: string): string => `督办提醒：${township}`,
      intro: (by: string): Line => [`${by}提醒：以下任务请抓紧推进，完成后 @我 上报。`],
      nothingLagging: (whose: string): string => `${whose}目前没有落后的任务，不用催办。`,
      allDone: (task: Task): string => `${task.id}「${task.title}」各乡镇都已完成，不用催办。`,
      closed: (task: Task): string => `${task.id}「${task.title}」已销号，不用催办。`,
      noQueue: '现在发不了催办（消息队列没有开启），请稍后再试或联系管理员。',
      sent: (names: readonly string[]): string => `已向${names.join('、')}的工作群发出催办。`,
      /** Outside office hours: when it will go, and that it will say what is still owed then. */
      sendsAt: (names: readonly string[], on: Ymd, at: string, today: Ymd): string =>
        `现在不是工作时间，催办将在${whenDay(on, today)}${at}发到${names.join('、')}的工作群；到时已经完成的任务不再催。`,
      /** Queued from the terminal (`duban say`) while no server delivers: nothing has gone out yet. */
      queuedNoServer: (names: readonly string[]): string =>
        `催办已排进发送队列，但现在没有运行中的督办助手服务，还没有发出：服务启动后，会在工作时间发到${names.join('、')}的工作群。`,
      /**
       * A township is nudged once a day: said as it stands — gone out, waiting for office hours
       * (`at` its time), or queued with no server to send it.
       */
      already: (names: readonly string[], state: { kind: 'sent' } | { kind: 'queued' } | { kind: 'arranged'; on: Ymd; at: string; today: Ymd }): string => {
        const who = names.join('、');
        switch (state.kind) {
          case 'sent':
            return `${who}今天已催办过，一个乡镇一天只催办一次，这次不再发送。`;
          case 'queued':
            return `${who}的催办已经排进发送队列，还没有发出；一个乡镇一天只催办一次，这次不再另发。`;
          case 'arranged':
            return `${who}${whenDay(state.on, state.today)}${state.at}的催办已经排好；一个乡镇一天只催办一次，这次不再另发。`;
        }
      },
      noGroup: (names: readonly string[]): string => `${names.join('、')}还没有绑定工作群，无法催办。`,
      platformOff: (names: readonly string[]): string => `${names.join('、')}的工作群所在平台还没有接入督办助手，没有发出。`,
    },
    warnings: {
      summary: '查看全县预警摘要，或全部预警清单',
      action: '查看预警',
      usage: '预警，或 预警 全部',
      example: '预警 全部',
      arg: '只能写「预警」或「预警 全部」',
      none: '全县目前没有逾期或滞后的任务。',
    },
    dashboard: {
      summary: '打开挂图作战看板',
      action: '打开挂图作战看板',
      usage: '看板',
      example: '看板',
      link: (url: string, minutes: number): OutgoingMessage => ({
        title: '挂图作战看板',
        lines: [[url], [{ text: `链接${String(minutes)}分钟内有效，只限你本人使用，请勿转发。过期了再发「看板」即可。`, tone: 'muted' }]],
      }),
      off: `这里拿不到看板链接：看板随服务器一起运行，请在${PLATFORM_NAMES.wecom}或${PLATFORM_NAMES.dingtalk}里私聊督办助手发送「看板」。`,
    },
  },
} as const;
