import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { DocsChart } from '../siteTypes.js';
import { el } from './dom.js';
import { docsState } from './hooks.js';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

type Value = string | number | boolean | null;

let live: echarts.ECharts[] = [];

/** Dispose the charts of the previous page. */
export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live = [];
}

/** Resize the charts on the page to their containers. */
export function resizeCharts(): void {
  for (const c of live) c.resize();
}

/**
 * A model's `docs: chart:` drawn with ECharts (canvas; tooltips drawn in the canvas too, so no
 * user value becomes HTML), or the reason it has no rows. Call `mount` once the returned element
 * is in the document.
 */
export function chartView(chart: DocsChart): { element: HTMLElement; mount(): void } {
  if (chart.error !== undefined || chart.rows.length === 0) {
    const element = el('p', { class: 'note chart-error', attrs: { role: 'note' }, text: `Chart not available: ${chart.error ?? 'the query returned no rows'}` });
    return { element, mount() {} };
  }
  const box = el('div', { class: 'chart', attrs: { role: 'img', 'aria-label': chart.title ?? `${chart.type} chart of ${chart.y.join(', ')} by ${chart.x}` } });
  return {
    element: box,
    mount() {
      const c = echarts.init(box, undefined, { renderer: 'canvas' });
      live.push(c);
      let counted = false;
      c.on('finished', () => {
        if (counted) return;
        counted = true;
        docsState.chartsRendered++;
      });
      c.setOption(chartOption(chart));
    },
  };
}

function axisType(values: Value[]): 'value' | 'time' | 'category' {
  const present = values.filter((v) => v !== null);
  if (present.length && present.every((v) => typeof v === 'number')) return 'value';
  if (present.length && present.every((v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v))) return 'time';
  return 'category';
}

const num = (v: Value): number | null => (v === null ? null : typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.isFinite(Number(v)) ? Number(v) : null);

/** The ECharts option: one series per y column, or per value of `series` (with the first y). */
export function chartOption(chart: DocsChart): echarts.EChartsCoreOption {
  const xs = chart.rows.map((r) => r[chart.x] ?? null);
  const detected = axisType(xs);
  const type = chart.type === 'bar' && detected === 'value' ? 'category' : detected;
  const xOf = (v: Value) => (type === 'category' ? String(v) : v);
  let series: { name: string; type: 'line' | 'bar'; data: [Value, number | null][] }[];
  if (chart.series) {
    const y = chart.y[0]!;
    const groups = new Map<string, [Value, number | null][]>();
    for (const r of chart.rows) {
      const key = String(r[chart.series] ?? 'null');
      (groups.get(key) ?? groups.set(key, []).get(key)!).push([xOf(r[chart.x] ?? null), num(r[y] ?? null)]);
    }
    series = [...groups].map(([name, data]) => ({ name, type: chart.type, data }));
  } else {
    series = chart.y.map((y) => ({ name: y, type: chart.type, data: chart.rows.map((r) => [xOf(r[chart.x] ?? null), num(r[y] ?? null)] as [Value, number | null]) }));
  }
  return {
    animation: false,
    title: chart.title ? { text: chart.title, left: 'center', textStyle: { fontSize: 14 } } : undefined,
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: series.length > 1 ? { bottom: 0, type: 'scroll' } : undefined,
    grid: { left: 56, right: 24, top: chart.title ? 40 : 16, bottom: series.length > 1 ? 48 : 28, containLabel: false },
    xAxis: { type, name: chart.x, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', name: chart.series ? chart.y[0] : chart.y.length === 1 ? chart.y[0] : undefined },
    series: series.map((s) => ({ ...s, showSymbol: s.data.length <= 60 })),
  };
}
