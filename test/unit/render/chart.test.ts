import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
import { parseSetup } from '../../../src/setup.js';
import { bytesPerPixel, decodePng, inflatedImageData, PNG_SIGNATURE, pngChunks, pngHeader } from '../../helpers/png.js';

/** WeCom's webhook `image`: at most 2 MB before base64 (developer.work.weixin.qq.com/document/path/91770). */
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
    return { township: name, name, score: Math.max(0, score - 20 * Math.floor(i / FIGURES.length)), rank: 0, tasks, done, behind, overdue, bottom: false };
  });
  rows.sort((a, b) => b.score - a.score);
  rows.forEach((row, i) => (row.rank = i + 1));
  return { month: '2026-06', asOf: '2026-06-15', rows };
}

const manyTownships = (n: number): string[] => Array.from({ length: n }, (_, i) => `第${String(i + 1)}乡`);

const sample = ranking(sampleTownships());
const title = { title: '示范县 2026年6月 重点任务完成情况排名', subtitle: '截至6月15日 · 按承担任务的加权完成率排序' };

/** Each bar's fill by row, from the SVG's bar paths (ECharts marks them with series and data index). */
function barFills(svg: string): Map<number, string> {
  const fills = new Map<number, string>();
  for (const [, fill, index] of svg.matchAll(/<path [^>]*fill="(#[0-9a-f]{6})" ecmeta_series_index="\d+" ecmeta_data_index="(\d+)" ecmeta_ssr_type="chart"/g)) {
    fills.set(Number(index), fill!);
  }
  return fills;
}

const texts = (svg: string): string[] => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map(([, text]) => text!);

describe('renderRankingChart', () => {
  it('draws a PNG 1600 pixels wide, one row per township, taller for more townships', () => {
    const heights = [13, 40].map((n) => {
      const png = renderRankingChart(ranking(manyTownships(n)), title);
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      const header = pngHeader(png);
      expect(header.width).toBe(1600);
      expect(header.height).toBe(2 * rankingChartSize(n).height);
      return header.height;
    });
    expect(heights[1]! - heights[0]!).toBe(2 * (rankingChartSize(40).height - rankingChartSize(13).height));
    expect(heights[1]).toBeGreaterThan(heights[0]!);
  });

  it('writes a whole PNG: every chunk checks out and the image data inflates to exactly one scanline per row', () => {
    const png = renderRankingChart(sample, title);
    const chunks = pngChunks(png);
    expect(chunks.map((c) => c.type).at(0)).toBe('IHDR');
    expect(chunks.map((c) => c.type).at(-1)).toBe('IEND');
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const header = pngHeader(png);
    expect(inflatedImageData(png).length).toBe(header.height * (1 + header.width * bytesPerPixel(header)));
  });

  it('paints the bars in the colours of the lights on a white background', () => {
    const image = decodePng(renderRankingChart(sample, title));
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

  it('stays far below the 2 MB WeCom takes, even for 60 townships', () => {
    const png = renderRankingChart(ranking(manyTownships(60)), title);
    expect(pngHeader(png).height).toBe(2 * rankingChartSize(60).height);
    expect(png.length).toBeLessThan(WECOM_IMAGE_BYTES / 2);
  });

  it('draws a ranking once: the same ranking and title again give the picture already drawn', () => {
    const first = renderRankingChart(ranking(manyTownships(20)), title);
    expect(renderRankingChart(ranking(manyTownships(20)), title)).toBe(first);
    expect(renderRankingChart(ranking(manyTownships(20)), { ...title, counts: true })).not.toBe(first);
  });

  it('gives a message its picture as base64 of the same PNG', () => {
    const { image } = chartImage(sample, title);
    expect(Buffer.from(image?.base64 ?? '', 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it('gives no picture for a county too large to draw legibly, rather than minutes of drawing', () => {
    expect(chartImage(ranking(manyTownships(CHART_MAX_ROWS + 1)), title)).toEqual({});
  });
});

describe('renderRankingSvg', () => {
  const svg = renderRankingSvg(sample, { ...title, counts: true });

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

  it('writes each completion at the end of its bar, with the overdue or lagging count', () => {
    const shown = texts(svg);
    expect(shown).toContain('100.0%');
    expect(shown).toContain('93.4%');
    expect(shown).toContain('31.5%  逾期3项');
    expect(shown).toContain('84.6%  滞后1项');
  });

  it('leaves the counts out of the township groups\' picture, which shows the colours only', () => {
    const shown = texts(renderRankingSvg(sample, title));
    expect(shown).toContain('31.5%');
    expect(shown.some((t) => t.includes('逾期') && t.includes('项'))).toBe(false);
  });

  it('marks the county average, labelled 全县平均', () => {
    const mean = sample.rows.reduce((sum, row) => sum + row.score / 10, 0) / sample.rows.length;
    expect(texts(svg)).toContain(`全县平均 ${mean.toFixed(1)}%`);
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

  it('is shorter without a subtitle, and leaves none behind', () => {
    const plain = renderRankingSvg(sample, { title: title.title });
    expect(plain).toContain(`height="${String(rankingChartSize(13, false).height)}"`);
    expect(rankingChartSize(13, false).height).toBeLessThan(rankingChartSize(13).height);
    expect(texts(plain)).not.toContain(title.subtitle);
  });

  it('never reads braces or bars in a township name as label markup', () => {
    const odd = ranking(['{a|b}镇', '城关镇']);
    expect(texts(renderRankingSvg(odd, title))).toContain('｛a｜b｝镇');
  });

  it('draws an empty month without a bar or an average', () => {
    const empty = renderRankingSvg({ month: '2026-06', asOf: '2026-06-01', rows: [] }, title);
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
