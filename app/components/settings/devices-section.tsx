'use client';
/**
 * Devices and connection: where the plant's devices connect (the broker's host, port and TLS) and,
 * for operators, the embedded broker's device accounts. A new account's password is shown once with
 * a `mosquitto_pub` line that uses it; it may publish only to the reactors granted; revoking it
 * closes its connection at once. Accounts of `MQTT_DEVICES` and the demo simulator are shown
 * read-only. An external broker (mosquitto) keeps its own accounts: the section says how.
 */
import { type FormEvent, useState } from 'react';
import {
  type BrokerView,
  type CreatedDeviceAccount,
  type DeviceAccountView,
  deviceUsernamePattern,
  deviceUsernameRule,
  everyReactor,
} from '../../../contract/devices';
import { createDevice, fetchDevices, revokeDevice } from '../../lib/devices-api';
import { useClockZone } from '../../lib/preferences';
import { formatAge, formatClock } from '../../lib/time-format';
import { useKnownReactors } from '../../lib/use-known-reactors';
import { useShownOnceList } from '../../lib/use-shown-once-list';
import { BrokerAddress, PublishExample, useBrokerView } from '../connect-devices';
import { ConfirmButton } from './confirm-button';
import { ShownOnce } from './shown-once';

const sourceWords: Record<DeviceAccountView['source'], string> = {
  dashboard: 'made here',
  environment: 'from the environment (MQTT_DEVICES), read-only',
  simulator: 'the demo simulator, read-only',
};

function reactorsWords(reactors: DeviceAccountView['reactors']): string {
  return reactors === everyReactor ? 'every reactor' : reactors.join(', ');
}

/** The reactor a publish example uses: the account's first, or r1. */
function exampleReactor(
  reactors: DeviceAccountView['reactors'] | undefined,
  known: readonly string[],
): string {
  if (reactors && reactors !== everyReactor && reactors.length > 0) return reactors[0];
  return known[0] ?? 'r1';
}

function ExternalBroker(props: { broker: Extract<BrokerView, { kind: 'external' }> }) {
  const prefix = props.broker.topicPrefix;
  return (
    <div data-testid="external-broker-accounts">
      <p>
        The broker at <code>MQTT_URL</code> ({props.broker.url}) keeps its own accounts: this service cannot
        make them. Add a device to mosquitto’s <code>password_file</code> and grant it its reactor in the{' '}
        <code>acl_file</code>, then send mosquitto a SIGHUP:
      </p>
      <pre className="code-block">
        {`mosquitto_passwd /etc/mosquitto/culturewatch.passwd sensor-r1

# /etc/mosquitto/culturewatch.acl
user sensor-r1
topic readwrite ${prefix}/r1/#
topic deny ${prefix}/r1/$estimate
topic deny ${prefix}/r1/$alarm
topic deny ${prefix}/r1/$dilution-program`}
      </pre>
      <p className="muted">
        The README’s “mosquitto (MQTT_URL)” section (server/README.md) explains each line.
      </p>
    </div>
  );
}

function DeviceAccounts(props: { broker: BrokerView }) {
  const zone = useClockZone();
  const {
    items: devices,
    error,
    busy,
    created,
    setCreated,
    nowMs,
    make,
    remove,
  } = useShownOnceList<DeviceAccountView, CreatedDeviceAccount>(fetchDevices);
  const [username, setUsername] = useState('');
  const [granted, setGranted] = useState<string[]>([]);
  const [everyOne, setEveryOne] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const known = useKnownReactors() ?? [];

  async function onCreate(event: FormEvent) {
    event.preventDefault();
    const name = username.trim();
    const found = !deviceUsernamePattern.test(name)
      ? `name: “${name}” is not a device name; use ${deviceUsernameRule}.`
      : !everyOne && granted.length === 0
        ? 'reactors: tick the reactors it may publish to, or every reactor.'
        : null;
    setProblem(found);
    if (found) return;
    const reactors = everyOne ? [everyReactor] : granted;
    if (await make(() => createDevice({ username: name, reactors }))) {
      setUsername('');
      setGranted([]);
      setEveryOne(false);
    }
  }

  const toggle = (id: string, on: boolean) =>
    setGranted((g) => (on ? [...g, id] : g.filter((x) => x !== id)).sort());

  return (
    <>
      <form className="settings-form form-grid" onSubmit={onCreate} noValidate data-testid="device-form">
        <label htmlFor="device-name">
          device name
          <input
            id="device-name"
            name="device-name"
            required
            maxLength={64}
            autoComplete="off"
            placeholder="e.g. plant-r1"
            aria-invalid={problem?.startsWith('name') ? true : undefined}
            value={username}
            onChange={(e) => {
              setUsername(e.target.value);
              setProblem(null);
            }}
          />
        </label>
        <fieldset className="checkbox-row" data-testid="device-reactors">
          <legend>may publish to</legend>
          {known.map((id) => (
            <label key={id} className="checkbox-label">
              <input
                type="checkbox"
                name="device-reactor"
                value={id}
                disabled={everyOne}
                checked={everyOne || granted.includes(id)}
                onChange={(e) => {
                  toggle(id, e.target.checked);
                  setProblem(null);
                }}
              />
              {id}
            </label>
          ))}
          <label className="checkbox-label">
            <input
              type="checkbox"
              name="device-every-reactor"
              checked={everyOne}
              onChange={(e) => {
                setEveryOne(e.target.checked);
                setProblem(null);
              }}
              data-testid="device-every-reactor"
            />
            every reactor (a gateway; also reactors not seen yet)
          </label>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} data-testid="create-device">
            Make device account
          </button>
        </div>
      </form>
      {problem ? (
        <p className="form-error" role="alert" data-testid="device-problem">
          {problem}
        </p>
      ) : null}
      {created ? (
        <ShownOnce
          title={`Password of device “${created.username}” (${reactorsWords(created.reactors)})`}
          value={created.password}
          note="This is the only time it is shown: the broker keeps only its hash. It works now, without a restart."
          onDismiss={() => setCreated(null)}
        >
          <PublishExample
            broker={props.broker}
            device={{ username: created.username, password: created.password }}
            reactorId={exampleReactor(created.reactors, known)}
          />
        </ShownOnce>
      ) : null}
      {error ? (
        <p className="form-error" role="alert" data-testid="device-error">
          {error}
        </p>
      ) : null}
      {devices !== null && devices.length === 0 ? (
        <div data-testid="no-devices">
          <p>No device accounts yet: make one above, then connect the device to the broker with it.</p>
          <PublishExample broker={props.broker} reactorId={exampleReactor(undefined, known)} />
        </div>
      ) : null}
      {devices && devices.length > 0 ? (
        <div className="table-scroll">
          <table className="compact-table" data-testid="device-list">
            <thead>
              <tr>
                <th scope="col">device</th>
                <th scope="col">may publish to</th>
                <th scope="col">account</th>
                <th scope="col">last login</th>
                <th scope="col">last publish</th>
                <th scope="col">state</th>
                <th scope="col">
                  <span className="visually-hidden">actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr
                  key={`${d.source}:${d.username}`}
                  data-device={d.username}
                  data-source={d.source}
                  data-revoked={d.revokedAtMs !== null}
                >
                  <td>{d.username}</td>
                  <td>{reactorsWords(d.reactors)}</td>
                  <td>
                    {sourceWords[d.source]}
                    {d.createdAtMs !== null
                      ? ` ${formatClock(d.createdAtMs, false, zone)}${d.createdBy ? ` by ${d.createdBy}` : ''}`
                      : ''}
                  </td>
                  <td data-testid="device-last-login">
                    {d.lastConnectedAtMs === null ? 'never' : formatAge(nowMs - d.lastConnectedAtMs)}
                  </td>
                  <td data-testid="device-last-publish">
                    {d.lastPublishedAtMs === null ? 'never' : formatAge(nowMs - d.lastPublishedAtMs)}
                  </td>
                  <td data-testid="device-state">
                    {d.revokedAtMs !== null
                      ? `revoked ${formatClock(d.revokedAtMs, false, zone)}`
                      : d.connected > 0
                        ? `connected${d.connected > 1 ? ` (${d.connected})` : ''}`
                        : 'not connected'}
                  </td>
                  <td>
                    {d.source === 'dashboard' && d.revokedAtMs === null ? (
                      <ConfirmButton
                        label="Revoke"
                        confirmLabel={`Revoke “${d.username}” now`}
                        subject={`device “${d.username}”`}
                        onConfirm={() =>
                          void remove(
                            () => revokeDevice(d.username),
                            (c) => c.username === d.username,
                            'revoked',
                          )
                        }
                        testId="revoke-device"
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

export function DevicesSection(props: { canOperate: boolean }) {
  const { broker, error } = useBrokerView();
  return (
    <section className="panel settings-section" aria-labelledby="devices-title" data-testid="devices-section">
      <h2 id="devices-title">Devices and connection</h2>
      {error ? (
        <p className="form-error" role="alert">
          The broker’s address could not be read: {error}
        </p>
      ) : null}
      {broker === null ? (
        error ? null : (
          <p className="muted">Loading…</p>
        )
      ) : (
        <>
          <p className="muted">
            {broker.kind === 'embedded'
              ? 'The embedded MQTT broker of this service. Devices connect here:'
              : 'An external broker (MQTT_URL). Devices connect there:'}
          </p>
          <BrokerAddress broker={broker} />
          {broker.kind === 'external' ? (
            <ExternalBroker broker={broker} />
          ) : broker.access !== 'accounts' ? (
            <p data-testid="devices-auth-off">
              With <code>AUTH=off</code> the embedded broker has no device accounts:{' '}
              {broker.access === 'open'
                ? 'any client may connect and publish.'
                : 'every client logs in with MQTT_USERNAME and MQTT_PASSWORD.'}
            </p>
          ) : props.canOperate ? (
            <DeviceAccounts broker={broker} />
          ) : (
            <p data-testid="devices-operator-only">Only operators see and make device accounts.</p>
          )}
        </>
      )}
    </section>
  );
}
