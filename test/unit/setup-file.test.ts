/**
 * A setup file as the bytes an admin's editor saved: encodings other than UTF-8, text garbled by
 * an editor, and files built to exhaust the reader, each refused with a sentence saying what to do.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SETUP_BYTES, readSetup, type SetupResult } from '../../src/setup/index.js';

const SAMPLE = readFileSync(new URL('../../examples/sample-county.yaml', import.meta.url));
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
/** 示范县 and 城关镇 as Chinese Windows saves them under "ANSI" (code page 936, GBK). */
const GBK = { 示范县: Buffer.from('cabeb7b6cfd8', 'hex'), 城关镇: Buffer.from('b3c7b9d8d5f2', 'hex') };

const SAVE_AS = '请另存为 UTF-8 编码：在记事本里点「文件」→「另存为」，下方的「编码」选「UTF-8」，保存后再载入';
const MINIMAL = 'county: 示范县\ntownships:\n  - { name: 城关镇, villages: 1 }\n';

function errors(result: SetupResult): string[] {
  if (result.ok) throw new Error('expected problems, the file loaded');
  return result.errors;
}

describe('the encoding of a setup file', () => {
  it('refuses a county saved by Notepad as ANSI (GBK), naming the first line it cannot read and how to save it as UTF-8', () => {
    const file = Buffer.concat([utf8('# 设置文件\ncounty: '), GBK.示范县, utf8('\ntownships:\n  - { name: '), GBK.城关镇, utf8(', villages: 1 }\n')]);
    expect(errors(readSetup(file, 'county.yaml'))).toEqual([
      `设置文件不是 UTF-8 编码，从第2行起读不出来（常见的原因是用记事本存成了「ANSI」，也就是 GBK 编码）。${SAVE_AS}`,
    ]);
  });

  it('refuses UTF-16 with a byte-order mark, little- and big-endian, saying it is UTF-16 and what Notepad calls it', () => {
    const le = Buffer.from(`\uFEFF${MINIMAL}`, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(errors(readSetup(le, 'county.yaml'))).toEqual([`设置文件是 UTF-16 编码（记事本里叫「UTF-16 LE」或「Unicode」），读不了。${SAVE_AS}`]);
    expect(errors(readSetup(be, 'county.yaml'))).toEqual([`设置文件是 UTF-16 编码（记事本里叫「UTF-16 BE」或「Unicode big endian」），读不了。${SAVE_AS}`]);
  });

  it('recognises UTF-16 without a byte-order mark by the NUL byte beside each ASCII letter', () => {
    expect(errors(readSetup(Buffer.from(MINIMAL, 'utf16le'), 'county.yaml'))[0]).toMatch(/^设置文件是 UTF-16 编码（记事本里叫「UTF-16 LE」/);
    expect(errors(readSetup(Buffer.from(MINIMAL, 'utf16le').swap16(), 'county.yaml'))[0]).toMatch(/^设置文件是 UTF-16 编码（记事本里叫「UTF-16 BE」/);
  });

  it('loads UTF-8 with a byte-order mark, as Notepad may save it, the same as without', () => {
    const plain = readSetup(SAMPLE, 'sample-county.yaml');
    expect(plain.ok).toBe(true);
    expect(readSetup(Buffer.concat([Buffer.from('efbbbf', 'hex'), SAMPLE]), 'sample-county.yaml')).toEqual(plain);
  });

  it('refuses U+FFFD left by an editor that opened the file in the wrong encoding and saved it, naming the line', () => {
    const file = utf8('county: 示范县\ntownships:\n  - { name: \uFFFD\uFFFD\uFFFD, villages: 1 }\n');
    expect(errors(readSetup(file, 'county.yaml'))).toEqual([
      '设置文件第3行有乱码「\uFFFD」：这个文件曾被按错误的编码打开又保存过，这些字已经丢失。请把它们改回原来的字（或找到原来的文件），用 UTF-8 编码保存后再载入',
    ]);
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(typeof readSetup(bytes, 'county.yaml').ok).toBe('boolean');
      }),
    );
  });
});

describe('a setup file built to exhaust the reader', () => {
  it('is refused over 1 MB by its size, naming both', () => {
    const file = Buffer.concat([utf8(MINIMAL), Buffer.alloc(MAX_SETUP_BYTES, '#')]);
    expect(errors(readSetup(file, 'county.yaml'))).toEqual(['设置文件有 1.1 MB，超过了 1 MB 的上限（一个县的设置文件通常只有几十 KB）：请确认选对了文件']);
  });

  it('is refused when it is a "billion laughs" of nested aliases, with a sentence', () => {
    const levels = ['a: &a ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]'];
    for (let i = 1; i < 10; i += 1) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      levels.push(`${name}: &${name} [${Array<string>(9).fill(`*${prev}`).join(', ')}]`);
    }
    expect(errors(readSetup(utf8(`${MINIMAL}${levels.join('\n')}\n`), 'county.yaml'))).toEqual([
      '设置文件里的锚点和引用（& 和 *）展开后太多，读不了：请把各项直接写出来，不要用 & 和 *',
    ]);
  });

  it('is refused when a few aliases of a long list would make the checks walk millions of values', () => {
    const list = `long: &long [${Array<string>(20_000).fill('城关镇').join(',')}]\n`;
    const file = `${MINIMAL}${list}tasks: [${Array<string>(30).fill('*long').join(', ')}]\n`;
    expect(errors(readSetup(utf8(file), 'county.yaml'))).toEqual([expect.stringContaining('展开后太多')]);
  });

  it.each([
    ['brackets', `deep: ${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['braces', `deep: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['indented lists', `deep:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}1`],
    ['lists on one line', `deep:\n${'- '.repeat(5_000)}1`],
  ])('is refused when it nests %s deeper than any county, before the reader recurses into them', (_, deep) => {
    expect(errors(readSetup(utf8(`${MINIMAL}${deep}\n`), 'county.yaml'))).toEqual([
      '设置文件里的列表和字段一层套一层，套得太深，读不了：一个县的设置只需要四五层，请检查缩进和括号 [ ] { } 是否多写了',
    ]);
  });

  it('stops at 100 problems and says the rest were not checked: each unknown township is compared with every one', () => {
    const townships = Array.from({ length: 2_000 }, (_, i) => `  - { name: 乡${String(i)}, villages: 1 }`).join('\n');
    const refs = Array.from({ length: 5_000 }, (_, i) => `镇${String(i)}`).join(', ');
    const file = `county: 示范县\ntownships:\n${townships}\ntasks:\n  - { id: T1, title: 冬训, deadline: 2026-12-31, target: { percent: 100 }, townships: [${refs}] }\n`;
    const problems = errors(readSetup(utf8(file), 'county.yaml'));
    expect(problems).toHaveLength(101);
    expect(problems[0]).toMatch(/^tasks 第1项（T1）的 townships 第1项：找不到乡镇「镇0」/);
    expect(problems.at(-1)).toBe('已列出 100 处问题，后面的没有再查：请先改好这些，再载入一次');
  });
});
