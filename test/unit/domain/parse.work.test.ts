/**
 * No message can stall the bot (issue 12): reading chat text costs work linear in its length.
 * Counted, not timed: every regular expression the parsers run goes through
 * `RegExp.prototype.exec` (String#replace, #split, #match and RegExp#test call it by the
 * language's rules), and each call is charged the characters it passes over — from where it
 * starts to the end of its match, or to the end of the text when it finds none. A parser that
 * runs a pattern over the rest of the text at every position, as the report parser did, is
 * charged quadratically; one that reads each part a bounded number of times, linearly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseReport } from '../../../src/domain/parse/index.js';
import { HOSTILE_TEXTS, parseEverything } from '../../helpers/hostile-text.js';

const exec = Object.getOwnPropertyDescriptor(RegExp.prototype, 'exec');
let charged = 0;

beforeEach(() => {
  const original: (this: RegExp, input: string) => RegExpExecArray | null = Reflect.get(RegExp.prototype, 'exec');
  charged = 0;
  Object.defineProperty(RegExp.prototype, 'exec', {
    configurable: true,
    writable: true,
    value: function countedExec(this: RegExp, input: string): RegExpExecArray | null {
      const from = this.global || this.sticky ? this.lastIndex : 0;
      const match = original.call(this, input);
      // A sticky pattern (String#split's) is tried at one place only.
      const end = match === null ? (this.sticky ? from : input.length) : match.index + match[0].length;
      charged += end - from + 1;
      return match;
    },
  });
});

afterEach(() => {
  if (exec) Object.defineProperty(RegExp.prototype, 'exec', exec);
});

/** The characters the regular expressions passed over while `run` ran. */
function work(run: () => unknown): number {
  const before = charged;
  run();
  return charged - before;
}

describe('reading a message', () => {
  it('is measured on every pattern, also those String#replace runs (else the counts below would prove nothing)', () => {
    expect(work(() => 'aaab'.replace(/b/, ''))).toBe(5);
  });

  it.each(Object.entries(HOSTILE_TEXTS))('costs work linear in its length: %s', (_name, make) => {
    const at = (n: number): number => work(() => parseEverything(make(n)));
    const small = at(150);
    // Linear work a·n + b grows at most tenfold when n does; quadratic work a hundredfold.
    expect(at(1_500)).toBeLessThanOrEqual(10 * small);
    expect(at(15_000)).toBeLessThanOrEqual(100 * small);
  });

  it('reads the message of issue 12, 上报 and one word of 15,000 characters, passing over each character a few times at most', () => {
    const word = `${'一'.repeat(15_000)}x`;
    const cost = work(() => parseReport(word));
    expect(cost).toBeLessThan(20 * word.length);
    expect(parseReport(word)).toEqual({ ok: false, problem: { code: 'value-missing' } });
  });
});
