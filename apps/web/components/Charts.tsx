'use client';
/**
 * The what-if charts, drawn by Apache ECharts (SVG renderer): a legend that shows and hides runs,
 * a tooltip with every run's value for the month under the pointer, and a second value axis when
 * one run's numbers dwarf the others' (api-integration's 60,000-unit enterprise package would
 * flatten every other line on one axis). Colours are the Okabe-Ito set, told apart with colour
 * blindness, and bars also carry patterns (ECharts' decals); the chart describes itself to screen
 * readers (ECharts' aria).
 */
import { useEffect, useMemo, useRef } from 'react';
import { BarChart as EBarChart, LineChart as ELineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { splitAxes, type Series } from './chart-axes.ts';

echarts.use([ELineChart, EBarChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, SVGRenderer]);

export type { Series } from './chart-axes.ts';

/** Okabe & Ito's colour-blind-safe palette (black and grey last). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

interface ChartProps {
  labels: string[];
  series: Series[];
  title: string;
  format?: (n: number) => string;
  testId?: string;
}

function Chart({ kind, labels, series, title, format = (n) => compact.format(n), testId }: ChartProps & { kind: 'line' | 'bar' }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const right = useMemo(() => splitAxes(series), [series]);
  const split = right.size > 0;
  const option = useMemo(() => {
    const named = (s: Series) => (split && right.has(s.name) ? `${s.name} (right axis)` : s.name);
    const axis = (name: string) => ({
      type: 'value' as const,
      name,
      nameTextStyle: { fontSize: 11 },
      axisLabel: { formatter: (v: number) => format(v), fontSize: 11 },
      splitLine: { lineStyle: { color: '#eef0f3' } },
    });
    return {
      color: PALETTE,
      aria: {
        enabled: true,
        label: { description: `${title}: ${series.map((s) => s.name).join(', ')} over ${labels[0] ?? ''} to ${labels[labels.length - 1] ?? ''}` },
        decal: { show: kind === 'bar' },
      },
      animation: false,
      textStyle: { fontFamily: 'inherit' },
      legend: { type: 'scroll' as const, top: 0, data: series.map(named), textStyle: { fontSize: 12 } },
      tooltip: {
        trigger: 'axis' as const,
        className: 'chart-tooltip',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? format(v) : String(v ?? '')),
        axisPointer: { type: kind === 'bar' ? ('shadow' as const) : ('line' as const) },
      },
      grid: { left: 8, right: split ? 8 : 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category' as const, data: labels, axisLabel: { fontSize: 11 } },
      yAxis: split ? [axis(''), { ...axis([...right].join(', ')), splitLine: { show: false } }] : [axis('')],
      series: series.map((s) => ({
        name: named(s),
        type: kind,
        data: s.values,
        yAxisIndex: split && right.has(s.name) ? 1 : 0,
        ...(kind === 'line'
          ? { showSymbol: false, lineStyle: { width: 2, ...(split && right.has(s.name) ? { type: 'dashed' as const } : {}) } }
          : { barMaxWidth: 14 }),
      })),
    };
  }, [kind, labels, series, title, format, right, split]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const c = echarts.init(el, null, { renderer: 'svg' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return (
    <figure style={{ margin: 0 }} data-testid={testId} data-series={series.length} data-axes={split ? 'split' : 'one'} data-right-axis={[...right].join(',')}>
      <div ref={box} className="chart" style={{ height: 280 }} role="img" aria-label={title} />
    </figure>
  );
}

/** One line per series over the periods. */
export function LineChart(props: ChartProps) {
  return <Chart kind="line" {...props} />;
}

/** Grouped bars: one group per period, one bar per series. */
export function BarChart(props: ChartProps) {
  return <Chart kind="bar" {...props} />;
}
