/**
 * The 挂图作战 web page for leaders (看板), in words (zh-CN): headings, labels, empty states, the
 * refusal pages. Its lights, entry kinds and platforms are the vocabulary's, as in chat and Excel.
 */
import type { Light, Ymd } from '../domain/model.js';
import { day, ENTRY_KINDS, LIGHTS, longDay, monthName, platformName, TASK_STATUS, tasksTally, weekdayName } from './vocabulary.js';

export const dashboard = {
  brand: (county: string): string => `${county}挂图作战`,
  /** The browser tab: the page first, so tabs of several pages tell apart. */
  docTitle: (page: string, county: string): string => `${page} - ${county}挂图作战`,
  overview: '总览',
  /** `2026年11月20日 星期五`: a page can be printed or screenshotted, so the year is always there. */
  date: (today: Ymd, weekday: number): string => `${longDay(today)} ${weekdayName(weekday)}`,
  viewer: (name: string): string => `${name}查看`,
  confidential: '仅供领导掌握情况，请勿转发。',
  back: '‹ 返回总览',

  lightsTitle: '全县预警灯',
  lightCount: (light: Light): string => `${LIGHTS[light].icon}${LIGHTS[light].label}`,
  cellsTotal: (all: number, done: number): string =>
    `任务共${String(all)}项：进行中${String(all - done)}项，已完成${String(done)}项（一个乡镇的一项任务算一项）`,

  /** The ✅🟡🔴 count columns are headed by the light alone (its label in a tooltip), to fit a phone. */
  rankingHead: { rank: '名次', township: '乡镇', score: '得分', change: '变化' },
  chartAlt: (month: string): string => `${monthName(month)}各乡镇完成情况排名图`,
  bottomNote: '“⚠️后三位”供领导掌握情况，不在乡镇工作群公布。',

  gridTitle: '任务推进一览',
  gridCorner: '乡镇',
  gridHint: '列头是任务编号、名称和截止日期。表格可左右、上下滑动；点格子查看这一项的上报台账。',
  notAssigned: '不是该乡镇的任务',
  dueOn: (deadline: Ymd, today: Ymd): string => `${day(deadline, today)}截止`,
  noTownships: '还没有乡镇。请管理员载入设置文件后再来查看。',

  townshipTasks: (underWay: number, done: number): string => `任务（${tasksTally(underWay, done)}）`,
  townshipRank: (rank: number, of: number, month: string, score: string): string =>
    `${monthName(month)}排名：第${String(rank)}名（共${String(of)}个乡镇），得分${score}`,
  rankChange: (change: string): string => `较上月 ${change}`,
  notRanked: (month: string): string => `${monthName(month)}还没有这个乡镇的排名（本月没有计入排名的任务）。`,

  progress: '进度',
  target: '目标',
  lastReport: (name: string, at: string): string => `最近上报：${name}，${at}`,
  neverReported: '还没有上报',
  ledgerLink: '查看台账 ›',
  /** From one township's cell: the same task in every township, and every task of the township. */
  toTask: (taskId: string): string => `${taskId}在各乡镇的进度 ›`,
  toTownship: (township: string): string => `${township}的全部任务 ›`,

  domain: (domain: string): string => `领域：${domain}`,
  open: TASK_STATUS.open,
  closed: (on: Ymd | undefined, today: Ymd): string => (on === undefined ? TASK_STATUS.closed : `${TASK_STATUS.closed}（${day(on, today)}）`),
  taskTownships: (n: number): string => `各乡镇进度（${String(n)}个，落后的在前）`,
  noTownshipsForTask: '这项任务没有分配给任何乡镇。',

  cellTitle: (township: string, taskId: string): string => `${township} · ${taskId}`,
  current: '当前进度',
  ledgerTitle: (n: number): string => `上报台账（${String(n)}条，新的在前）`,
  ledgerHead: { at: '时间', kind: '类型', value: '填报内容', note: '说明', by: '填报人', platform: '平台' },
  entryKinds: ENTRY_KINDS,
  /** 销号 and 恢复 typed no value: what they did, for every township of the task. */
  taskEvents: { closed: '整项任务销号', reopened: '整项任务恢复' },
  /** A reversal has no value of its own: what progress went back to. */
  reversedTo: (shown: string): string => `恢复为 ${shown}`,
  platform: platformName,
  noEntries: '还没有上报记录。乡镇在工作群里 @督办助手 上报后，会记在这里。',

  estimatedNote: '注：部分日期超出已收录的法定节假日安排，“（估）”处按周一至周五估算工作日。',

  /** The pages in place of the board: keyed by `messagePage`'s status. */
  refusals: {
    signin: {
      title: '请先获取看板链接',
      body: '挂图作战看板只对县领导和管理员开放。请私聊督办助手发送「看板」，用回复里的链接打开（15分钟内有效）。',
    },
    denied: {
      title: '无权查看',
      body: '挂图作战看板只对县领导和管理员开放。如需查看，请联系县委组织部管理员。',
    },
    invalid: {
      title: '链接不完整',
      body: '这个看板链接不完整（可能在复制或转发时被截断了），或者不是督办助手发出的。请私聊督办助手发送「看板」，获取新链接。',
    },
    expired: {
      title: '链接已过期',
      body: '为安全起见，看板链接只在15分钟内有效。请私聊督办助手发送「看板」，获取新链接。',
    },
    'not-found': {
      title: '没有找到',
      body: '要查看的任务或乡镇不存在，可能已经改名或删除。请回到总览重新选择。',
    },
    unavailable: {
      title: '暂时打不开',
      body: '看板暂时无法登录或读取数据，请稍后再试；如果一直不行，请联系管理员。',
    },
  },
  toOverview: '返回总览',
} as const;
