/**
 * Devices and the connection (issue 22): where the plant's devices connect (the broker's address,
 * port and TLS) and the device accounts of the embedded broker.
 *
 * GET /api/broker → BrokerView (any logged-in user: the overview's empty state shows it).
 * GET /api/devices → DeviceAccountView[] (operators): the dashboard's accounts, revoked ones
 * included, and those of `MQTT_DEVICES` (read-only); POST /api/devices DeviceAccountRequest → 201
 * CreatedDeviceAccount, the only time its password is shown; DELETE /api/devices/:username → 204,
 * revoked at once (its open connections closed). 400 for a bad name or an unknown reactor, 409 for a
 * name taken (or revoked: names are not reused), 409 when the service cannot make accounts (an
 * external broker, or AUTH=off).
 */

/** What a device may log in as: also what mosquitto's password_file allows (no `:`), so one name serves on both brokers. */
export const deviceUsernamePattern = /^[A-Za-z0-9_.@-]{1,64}$/;
/** `deviceUsernamePattern` in words, for error messages. */
export const deviceUsernameRule = '1–64 of letters, digits and _ . @ -';

/** A device granted every reactor: a gateway that speaks for the whole plant. */
export const everyReactor = '*';

export interface BrokerListenerView {
  /** The address the broker listens on, as configured (`0.0.0.0`: every interface). */
  bindHost: string;
  port: number;
}

export type BrokerView =
  | {
      kind: 'embedded';
      /** Plain MQTT (mqtt://). */
      plain: BrokerListenerView;
      /** MQTT over TLS (mqtts://), when the service has a certificate. */
      tls: (BrokerListenerView & { clientCertificates: 'required' | 'not asked' }) | null;
      /** `accounts`: each device logs in with its account (AUTH on); `shared`: one username and password for all; `open`: anyone. */
      access: 'accounts' | 'shared' | 'open';
      topicPrefix: string;
    }
  | {
      kind: 'external';
      /** MQTT_URL without credentials. */
      url: string;
      host: string;
      port: number;
      tls: boolean;
      topicPrefix: string;
    };

export interface DeviceAccountView {
  username: string;
  /** Reactor ids it may publish to, or `*` for every reactor. */
  reactors: string[] | typeof everyReactor;
  /** `dashboard`: made here (may be revoked here); `environment`: `MQTT_DEVICES`; `simulator`: the demo plant. */
  source: 'dashboard' | 'environment' | 'simulator';
  createdAtMs: number | null;
  createdBy: string | null;
  revokedAtMs: number | null;
  /** Its last login to the broker (epoch ms), null if never since this service has kept count. */
  lastConnectedAtMs: number | null;
  lastPublishedAtMs: number | null;
  /** Connections open now. */
  connected: number;
}

export interface DeviceAccountRequest {
  /** `deviceUsernamePattern`. */
  username: string;
  /** Reactors that have sent readings, or `['*']` alone for every reactor (also those not seen yet). */
  reactors: string[];
}

export interface CreatedDeviceAccount extends DeviceAccountView {
  /** Shown once; the service keeps only its scrypt hash. */
  password: string;
}
