/**
 * The monthly ranking (一月一通报) as a picture: a horizontal bar per township, best at the top,
 * coloured by its lights, with the county average. Drawn without a browser — ECharts renders SVG
 * on the server, resvg turns it into PNG with the shipped CJK font — so a slim server can post it
 * to a group and show it on the dashboard.
 *
 * It shows no bottom-three marks: the picture also goes to township groups, where those are not
 * shown (docs/design.md §1). The count of overdue and lagging tasks beside each score (`counts`) is for
 * leaders' pictures only: township groups see the colours.
 */
import type { Resvg } from '@resvg/resvg-js';
import type { BarSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, MarkLineComponentOption, TitleComponentOption } from 'echarts/components';
import type { ComposeOption, init } from 'echarts/core';
import type { RankingRow, RankingSnapshot } from '../domain/ranking.js';
import { text } from '../messages/index.js';
import { FONT_FAMILY, FONT_FILE } from './font.js';

interface Drawing {
  init: typeof init;
  Resvg: typeof Resvg;
}

/**
 * ECharts and resvg are loaded with the first picture: they are over 40 MB of a server's memory,
 * and most messages (every report) never draw one.
 */
let drawing: Promise<Drawing> | undefined;
function drawingTools(): Promise<Drawing> {
  drawing ??= Promise.all([import('echarts/core'), import('echarts/charts'), import('echarts/components'), import('echarts/renderers'), import('@resvg/resvg-js')]).then(
    ([core, charts, components, renderers, resvg]) => {
      core.use([charts.BarChart, components.GridComponent, components.LegendComponent, components.MarkLineComponent, components.TitleComponent, renderers.SVGRenderer]);
      return { init: core.init, Resvg: resvg.Resvg };
    },
  );
  return drawing;
}

export type RankingChartOption = ComposeOption<
  BarSeriesOption | GridComponentOption | LegendComponentOption | MarkLineComponentOption | TitleComponentOption
>;

export interface ChartTitle {
  title: string;
  subtitle?: string;
  /** Each township's overdue or lagging task count beside its score: leaders' pictures only. */
  counts?: boolean;
}

/**
 * CSS pixels; the PNG is drawn at twice this. A phone shows the picture full-screen about 390 pt
 * wide, half this, so text is sized for that: a 20 px name here is a 10 pt name there.
 */
export const CHART_WIDTH = 800;
const PNG_SCALE = 2;

const ROW = 44;
const TOP_WITH_SUBTITLE = 166;
const TOP_WITHOUT_SUBTITLE = 136;
const BOTTOM = 50;

const NAME_SIZE = 20;
const RANK_SIZE = 17;
const RANK_WIDTH = 38;
const VALUE_SIZE = 18;
/** Room right of the plot for the scores (`100.0分`), and with the counts (`31.5分  逾期13项 滞后15项`). */
const VALUE_ROOM = 184;
const VALUE_ROOM_COUNTS = 264;
/** A township without any progress still gets this much bar (CSS px), so its row shows its colour. */
const MIN_BAR = 5;
const TEXT_WIDTH = CHART_WIDTH - 48;

/** The shipped font first (resvg has only it); the rest for a browser showing the SVG on its own. */
const FAMILY = `'${FONT_FAMILY}', 'PingFang SC', 'Microsoft YaHei', sans-serif`;

/** A township's colour: its worst light, as in the text ranking (🔴 beats 🟡 beats 🟢/✅). */
export type Shade = 'overdue' | 'behind' | 'onPace' | 'done';

/** The colour of each light's bars, for pages that draw a key of their own. */
export const SHADE_COLORS: Readonly<Record<Shade, string>> = {
  overdue: '#d9363e',
  behind: '#f2a516',
  onPace: '#5bb974',
  done: '#1b7f45',
};

/** In the legend's order, worst first. */
const SHADES: readonly { shade: Shade; name: string }[] = [
  { shade: 'overdue', name: text.chart.legend.overdue },
  { shade: 'behind', name: text.chart.legend.behind },
  { shade: 'onPace', name: text.chart.legend.onPace },
  { shade: 'done', name: text.chart.legend.done },
];

const hasSubtitle = (title: ChartTitle): boolean => title.subtitle !== undefined && title.subtitle !== '';

function shadeOf(row: RankingRow): Shade {
  if (row.overdue > 0) return 'overdue';
  if (row.behind > 0) return 'behind';
  return row.tasks > 0 && row.done === row.tasks ? 'done' : 'onPace';
}

/** The score out of 100, the bars' scale: the ranking keeps it per mille, an integer. */
const outOf100 = (perMille: number): number => perMille / 10;

/** The score, and for leaders each township's overdue and lagging counts: `61.0分  逾期1项 滞后3项`. */
function valueLabel(row: RankingRow, counts: boolean): string {
  const score = text.perMille(row.score);
  if (!counts) return score;
  const tally = [row.overdue > 0 ? text.chart.overdue(row.overdue) : '', row.behind > 0 ? text.chart.behind(row.behind) : ''].filter((s) => s !== '');
  return tally.length === 0 ? score : `${score}  ${tally.join(' ')}`;
}

/** ECharts reads `{style|text}` in labels as rich text; a name must never be taken for markup. */
const plain = (text: string): string => text.replace(/[{}|]/g, (c) => ({ '{': '｛', '}': '｝', '|': '｜' })[c] ?? c);

/** Width in CSS px of a name at `size`: CJK is one em; the rest about 0.6 em. */
function textWidth(text: string, size: number): number {
  let em = 0;
  for (const char of text) em += (char.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.6;
  return Math.ceil(em * size);
}

/** The chart's size in CSS px for a ranking of `rows` townships: one row per township. */
export function rankingChartSize(rows: number, subtitle = true): { width: number; height: number } {
  const top = subtitle ? TOP_WITH_SUBTITLE : TOP_WITHOUT_SUBTITLE;
  return { width: CHART_WIDTH, height: top + ROW * Math.max(rows, 1) + BOTTOM };
}

/** The ECharts option of the ranking chart: pure data (no functions), so it can go to a browser too. */
export function rankingChartOption(ranking: RankingSnapshot, title: ChartTitle): RankingChartOption {
  const rows = ranking.rows;
  const shades = rows.map(shadeOf);
  const subtitled = hasSubtitle(title);
  const top = subtitled ? TOP_WITH_SUBTITLE : TOP_WITHOUT_SUBTITLE;
  const nameWidth = Math.max(4 * NAME_SIZE, ...rows.map((row) => textWidth(row.name, NAME_SIZE)));
  const average = rows.length === 0 ? undefined : rows.reduce((sum, row) => sum + row.score, 0) / rows.length;

  const series: BarSeriesOption[] = SHADES.map(({ shade, name }, index) => ({
    type: 'bar',
    name,
    // One series per light gives the legend its colours; stacking keeps each row's one bar centred.
    stack: 'ranking',
    barWidth: '60%',
    barMinHeight: MIN_BAR,
    itemStyle: { color: SHADE_COLORS[shade], borderRadius: [0, 3, 3, 0] },
    // '-' is ECharts' empty value: this series has no bar on that township's row.
    data: rows.map((row, i) => (shades[i] === shade ? outOf100(row.score) : '-')),
    ...(index === 0 && average !== undefined
      ? {
          markLine: {
            silent: true,
            // Under the bars (ECharts draws marks above the series by default).
            z: 1,
            symbol: 'none',
            lineStyle: { color: '#3a5a99', type: 'dashed', width: 2 },
            label: {
              position: 'start',
              formatter: `${text.chart.average} ${text.perMille(average)}`,
              fontSize: 17,
              color: '#3a5a99',
              fontWeight: 'bold',
            },
            data: [{ xAxis: outOf100(Math.round(average)) }],
          },
        }
      : {}),
  }));

  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FAMILY },
    title: {
      text: title.title,
      ...(subtitled ? { subtext: title.subtitle } : {}),
      left: 24,
      top: 18,
      itemGap: 10,
      // One line each, cut short with … rather than run off the picture: the layout below is fixed.
      textStyle: { fontSize: 28, fontWeight: 'bold', color: '#1f1f1f', fontFamily: FAMILY, width: TEXT_WIDTH, overflow: 'truncate' },
      subtextStyle: { fontSize: 18, color: '#666666', fontFamily: FAMILY, width: TEXT_WIDTH, overflow: 'truncate' },
    },
    legend: {
      data: SHADES.map(({ name }) => name),
      left: 24,
      top: top - 64,
      itemWidth: 24,
      itemHeight: 16,
      itemGap: 24,
      selectedMode: false,
      textStyle: { fontSize: 18, color: '#444444', fontFamily: FAMILY },
    },
    grid: { left: 24 + RANK_WIDTH + nameWidth + 12, right: title.counts === true ? VALUE_ROOM_COUNTS : VALUE_ROOM, top, bottom: BOTTOM, containLabel: false },
    xAxis: {
      type: 'value',
      min: 0,
      max: 100,
      interval: 20,
      axisLabel: { fontSize: 15, color: '#888888' },
      splitLine: { lineStyle: { color: '#eeeeee' } },
    },
    yAxis: [
      {
        type: 'category',
        inverse: true,
        axisTick: { show: false },
        axisLine: { lineStyle: { color: '#bbbbbb' } },
        axisLabel: {
          margin: 12,
          rich: {
            rank: { width: RANK_WIDTH, align: 'left', fontSize: RANK_SIZE, color: '#999999', fontFamily: FAMILY },
            name: { width: nameWidth, align: 'right', fontSize: NAME_SIZE, color: '#222222', fontFamily: FAMILY },
          },
        },
        data: rows.map((row) => `{rank|${row.rank}}{name|${plain(row.name)}}`),
      },
      {
        // The scores stand in a column right of the 100 mark rather than at each bar's end, where
        // the average line would cross the ones near it.
        type: 'category',
        inverse: true,
        position: 'right',
        axisTick: { show: false },
        axisLine: { show: false },
        axisLabel: { margin: 12, fontSize: VALUE_SIZE, color: '#333333' },
        data: rows.map((row) => valueLabel(row, title.counts === true)),
      },
    ],
    series,
  };
}

/** The ranking chart as an SVG document (CSS px; the text names the font family, not embedded). */
export async function renderRankingSvg(ranking: RankingSnapshot, title: ChartTitle): Promise<string> {
  const { init } = await drawingTools();
  const size = rankingChartSize(ranking.rows.length, hasSubtitle(title));
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption(rankingChartOption(ranking, title));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * The ranking chart as a PNG, 1600 px wide. Only the shipped font is loaded: system fonts differ
 * between machines, and a missing one would turn names into boxes on one server and not another.
 */
export async function renderRankingChart(ranking: RankingSnapshot, title: ChartTitle): Promise<Buffer> {
  // Drawing takes 0.1–2 s of the event loop (13 to 300 townships); the same ranking — every view
  // of the dashboard between two reports, the 通报 to each group — is drawn once.
  const key = JSON.stringify([ranking, title]);
  const cached = drawn.get(key);
  if (cached) {
    drawn.delete(key);
    drawn.set(key, cached);
    return cached;
  }
  const png = await drawPng(ranking, title);
  drawn.set(key, png);
  for (const oldest of drawn.keys()) {
    if (drawn.size <= DRAWN_KEPT) break;
    drawn.delete(oldest);
  }
  return png;
}

/** Recently drawn charts, least recently used first: a month, its previous one, both kinds of picture. */
const drawn = new Map<string, Buffer>();
const DRAWN_KEPT = 8;

async function drawPng(ranking: RankingSnapshot, title: ChartTitle): Promise<Buffer> {
  const { Resvg } = await drawingTools();
  const svg = await renderRankingSvg(ranking, title);
  const resvg = new Resvg(svg, {
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    fitTo: { mode: 'width', value: PNG_SCALE * CHART_WIDTH },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}

/**
 * The most townships a chart is drawn for: 100 make a 1 MB picture in about a second, already as
 * much as a phone shows legibly; 2,000 would take 15 s, 1.4 GB and a PNG no webhook takes.
 */
export const CHART_MAX_ROWS = 100;

/** The ranking chart as an `OutgoingMessage` picture (PNG, base64); none for a county too large to draw. */
export async function chartImage(ranking: RankingSnapshot, title: ChartTitle): Promise<{ image?: { base64: string } }> {
  if (ranking.rows.length > CHART_MAX_ROWS) return {};
  return { image: { base64: (await renderRankingChart(ranking, title)).toString('base64') } };
}
