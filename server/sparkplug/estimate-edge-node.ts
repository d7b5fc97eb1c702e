/**
 * culturewatch as one more Sparkplug edge node (`SPARKPLUG_ESTIMATES=on`): group
 * `SPARKPLUG_ESTIMATES_GROUP`, node `SPARKPLUG_ESTIMATES_NODE`, one device per reactor. A device's
 * metrics (contract/plant-protocols.ts `estimateMetricFolders`):
 *
 * - `Composition/<X|Y|A|B|satellite_fraction>` with `…/Lower95` and `…/Upper95` (engUnit conc, or 1);
 * - `Parameters/<name>` with its band and `…/Determined`; the value and band are null unless the
 *   data determine the parameter (an operator should not read it alone otherwise);
 * - `Combinations/<name>` likewise (gB/vB, …);
 * - `Model/State` (none, ok, stale, mismatch), `Model/Detail`, `Model/FitId`, `Model/WindowEnd`;
 * - `Alarms/ActiveCount`, `Alarms/HighestSeverity` (none, warning … critical), `Alarms/Active`.
 *
 * Births and deaths, bdSeq and rebirth on request are the edge node's (simulator/sparkplug-edge-node.ts).
 * Data go by exception: a DDATA carries the metrics that changed; a reactor's first estimate, or a
 * fit whose parameters differ from the birth's, publishes that device's DBIRTH again.
 */
import type { Logger } from 'pino';
import { estimateMetricFolders as folder } from '../../contract/plant-protocols';
import { type EdgeMetric, SparkplugEdgeNode } from '../../simulator/sparkplug-edge-node';
import { type BrokerConnection, connectionOptions } from '../broker/broker-connection';
import { type Job, JobStatus } from '../lifecycle';
import type { ReactorStatus, ReactorStatuses } from '../realtime/reactor-status';

export interface EstimateEdgeNodeOptions {
  broker: BrokerConnection;
  group: string;
  edgeNode: string;
  statuses: ReactorStatuses;
  logger: Logger;
  /** How often every reactor is looked at again (a sensor going silent changes the model state). */
  refreshMs?: number;
}

const compositionUnits: Record<string, string> = {
  X: 'conc',
  Y: 'conc',
  A: 'conc',
  B: 'conc',
  satellite_fraction: '1',
};

/** The device metrics of one reactor's status. */
export function estimateMetrics(status: ReactorStatus): EdgeMetric[] {
  const e = status.estimate;
  const at = e ? { timestamp: e.windowEndMs } : {};
  const metrics: EdgeMetric[] = [];
  const banded = (
    name: string,
    v: { value: number; lower95: number; upper95: number } | null,
    engUnit?: string,
  ) => {
    const unit = engUnit === undefined ? {} : { engUnit };
    metrics.push(
      { name, type: 'Double', value: v?.value ?? null, ...at, ...unit },
      { name: `${name}/Lower95`, type: 'Double', value: v?.lower95 ?? null, ...at, ...unit },
      { name: `${name}/Upper95`, type: 'Double', value: v?.upper95 ?? null, ...at, ...unit },
    );
  };
  for (const [quantity, unit] of Object.entries(compositionUnits)) {
    const c = e?.composition?.[quantity as keyof NonNullable<typeof e.composition>] ?? null;
    banded(`${folder.composition}/${quantity}`, c, unit);
  }
  for (const [name, p] of Object.entries(e?.params ?? {})) {
    banded(`${folder.parameters}/${name}`, p.determined ? p : null);
    metrics.push({
      name: `${folder.parameters}/${name}/Determined`,
      type: 'Boolean',
      value: p.determined,
      ...at,
    });
  }
  for (const c of e?.combinations ?? []) {
    const name = `${folder.combinations}/${c.name ?? c.label}`;
    banded(name, c.determined ? c : null);
    metrics.push({ name: `${name}/Determined`, type: 'Boolean', value: c.determined, ...at });
  }
  metrics.push(
    { name: `${folder.model}/State`, type: 'String', value: status.modelState },
    { name: `${folder.model}/Detail`, type: 'String', value: status.modelStateDetail },
    { name: `${folder.model}/FitId`, type: 'Int64', value: e?.id ?? null },
    { name: `${folder.model}/WindowEnd`, type: 'DateTime', value: e?.windowEndMs ?? null },
    { name: `${folder.alarms}/ActiveCount`, type: 'UInt32', value: status.alarms.length },
    { name: `${folder.alarms}/HighestSeverity`, type: 'String', value: status.alarms[0]?.severity ?? 'none' },
    {
      name: `${folder.alarms}/Active`,
      type: 'String',
      value: status.alarms.map((a) => `${a.severity}: ${a.ruleName}: ${a.summary}`).join('\n'),
    },
  );
  return metrics;
}

export class EstimateEdgeNode implements Job<{ births: number; messages: number; bdSeq: number }> {
  readonly name = 'sparkplug-estimates';
  private readonly status = new JobStatus();
  private readonly edge: SparkplugEdgeNode;
  /** What each device's birth declared and what was last sent, by metric name. */
  private readonly published = new Map<string, Map<string, EdgeMetric['value']>>();
  private readonly current = new Map<string, EdgeMetric[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly options: EstimateEdgeNodeOptions) {
    this.log = options.logger.child({ job: this.name });
    const { broker } = options;
    this.edge = new SparkplugEdgeNode({
      url: broker.url,
      clientOptions: {
        ...connectionOptions(broker),
        clientId: `culturewatch-sparkplug-estimates-${Math.random().toString(16).slice(2, 10)}`,
      },
      onClient: (client) => {
        broker.tls?.follow(client);
        client.on('connect', () => this.status.set('ready'));
        client.on('close', () => {
          if (this.status.state !== 'stopped') this.status.set('disconnected', 'broker connection closed');
        });
      },
      group: options.group,
      edgeNode: options.edgeNode,
      devices: () => {
        // A (re)birth declares and sends everything: what was published is what the birth holds.
        for (const [reactorId, metrics] of this.current)
          this.published.set(reactorId, new Map(metrics.map((m) => [m.name, m.value])));
        return this.current;
      },
    });
  }

  async start(): Promise<void> {
    for (const id of this.options.statuses.reactorIds())
      this.current.set(id, estimateMetrics(this.options.statuses.statusOf(id)));
    await this.edge.start();
    this.status.set('ready');
    this.timer = setInterval(() => this.refreshAll(), this.options.refreshMs ?? 30_000);
    this.timer.unref();
    this.log.info(
      { group: this.options.group, edgeNode: this.options.edgeNode },
      'estimates published as a Sparkplug edge node',
    );
  }

  health() {
    return this.status.health();
  }

  metrics() {
    return this.edge.metrics();
  }

  /** Something about the reactor changed (a fit, an alarm): publish what differs. */
  refresh(reactorId: string): void {
    if (this.status.state === 'stopped') return;
    const metrics = estimateMetrics(this.options.statuses.statusOf(reactorId));
    this.current.set(reactorId, metrics);
    const sent = this.published.get(reactorId);
    const sameNames =
      sent !== undefined && sent.size === metrics.length && metrics.every((m) => sent.has(m.name));
    if (!sameNames) {
      this.published.set(reactorId, new Map(metrics.map((m) => [m.name, m.value])));
      this.edge.publishDeviceBirth(reactorId);
      return;
    }
    const changed = metrics.filter((m) => sent.get(m.name) !== m.value);
    if (changed.length === 0) return;
    for (const m of changed) sent.set(m.name, m.value);
    this.edge.publishDeviceData(reactorId, changed);
  }

  private refreshAll(): void {
    for (const id of this.options.statuses.reactorIds()) this.refresh(id);
  }

  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    clearInterval(this.timer);
    await this.edge.stop();
  }
}
