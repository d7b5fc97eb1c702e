/**
 * A broker that is down is waited for: it may come up. One that refuses us for good (its certificate
 * is not trusted, our credentials or protocol are refused) will refuse every retry too, so a client's
 * first connection fails the start with the reason instead of waiting forever.
 */
import type { MqttClient } from 'mqtt';

/** TLS verification failures (Node's and OpenSSL's codes). */
const certificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * CONNACK refusals: 3.1.1 codes 1 (protocol version), 2 (client id), 4 (bad username or password),
 * 5 (not authorized); MQTT 5 reason codes 132, 133, 134, 135, 138 (banned) and 140 (auth method).
 */
const connackCodes = new Set([1, 2, 4, 5, 132, 133, 134, 135, 138, 140]);

/** Why retrying cannot help, or null for an error that may pass (refused connection, timeout). */
export function permanentRefusalReason(error: Error & { code?: unknown }): string | null {
  if (typeof error.code === 'string' && certificateCodes.has(error.code))
    return `its TLS certificate is not trusted (${error.code}: ${error.message}); check MQTT_CA_FILE`;
  if (typeof error.code === 'number' && connackCodes.has(error.code))
    return `it refused the connection (${error.message}); check MQTT_USERNAME, MQTT_PASSWORD and MQTT_PROTOCOL`;
  return null;
}

/**
 * Rejects at the first error retrying cannot mend, until the client has connected once; then it
 * never settles. The client is ended on rejection.
 */
export function permanentRefusal(client: MqttClient, url: string): Promise<never> {
  return new Promise((_, reject) => {
    const onError = (error: Error) => {
      const reason = permanentRefusalReason(error);
      if (!reason) return;
      client.off('error', onError);
      client.end(true);
      reject(new Error(`the MQTT broker at ${url} cannot be used: ${reason}`));
    };
    client.on('error', onError);
    client.once('connect', () => client.off('error', onError));
  });
}
