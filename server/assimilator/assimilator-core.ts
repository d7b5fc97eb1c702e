/**
 * The assimilator's work, without the thread around it: every reactor's chain, restored from the
 * database at start, told of new readings, and served in fair turns one window at a time. Each fit
 * is stored with the chain's new state before the next begins. The worker (assimilator-worker.ts)
 * runs this; a test can run it in-process.
 */
import type Database from 'better-sqlite3';
import type { ChainOptions } from '../../assimilation';
import { msFromPlantHours, plantHoursFromMs } from '../../contract/time';
import { type AssimilationStatements, prepareAssimilationStatements } from '../../db/assimilation-statements';
import { prepareModelStatements } from '../../db/model-statements';
import { type AssimilatorSettings, chainOptionsOf } from './assimilator-settings';
import { createFitStore, type StoreFit } from './fit-store';
import { clockSignals } from './plant-signals';
import { ReactorChain, type WindowSource } from './reactor-chain';
import { type ReactorModel, ReactorModels } from './reactor-models';
import { RoundRobin } from './round-robin';
import { loadWindowData, newestReadingH, oldestReadingH } from './window-data';
import { type FitNotice, fitNoticeOf, type ReadingsNotice, type WorkerStatus } from './worker-protocol';

export interface AssimilatorCoreOptions {
  sqlite: Database.Database;
  settings: AssimilatorSettings;
  onFit: (fit: FitNotice) => void;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
  now?: () => number;
}

export class AssimilatorCore {
  private readonly models: ReactorModels;
  /** Chain options by model version. */
  private readonly chainOptions = new Map<string, ChainOptions>();
  private readonly statements: AssimilationStatements;
  private readonly storeFit: StoreFit;
  private readonly chains = new Map<string, ReactorChain>();
  private readonly turns = new RoundRobin<ReactorChain>();
  private readonly source: WindowSource;
  private fitting: string | null = null;

  constructor(private readonly options: AssimilatorCoreOptions) {
    const modelStatements = prepareModelStatements(options.sqlite);
    this.models = new ReactorModels(modelStatements, (options.now ?? Date.now)());
    modelStatements.labelUnlabelledFits(this.models.builtIn.version);
    this.statements = prepareAssimilationStatements(options.sqlite);
    this.storeFit = createFitStore(options.sqlite, this.statements);
    this.source = {
      window: (reactorId, startH, endH) => loadWindowData(this.statements, reactorId, startH, endH),
      onlineSpanH: (reactorId) => ({
        oldestH: oldestReadingH(this.statements, reactorId, clockSignals),
        newestH: newestReadingH(this.statements, reactorId, clockSignals),
      }),
      readingsHighWater: () => this.statements.readingsHighWater.get()?.rowid ?? 0,
      oldestStoredBetween: (reactorId, afterRowid, upToRowid, fromH, toH) => {
        const tsMs = this.statements.oldestStoredBetween.get(
          afterRowid,
          upToRowid,
          reactorId,
          msFromPlantHours(fromH),
          msFromPlantHours(toH),
        )?.tsMs;
        return tsMs == null ? null : plantHoursFromMs(tsMs);
      },
    };
  }

  /** Restores the stored chains and reads every reactor's plant clock; returns how many chains were restored. */
  start(): number {
    const stored = new Map(this.statements.chains.all().map((c) => [c.reactorId, c]));
    let restored = 0;
    const highWater = this.source.readingsHighWater();
    for (const { id } of this.statements.reactorIds.all()) {
      const chain = this.chainOf(id);
      const saved = stored.get(id);
      chain.readClock(this.source);
      const savedModel = saved?.modelVersion ?? this.models.builtIn.version;
      if (saved && savedModel !== chain.modelVersion) {
        this.options.log('info', 'the reactor runs another model now; its chain starts afresh', {
          reactorId: id,
          from: savedModel,
          to: chain.modelVersion,
        });
      } else if (saved && chain.chain.restore(saved)) {
        restored++;
        chain.readingsSeenRowid = saved.readingsSeenRowid;
        // Late readings whose notices went to a worker that stopped (new settings, a crash).
        const oldestLateH = chain.noteStoredSince(this.source, highWater);
        if (oldestLateH !== null) {
          this.options.log(
            'info',
            'late readings arrived while no assimilator ran; refitting the windows they fall in',
            // On the plant clock, as a time (not hours since 1970).
            { reactorId: id, oldestLate: new Date(msFromPlantHours(oldestLateH)).toISOString() },
          );
        }
      } else if (saved) {
        this.options.log('warn', 'stored chain not usable with these settings; starting it afresh', {
          reactorId: id,
        });
      }
    }
    return restored;
  }

  noteReadings(notices: readonly ReadingsNotice[]): void {
    for (const n of notices) {
      this.chainOf(n.reactorId).noteReadings(
        plantHoursFromMs(n.oldestTsMs),
        plantHoursFromMs(n.newestTsMs),
        n.online,
        n.highestRowid,
      );
    }
  }

  /** One turn: fits one window of the next reactor with work. False when no reactor has any. */
  step(): boolean {
    const chain = this.turns.next((c) => c.isDue());
    if (!chain) return false;
    this.fitting = chain.reactorId;
    try {
      const fitted = chain.fitNext(this.source);
      if (!fitted) return true;
      const fitId = this.storeFit(fitted, chain.chain.snapshot());
      const { outcome } = fitted;
      this.options.onFit(fitNoticeOf(fitted, fitId));
      if (outcome.status === 'failed') {
        this.options.log('warn', 'fit failed', {
          reactorId: chain.reactorId,
          fitId,
          windowEnd: new Date(msFromPlantHours(fitted.windowEndH)).toISOString(),
          reason: outcome.reason,
          detail: outcome.detail,
        });
      }
    } catch (error) {
      // Storing failed (e.g. the disk): the chain has moved on in memory but not on disk. Log and go on;
      // a restart resumes from the stored state.
      this.options.log('error', 'could not store a fit', {
        reactorId: chain.reactorId,
        err: String((error as Error)?.stack ?? error),
      });
    } finally {
      this.fitting = null;
    }
    return true;
  }

  status(): WorkerStatus {
    let queueDepth = 0;
    let reactorsDue = 0;
    const dueByReactor: Record<string, number> = {};
    for (const chain of this.turns.values()) {
      const due = chain.dueCount();
      queueDepth += due;
      if (due > 0) {
        reactorsDue++;
        dueByReactor[chain.reactorId] = due;
      }
    }
    return { queueDepth, reactorsDue, dueByReactor, reactors: this.turns.size, fitting: this.fitting };
  }

  private chainOf(reactorId: string): ReactorChain {
    let chain = this.chains.get(reactorId);
    if (!chain) {
      const model = this.models.of(reactorId, (msg, data) => this.options.log('warn', msg, data));
      chain = new ReactorChain(
        reactorId,
        model.model,
        this.chainOptionsOf(model),
        model.version,
        this.options.now,
      );
      this.chains.set(reactorId, chain);
      this.turns.add(chain);
    }
    return chain;
  }

  private chainOptionsOf(model: ReactorModel): ChainOptions {
    let options = this.chainOptions.get(model.version);
    if (!options) {
      options = chainOptionsOf(model.model, this.options.settings);
      this.chainOptions.set(model.version, options);
    }
    return options;
  }
}
