/**
 * Prometheus text exposition (format 0.0.4) of the server's counters: requests by route and
 * status, request latency and batch size histograms, and errors. Hand-written: three metric
 * families with fixed labels need no registry library (see docs/design.md, HTTP server).
 */

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = new Array<number>(buckets.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }
}

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  readonly batchSizes = new Histogram(BATCH_BUCKETS);

  /** One answered request: its route pattern (not the URL, to bound the label set), status and duration. */
  request(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${escape(method)}",route="${escape(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (status >= 400) {
      const e = `route="${escape(route)}",class="${status >= 500 ? '5xx' : '4xx'}"`;
      this.errors.set(e, (this.errors.get(e) ?? 0) + 1);
    }
    const r = `route="${escape(route)}"`;
    let h = this.latency.get(r);
    if (!h) this.latency.set(r, (h = new Histogram(LATENCY_BUCKETS)));
    h.observe(seconds);
  }

  batch(rows: number): void {
    this.batchSizes.observe(rows);
  }

  text(): string {
    const out: string[] = [];
    out.push('# HELP aekit_http_requests_total HTTP requests answered, by route and status.', '# TYPE aekit_http_requests_total counter');
    for (const [k, v] of this.requests) out.push(`aekit_http_requests_total{${k}} ${v}`);
    out.push('# HELP aekit_http_errors_total Requests answered with a 4xx or 5xx status.', '# TYPE aekit_http_errors_total counter');
    for (const [k, v] of this.errors) out.push(`aekit_http_errors_total{${k}} ${v}`);
    out.push('# HELP aekit_http_request_duration_seconds Time from a request\'s arrival to its answer.', '# TYPE aekit_http_request_duration_seconds histogram');
    for (const [k, h] of this.latency) histogramLines(out, 'aekit_http_request_duration_seconds', k, h);
    out.push('# HELP aekit_batch_rows Rows per micro-batch run through a model.', '# TYPE aekit_batch_rows histogram');
    histogramLines(out, 'aekit_batch_rows', '', this.batchSizes);
    return out.join('\n') + '\n';
  }
}

function histogramLines(out: string[], name: string, labels: string, h: Histogram): void {
  const sep = labels ? ',' : '';
  h.buckets.forEach((b, i) => out.push(`${name}_bucket{${labels}${sep}le="${b}"} ${h.counts[i]}`));
  out.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${h.count}`);
  out.push(`${name}_sum${labels ? `{${labels}}` : ''} ${h.sum}`);
  out.push(`${name}_count${labels ? `{${labels}}` : ''} ${h.count}`);
}
