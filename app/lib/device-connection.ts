/**
 * How a device reaches the broker, in the words and commands an operator types: the host and port
 * to use (TLS first where the broker has it), and a `mosquitto_pub` line that publishes one reading.
 */
import type { BrokerView } from '../../contract/devices';

const wildcardHosts = new Set(['0.0.0.0', '::', '']);
const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export interface DeviceEndpoint {
  host: string;
  port: number;
  tls: boolean;
  /** For the device's TLS: a client certificate is required too. */
  clientCertificate: boolean;
  /** Listening on loopback only: devices on other machines cannot reach it. */
  loopbackOnly: boolean;
}

/** `browserHost`: the host name the dashboard was reached at, for a broker listening on every interface. */
export function deviceEndpoint(view: BrokerView, browserHost: string): DeviceEndpoint {
  if (view.kind === 'external')
    return {
      host: view.host,
      port: view.port,
      tls: view.tls,
      clientCertificate: false,
      loopbackOnly: loopbackHosts.has(view.host),
    };
  const listener = view.tls ?? view.plain;
  const host = wildcardHosts.has(listener.bindHost) ? browserHost : listener.bindHost;
  return {
    host,
    port: listener.port,
    tls: view.tls !== null,
    clientCertificate: view.tls?.clientCertificates === 'required',
    loopbackOnly: loopbackHosts.has(listener.bindHost),
  };
}

/** Quoted for a POSIX shell when it holds anything but plain characters. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_.@:/=+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

export function publishExample(
  view: BrokerView,
  browserHost: string,
  device: { username?: string; password?: string; reactorId: string },
): string {
  const endpoint = deviceEndpoint(view, browserHost);
  const needsLogin = view.kind === 'external' || view.access !== 'open';
  const words = [
    'mosquitto_pub',
    `-h ${shellWord(endpoint.host)}`,
    `-p ${endpoint.port}`,
    ...(endpoint.tls ? ['--cafile ca.pem'] : []),
    ...(endpoint.clientCertificate ? ['--cert device.pem --key device-key.pem'] : []),
    ...(needsLogin
      ? [
          `-u ${shellWord(device.username ?? '<device>')}`,
          `-P ${device.password === undefined ? "'<password>'" : shellWord(device.password)}`,
        ]
      : []),
    '-q 1',
    `-t ${shellWord(`${view.topicPrefix}/${device.reactorId}/od`)}`,
    `-m "{\\"ts\\": $(date +%s%3N), \\"value\\": 0.82}"`,
  ];
  return words.join(' ');
}
