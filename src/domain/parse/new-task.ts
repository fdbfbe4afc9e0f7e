/** The arguments of 新建任务: a title, then clauses opened by keywords in any order. */
import type { Target, TaskDomain, Ymd } from '../model.js';
import { parsed, problem, type Parsed } from '../problems.js';
import { parseDate, readDate } from './dates.js';
import { parseDomain, parseTarget } from './target.js';
import { QUOTE_CHARS } from './task-ref.js';
import { normalizeText, trimChars, trimEndChars } from './text.js';

/** Which townships a new task is for, by the names typed; the command matches them to the county's. */
export type TownshipScope = { kind: 'all' } | { kind: 'only'; names: string[] } | { kind: 'except'; names: string[] };

/** The arguments of 新建任务. */
export interface NewTaskArgs {
  title: string;
  deadline: Ymd;
  target: Target;
  domain?: TaskDomain;
  start?: Ymd;
  /** Absent: every township. */
  townships?: TownshipScope;
}

type Clause = 'title' | 'deadline' | 'target' | 'domain' | 'start' | 'townships';

const KEYWORDS: readonly (readonly [string, Clause])[] = [
  ['截止日期', 'deadline'],
  ['截止时间', 'deadline'],
  ['完成时限', 'deadline'],
  ['截止', 'deadline'],
  ['截至', 'deadline'],
  ['时限', 'deadline'],
  ['期限', 'deadline'],
  ['目标', 'target'],
  ['指标', 'target'],
  ['领域', 'domain'],
  ['开始日期', 'start'],
  ['开始时间', 'start'],
  ['开始', 'start'],
  ['起始', 'start'],
  ['标题', 'title'],
  ['名称', 'title'],
  ['任务名', 'title'],
  ['适用乡镇', 'townships'],
  ['责任乡镇', 'townships'],
  ['责任单位', 'townships'],
  ['适用', 'townships'],
  ['乡镇', 'townships'],
];
const KEYWORD_OF = new Map(KEYWORDS);
/** A keyword opens a clause only at the start or after a separator, so a title may contain 目标 or 开始. */
const CLAUSE = new RegExp(`(?<![^ ,，;；、])(${KEYWORDS.map(([k]) => k).join('|')}) ?:? ?`, 'gu');
/** What a clause's text may end with before the next keyword (normalizeText left only plain spaces). */
const TRAILING_SEPARATORS = ' ,，;；、。';

/** Words for every township: `乡镇：全部`. */
const ALL_TOWNSHIPS = /^(?:全部|所有|各|全县|全县各)(?:乡镇|乡镇街道|乡镇\(街道\))?$/u;
const NAME_SEPARATORS = /[、，,\s]+/u;
/**
 * `除城关镇、红星乡以外` / `除城关镇外` / `除城关镇之外的乡镇`, where a clause may start (also right after
 * `乡镇：`). It must end in 外 before a separator or the end, so a title like 除险加固 is no clause.
 * The names hold no 除: each try then stops at the next one, where `除,除,除,…` would otherwise
 * send every 除 to the end of the text (quadratic).
 */
const EXCEPT = /(?<![^ ,，;；、:])除([^\s;；:除]+?)(?:以|之)?外(?:的)?(?:其他|其余|各)?(?:乡镇街道|乡镇)?(?=$|[ ,，;；。])/u;

/** Township names as typed: `城关镇、红星乡`, `城关镇,红星乡`, `城关镇 红星乡`; each once, in the order given. */
function townshipNames(s: string): string[] {
  return [...new Set(s.split(NAME_SEPARATORS).map((n) => n.trim()).filter((n) => n !== ''))];
}

/** A 乡镇 clause: `全部`, or a list of names. */
function parseScope(s: string): Parsed<TownshipScope> {
  const t = s.replace(/ /g, '');
  if (ALL_TOWNSHIPS.test(t)) return parsed({ kind: 'all' });
  const names = townshipNames(s);
  return names.length === 0 ? problem({ code: 'townships-missing' }) : parsed({ kind: 'only', names });
}

/**
 * The arguments of 新建任务: `阵地建设 截止12月31日 目标每村1个 领域农村 开始2026-11-01 乡镇：城关镇、红星乡`,
 * keywords in any order (a colon after one is fine); the title is the words before the first
 * keyword; the target defaults to 100 %; `除城关镇、红星乡以外` anywhere names the townships left out.
 */
export function parseNewTask(rest: string, today: Ymd): Parsed<NewTaskArgs> {
  const normalized = normalizeText(rest);
  const except = EXCEPT.exec(normalized);
  // Taken out first: its names would otherwise run into whichever clause it follows.
  const t = except === null ? normalized : `${normalized.slice(0, except.index)} ${normalized.slice(except.index + except[0].length)}`.trim();
  const found = [...t.matchAll(CLAUSE)].filter(
    // 乡镇党委书记述职 is a title: a township keyword opens the text only with a colon after it.
    (m) => !(m.index === 0 && KEYWORD_OF.get(m[1] ?? '') === 'townships' && !m[0].includes(':')),
  );
  const clauses = new Map<Clause, string>();
  found.forEach((m, i) => {
    const key = KEYWORD_OF.get(m[1] ?? '');
    const end = found[i + 1]?.index ?? t.length;
    // The first of a repeated keyword wins, as a reader would take it.
    if (key !== undefined && !clauses.has(key)) clauses.set(key, trimEndChars(t.slice(m.index + m[0].length, end), TRAILING_SEPARATORS).trim());
  });
  const leading = trimEndChars(t.slice(0, found[0]?.index ?? t.length), TRAILING_SEPARATORS).trim();
  const title = trimChars(clauses.get('title') ?? leading, QUOTE_CHARS).trim();
  if (title === '') return problem({ code: 'title-missing' });

  const deadlineText = clauses.get('deadline');
  if (deadlineText === undefined || deadlineText === '') return problem({ code: 'deadline-missing' });
  const deadline = parseDate(deadlineText, today);
  if (!deadline.ok) return deadline;

  const targetText = clauses.get('target');
  const target: Parsed<Target> = targetText === undefined ? parsed({ kind: 'percent', percent: 100 }) : parseTarget(targetText);
  if (!target.ok) return target;

  const args: NewTaskArgs = { title, deadline: deadline.value, target: target.value };
  const domainText = clauses.get('domain');
  if (domainText !== undefined) {
    const domain = parseDomain(domainText);
    if (!domain.ok) return domain;
    args.domain = domain.value;
  }
  const startText = clauses.get('start');
  if (startText !== undefined) {
    const start = readDate(startText, today, { rollover: false });
    if (!start.ok) return start;
    if (start.value > deadline.value) return problem({ code: 'start-after-deadline', start: start.value, deadline: deadline.value });
    args.start = start.value;
  }
  const scopeText = clauses.get('townships');
  // `乡镇：除城关镇以外` leaves an empty 乡镇 clause behind: the exception is the whole answer.
  if (except !== null && scopeText !== undefined && scopeText !== '') return problem({ code: 'townships-twice' });
  if (except !== null) {
    const names = townshipNames(except[1] ?? '');
    if (names.length === 0) return problem({ code: 'townships-missing' });
    args.townships = { kind: 'except', names };
  } else if (scopeText !== undefined) {
    const scope = parseScope(scopeText);
    if (!scope.ok) return scope;
    args.townships = scope.value;
  }
  return parsed(args);
}
