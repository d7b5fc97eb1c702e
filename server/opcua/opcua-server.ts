/**
 * A read-only OPC UA server (node-opcua) for the plant's SCADA, on `OPCUA_PORT` (off when unset).
 * Under Objects/CultureWatch/Reactors, one folder per reactor:
 *
 * - `Readings/<signal>`: the newest stored reading (AnalogItem with EngineeringUnits and EURange),
 *   its source timestamp the reading's; status Good, UncertainLastUsableValue once the sensor has
 *   gone stale or offline (server/realtime/signal-freshness.ts).
 * - `Estimate/Composition/<X|Y|A|B|satellite_fraction>` with its components `Lower95` and
 *   `Upper95`; `Estimate/Parameters/<name>` and `Estimate/Combinations/<name>` likewise, with
 *   `Determined` (the value is Uncertain unless the data determine it); `Estimate/FitId`,
 *   `Estimate/WindowEnd`. Source timestamp: the window's end. Status Good while the model state is
 *   ok, UncertainLastUsableValue when stale or mismatched.
 * - `Model/State` (none, ok, stale, mismatch: server/realtime/reactor-status.ts) and `Model/Detail`.
 * - `Alarms/ActiveCount`, `Alarms/HighestSeverity`, `Alarms/Active` (one line per active alarm).
 *
 * Every variable is read-only (a write is BadNotWritable); a variable without a value yet is
 * BadWaitingForInitialData. Sessions log in with a product account (username and password, checked
 * like the dashboard's login, with the same limit on failures); anonymous sessions only with
 * `OPCUA_ANONYMOUS=on`. node-opcua is loaded only when the server is on.
 */

import type Database from 'better-sqlite3';
import type {
  AddressSpace,
  DataType as DataTypeEnum,
  Namespace,
  OPCUAServer,
  StatusCode,
  UAObject,
  UAVariable,
} from 'node-opcua';
import type { Logger } from 'pino';
import { type PlantSignal, plantSignals } from '../../contract/api';
import { freshnessRank } from '../../contract/freshness';
import { opcuaNamespaceUri, storedSignalUnits } from '../../contract/plant-protocols';
import { prepareAuthStatements } from '../../db/auth-statements';
import { builtInModel } from '../../simulator/model-files';
import { Accounts } from '../auth/accounts';
import { LoginRateLimit } from '../auth/login-rate-limit';
import { plausibleRanges } from '../ingest/reading-rules';
import { type Job, JobStatus } from '../lifecycle';
import type { ReactorStatus, ReactorStatuses } from '../realtime/reactor-status';
import type { OpcuaSettings } from './opcua-settings';

type NodeOpcua = typeof import('node-opcua');

export interface OpcuaServerOptions {
  settings: OpcuaSettings & { port: number };
  sqlite: Database.Database;
  statuses: ReactorStatuses;
  loginAttemptsPer15Min: number;
  logger: Logger;
  now?: () => number;
}

interface ReactorNodes {
  reactorId: string;
  folder: UAObject;
  readings: Map<PlantSignal, UAVariable>;
  estimate: UAObject;
  composition: UAObject;
  parameters: UAObject;
  combinations: UAObject;
  /** By path below the reactor, e.g. `Estimate/Parameters/muBmax/Lower95`. */
  variables: Map<string, UAVariable>;
}

type Scalar = 'Double' | 'String' | 'Boolean' | 'UInt32' | 'DateTime';

const compositionUnits: Record<string, 'conc' | '1'> = {
  X: 'conc',
  Y: 'conc',
  A: 'conc',
  B: 'conc',
  satellite_fraction: '1',
};
const unitLongNames: Record<string, string> = {
  conc: "the plant's concentration unit",
  '1/h': 'per hour',
  '1': 'dimensionless',
};

export interface OpcuaMetrics {
  sessions: number;
  loginsFailed: number;
  reactors: number;
}

export class CulturewatchOpcuaServer implements Job<OpcuaMetrics> {
  readonly name = 'opcua-server';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private readonly now: () => number;
  private ua: NodeOpcua | undefined;
  private server: OPCUAServer | undefined;
  private namespace: Namespace | undefined;
  private reactorsFolder: UAObject | undefined;
  private readonly reactors = new Map<string, ReactorNodes>();
  private readonly accounts: Accounts;
  private readonly failures: LoginRateLimit;
  private readonly parameterUnits = new Map(builtInModel().parameters.map((p) => [p.name, p.unit]));
  private timer: NodeJS.Timeout | undefined;
  private loginsFailed = 0;

  constructor(private readonly options: OpcuaServerOptions) {
    this.log = options.logger.child({ job: this.name });
    this.now = options.now ?? Date.now;
    this.accounts = new Accounts(prepareAuthStatements(options.sqlite));
    this.failures = new LoginRateLimit(options.loginAttemptsPer15Min);
  }

  /** opc.tcp://host:port of the endpoint. */
  get endpointUrl(): string {
    const url = this.server?.getEndpointUrl();
    if (!url) throw new Error('the OPC UA server is not started');
    return url;
  }

  async start(): Promise<void> {
    const ua = await import('node-opcua');
    this.ua = ua;
    const { settings } = this.options;
    const certificates = new ua.OPCUACertificateManager({
      rootFolder: settings.pkiDir,
      automaticallyAcceptUnknownCertificate: settings.trustClients,
    });
    await certificates.initialize();
    const server = new ua.OPCUAServer({
      port: settings.port,
      host: settings.host,
      hostname: settings.hostname ?? settings.host,
      serverCertificateManager: certificates,
      securityModes: settings.securityModes.map((m) => ua.MessageSecurityMode[m]),
      securityPolicies: [
        ...(settings.securityModes.includes('None') ? [ua.SecurityPolicy.None] : []),
        ...settings.securityPolicies.map((p) => ua.SecurityPolicy[p]),
      ],
      allowAnonymous: settings.anonymous,
      userManager: {
        isValidUserAsync: (username, password, done) =>
          void this.checkLogin(username, password).then(
            (ok) => done(null, ok),
            (error: Error) => done(error),
          ),
      },
      buildInfo: {
        productName: 'culturewatch',
        productUri: opcuaNamespaceUri,
        manufacturerName: 'culturewatch',
      },
      serverInfo: { applicationUri: `${opcuaNamespaceUri}:server`, productUri: opcuaNamespaceUri },
    });
    await server.initialize();
    this.server = server;
    const addressSpace = server.engine.addressSpace as AddressSpace;
    this.namespace = addressSpace.registerNamespace(opcuaNamespaceUri);
    const root = this.namespace.addFolder(addressSpace.rootFolder.objects, { browseName: 'CultureWatch' });
    this.reactorsFolder = this.namespace.addFolder(root, { browseName: 'Reactors' });
    for (const id of this.options.statuses.reactorIds()) this.refresh(id);
    await server.start();
    this.timer = setInterval(() => this.refreshAll(), 30_000);
    this.timer.unref();
    this.status.set('ready');
    this.log.info(
      { endpoint: this.endpointUrl, securityModes: settings.securityModes, anonymous: settings.anonymous },
      'OPC UA server listening',
    );
  }

  health() {
    return this.status.health();
  }

  metrics(): OpcuaMetrics {
    return {
      sessions: this.server?.currentSessionCount ?? 0,
      loginsFailed: this.loginsFailed,
      reactors: this.reactors.size,
    };
  }

  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    clearInterval(this.timer);
    await this.server?.shutdown(0);
  }

  /** New readings were stored: the newest of each signal shows. */
  readingsStored(
    readings: readonly { reactorId: string; signal: PlantSignal; tsMs: number; value: number }[],
  ): void {
    if (!this.namespace) return;
    const newest = new Map<string, (typeof readings)[number]>();
    for (const r of readings) {
      const key = `${r.reactorId}\u0000${r.signal}`;
      const seen = newest.get(key);
      if (!seen || r.tsMs >= seen.tsMs) newest.set(key, r);
    }
    for (const r of newest.values()) {
      const nodes = this.nodesOf(r.reactorId);
      const variable = nodes.readings.get(r.signal);
      const shownMs = variable?.readValue().sourceTimestamp?.getTime();
      if (variable && (shownMs === undefined || r.tsMs >= shownMs))
        this.set(variable, 'Double', r.value, r.tsMs, this.good());
    }
  }

  /** A fit, an alarm, or time changed the reactor's estimate, model state or alarms. */
  refresh(reactorId: string): void {
    if (!this.namespace) return;
    try {
      this.show(this.nodesOf(reactorId), this.options.statuses.statusOf(reactorId));
    } catch (error) {
      this.log.error({ err: error, reactorId }, 'could not update the OPC UA address space');
    }
  }

  private refreshAll(): void {
    for (const id of this.options.statuses.reactorIds()) this.refresh(id);
  }

  private async checkLogin(username: string, password: string): Promise<boolean> {
    if (this.failures.retryAfterMs('opcua', username) > 0) {
      this.log.warn({ user: username }, 'OPC UA login refused: too many failures');
      return false;
    }
    const user = await this.accounts.verify(username, password);
    if (user?.mustChangePassword !== 0) {
      this.loginsFailed++;
      this.failures.failed('opcua', username);
      this.log.warn({ user: username, oneTimePassword: user !== undefined }, 'OPC UA login failed');
      return false;
    }
    this.failures.succeeded(username);
    return true;
  }

  private show(nodes: ReactorNodes, status: ReactorStatus): void {
    const ua = this.ua as NodeOpcua;
    const nowMs = this.now();
    for (const signal of plantSignals) {
      const latest = status.latest[signal];
      const variable = nodes.readings.get(signal);
      if (!latest || !variable) continue;
      const level = status.freshness?.signals[signal]?.level;
      const silent = level !== undefined && freshnessRank(level) >= freshnessRank('stale');
      this.set(
        variable,
        'Double',
        latest.value,
        latest.tsMs,
        silent ? ua.StatusCodes.UncertainLastUsableValue : this.good(),
      );
    }
    const e = status.estimate;
    const estimateStatus = status.modelState === 'ok' ? this.good() : ua.StatusCodes.UncertainLastUsableValue;
    const at = e?.windowEndMs ?? nowMs;
    if (e?.composition) {
      for (const [quantity, unit] of Object.entries(compositionUnits)) {
        const c = e.composition[quantity as keyof typeof e.composition];
        this.banded(
          nodes,
          nodes.composition,
          `Estimate/Composition/${quantity}`,
          quantity,
          unit,
          c,
          at,
          estimateStatus,
        );
      }
    }
    for (const [name, p] of Object.entries(e?.params ?? {})) {
      const path = `Estimate/Parameters/${name}`;
      const unit = this.parameterUnits.get(name) ?? '1';
      const pStatus = p.determined ? estimateStatus : ua.StatusCodes.UncertainLastUsableValue;
      this.banded(nodes, nodes.parameters, path, name, unit, p, at, pStatus);
      this.scalar(
        nodes,
        this.ensureVariable(nodes, path),
        `${path}/Determined`,
        'Determined',
        'Boolean',
        p.determined,
        at,
      );
    }
    for (const c of e?.combinations ?? []) {
      const name = c.name ?? c.label;
      const path = `Estimate/Combinations/${name}`;
      const cStatus = c.determined ? estimateStatus : ua.StatusCodes.UncertainLastUsableValue;
      this.banded(nodes, nodes.combinations, path, name, '1', c, at, cStatus);
      this.scalar(
        nodes,
        this.ensureVariable(nodes, path),
        `${path}/Determined`,
        'Determined',
        'Boolean',
        c.determined,
        at,
      );
    }
    if (e) {
      this.scalar(nodes, nodes.estimate, 'Estimate/FitId', 'FitId', 'UInt32', e.id, e.fittedAtMs);
      this.scalar(
        nodes,
        nodes.estimate,
        'Estimate/WindowEnd',
        'WindowEnd',
        'DateTime',
        e.windowEndMs,
        e.fittedAtMs,
      );
    }
    this.scalar(nodes, undefined, 'Model/State', 'State', 'String', status.modelState, nowMs);
    this.scalar(nodes, undefined, 'Model/Detail', 'Detail', 'String', status.modelStateDetail, nowMs);
    const alarmsAt = status.alarms[0]?.firedAtMs ?? nowMs;
    this.scalar(
      nodes,
      undefined,
      'Alarms/ActiveCount',
      'ActiveCount',
      'UInt32',
      status.alarms.length,
      alarmsAt,
    );
    this.scalar(
      nodes,
      undefined,
      'Alarms/HighestSeverity',
      'HighestSeverity',
      'String',
      status.alarms[0]?.severity ?? 'none',
      alarmsAt,
    );
    this.scalar(
      nodes,
      undefined,
      'Alarms/Active',
      'Active',
      'String',
      status.alarms.map((a) => `${a.severity}: ${a.ruleName}: ${a.summary}`).join('\n'),
      alarmsAt,
    );
  }

  /** A value with its 95 % band: an AnalogItem with components Lower95 and Upper95. */
  private banded(
    nodes: ReactorNodes,
    parent: UAObject,
    path: string,
    browseName: string,
    unit: string,
    v: { value: number; lower95: number; upper95: number },
    atMs: number,
    status: StatusCode,
  ): void {
    let main = nodes.variables.get(path);
    if (!main) {
      const range = { low: 0, high: unit === '1' ? 1e6 : 1e4 };
      main = this.analog(parent, `${nodes.reactorId}/${path}`, browseName, unit, range);
      nodes.variables.set(path, main);
      for (const bound of ['Lower95', 'Upper95']) {
        const variable = this.analog(main, `${nodes.reactorId}/${path}/${bound}`, bound, unit, range);
        nodes.variables.set(`${path}/${bound}`, variable);
      }
    }
    this.set(main, 'Double', v.value, atMs, status);
    this.set(nodes.variables.get(`${path}/Lower95`)!, 'Double', v.lower95, atMs, status);
    this.set(nodes.variables.get(`${path}/Upper95`)!, 'Double', v.upper95, atMs, status);
  }

  private scalar(
    nodes: ReactorNodes,
    parent: UAObject | UAVariable | undefined,
    path: string,
    browseName: string,
    dataType: Scalar,
    value: number | string | boolean,
    atMs: number,
  ): void {
    let variable = nodes.variables.get(path);
    if (!variable) {
      const folderName = path.split('/')[0];
      const owner = parent ?? this.childFolder(nodes, folderName);
      variable = this.plainVariable(owner, `${nodes.reactorId}/${path}`, browseName, dataType);
      nodes.variables.set(path, variable);
    }
    this.set(variable, dataType, value, atMs, this.good());
  }

  private childFolder(nodes: ReactorNodes, name: string): UAObject {
    const existing = nodes.folder.getFolderElementByName(name);
    if (existing) return existing as UAObject;
    return (this.namespace as Namespace).addFolder(nodes.folder, {
      browseName: name,
      nodeId: `s=${nodes.reactorId}/${name}`,
    });
  }

  private ensureVariable(nodes: ReactorNodes, path: string): UAVariable {
    return nodes.variables.get(path) as UAVariable;
  }

  private nodesOf(reactorId: string): ReactorNodes {
    const known = this.reactors.get(reactorId);
    if (known) return known;
    const ns = this.namespace as Namespace;
    const folder = ns.addFolder(this.reactorsFolder as UAObject, {
      browseName: reactorId,
      nodeId: `s=${reactorId}`,
    });
    const sub = (parent: UAObject, name: string, path: string) =>
      ns.addFolder(parent, { browseName: name, nodeId: `s=${reactorId}/${path}` });
    const readingsFolder = sub(folder, 'Readings', 'Readings');
    const readings = new Map<PlantSignal, UAVariable>();
    for (const signal of plantSignals) {
      const variable = this.analog(
        readingsFolder,
        `${reactorId}/Readings/${signal}`,
        signal,
        storedSignalUnits[signal],
        {
          low: plausibleRanges[signal].min,
          high: plausibleRanges[signal].max,
        },
      );
      readings.set(signal, variable);
    }
    const estimate = sub(folder, 'Estimate', 'Estimate');
    const nodes: ReactorNodes = {
      reactorId,
      folder,
      readings,
      estimate,
      composition: sub(estimate, 'Composition', 'Estimate/Composition'),
      parameters: sub(estimate, 'Parameters', 'Estimate/Parameters'),
      combinations: sub(estimate, 'Combinations', 'Estimate/Combinations'),
      variables: new Map(),
    };
    sub(folder, 'Model', 'Model');
    sub(folder, 'Alarms', 'Alarms');
    this.reactors.set(reactorId, nodes);
    return nodes;
  }

  /** A Double with its engineering unit and range; `nodePath` is its string node id, `r1/Readings/od`. */
  private analog(
    parent: UAObject | UAVariable,
    nodePath: string,
    browseName: string,
    unit: string,
    range: { low: number; high: number },
  ): UAVariable {
    const ua = this.ua as NodeOpcua;
    const variable = (this.namespace as Namespace).addAnalogDataItem({
      componentOf: parent,
      browseName,
      nodeId: `s=${nodePath}`,
      dataType: 'Double',
      engineeringUnits: ua.makeEUInformation(unit, unit, unitLongNames[unit] ?? unit),
      engineeringUnitsRange: range,
      accessLevel: 'CurrentRead',
      userAccessLevel: 'CurrentRead',
    });
    this.waiting(variable);
    return variable as unknown as UAVariable;
  }

  private plainVariable(
    parent: UAObject | UAVariable,
    nodePath: string,
    browseName: string,
    dataType: Scalar,
  ): UAVariable {
    const variable = (this.namespace as Namespace).addVariable({
      componentOf: parent,
      browseName,
      nodeId: `s=${nodePath}`,
      dataType,
      accessLevel: 'CurrentRead',
      userAccessLevel: 'CurrentRead',
    });
    this.waiting(variable);
    return variable;
  }

  private waiting(variable: UAVariable): void {
    const ua = this.ua as NodeOpcua;
    variable.setValueFromSource({ dataType: ua.DataType.Null }, ua.StatusCodes.BadWaitingForInitialData);
  }

  private set(
    variable: UAVariable,
    dataType: Scalar,
    value: number | string | boolean,
    atMs: number,
    status: StatusCode,
  ): void {
    const ua = this.ua as NodeOpcua;
    const v = dataType === 'DateTime' ? new Date(value as number) : value;
    variable.setValueFromSource(
      { dataType: ua.DataType[dataType] as DataTypeEnum, value: v },
      status,
      new Date(atMs),
    );
  }

  private good(): StatusCode {
    return (this.ua as NodeOpcua).StatusCodes.Good;
  }
}
