/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: HELP and TYPE lines, then
 * samples with escaped label values.
 */
export type Labels = Record<string, string>;

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Labels | undefined): string {
  if (!labels) return '';
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export class PrometheusText {
  private readonly lines: string[] = [];

  counter(name: string, help: string, samples: number | { labels?: Labels; value: number }[]): this {
    return this.family(name, 'counter', help, samples);
  }

  gauge(name: string, help: string, samples: number | { labels?: Labels; value: number }[]): this {
    return this.family(name, 'gauge', help, samples);
  }

  histogram(name: string, help: string, series: { labels?: Labels; histogram: Histogram }[]): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const { labels, histogram } of series) {
      let cumulative = 0;
      histogram.bounds.forEach((bound, i) => {
        cumulative += histogram.counts[i];
        this.lines.push(`${name}_bucket${labelText({ ...labels, le: numberText(bound) })} ${cumulative}`);
      });
      cumulative += histogram.counts[histogram.bounds.length];
      this.lines.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${cumulative}`);
      this.lines.push(`${name}_sum${labelText(labels)} ${numberText(histogram.sum)}`);
      this.lines.push(`${name}_count${labelText(labels)} ${cumulative}`);
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }

  private family(
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: number | { labels?: Labels; value: number }[],
  ): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const list = typeof samples === 'number' ? [{ value: samples }] : samples;
    for (const s of list) this.lines.push(`${name}${labelText(s.labels)} ${numberText(s.value)}`);
    return this;
  }
}

/** Counts of observations at or below each bound (plus one overflow count), and their sum. */
export class Histogram {
  readonly counts: number[];
  sum = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
  }
}
