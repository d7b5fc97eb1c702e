'use client';
/**
 * Where a device connects and how it publishes a reading: the broker's host, port and TLS, and a
 * `mosquitto_pub` line to copy, for one account (its password when just made) or a placeholder.
 * Used by the settings' devices section and the overview when there are no reactors yet.
 */
import { useEffect, useState } from 'react';
import type { BrokerView } from '../../contract/devices';
import { deviceEndpoint, publishExample } from '../lib/device-connection';
import { fetchBroker } from '../lib/devices-api';
import { CopyableCode } from './copyable-code';

/** The broker's view, loaded once; null while loading or when the service did not answer. */
export function useBrokerView(): { broker: BrokerView | null; error: string | null } {
  const [broker, setBroker] = useState<BrokerView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetchBroker().then(setBroker, (e: unknown) => setError(String((e as Error)?.message ?? e)));
  }, []);
  return { broker, error };
}

/** The host name the dashboard was reached at (for a broker on every interface); set once mounted. */
function useBrowserHost(): string | null {
  const [host, setHost] = useState<string | null>(null);
  useEffect(() => setHost(window.location.hostname), []);
  return host;
}

export function BrokerAddress(props: { broker: BrokerView }) {
  const browserHost = useBrowserHost();
  if (browserHost === null) return null;
  const { broker } = props;
  const endpoint = deviceEndpoint(broker, browserHost);
  return (
    <dl className="broker-address" data-testid="broker-address">
      <dt>host</dt>
      <dd data-testid="broker-host">{endpoint.host}</dd>
      <dt>port</dt>
      <dd data-testid="broker-port">{endpoint.port}</dd>
      <dt>TLS</dt>
      <dd data-testid="broker-tls">
        {endpoint.tls
          ? `yes (mqtts)${endpoint.clientCertificate ? ', a client certificate is required' : ''}`
          : 'no (plain mqtt)'}
      </dd>
      {broker.kind === 'embedded' && broker.tls ? (
        <>
          <dt>plain listener</dt>
          <dd>
            {broker.plain.bindHost}:{broker.plain.port} (for the service’s own clients)
          </dd>
        </>
      ) : null}
      <dt>topics</dt>
      <dd>
        <code>{broker.topicPrefix}/&lt;reactor&gt;/&lt;signal&gt;</code> as{' '}
        <code>{'{"ts": <epoch ms>, "value": <number>}'}</code>
      </dd>
      {endpoint.loopbackOnly ? (
        <dd className="broker-note muted" data-testid="broker-loopback">
          It listens on this machine only (loopback). For devices on the plant network, give the embedded
          broker a certificate (<code>MQTT_SERVER_CERT_FILE</code>, <code>MQTT_SERVER_KEY_FILE</code>: TLS on{' '}
          <code>MQTT_TLS_PORT</code>, all interfaces) rather than opening the plain port.
        </dd>
      ) : null}
    </dl>
  );
}

export function PublishExample(props: {
  broker: BrokerView;
  device?: { username: string; password?: string };
  reactorId: string;
}) {
  const browserHost = useBrowserHost();
  if (browserHost === null) return null;
  const command = publishExample(props.broker, browserHost, {
    ...props.device,
    reactorId: props.reactorId,
  });
  return (
    <div className="publish-example">
      <p className="muted">
        Publish one reading {props.device ? `as ${props.device.username}` : 'as a device'} (mosquitto’s{' '}
        <code>mosquitto-clients</code>):
      </p>
      <CopyableCode
        value={command}
        what="the mosquitto_pub command"
        testId="publish-example"
        copyTestId="publish-example-copy"
      />
    </div>
  );
}
