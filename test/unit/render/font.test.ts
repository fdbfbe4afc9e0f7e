import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RankingSnapshot } from '../../../src/domain/ranking.js';
import { SAMPLE_COUNTY } from '../../../src/paths.js';
import { renderRankingSvg } from '../../../src/render/chart.js';
import { codePointsOf, FONT_FILE, missingGlyphs } from '../../../src/render/font.js';
import { parseSetup } from '../../../src/setup/index.js';

const fontDir = dirname(FONT_FILE);

function sampleCounty() {
  const setup = parseSetup(readFileSync(SAMPLE_COUNTY(), 'utf8'), 'sample-county.yaml');
  if (!setup.ok) throw new Error(setup.errors.join('\n'));
  return setup.county;
}

/**
 * GB2312 as decoded from every EUC-CN double byte A1A1–F7FE, without the unassigned cells:
 * symbols in rows A1–A9, hanzi from row B0 (level 1 to D7, level 2 from D8).
 */
function gb2312(): { symbols: string[]; hanzi: string[] } {
  const decoder = new TextDecoder('gb18030');
  const symbols: string[] = [];
  const hanzi: string[] = [];
  for (let lead = 0xa1; lead <= 0xf7; lead += 1) {
    for (let trail = 0xa1; trail <= 0xfe; trail += 1) {
      const char = decoder.decode(new Uint8Array([lead, trail]));
      // GB18030 maps GB2312's empty cells and user rows to the Private Use Area.
      if (/\p{Co}|\uFFFD/u.test(char)) continue;
      (lead >= 0xb0 ? hanzi : symbols).push(char);
    }
  }
  return { symbols, hanzi };
}

describe('the chart font', () => {
  it('is found from the package root, with its licence and README beside it', () => {
    expect(isAbsolute(FONT_FILE)).toBe(true);
    expect(FONT_FILE.endsWith('.otf')).toBe(true);
    expect(readFileSync(FONT_FILE).subarray(0, 4).toString('latin1')).toBe('OTTO');
    expect(readFileSync(join(fontDir, 'OFL.txt'), 'utf8')).toContain('SIL OPEN FONT LICENSE Version 1.1');
    expect(existsSync(join(fontDir, 'README.md'))).toBe(true);
  });

  it('has every character of every township, group and person name and every task title in the sample county', () => {
    const county = sampleCounty();
    const words = [
      county.name,
      ...county.townships.map((t) => t.name),
      ...county.townships.map((t) => `${String(t.villages)}个村（社区）`),
      ...county.groups.map((g) => g.name ?? ''),
      ...county.people.map((p) => p.name),
      ...county.tasks.map((t) => t.title),
    ];
    expect(missingGlyphs(words.join(''))).toEqual([]);
  });

  it('has every character the ranking chart writes', async () => {
    const county = sampleCounty();
    const ranking: RankingSnapshot = {
      month: '2026-06',
      asOf: '2026-06-15',
      rows: county.townships.map((t, i) => ({
        township: t.id, name: t.name, score: 1000 - 61 * i, rank: i + 1, tasks: 10, done: i % 3, doneLate: 0, behind: i % 2, overdue: i % 4 === 3 ? 2 : 0, bottom: false,
      })),
    };
    const svg = await renderRankingSvg(ranking, { title: `${county.name} 2026年6月 重点任务完成情况排名`, subtitle: '截至6月15日 · 按承担任务的加权完成率排序' });
    const written = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map(([, text]) => text).join('');
    expect(written).toContain('全县平均');
    expect(missingGlyphs(written)).toEqual([]);
  });

  it('has all 6,763 hanzi of GB2312 and its symbols', () => {
    const { symbols, hanzi } = gb2312();
    expect(hanzi).toHaveLength(6763);
    expect(missingGlyphs(hanzi.join(''))).toEqual([]);
    expect(missingGlyphs(symbols.join(''))).toEqual([]);
  });

  it('has the extra place-name characters its extras list promises', () => {
    const extras = readFileSync(join(fontDir, 'extra-chars.txt'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('');
    expect(Array.from(extras.replace(/\s/g, '')).length).toBeGreaterThan(50);
    expect(missingGlyphs(extras)).toEqual([]);
  });

  it('has full-width forms, CJK punctuation and ASCII', () => {
    expect(missingGlyphs('，。、；：？！“”‘’（）【】《》〔〕…—·％１２３ＡＢＣ　ABCxyz0123456789%+-./')).toEqual([]);
  });
});

describe('missingGlyphs', () => {
  it('names the characters the font lacks, each once, in order of appearance', () => {
    // 龘 (U+9F98) is outside GB2312 and the extras; 𠀀 (U+20000) is outside the BMP.
    expect(missingGlyphs('龘城关镇𠀀龘镇')).toEqual(['龘', '𠀀']);
  });

  it('ignores spaces, line breaks, tabs, joiners and variation selectors', () => {
    expect(missingGlyphs(' 城\t关\n镇\u3000\u200d\ufe0f\r')).toEqual([]);
  });

  it('finds nothing missing in nothing', () => {
    expect(missingGlyphs('')).toEqual([]);
  });
});

describe('codePointsOf', () => {
  /** An sfnt with only a `cmap` table, holding the given subtables (platform, encoding, bytes). */
  function fontWithCmap(subtables: readonly [number, number, Buffer][]): Buffer {
    const records = Buffer.alloc(4 + 8 * subtables.length);
    records.writeUInt16BE(0, 0);
    records.writeUInt16BE(subtables.length, 2);
    let offset = records.length;
    subtables.forEach(([platform, encoding, body], i) => {
      records.writeUInt16BE(platform, 4 + 8 * i);
      records.writeUInt16BE(encoding, 6 + 8 * i);
      records.writeUInt32BE(offset, 8 + 8 * i);
      offset += body.length;
    });
    const cmap = Buffer.concat([records, ...subtables.map(([, , body]) => body)]);
    const head = Buffer.alloc(12 + 16);
    head.writeUInt32BE(0x4f54544f, 0); // 'OTTO'
    head.writeUInt16BE(1, 4);
    head.write('cmap', 12, 'latin1');
    head.writeUInt32BE(28, 20);
    head.writeUInt32BE(cmap.length, 24);
    return Buffer.concat([head, cmap]);
  }

  function format12(groups: readonly [number, number, number][]): Buffer {
    const body = Buffer.alloc(16 + 12 * groups.length);
    body.writeUInt16BE(12, 0);
    body.writeUInt32BE(body.length, 4);
    body.writeUInt32BE(groups.length, 12);
    groups.forEach(([first, last, glyph], i) => {
      body.writeUInt32BE(first, 16 + 12 * i);
      body.writeUInt32BE(last, 20 + 12 * i);
      body.writeUInt32BE(glyph, 24 + 12 * i);
    });
    return body;
  }

  /** Format 4 with one mapped segment by delta (A–C → glyphs 1–3) and the closing 0xFFFF one. */
  function format4(): Buffer {
    const body = Buffer.alloc(16 + 2 * 2 * 4);
    body.writeUInt16BE(4, 0);
    body.writeUInt16BE(body.length, 2);
    body.writeUInt16BE(4, 6); // segCountX2
    body.writeUInt16BE(0x43, 14); // endCode
    body.writeUInt16BE(0xffff, 16);
    body.writeUInt16BE(0x41, 20); // startCode, after reservedPad
    body.writeUInt16BE(0xffff, 22);
    body.writeUInt16BE(0x10000 - 0x40, 24); // idDelta: 'A' + delta = 1
    body.writeUInt16BE(1, 26);
    return body;
  }

  it('reads the full-Unicode format 12 subtable when there is one, past the BMP', () => {
    const font = fontWithCmap([
      [3, 1, format4()],
      [3, 10, format12([[0x20000, 0x20002, 5], [0x9f98, 0x9f98, 9]])],
    ]);
    expect([...codePointsOf(font)].sort((a, b) => a - b)).toEqual([0x9f98, 0x20000, 0x20001, 0x20002]);
  });

  it('leaves out characters mapped to .notdef', () => {
    const font = fontWithCmap([[0, 4, format12([[0x41, 0x42, 0]])]]);
    expect([...codePointsOf(font)]).toEqual([0x42]);
  });

  it('falls back to the BMP format 4 subtable', () => {
    expect([...codePointsOf(fontWithCmap([[3, 1, format4()]]))]).toEqual([0x41, 0x42, 0x43]);
  });

  it('reads the shipped font: GB2312 and more, thousands of characters', () => {
    const covered = codePointsOf(readFileSync(FONT_FILE));
    expect(covered.size).toBeGreaterThan(7000);
    expect(covered.has('垟'.codePointAt(0)!)).toBe(true);
    expect(covered.has('龘'.codePointAt(0)!)).toBe(false);
  });
});
