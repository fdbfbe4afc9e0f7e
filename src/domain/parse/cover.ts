/** The arguments of 请假 (the leave's last day) and of 设置AB角 (a township, its A and B). */
import { leaveEnd, type CoverAsked } from '../cover.js';
import type { Ymd } from '../model.js';
import { parsed, problem, type Parsed } from '../problems.js';
import { readDate } from './dates.js';
import { normalizeText } from './text.js';

/**
 * `至12月10日`, `12月10日`, `到2026-12-10`, `明天`: the last day of a leave, as dates are read
 * elsewhere; a day already past comes back as it is, for the command to say so (see `leaveEnd`).
 */
export function parseLeave(s: string, today: Ymd): Parsed<Ymd> {
  if (normalizeText(s) === '') return problem({ code: 'empty' });
  const asWritten = readDate(s, today, { rollover: false });
  if (!asWritten.ok) return asWritten;
  const nextYears = readDate(s, today, { rollover: true });
  return parsed(nextYears.ok ? leaveEnd(asWritten.value, nextYears.value, today) : asWritten.value);
}

/** 设置AB角's arguments; `township` absent: the group's own. */
export type CoverArgs = { township?: string } & ({ kind: 'show' } | CoverAsked);

/** What is wrong with 设置AB角's arguments, for src/messages/cover.ts to word. */
export type CoverArgsProblem =
  | { code: 'name-missing'; role: 'A' | 'B' }
  | { code: 'role-twice'; role: 'A' | 'B' }
  | { code: 'b-without-a' }
  | { code: 'stray'; text: string };

export type ParsedCover = { ok: true; value: CoverArgs } | { ok: false; problem: CoverArgsProblem };

/** Words that take a township's AB角 away (everyone @-ed again), and that say "no B". */
const CLEAR_WORDS: readonly string[] = ['取消', '清除', '清空', '删除'];
const NONE_WORDS: readonly string[] = ['无', '没有', '空', '不设'];

type Role = 'A' | 'B';

/**
 * `A`, `A角`, `a:`, `A角：` before a name, or with the name right after it (`A李四`, `A角李四`).
 * `Beicheng` is a word, not the role B: after a bare letter only a name in Chinese is a name.
 */
function roleOf(token: string): { which: Role; name: string } | undefined {
  const m = /^([ab])(角)?([:=])?(.*)$/i.exec(token);
  if (m === null) return undefined;
  const name = m[4] ?? '';
  if (m[2] === undefined && m[3] === undefined && /^[a-z0-9]/i.test(name)) return undefined;
  return { which: m[1]?.toUpperCase() === 'A' ? 'A' : 'B', name };
}

/**
 * `城关镇 A 李四 B 王五`, `城关镇 A角李四 B角王五`, `城关镇 A：李四`, `城关镇 A 李四 B 无`, `城关镇 取消`,
 * and `城关镇` alone (show). The township comes first, and may be left out in its own group.
 */
export function parseCover(input: string): ParsedCover {
  const tokens = normalizeText(input).split(' ').filter((t) => t !== '');
  const names: Partial<Record<Role, string>> = {};
  let township: string | undefined;
  let clear = false;
  const stray = (text: string): ParsedCover => ({ ok: false, problem: { code: 'stray', text } });
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] ?? '';
    const role = roleOf(token);
    const named = names.A !== undefined || names.B !== undefined;
    if (role !== undefined) {
      if (clear) return stray(token);
      if (names[role.which] !== undefined) return { ok: false, problem: { code: 'role-twice', role: role.which } };
      let name = role.name;
      if (name === '') {
        const next = tokens[i + 1];
        if (next === undefined || roleOf(next) !== undefined) return { ok: false, problem: { code: 'name-missing', role: role.which } };
        name = next;
        i += 1;
      }
      names[role.which] = name;
    } else if (!named && !clear && CLEAR_WORDS.includes(token)) {
      clear = true;
    } else if (!named && !clear && township === undefined) {
      township = token;
    } else {
      return stray(token);
    }
  }
  const where = township === undefined ? {} : { township };
  if (clear) return { ok: true, value: { ...where, kind: 'clear' } };
  const { A: a, B: b } = names;
  if (a === undefined) return b === undefined ? { ok: true, value: { ...where, kind: 'show' } } : { ok: false, problem: { code: 'b-without-a' } };
  return { ok: true, value: { ...where, kind: 'set', a, ...(b === undefined || NONE_WORDS.includes(b) ? {} : { b }) } };
}
