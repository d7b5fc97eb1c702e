/**
 * Demo mode: simulated reactors publishing over MQTT through the live publisher, steerable from the
 * API (satellite shift, dilution, sensor fault). Each change takes effect from the plant's next
 * reading that has not been simulated yet; the result says when, on the plant calendar.
 */
import type { Logger } from 'pino';
import type { DemoActionResult, DemoFaultKind, DemoStatus } from '../../contract/api';
import { endlessPlantSamples } from '../../simulator/endless-plant-samples';
import { LivePublisher, type LivePublisherMetrics } from '../../simulator/live-publisher';
import { PlantSimulation, readingIntervalH } from '../../simulator/plant-simulation';
import { applyScenario } from '../../simulator/scenarios';
import type { DemoControls } from '../api/demo-api';
import { type BrokerConnection, connectionOptions } from '../broker/broker-connection';
import type { Job, JobHealth } from '../lifecycle';
import type { SimulatedReactor } from './service-settings';

export interface DemoPlantOptions {
  /** With AUTH on and the embedded broker, a device account granted only the simulated reactors. */
  broker: BrokerConnection;
  reactors: SimulatedReactor[];
  seed: number;
  plantHoursPerSecond: number;
  backfillDays: number;
  topicPrefix: string;
  /** `sparkplug`: the plant is a Sparkplug B edge node (`demoSparkplugNode`), not JSON topics. */
  protocol: 'json' | 'sparkplug';
  logger: Logger;
}

const msPerHour = 3_600_000;

export class DemoPlant implements Job<LivePublisherMetrics>, DemoControls {
  readonly name = 'simulator';
  private readonly sims = new Map<string, PlantSimulation>();
  private readonly publisher: LivePublisher;

  constructor(private readonly options: DemoPlantOptions) {
    const horizonH = (options.backfillDays + 7) * 24;
    const reactors = options.reactors.map((r, i) => {
      const sim = new PlantSimulation({ seed: options.seed + i, assays: true });
      applyScenario(sim, r.scenario, horizonH, options.seed + i);
      this.sims.set(r.id, sim);
      // One reading at a time, so that a demo control takes effect from the next reading.
      return { reactorId: r.id, samples: endlessPlantSamples(sim, readingIntervalH) };
    });
    const { broker } = options;
    this.publisher = new LivePublisher({
      url: broker.url,
      clientOptions: connectionOptions(broker),
      onClient: (client) => broker.tls?.follow(client),
      reactors,
      topicPrefix: options.topicPrefix,
      plantHoursPerSecond: options.plantHoursPerSecond,
      backfillPlantDays: options.backfillDays,
      protocol: options.protocol,
    });
  }

  async start(): Promise<void> {
    await this.publisher.start();
    const { reactors, plantHoursPerSecond, backfillDays } = this.options;
    this.options.logger.info(
      {
        job: this.name,
        reactors: reactors.map((r) => `${r.id}:${r.scenario}`),
        plantHoursPerSecond,
        backfillDays,
        protocol: this.options.protocol,
      },
      'simulator publishing',
    );
  }

  health(): JobHealth {
    return this.publisher.health() as JobHealth;
  }

  metrics(): LivePublisherMetrics {
    return this.publisher.metrics();
  }

  stop(): Promise<void> {
    return this.publisher.stop();
  }

  status(): DemoStatus {
    return {
      simulator: true,
      reactors: [...this.sims.keys()],
      plantHoursPerSecond: this.options.plantHoursPerSecond,
    };
  }

  has(reactorId: string): boolean {
    return this.sims.has(reactorId);
  }

  satelliteShift(reactorId: string): DemoActionResult {
    return this.ramp(reactorId, 'satellite-shift', (sim) => sim.startSatelliteShift());
  }

  yieldShift(reactorId: string): DemoActionResult {
    return this.ramp(reactorId, 'yield-shift', (sim) => sim.startYieldShift());
  }

  /** Starts a parameter ramp; the result says when it begins. */
  private ramp(
    reactorId: string,
    action: DemoActionResult['action'],
    start: (sim: PlantSimulation) => void,
  ): DemoActionResult {
    const sim = this.sim(reactorId);
    start(sim);
    const event = sim.events[sim.events.length - 1];
    const atH = event.kind === 'parameter-ramp' ? event.startH : sim.timeH;
    return this.result(reactorId, action, atH);
  }

  dilution(reactorId: string, perHour: number): DemoActionResult {
    const sim = this.sim(reactorId);
    sim.setNominalDilution(perHour);
    const event = sim.events[sim.events.length - 1];
    const atH = event.kind === 'nominal-dilution' ? event.atH : sim.timeH;
    return this.result(reactorId, 'dilution', atH);
  }

  fault(reactorId: string, kind: DemoFaultKind, durationHours: number): DemoActionResult {
    const fault = this.sim(reactorId).injectFault(kind, durationHours);
    return this.result(reactorId, 'fault', fault.startH);
  }

  nextReadingMs(reactorId: string): number {
    return Math.round(this.publisher.plantEpochMs + this.sim(reactorId).nextReadingH() * msPerHour);
  }

  /** An accepted dilution program (set points from `startMs`, epoch ms on the plant's calendar), run by the simulated plant. */
  followProgram(
    reactorId: string,
    program: { startMs: number; gridH: number; perHour: readonly number[] },
  ): void {
    const startH = (program.startMs - this.publisher.plantEpochMs) / msPerHour;
    this.sim(reactorId).followDilutionProgram(program, startH);
  }

  private sim(reactorId: string): PlantSimulation {
    const sim = this.sims.get(reactorId);
    if (!sim) throw new Error(`no simulated reactor ${reactorId}`);
    return sim;
  }

  private result(reactorId: string, action: DemoActionResult['action'], atH: number): DemoActionResult {
    return { reactorId, action, atMs: Math.round(this.publisher.plantEpochMs + atH * msPerHour) };
  }
}
