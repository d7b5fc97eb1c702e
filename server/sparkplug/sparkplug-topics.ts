/** Reads a Sparkplug B 3.0 topic: `spBv1.0/<group>/<type>/<edge node>[/<device>]`, or the host's STATE. */
import {
  type SparkplugMessageType,
  sparkplug,
  sparkplugDeviceMessageTypes,
  sparkplugNodeMessageTypes,
} from '../../contract/plant-protocols';

const nodeTypes: ReadonlySet<string> = new Set(sparkplugNodeMessageTypes);
const deviceTypes: ReadonlySet<string> = new Set(sparkplugDeviceMessageTypes);

export type SparkplugTopic =
  | { kind: 'node'; type: SparkplugMessageType; group: string; edgeNode: string; device?: undefined }
  | { kind: 'device'; type: SparkplugMessageType; group: string; edgeNode: string; device: string }
  | { kind: 'state'; hostId: string }
  | { kind: 'malformed'; detail: string };

/** A Sparkplug id level: non-empty, no wildcard. */
function isIdLevel(level: string | undefined): level is string {
  return level !== undefined && level !== '' && !level.includes('+') && !level.includes('#');
}

export function parseSparkplugTopic(topic: string): SparkplugTopic {
  const levels = topic.split('/');
  if (levels[0] !== sparkplug.namespace)
    return { kind: 'malformed', detail: `not under ${sparkplug.namespace}/` };
  if (levels[1] === 'STATE') {
    return levels.length === 3 && isIdLevel(levels[2])
      ? { kind: 'state', hostId: levels[2] }
      : { kind: 'malformed', detail: 'STATE topics are spBv1.0/STATE/<host id>' };
  }
  const [, group, type, edgeNode, device] = levels;
  if (!isIdLevel(group) || !isIdLevel(edgeNode))
    return { kind: 'malformed', detail: 'expected spBv1.0/<group>/<type>/<edge node>[/<device>]' };
  if (nodeTypes.has(type)) {
    return levels.length === 4
      ? { kind: 'node', type: type as SparkplugMessageType, group, edgeNode }
      : { kind: 'malformed', detail: `${type} topics have no device level` };
  }
  if (deviceTypes.has(type)) {
    return levels.length === 5 && isIdLevel(device)
      ? { kind: 'device', type: type as SparkplugMessageType, group, edgeNode, device }
      : { kind: 'malformed', detail: `${type} topics end in /<edge node>/<device>` };
  }
  return { kind: 'malformed', detail: `unknown message type "${type}"` };
}
