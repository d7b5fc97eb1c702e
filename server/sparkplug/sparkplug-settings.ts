/**
 * Sparkplug B settings, from the service's environment over its config file. Every default is here
 * and in server/README.md ("Sparkplug B").
 */
import { z } from 'zod';
import { ConfigError, onOff, optionalText, parseSettings, setting } from '../env-schema';
import { parseSparkplugMapping, type SparkplugMapping } from './sparkplug-mapping';

const sparkplugId = z.string().regex(/^[^+/#\s]{1,128}$/, 'a Sparkplug id (no +, /, # or space)');

const environment = z.object({
  SPARKPLUG_MAPPING: optionalText,
  SPARKPLUG_HOST_ID: setting(sparkplugId.default('culturewatch')),
  SPARKPLUG_REORDER_TIMEOUT_MS: setting(z.coerce.number().int().min(0).max(60_000).default(2000)),
  SPARKPLUG_REBIRTH_INTERVAL_MS: setting(z.coerce.number().int().min(0).max(3_600_000).default(5000)),
  SPARKPLUG_ESTIMATES: setting(onOff.default(false)),
  SPARKPLUG_ESTIMATES_GROUP: setting(sparkplugId.default('culturewatch')),
  SPARKPLUG_ESTIMATES_NODE: setting(sparkplugId.default('culturewatch')),
});

export interface SparkplugSettings {
  /** The plant's metrics → reactors and signals; the host runs when it is set (or the simulator speaks Sparkplug). */
  mapping: SparkplugMapping | undefined;
  hostId: string;
  reorderTimeoutMs: number;
  rebirthIntervalMs: number;
  /** Publish the estimates as an edge node (server/sparkplug/estimate-edge-node.ts). */
  estimates: { enabled: boolean; group: string; edgeNode: string };
}

export function loadSparkplugSettings(env: Record<string, string | undefined>): SparkplugSettings {
  const e = parseSettings(environment, env);
  let mapping: SparkplugMapping | undefined;
  if (e.SPARKPLUG_MAPPING !== undefined) {
    try {
      mapping = parseSparkplugMapping(e.SPARKPLUG_MAPPING);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }
  return {
    mapping,
    hostId: e.SPARKPLUG_HOST_ID,
    reorderTimeoutMs: e.SPARKPLUG_REORDER_TIMEOUT_MS,
    rebirthIntervalMs: e.SPARKPLUG_REBIRTH_INTERVAL_MS,
    estimates: {
      enabled: e.SPARKPLUG_ESTIMATES,
      group: e.SPARKPLUG_ESTIMATES_GROUP,
      edgeNode: e.SPARKPLUG_ESTIMATES_NODE,
    },
  };
}
