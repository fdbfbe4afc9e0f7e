/**
 * What the 督办 cycle's commands say (zh-CN): 申请延期, the leaders' 同意 / 不同意, and 待办 —
 * the replies, the numbered request the leaders' group receives, and the answer the township's
 * group is told. Composed from the shared vocabulary like the rest of chat (./chat.ts).
 */
import type { Line } from '../core/types.js';
import type { ExtensionRequest } from '../domain/extensions.js';
import type { Task, Township, Ymd } from '../domain/model.js';
import { day, deadlineDay, whenDay } from './vocabulary.js';

/** What a 申请延期 example and the 同意 examples are built from (see ExampleSource in ./chat.ts). */
export interface CycleExamples {
  /** A task this township may still ask a later deadline for, and a date after its deadline. */
  extendable?: { task: Task; to: Ymd };
  /** The numbers of the requests waiting for this person's answer, oldest first. */
  openRequests: readonly number[];
  /** Completions waiting for this person's review (完成审核), oldest first: task id and township name. */
  reviewable: readonly { task: string; township: string }[];
  /** Today in Beijing, for an example with a date in it that must still be ahead. */
  today: Ymd;
}

/** `申请延期 T3 12月31日 村两委换届推迟`. */
export const extensionExample = (task: Pick<Task, 'id'>, to: Ymd, today: Ymd): string => `申请延期 ${task.id} ${day(to, today)} 村两委换届推迟`;

const taskName = (task: Pick<Task, 'id' | 'title'>): string => `${task.id}「${task.title}」`;
const answerHint = (n: number): string => `回复「同意 ${String(n)}」或「不同意 ${String(n)} 理由」`;
const by = (request: ExtensionRequest): string => request.decision?.by.name ?? '';

/** `12月2日 09:30` of an instant already turned into a day and a time. */
const whenDone = (on: Ymd, at: string, today: Ymd): string => `${whenDay(on, today)}${at}`;

export const cycle = {
  requestExtension: {
    summary: '向领导申请延长本乡镇某项任务的截止日期',
    action: '申请延期',
    needs: '任务编号、延期到的日期和理由',
    usage: '申请延期 任务编号 日期 理由',
    example: (s: CycleExamples): string[] => (s.extendable ? [extensionExample(s.extendable.task, s.extendable.to, s.today)] : []),
    /** The reply in the township's group. */
    submitted: (request: ExtensionRequest, task: Task, today: Ymd, leadersTold: boolean): string =>
      `已提交延期申请#${String(request.number)}：${taskName(task)}截止${day(request.from, today)} → ${day(request.to, today)}。` +
      (leadersTold ? '领导答复后会在本群告诉大家。' : '县里还没有设置领导群：请告诉分管领导，领导私聊我「待办」就能看到这条申请。'),
    /** The same message came again (a redelivery): the request it opened stands. */
    alreadySubmitted: (request: ExtensionRequest, task: Task, today: Ymd): string =>
      `延期申请#${String(request.number)}已经提交过：${taskName(task)}截止${day(request.from, today)} → ${day(request.to, today)}，正在等领导答复。`,
    stillOpen: (request: ExtensionRequest, task: Task, today: Ymd): string =>
      `${taskName(task)}已有一条延期申请#${String(request.number)}（延到${day(request.to, today)}）在等领导答复，答复前不能再申请。`,
    notLater: (deadline: string): string => `延期到的日期要晚于现在的截止日期${deadline}`,
    /** The problems below go before the form and an example: no full stop of their own. */
    windowClosed: (task: Task, deadline: string, lastDay: Ymd, today: Ymd): string =>
      `${taskName(task)}截止${deadline}，申请延期最晚在${day(lastDay, today)}提出，现在已经过了，请直接联系组织部说明情况`,
    alreadyDone: (task: Task, township: Township): string => `${township.name}已经完成${taskName(task)}，不用延期`,
    closed: (task: Task): string => `${taskName(task)}已销号，不用延期`,
    notAssigned: (task: Task, township: Township): string => `${taskName(task)}不是${township.name}的任务，只能为本乡镇的任务申请延期`,
    /** The numbered request, posted into the leaders' group. */
    post: (request: ExtensionRequest, task: Task, township: Township, today: Ymd): { title: string; lines: Line[] } => ({
      title: `延期申请#${String(request.number)}`,
      lines: [
        [
          `延期申请#${String(request.number)} ${township.name} ${taskName(task)} ${day(request.from, today)} → ${day(request.to, today)}，理由：${request.reason}；`,
          { text: answerHint(request.number), tone: 'strong' },
        ],
      ],
    }),
  },

  approve: {
    summary: '同意一条延期申请',
    action: '答复延期申请',
    needs: '申请编号',
    usage: '同意 申请编号',
    example: (s: CycleExamples): string[] => (s.openRequests[0] === undefined ? [] : [`同意 ${String(s.openRequests[0])}`]),
  },

  refuse: {
    summary: '不同意一条延期申请，并说明理由',
    action: '答复延期申请',
    needs: '申请编号和理由',
    usage: '不同意 申请编号 理由',
    // Another request than 同意's where there is one: tried one after the other, both work.
    example: (s: CycleExamples): string[] => {
      const n = s.openRequests[s.openRequests.length - 1];
      return n === undefined ? [] : [`不同意 ${String(n)} 请按原定时间完成`];
    },
  },

  /** What 同意 and 不同意 say, to the leader and to the township's group. */
  decision: {
    granted: (request: ExtensionRequest, task: Task, township: Township, today: Ymd, told: boolean): string =>
      `已同意延期申请#${String(request.number)}：${township.name} ${taskName(task)}截止改为${deadlineDay(request.to, today, task.deadline)}。` +
      (told ? `已通知${township.name}工作群。` : `${township.name}还没有绑定工作群，请另行告知。`),
    refused: (request: ExtensionRequest, task: Task, township: Township, today: Ymd, told: boolean): string =>
      `已答复不同意延期申请#${String(request.number)}：${township.name} ${taskName(task)}仍按${day(request.from, today)}截止。` +
      (told ? `已通知${township.name}工作群。` : `${township.name}还没有绑定工作群，请另行告知。`),
    /** Posted into the township's group. */
    grantedPost: (request: ExtensionRequest, task: Task, today: Ymd): { title: string; lines: Line[] } => ({
      title: `延期申请#${String(request.number)}已同意`,
      lines: [[`${by(request)}同意了延期申请#${String(request.number)}：${taskName(task)}本乡镇的截止日期改为${deadlineDay(request.to, today, task.deadline)}。`]],
    }),
    refusedPost: (request: ExtensionRequest, task: Task, today: Ymd): { title: string; lines: Line[] } => ({
      title: `延期申请#${String(request.number)}未同意`,
      lines: [
        [`${by(request)}没有同意延期申请#${String(request.number)}：${taskName(task)}仍按${day(request.from, today)}截止。`],
        [`理由：${request.decision?.reason ?? ''}`],
      ],
    }),
    /** Decided before: by whom, when, and how. */
    already: (request: ExtensionRequest, on: Ymd, at: string, today: Ymd): string =>
      `延期申请#${String(request.number)}已由${by(request)}在${whenDone(on, at, today)}${request.decision?.granted === true ? '同意' : '答复不同意'}，不能再改。`,
    own: (n: number): string => `延期申请#${String(n)}是您本人提出的，请由其他领导答复。`,
    /** Decided, but its task or township is no longer in the setup file: nobody to tell. */
    recordedOnly: (n: number): string => `延期申请#${String(n)}的答复已记入台账；它的任务或乡镇已不在县里的设置中，没有通知乡镇群。`,
    /** Goes before the form and an example: no full stop of its own. */
    unknown: (n: number, open: readonly number[]): string =>
      `没有编号为${String(n)}的延期申请` +
      (open.length === 0 ? '，目前没有等待答复的申请' : `，等待答复的有${open.map((k) => `#${String(k)}`).join('、')}（「待办」可以查看详情）`),
  },

  pending: {
    summary: '查看等待我答复的申请和等待审核的完成上报',
    action: '查看待办',
    usage: '待办',
    example: '待办',
    title: (n: number): string => `待办（${String(n)}项）`,
    none: '目前没有等待答复的申请，也没有等待审核的完成上报。',
    /** A completion waiting for review, with its age. */
    reviewItem: (task: Task, township: string, by: string, waited: number): Line => [
      { text: '待审核', tone: 'strong' },
      ` ${township} ${taskName(task)}（${by}上报完成，${waited === 0 ? '今天' : `已等${String(waited)}个工作日`}）`,
    ],
    reviewHint: (task: string, township: string): string => `回复「通过 ${task} ${township}」或「退回 ${task} ${township} 理由」。`,
    /** One open request with its age. */
    item: (request: ExtensionRequest, task: Task | undefined, township: string, waited: number, today: Ymd): Line => [
      { text: `延期申请#${String(request.number)}`, tone: 'strong' },
      ` ${township} ${task ? taskName(task) : request.task} ${day(request.from, today)} → ${day(request.to, today)}，理由：${request.reason}`,
      { text: `（${request.by.name}提出，${waited === 0 ? '今天' : `已等${String(waited)}个工作日`}）`, tone: waited >= 2 ? 'bad' : 'muted' },
    ],
    hint: (n: number): string => `${answerHint(n)}。`,
  },

  /** 完成审核 (when the county turns it on): 通过 and 退回, and what a report that completes is told. */
  passReview: {
    summary: '审核通过一个乡镇的完成上报（办结）',
    action: '审核完成情况',
    needs: '任务编号和乡镇名称',
    usage: '通过 任务编号 乡镇名称',
    example: (s: CycleExamples): string[] => {
      const first = s.reviewable[0];
      return first ? [`通过 ${first.task} ${first.township}`] : [];
    },
  },
  returnReview: {
    summary: '退回一个乡镇的完成上报，并说明理由',
    action: '审核完成情况',
    needs: '任务编号、乡镇名称和理由',
    usage: '退回 任务编号 乡镇名称 理由',
    // Another completion than 通过's where there is one: tried one after the other, both work.
    example: (s: CycleExamples): string[] => {
      const last = s.reviewable[s.reviewable.length - 1];
      return last ? [`退回 ${last.task} ${last.township} 佐证材料不全`] : [];
    },
  },
  review: {
    /** 通过 or 退回 in a county that does not review completions. */
    off: '本县没有开启完成审核：乡镇上报完成即算完成，不需要通过或退回。',
    /** Told with a report that completes a task while the county reviews completions. */
    submitted: '已提交领导审核，通过后办结；审核期间照常计入完成。',
    /** A report on a (task, township) a leader has passed. */
    closed: (task: Task, township: string): string => `${taskName(task)}${township}已审核通过（办结），不再上报。`,
    /** Nothing waits for review there. */
    notWaiting: (task: Task, township: string, waiting: readonly string[]): string =>
      `${taskName(task)}${township}没有等待审核的完成上报。` + (waiting.length === 0 ? '目前没有等待审核的。' : `等待审核的有：${waiting.join('、')}。`),
    unknownTownship: (name: string, known: readonly string[]): string => `没有叫「${name}」的乡镇。乡镇有：${known.join('、')}。`,
    own: (task: Task, township: string): string => `${taskName(task)}${township}的完成是您本人上报的，请由其他领导审核。`,
    alreadyPassed: (task: Task, township: string, by: string, on: Ymd, at: string, today: Ymd): string =>
      `${taskName(task)}${township}已由${by}在${whenDone(on, at, today)}审核通过，不能再改。`,
    reportedSince: (task: Task, township: string): string => `${township}在那之后又上报了${taskName(task)}，请看最新的进度再审核。`,
    passed: (task: Task, township: string, told: boolean): string =>
      `已审核通过：${township} ${taskName(task)}办结。${told ? `已通知${township}工作群。` : `${township}还没有绑定工作群，请另行告知。`}`,
    returned: (task: Task, township: string, restored: string, told: boolean): string =>
      `已退回：${township} ${taskName(task)}，进度恢复为${restored}。${told ? `已通知${township}工作群。` : `${township}还没有绑定工作群，请另行告知。`}`,
    passedPost: (task: Task, by: string): { title: string; lines: Line[] } => ({
      title: `${task.id}审核通过`,
      lines: [[`${by}审核通过了本乡镇${taskName(task)}的完成情况：办结，不再上报。`]],
    }),
    returnedPost: (task: Task, by: string, reason: string, restored: string): { title: string; lines: Line[] } => ({
      title: `${task.id}完成上报被退回`,
      lines: [[`${by}退回了本乡镇${taskName(task)}的完成上报，进度恢复为${restored}。`], [`理由：${reason}`], [`补齐后请 @我 重新上报，例如：上报 ${task.id} 完成`]],
    }),
  },

  /** Beside a township's progress (进度 T3): its own deadline, or the request it waits on. */
  notes: {
    extended: (deadline: Ymd, today: Ymd): string => `（延期至${day(deadline, today)}）`,
    asking: (n: number): string => `（延期申请#${String(n)}待答复）`,
    reviewing: '（待审核）',
    passed: '（已办结）',
  },

  /** The leaders' daily digest: requests left unanswered too long, and completions waiting for review. */
  digest: {
    reviewHeading: '待审核的完成上报：',
    reviewItem: (township: string, task: string, waited: number): string => `${township} ${task}（${String(waited)}个工作日）`,
    heading: (days: number): string => `${String(days)}个工作日以上未答复：`,
    item: (request: ExtensionRequest, township: string, waited: number): string =>
      `延期申请#${String(request.number)}（${township} ${request.task}，${String(waited)}个工作日）`,
    /** `named`: the oldest few of `all`. */
    items: (named: readonly string[], all: number): string =>
      `${named.join('、')}${all > named.length ? `等${String(all)}条` : ''}；在领导群或私聊里用「待办」查看并答复。`,
  },
} as const;
