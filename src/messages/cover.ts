/**
 * AB角 in words (zh-CN): 设置AB角, 请假 and 销假 in chat — their summaries, forms, examples and
 * replies — the posts they send into the township's group and the leaders' group, the line the
 * leaders' digest and the dashboard show, the setup file's `cover` problems, and the 请假记录 sheet
 * of the exported 台账.
 */
import type { Line, OutgoingMessage } from '../core/types.js';
import type { Covering, PeopleEntryKind } from '../domain/cover.js';
import { addDays } from '../domain/dates.js';
import type { Ym, Ymd } from '../domain/model.js';
import type { CoverArgsProblem } from '../domain/parse/cover.js';
import type { ExampleSource } from './chat.js';
import { day, monthName, whenDay } from './vocabulary.js';

const A = 'A角';
const B = 'B角';
/** What the A receives and the B takes over. */
const POSTS = '督办提醒、预警和催办';

/** `设置AB角 城关镇 A 李联络 B 王芳`, from the names the township has (the first two). */
const setExample = (township: string, names: readonly string[]): string | undefined => {
  const [a, b] = names;
  return a === undefined ? undefined : `设置AB角 ${township} A ${a}${b === undefined ? '' : ` B ${b}`}`;
};

/** A leave's last day, a week ahead: an example of 请假 that is never in the past. */
const leaveExample = (today: Ymd): string => `请假 至${day(addDays(today, 7), today)}`;

/** `城关镇 李四（至12月10日），王五代岗`. */
const coveringText = (c: Covering, today: Ymd): string =>
  `${c.township.name} ${c.away}（至${day(c.until, today)}），${c.cover === undefined ? `没有${B}代岗` : `${c.cover}代岗`}`;

export const cover = {
  /** 设置AB角 (admins). */
  setCover: {
    summary: `设置乡镇的${A}（主办联络员）和${B}（备岗）`,
    action: '设置AB角',
    needs: '乡镇名称',
    usage: `设置AB角 乡镇名称 A 姓名 B 姓名（不设${B}就不写 B；只写乡镇名称是查看现状，写「取消」是不再区分AB角）`,
    example: (s: ExampleSource): string[] => (s.township === undefined ? [] : [`设置AB角 ${s.township}`]),

    problem(p: CoverArgsProblem): string {
      switch (p.code) {
        case 'name-missing':
          return `「${p.role}」后面缺少姓名`;
        case 'role-twice':
          return `「${p.role}」写了两次，一个乡镇只有一位${p.role}角`;
        case 'b-without-a':
          return `只写了${B}，缺少${A}：${B}是在${A}请假时代岗的`;
        case 'stray':
          return `看不懂「${p.text}」：乡镇名称写在最前面，${A}、${B}的姓名分别写在 A、B 后面`;
      }
    },
    noTownship: '缺少乡镇名称',
    unknownTownship: (name: string, known: readonly string[]): string => `没有找到乡镇「${name}」，现有乡镇：${known.join('、')}`,
    noPeople: (township: string): string =>
      `${township}在设置文件里还没有人员：请先在设置文件的 people 里加上他们（写 township: ${township}），重新载入后再设置AB角。`,
    /** Names no one of the township goes by, with who there is and a form built from them. */
    unknownNames: (township: string, names: readonly string[], people: readonly string[]): OutgoingMessage => {
      const example = setExample(township, people);
      return {
        lines: [
          [`${township}没有${names.map((n) => `「${n}」`).join('')}。${township}的人员有：${people.join('、')}。`],
          [`正确格式：设置AB角 ${township} A 姓名 B 姓名`],
          ...(example === undefined ? [] : [[`例如：${example}`]]),
        ],
      };
    },
    same: (name: string): string => `${A}和${B}不能是同一个人（${name}）。`,
    /** The county's people changed under the command again and again (a setup file loading): nothing was set. */
    busy: '刚才人员名单正在更新，AB角没有设置上。请稍后再发一次。',

    /** 设置AB角 城关镇: how the township stands, and who there is to choose from. */
    shown: (township: string, a: string | undefined, b: string | undefined, people: readonly string[], leave?: { until: Ymd; today: Ymd }): OutgoingMessage => {
      const example = setExample(township, a === undefined ? people : [a, ...(b === undefined ? people.filter((p) => p !== a) : [b])]);
      const state =
        a === undefined
          ? `${township}没有设置AB角：${POSTS}@${township}的全部人员。`
          : `${township}：${A} ${a}，${b === undefined ? `没有${B}` : `${B} ${b}`}。${leave === undefined ? '' : `${a}请假至${day(leave.until, leave.today)}，现由${b ?? '（无人）'}代岗。`}`;
      return {
        lines: [[state], [`${township}的人员有：${people.join('、')}。`], ...(example === undefined ? [] : [[{ text: `要更改，例如：${example}`, tone: 'muted' as const }]])],
      };
    },
    set: (township: string, a: string, b: string | undefined): OutgoingMessage => ({
      lines: [
        [{ text: '已设置', tone: 'strong' }, `：${township} ${A} ${a}，${b === undefined ? `没有${B}` : `${B} ${b}`}。`],
        [
          b === undefined
            ? `${POSTS}今后只@${a}；${a}请假期间不@任何人（消息照常发到工作群），并提醒管理员设置${B}。`
            : `${POSTS}今后只@${a}；${a}请假期间转给${b}。`,
        ],
      ],
    }),
    unchanged: (township: string): string => `${township}的AB角本来就是这样，没有改动。`,
    cleared: (township: string): string => `已取消${township}的AB角：${POSTS}恢复@${township}的全部人员。`,
  },

  /** 请假 (a township's A). */
  leave: {
    summary: `${A}请假，期间${POSTS}转给${B}`,
    action: '请假',
    needs: '请假的最后一天',
    usage: '请假 至日期（这一天也算在请假内）',
    example: (s: ExampleSource): string[] => [leaveExample(s.today)],
    /**
     * Why this person cannot 请假 (only a township's A may), with the form the A would send. No
     * `例如：` here: the example is for someone else to send.
     */
    notA: (today: Ymd, own: { township: string; role?: 'B' } | undefined): string =>
      `请假要由乡镇的${A}（主办联络员）本人发送，如「${leaveExample(today)}」，期间${POSTS}转给${B}。` +
      (own === undefined
        ? `你不是哪个乡镇的${A}；AB角由管理员设置。`
        : own.role === 'B'
          ? `你是${own.township}的${B}：${A}请假时，提醒会转给你。`
          : `你不是${own.township}的${A}；AB角由管理员设置。`),
    past: (until: Ymd, today: Ymd): string => `请假的最后一天${day(until, today)}已经过去了，要写今天或以后的日期`,
    /** The reply to the A. `changed`: a leave was already running and now ends on `until`. */
    started: (input: { township: string; until: Ymd; today: Ymd; cover?: string; changed: boolean; told: boolean; unbound: boolean }): OutgoingMessage => {
      const { township, until, today, cover: b } = input;
      const back = addDays(until, 1);
      return {
        lines: [
          [{ text: input.changed ? '已改好' : '已请假', tone: 'strong' }, `：至${day(until, today)}（这一天也算在请假内），${whenDay(back, today)}起${POSTS}恢复发给你。`],
          [
            b === undefined
              ? `${township}没有${B}：请假期间${POSTS}照常发到工作群，但不@任何人；我已告诉管理员设置${B}。`
              : `请假期间，${township}的${POSTS}转给${B}${b}。`,
          ],
          ...(input.told ? [[`我会在${township}的工作群里告诉大家${b === undefined ? '你请假了' : `由${b}代岗`}。`]] : []),
          ...(input.unbound ? [[`${township}还没有绑定工作群，群里没有通知。`]] : []),
          [{ text: '提前回来，发「销假」即可。', tone: 'muted' }],
        ],
      };
    },
    /** Into each of the township's groups, the B @-ed. */
    groupNotice: (township: string, a: string, until: Ymd, today: Ymd, b: string | undefined): OutgoingMessage => ({
      title: `${township}${A}请假`,
      lines: [
        [`${township}${A}${a}请假至${day(until, today)}（含当天）。`],
        [b === undefined ? `期间没有${B}代岗，${POSTS}照常发在本群。` : `期间${POSTS}由${B}${b}接收，请${b}留意。`],
      ],
    }),
    /** Into the leaders' groups, the admins @-ed: a township whose A is away has no B. */
    noCover: (township: string, a: string, until: Ymd, today: Ymd, others: readonly string[]): OutgoingMessage => {
      const example = setExample(township, [a, ...others]);
      return {
        title: `${township}没有${B}`,
        lines: [
          [`${township}${A}${a}请假至${day(until, today)}，${township}没有${B}，期间${POSTS}不@任何人。`],
          [
            others.length > 0 && example !== undefined
              ? `请管理员设置${B}，例如：${example}`
              : `请管理员在设置文件里为${township}添加一位${B}（cover: B），重新载入。`,
          ],
        ],
      };
    },
  },

  /** 销假 (the A on leave). */
  back: {
    summary: `${A}提前结束请假`,
    action: '销假',
    usage: '销假',
    example: '销假',
    ended: (township: string): string => `已销假：${township}的${POSTS}从今天起恢复发给你。`,
    notOnLeave: '你现在没有请假，提醒照常发给你，不用销假。',
    over: (until: Ymd, today: Ymd): string => `你的请假到${day(until, today)}已经结束，提醒已恢复发给你，不用销假。`,
    groupNotice: (township: string, a: string): OutgoingMessage => ({
      title: `${township}${A}销假`,
      lines: [[`${township}${A}${a}已销假，${POSTS}恢复由${a}接收。`]],
    }),
  },

  /** The leaders' digest and the dashboard: the townships whose A is away today. */
  covering: (covering: readonly Covering[], today: Ymd): Line => [{ text: '请假：', tone: 'strong' }, covering.map((c) => coveringText(c, today)).join('；')],
  coveringText: (covering: readonly Covering[], today: Ymd): string => `请假：${covering.map((c) => coveringText(c, today)).join('；')}`,

  /** The setup file's `cover` field. */
  setupFile: {
    value: `应为 A（${A}，主办联络员）或 B（${B}，备岗），也可以写 A角、B角`,
    withoutTownship: `写了 cover 就要写 township：${A}、${B}是某个乡镇的联络员`,
    twice: (role: 'A' | 'B', township: string, other: number, name: string): string =>
      `${township}的${role}角已是第${String(other + 1)}项（${name}）：一个乡镇只有一位${role}角；同一个人在两个平台各写一项时，name 要写得一样`,
    both: (name: string): string => `${name}不能既是${A}又是${B}`,
    bWithoutA: (township: string): string => `${township}有${B}却没有${A}：${B}是在${A}请假时代岗的，请同时标出${A}（cover: A）`,
  },

  /** The 请假记录 sheet of the exported 台账. */
  sheet: {
    name: '请假记录',
    title: (county: string, month?: Ym): string => `${county}AB角请假记录${month === undefined ? '' : `（${monthName(month)}）`}`,
    head: { at: '时间', township: '乡镇', kind: '事项', until: '请假至', cover: `代岗（${B}）`, by: '经办人', platform: '平台', source: '来源消息' },
    kinds: { leave: '请假', back: '销假' } satisfies Record<PeopleEntryKind, string>,
    noCover: `无${B}`,
  },
} as const;
