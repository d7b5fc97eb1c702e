/**
 * The OPC UA server's settings: off unless `OPCUA_PORT` is set. Every default is here and in
 * server/README.md ("OPC UA").
 */
import { z } from 'zod';
import { ConfigError, onOff, optionalText, parseSettings, setting } from '../env-schema';

export const opcuaSecurityModes = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const opcuaSecurityPolicies = [
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;

const list = <T extends readonly [string, ...string[]]>(values: T, fallback: string) =>
  setting(
    z
      .string()
      .default(fallback)
      .transform((text) => text.split(',').map((v) => v.trim()))
      .pipe(z.array(z.enum(values)).min(1)),
  );

const environment = z.object({
  OPCUA_PORT: setting(z.coerce.number().int().min(0).max(65535).optional()),
  OPCUA_HOST: setting(z.string().default('127.0.0.1')),
  OPCUA_HOSTNAME: optionalText,
  OPCUA_SECURITY_MODES: list(opcuaSecurityModes, 'SignAndEncrypt'),
  OPCUA_SECURITY_POLICIES: list(opcuaSecurityPolicies, opcuaSecurityPolicies.join(',')),
  OPCUA_ANONYMOUS: setting(onOff.default(false)),
  OPCUA_PKI_DIR: setting(z.string().default('data/opcua-pki')),
  OPCUA_TRUST_CLIENTS: setting(onOff.default(false)),
});

export interface OpcuaSettings {
  /** Undefined: no OPC UA server. 0 picks a free port. */
  port: number | undefined;
  /** Interface to listen on. */
  host: string;
  /** The host name in the endpoint URLs and the server certificate (default: the listen address). */
  hostname: string | undefined;
  securityModes: (typeof opcuaSecurityModes)[number][];
  securityPolicies: (typeof opcuaSecurityPolicies)[number][];
  /** Anonymous sessions (read-only like every session); off: a product account's username and password. */
  anonymous: boolean;
  /** The server's certificate and key, and the clients' certificates: trusted/, rejected/. */
  pkiDir: string;
  /** Accept any client certificate (testing); off: an unknown one lands in rejected/ until moved to trusted/. */
  trustClients: boolean;
}

export function loadOpcuaSettings(env: Record<string, string | undefined>): OpcuaSettings {
  const e = parseSettings(environment, env);
  if (e.OPCUA_PORT === undefined) {
    const others = Object.keys(environment.shape).filter((k) => k !== 'OPCUA_PORT' && env[k]);
    if (others.length > 0)
      throw new ConfigError(`${others.join(', ')}: the OPC UA server runs only with OPCUA_PORT set`);
  }
  if (e.OPCUA_SECURITY_MODES.includes('None') && !e.OPCUA_ANONYMOUS && e.OPCUA_SECURITY_MODES.length === 1)
    throw new ConfigError(
      'OPCUA_SECURITY_MODES=None alone would send passwords over an unsigned channel: add Sign or SignAndEncrypt',
    );
  return {
    port: e.OPCUA_PORT,
    host: e.OPCUA_HOST,
    hostname: e.OPCUA_HOSTNAME,
    securityModes: e.OPCUA_SECURITY_MODES,
    securityPolicies: e.OPCUA_SECURITY_POLICIES,
    anonymous: e.OPCUA_ANONYMOUS,
    pkiDir: e.OPCUA_PKI_DIR,
    trustClients: e.OPCUA_TRUST_CLIENTS,
  };
}
