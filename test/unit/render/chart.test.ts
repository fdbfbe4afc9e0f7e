import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RankingRow, RankingSnapshot } from '../../../src/domain/ranking.js';
import { SAMPLE_COUNTY } from '../../../src/paths.js';
import {
  CHART_MAX_ROWS,
  chartImage,
  rankingChartOption,
  rankingChartSize,
  renderRankingChart,
  renderRankingSvg,
  SHADE_COLORS,
} from '../../../src/render/chart.js';
import { FONT_FAMILY } from '../../../src/render/font.js';
import { parseSetup } from '../../../src/setup/index.js';
import { bytesPerPixel, decodePng, inflatedImageData, PNG_SIGNATURE, pngChunks, pngHeader } from '../../helpers/png.js';

/** WeCom's webhook `image`: at most 2 MB before base64 (docs/protocols/wecom.md §4, page 91770). */
const WECOM_IMAGE_BYTES = 2 * 1024 * 1024;

function sampleTownships(): string[] {
  const setup = parseSetup(readFileSync(SAMPLE_COUNTY(), 'utf8'), 'sample-county.yaml');
  if (!setup.ok) throw new Error(setup.errors.join('\n'));
  return setup.county.townships.map((t) => t.name);
}

/** Per mille, tasks, done, behind, overdue: one of each light, best first. */
const FIGURES: readonly (readonly [number, number, number, number, number])[] = [
  [1000, 10, 10, 0, 0],
  [934, 8, 6, 0, 0],
  [881, 10, 5, 0, 0],
  [846, 10, 4, 1, 0],
  [812, 10, 4, 0, 0],
  [777, 10, 3, 2, 0],
  [760, 8, 3, 0, 1],
  [702, 10, 2, 3, 0],
  [655, 10, 2, 0, 0],
  [598, 10, 1, 2, 1],
  [541, 10, 1, 4, 0],
  [430, 10, 0, 3, 2],
  [315, 10, 0, 5, 3],
];

/** A month's ranking of `names`, best first, with figures cycling through FIGURES. */
function ranking(names: readonly string[]): RankingSnapshot {
  const rows = names.map((name, i): RankingRow => {
    const [score, tasks, done, behind, overdue] = FIGURES[i % FIGURES.length]!;
    return { township: name, name, score: Math.max(0, score - 20 * Math.floor(i / FIGURES.length)), rank: 0, tasks, done, doneLate: 0, behind, overdue, bottom: false };
  });
  rows.sort((a, b) => b.score - a.score);
  rows.forEach((row, i) => (row.rank = i + 1));
  return { month: '2026-06', asOf: '2026-06-15', rows };
}

const manyTownships = (n: number): string[] => Array.from({ length: n }, (_, i) => `第${String(i + 1)}乡`);

const sample = ranking(sampleTownships());
const title = { title: '示范县 2026年6月 重点任务完成情况排名', subtitle: '截至6月15日 · 按承担任务的加权完成率排序' };

/** Each bar by row, from the SVG's bar paths (ECharts marks them with series and data index): its fill and width in CSS px. */
function bars(svg: string): Map<number, { fill: string; width: number }> {
  const found = new Map<number, { fill: string; width: number }>();
  for (const [, d, fill, index] of svg.matchAll(/<path d="([^"]*)" fill="(#[0-9a-f]{6})" ecmeta_series_index="\d+" ecmeta_data_index="(\d+)" ecmeta_ssr_type="chart"/g)) {
    // The corners the path moves and draws lines to; the rounded ends' arcs lie between them.
    const xs = [...d!.matchAll(/[ML](-?[\d.]+) -?[\d.]+/g)].map(([, x]) => Number(x));
    found.set(Number(index), { fill: fill!, width: Math.max(...xs) - Math.min(...xs) });
  }
  return found;
}

const barFills = (svg: string): Map<number, string> => new Map([...bars(svg)].map(([row, bar]) => [row, bar.fill]));

const texts = (svg: string): string[] => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map(([, text]) => text!);

/** Each text with where it is anchored (CSS px from the left) and which way it runs from there. */
function placedTexts(svg: string): { text: string; anchor: string; x: number }[] {
  return [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map(([, attrs, text]) => {
    const attr = (name: string): string | undefined => new RegExp(`(?:^| )${name}="([^"]*)"`).exec(attrs!)?.[1];
    const [, translated] = /translate\((-?[\d.]+) /.exec(attr('transform') ?? '') ?? [];
    return { text: text!, anchor: attr('text-anchor') ?? 'start', x: Number(translated ?? 0) + Number(attr('x') ?? 0) };
  });
}

/** The x of the average line, from its dashed path. */
function averageLineX(svg: string): number {
  const [, x] = /<path d="M(-?[\d.]+) [^"]*" fill="none" [^>]*stroke-dasharray/.exec(svg) ?? [];
  return Number(x);
}

/** A county whose scores sit close around their average, each bar ending near the average line. */
const nearAverage = ranking(['城关镇', '红星乡', '马家寨乡', '青山镇', '柳河乡', '东城街道', '西城街道', '白沙镇']);
nearAverage.rows.forEach((row, i) => (row.score = 640 - 12 * i));

describe('renderRankingChart', () => {
  it('draws a PNG 1600 pixels wide, one row per township, taller for more townships', async () => {
    const heights: number[] = [];
    for (const n of [13, 40]) {
      const png = await renderRankingChart(ranking(manyTownships(n)), title);
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      const header = pngHeader(png);
      expect(header.width).toBe(1600);
      expect(header.height).toBe(2 * rankingChartSize(n).height);
      heights.push(header.height);
    }
    expect(heights[1]! - heights[0]!).toBe(2 * (rankingChartSize(40).height - rankingChartSize(13).height));
    expect(heights[1]).toBeGreaterThan(heights[0]!);
  });

  it('writes a whole PNG: every chunk checks out and the image data inflates to exactly one scanline per row', async () => {
    const png = await renderRankingChart(sample, title);
    const chunks = pngChunks(png);
    expect(chunks.map((c) => c.type).at(0)).toBe('IHDR');
    expect(chunks.map((c) => c.type).at(-1)).toBe('IEND');
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const header = pngHeader(png);
    expect(inflatedImageData(png).length).toBe(header.height * (1 + header.width * bytesPerPixel(header)));
  });

  it('paints the bars in the colours of the lights on a white background', async () => {
    const image = decodePng(await renderRankingChart(sample, title));
    const seen = new Map<string, number>();
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [r = 0, g = 0, b = 0] = image.pixel(x, y);
        const hex = `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
        seen.set(hex, (seen.get(hex) ?? 0) + 1);
      }
    }
    const total = (image.width * image.height) / 4;
    // Mostly white, and each light's colour covers at least a bar's worth of pixels.
    expect(seen.get('#ffffff') ?? 0).toBeGreaterThan(total / 2);
    for (const color of Object.values(SHADE_COLORS)) expect(seen.get(color) ?? 0).toBeGreaterThan(2000);
  });

  it('stays far below the 2 MB WeCom takes, even for 60 townships', async () => {
    const png = await renderRankingChart(ranking(manyTownships(60)), title);
    expect(pngHeader(png).height).toBe(2 * rankingChartSize(60).height);
    expect(png.length).toBeLessThan(WECOM_IMAGE_BYTES / 2);
  });

  it('draws a ranking once: the same ranking and title again give the picture already drawn', async () => {
    const first = await renderRankingChart(ranking(manyTownships(20)), title);
    expect(await renderRankingChart(ranking(manyTownships(20)), title)).toBe(first);
    expect(await renderRankingChart(ranking(manyTownships(20)), { ...title, counts: true })).not.toBe(first);
  });

  it('gives a message its picture as base64 of the same PNG', async () => {
    const { image } = await chartImage(sample, title);
    expect(Buffer.from(image?.base64 ?? '', 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it('gives no picture for a county too large to draw legibly, rather than minutes of drawing', async () => {
    expect(await chartImage(ranking(manyTownships(CHART_MAX_ROWS + 1)), title)).toEqual({});
  });
});

describe('renderRankingSvg', () => {
  let svg = '';
  beforeAll(async () => {
    svg = await renderRankingSvg(sample, { ...title, counts: true });
  });

  it('colours each township by its worst light: red when overdue, amber when behind, green on pace, deep green when all done', () => {
    const expected = sample.rows.map((row) =>
      row.overdue > 0 ? SHADE_COLORS.overdue : row.behind > 0 ? SHADE_COLORS.behind : row.done === row.tasks ? SHADE_COLORS.done : SHADE_COLORS.onPace,
    );
    const fills = barFills(svg);
    expect(sample.rows.map((_, i) => fills.get(i))).toEqual(expected);
    expect(new Set(expected).size).toBe(4);
  });

  it('lists the townships best first, each with its rank', () => {
    const shown = texts(svg);
    const names = sample.rows.map((row) => row.name);
    expect(shown.filter((t) => names.includes(t))).toEqual(names);
    for (const row of sample.rows) expect(shown).toContain(String(row.rank));
  });

  it('writes each township\'s score out of 100 in 分, as the text ranking does, with its overdue and lagging counts', () => {
    const shown = texts(svg);
    expect(shown).toContain('100.0分');
    expect(shown).toContain('93.4分');
    expect(shown).toContain('31.5分  逾期3项 滞后5项');
    expect(shown).toContain('76.0分  逾期1项');
    expect(shown).toContain('84.6分  滞后1项');
    expect(shown.some((t) => t.includes('%'))).toBe(false);
  });

  it('leaves the counts out of the township groups\' picture, which shows the colours only', async () => {
    const shown = texts(await renderRankingSvg(sample, title));
    expect(shown).toContain('31.5分');
    expect(shown.some((t) => /逾期\d+项|滞后\d+项|🔴/.test(t))).toBe(false);
  });

  it('marks the county average in 分, labelled 全县平均', () => {
    const mean = sample.rows.reduce((sum, row) => sum + row.score / 10, 0) / sample.rows.length;
    expect(texts(svg)).toContain(`全县平均 ${mean.toFixed(1)}分`);
  });

  it('draws a township with no progress at all as a short bar in its light\'s colour, scored 0.0分', async () => {
    const idle = ranking(['城关镇', '红星乡', '青山镇']);
    const [, onPace, behind] = idle.rows;
    Object.assign(onPace!, { score: 0, done: 0, doneLate: 0, behind: 0, overdue: 0 });
    Object.assign(behind!, { score: 0, done: 0, doneLate: 0, behind: 2, overdue: 0 });
    const drawn = await renderRankingSvg(idle, title);
    const found = bars(drawn);
    expect([found.get(1)?.fill, found.get(2)?.fill]).toEqual([SHADE_COLORS.onPace, SHADE_COLORS.behind]);
    expect(found.get(1)?.width).toBeGreaterThanOrEqual(4);
    expect(found.get(2)?.width).toBeGreaterThanOrEqual(4);
    expect(texts(drawn).filter((t) => t === '0.0分')).toHaveLength(2);
  });

  it('keeps the average line clear of every label: names left of the bars, scores in a column right of 100', async () => {
    const drawn = await renderRankingSvg(nearAverage, { ...title, counts: true });
    const placed = placedTexts(drawn);
    const axisAt = (value: number): number => placed.find((t) => t.anchor === 'middle' && parseFloat(t.text) === value)?.x ?? NaN;
    const [zero, hundred, line] = [axisAt(0), axisAt(100), averageLineX(drawn)];
    expect(line).toBeGreaterThan(zero);
    expect(line).toBeLessThan(hundred);
    const names = placed.filter((t) => nearAverage.rows.some((row) => row.name === t.text));
    const scores = placed.filter((t) => /^\d+\.\d/.test(t.text));
    expect([names.length, scores.length]).toEqual([nearAverage.rows.length, nearAverage.rows.length]);
    for (const name of names) expect([name.anchor, name.x <= zero]).toEqual(['end', true]);
    for (const score of scores) expect([score.anchor, score.x > hundred]).toEqual(['start', true]);
  });

  it('shows the title, the subtitle and a key to the colours in Chinese', () => {
    const shown = texts(svg);
    expect(shown).toContain(title.title);
    expect(shown).toContain(title.subtitle);
    expect(shown).toEqual(expect.arrayContaining(['有逾期', '进度滞后', '正常推进', '全部完成']));
  });

  it('draws its text in the shipped font', () => {
    expect(svg).toContain(`font-family:'${FONT_FAMILY}'`);
  });

  it('is shorter without a subtitle, and leaves none behind', async () => {
    const plain = await renderRankingSvg(sample, { title: title.title });
    expect(plain).toContain(`height="${String(rankingChartSize(13, false).height)}"`);
    expect(rankingChartSize(13, false).height).toBeLessThan(rankingChartSize(13).height);
    expect(texts(plain)).not.toContain(title.subtitle);
  });

  it('never reads braces or bars in a township name as label markup', async () => {
    const odd = ranking(['{a|b}镇', '城关镇']);
    expect(texts(await renderRankingSvg(odd, title))).toContain('｛a｜b｝镇');
  });

  it('draws an empty month without a bar or an average', async () => {
    const empty = await renderRankingSvg({ month: '2026-06', asOf: '2026-06-01', rows: [] }, title);
    expect(barFills(empty).size).toBe(0);
    expect(empty).not.toContain('全县平均');
    expect(texts(empty)).toContain(title.title);
  });
});

describe('rankingChartOption', () => {
  it('is plain data, so a browser could draw the same chart from JSON', () => {
    const option = rankingChartOption(sample, title);
    expect(JSON.parse(JSON.stringify(option))).toEqual(option);
  });

  it('turns animation off, which a picture drawn once has no use for', () => {
    expect(rankingChartOption(sample, title).animation).toBe(false);
  });
});
