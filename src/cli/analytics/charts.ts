import asciichart from 'asciichart';

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A one-line sparkline: one block per value, scaled from 0 to the largest value. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 || v <= 0 ? ' ' : BLOCKS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

/** Horizontal bars with labels and values, scaled so the longest fills `width` cells. */
export function barChart(rows: ReadonlyArray<{ label: string; value: number }>, width = 40): string {
  if (rows.length === 0) return '';
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const valueWidth = Math.max(...rows.map((r) => String(r.value).length));
  const max = Math.max(...rows.map((r) => r.value), 1);
  return rows
    .map((r) => {
      const cells = (r.value / max) * width;
      const whole = Math.floor(cells);
      const bar = '█'.repeat(whole) + EIGHTHS[Math.floor((cells - whole) * 8)]!;
      return `${r.label.padEnd(labelWidth)}  ${String(r.value).padStart(valueWidth)}  ${bar}`;
    })
    .join('\n');
}

/**
 * A line chart (asciichart) of a series no wider than `width` columns: longer series are averaged
 * into buckets. Returns the chart and how many points each column stands for.
 */
export function lineChart(values: readonly number[], options: { width?: number; height?: number } = {}): { chart: string; perColumn: number } {
  const width = Math.max(10, options.width ?? 80);
  const perColumn = Math.max(1, Math.ceil(values.length / width));
  const series: number[] = [];
  for (let i = 0; i < values.length; i += perColumn) {
    const bucket = values.slice(i, i + perColumn);
    series.push(bucket.reduce((a, b) => a + b, 0) / bucket.length);
  }
  if (series.length === 0) series.push(0);
  // Whole numbers over a small range get one row per unit, so the axis shows no fractions.
  const range = Math.max(...series) - Math.min(...series);
  const height = options.height ?? (series.every(Number.isInteger) && range > 0 && range < 10 ? range : 10);
  const chart = asciichart.plot(series, { height, format: (x: number) => formatNumber(x).padStart(10) });
  return { chart, perColumn };
}

export const formatNumber = (x: number): string => {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
};
