import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  /** Values aligned with `x`; null leaves a gap. */
  values: Array<number | null>;
  stepped?: boolean;
}

/**
 * A time-series chart on uPlot (canvas; stays smooth with many thousands of points). `x` is seconds since
 * the epoch. The chart is created once and fed with setData, so live updates do not rebuild it.
 */
export function TimeChart(props: {
  x: number[];
  series: ChartSeries[];
  height?: number;
  testId?: string;
  /** The time window to show, seconds (default: the data's own span). */
  range?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const range = useRef(props.range);
  range.current = props.range;
  const shape = props.series.map((s) => `${s.label}:${s.stepped ? 1 : 0}`).join('|');

  // Rebuilt only when the series change shape (`shape`); data flows through setData below.
  // biome-ignore lint/correctness/useExhaustiveDependencies: shape stands for props.series' layout
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
    const axis = { stroke: dark ? '#c9d1d9' : '#444', grid: { stroke: dark ? '#30363d' : '#e5e5e5' } };
    const colors = ['#2f81f7', '#e5534b', '#3fb950', '#d29922'];
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 220,
      legend: { show: props.series.length > 1 },
      // From the data itself: uPlot widens a single point to 86 400 000 s when x is in seconds.
      scales: { x: { time: true, range: (u) => xRange(u.data[0] as number[], range.current) } },
      axes: [axis, axis],
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: colors[i % colors.length],
          width: 1.5,
          ...(s.stepped ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
        })),
      ],
    };
    plot.current = new uPlot(opts, [[], ...props.series.map(() => [])], el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: opts.height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape, props.height]);

  useEffect(() => {
    plot.current?.setData([props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData);
  });

  return <div className="chart" ref={box} data-testid={props.testId} data-points={props.x.length} />;
}

/** The x window: the one asked for, else the data's span, widened to two minutes around a single point. */
export function xRange(xs: ArrayLike<number> | undefined, wanted?: [number, number]): [number, number] {
  if (wanted) return wanted;
  const min = xs?.[0];
  const max = xs?.[xs.length - 1];
  if (min === undefined || max === undefined) {
    const now = Date.now() / 1000;
    return [now - 60, now];
  }
  return max - min < 1 ? [min - 60, max + 60] : [min, max];
}
