/**
 * What 签收 says (zh-CN): the 交办 notice a township's group receives for a new task, the replies to
 * `签收 T13`, the one-time reminder in the township's bundled post, and what leaders see of who
 * has not signed (待办, 进度, the dashboard, the terminal after `duban load` and `duban import`).
 * Composed from the shared vocabulary like the rest of chat (./chat.ts).
 */
import type { Line, OutgoingMessage } from '../core/types.js';
import type { Task, Township, Ymd } from '../domain/model.js';
import type { Signature } from '../domain/sign-off.js';
import { day, whenDay } from './vocabulary.js';

/** What the 签收 example is built from (see ExampleSource in ./chat.ts). */
export interface SignOffExamples {
  /** A task announced to this township and not signed yet, the oldest. */
  unsigned?: Pick<Task, 'id'>;
}

/** `签收 T13`. */
export const signExample = (task: Pick<Task, 'id'>): string => `签收 ${task.id}`;

const taskName = (task: Pick<Task, 'id' | 'title'>): string => `${task.id}「${task.title}」`;
const ask = (task: Pick<Task, 'id'>): string => `请 @我 回复「${signExample(task)}」`;
const age = (days: number): string => (days === 0 ? '今天交办' : `已${String(days)}个工作日`);

/** What a wrong 签收 adds: the township's own unsigned tasks, or that there is none. */
const owed = (unsigned: readonly Pick<Task, 'id'>[]): string =>
  unsigned.length === 0 ? '本乡镇目前没有待签收的任务' : `本乡镇待签收的有：${unsigned.map((t) => t.id).join('、')}`;

export const signOff = {
  signOff: {
    summary: '签收新交办给本乡镇的任务',
    action: '签收任务',
    needs: '要签收的任务编号',
    usage: '签收 任务编号',
    example: (s: SignOffExamples): string[] => (s.unsigned ? [signExample(s.unsigned)] : []),
    /** The county does not use 签收. */
    off: '本县没有启用签收，交办的任务不用签收，直接按时上报进度就可以。',
    signed: (task: Task, township: Township, deadline: string): string => `${township.name}已签收${taskName(task)}，截止${deadline}。请按时完成并上报进度。`,
    /** Someone of the township signed before. */
    already: (task: Task, township: Township, signature: Signature, on: Ymd, at: string, today: Ymd): string =>
      `${taskName(task)}已由${signature.by.name}在${whenDay(on, today)}${at}为${township.name}签收，不用再签。`,
    /** The problems, each said before the right form and the township's own examples. */
    unknown: (ref: string, unsigned: readonly Pick<Task, 'id'>[]): string => `没有找到任务「${ref}」；${owed(unsigned)}`,
    notAssigned: (task: Task, township: Township, unsigned: readonly Pick<Task, 'id'>[]): string =>
      `${taskName(task)}不是${township.name}的任务，不用签收；${owed(unsigned)}`,
    closed: (task: Task, unsigned: readonly Pick<Task, 'id'>[]): string => `${taskName(task)}已销号，不用签收；${owed(unsigned)}`,
    notAnnounced: (task: Task, township: Township, unsigned: readonly Pick<Task, 'id'>[]): string =>
      `${taskName(task)}不是向${township.name}新交办的任务，不用签收；${owed(unsigned)}`,
  },

  /** What 签收 shows beyond its own replies: the notice, the reminder, the leaders' views. */
  signing: {
    /** The 交办 notice, posted into each assigned township's groups. */
    notice: (task: Task, target: string, today: Ymd): OutgoingMessage => ({
      title: `交办：${task.id} ${task.title}`,
      lines: [[`县里新交办任务${taskName(task)}。`], [`目标：${target}；截止${day(task.deadline, today)}。`], [{ text: `收到后${ask(task)}`, tone: 'strong' }]],
    }),

    /** 新建任务's reply, after the task: how many townships' groups were told. */
    announced: (townships: number): string => `已向${String(townships)}个乡镇的工作群交办，请各乡镇签收；领导发送「待办」可以看到谁还没有签收。`,
    /** New tasks with no group to announce them in. */
    noGroups: '各乡镇还没有绑定工作群，交办通知没有发出。',

    /** The township's bundled reminder post: one line per task, once. */
    reminder: (task: Task, township: string, days: number): Line => [{ text: `${taskName(task)}交办${age(days)}，${township}还没有签收：`, tone: 'warn' }, ask(task)],

    /** 待办's section for leaders. */
    pending: {
      heading: (tasks: number): string => `未签收的交办任务（${String(tasks)}项）：`,
      item: (task: Task, townships: readonly { name: string; days: number }[]): Line => [
        { text: taskName(task), tone: 'strong' },
        ` ${townships.map((t) => `${t.name}（${age(t.days)}）`).join('、')}`,
      ],
      /** Said after 待办's own "nothing waits" where the county uses 签收. */
      none: '交办的任务各乡镇都已签收。',
    },

    /** Beside a township's row in 进度. */
    note: '（未签收）',

    /** The dashboard's task page. */
    dashboard: {
      unsigned: (names: readonly string[]): string => `未签收：${names.join('、')}`,
      allSigned: '交办的乡镇都已签收',
    },

    /** After `duban load` or `duban import`: the 交办 notices queued. */
    cli: (tasks: number, townships: number): string => `签收：${String(tasks)}项新任务已向${String(townships)}个乡镇交办，通知在工作群发出后等各乡镇签收。`,
  },
} as const;
