/** A task's target (`每村1个`, `12个`, `100%`, `完成`) and its domain (`农村`, `国有企业`). */
import { COUNT_UNITS, TASK_DOMAINS, type CountUnit, type Target, type TaskDomain } from '../model.js';
import { parsed, problem, type Parsed } from '../problems.js';
import { MEASURE, NUM, numberOf, PERCENT_WORD, wholeOf } from './numbers.js';
import { normalizeText } from './text.js';

/** How a target names the villages it counts per (`每个村`, `每个社区`…), as a pattern group. */
export const VILLAGE_WORDS = '(?:村|社区|村居|行政村|村\\(社区\\)|村/社区|村社区)';
const AT_LEAST = '(?:至少|不少于|不低于)?';

/** A positive whole number for a target, or undefined. */
function targetCount(text: string | undefined): number | undefined {
  const n = wholeOf(text ?? '');
  return n !== undefined && n > 0 ? n : undefined;
}

/** The unit a target's measure word names (`3名` counts people); 个 and measure words no unit is kept for (`个村`) leave it out. */
function unitOf(measure: string | undefined): { unit?: CountUnit } {
  const unit = COUNT_UNITS.find((u) => u === measure);
  return unit === undefined || unit === '个' ? {} : { unit };
}

/** A task's target: `每村1个` / `每个村3人` (per village), `12个` (per township), `100%` / `百分之百`, `完成` / `是否完成`. */
export function parseTarget(s: string): Parsed<Target> {
  const text = normalizeText(s);
  const t = text.replace(/ /g, '');
  const unknown = problem<Target>({ code: 'target-unknown', text });
  if (/^(?:是否|按时|按期|全部|全面)?(?:完成|办结)(?:即可|就行|为准)?$/u.test(t)) return parsed({ kind: 'done' });
  const perVillage = new RegExp(`^每个?${VILLAGE_WORDS}${AT_LEAST}(${NUM})(${MEASURE})?(?:以上)?$`, 'u').exec(t);
  if (perVillage !== null) {
    const count = targetCount(perVillage[1]);
    return count === undefined ? unknown : parsed({ kind: 'count', count, per: 'village', ...unitOf(perVillage[2]) });
  }
  const perTownship = new RegExp(`^${AT_LEAST}(${NUM})(${MEASURE})(?:以上)?$`, 'u').exec(t);
  if (perTownship !== null) {
    const count = targetCount(perTownship[1]);
    return count === undefined ? unknown : parsed({ kind: 'count', count, per: 'township', ...unitOf(perTownship[2]) });
  }
  // A bare number is a percent here as in reports.
  const percent = new RegExp(`^(?:${PERCENT_WORD}|(${NUM})%?)$`, 'u').exec(t);
  if (percent !== null) {
    const num = numberOf(percent[1] ?? percent[2] ?? '');
    return num === undefined || num.negative || num.n <= 0 || num.n > 100 ? unknown : parsed({ kind: 'percent', percent: num.n });
  }
  return unknown;
}

const DOMAIN_ALIASES: Readonly<Record<string, TaskDomain>> = {
  国有企业: '国企',
  两新组织: '两新',
  非公企业: '两新',
  社会组织: '两新',
  城市社区: '社区',
  机关单位: '机关',
  中小学: '学校',
  公立医院: '医院',
};

const isTaskDomain = (s: string): s is TaskDomain => (TASK_DOMAINS as readonly string[]).includes(s);

/** One of TASK_DOMAINS, or a common longer name of one (`国有企业`, `农村领域`). */
export function parseDomain(s: string): Parsed<TaskDomain> {
  const text = normalizeText(s);
  const t = text.replace(/ /g, '').replace(/^领域:?/u, '').replace(/领域$/u, '');
  if (isTaskDomain(t)) return parsed(t);
  const alias = Object.hasOwn(DOMAIN_ALIASES, t) ? DOMAIN_ALIASES[t] : undefined;
  return alias === undefined ? problem({ code: 'domain-unknown', text }) : parsed(alias);
}
