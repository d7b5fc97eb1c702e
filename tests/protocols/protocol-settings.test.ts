/** The Sparkplug mapping and the protocol settings: what they accept, convert, and refuse with a name. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/env-schema';
import { loadOpcuaSettings } from '../../server/opcua/opcua-settings';
import { parseSparkplugMapping, unitFactor } from '../../server/sparkplug/sparkplug-mapping';
import { loadSparkplugSettings } from '../../server/sparkplug/sparkplug-settings';
import { mappingJson } from './sparkplug-harness';

const source = (metrics: unknown, extra: object = {}) =>
  JSON.stringify({ sources: [{ group: 'g', edgeNode: 'e', reactor: 'r1', metrics, ...extra }] });

describe('SPARKPLUG_MAPPING', () => {
  it('maps sources to reactors and tells which reactors an edge node speaks for', () => {
    const mapping = parseSparkplugMapping(mappingJson);
    expect(mapping.groups).toEqual(['plant1']);
    expect(mapping.source('plant1', 'gw1', 'R1')?.metrics.get('Glucose')).toEqual({
      signal: 'substrate',
      unit: 'mg/L',
    });
    expect(mapping.source('plant1', 'gw1', undefined)?.metrics.get('Feed')?.signal).toBe('feed');
    expect(mapping.source('plant1', 'gw1', 'R9')).toBeUndefined();
    expect([...(mapping.reactorsOfEdgeNode('plant1', 'gw1') ?? [])].sort()).toEqual(['r1', 'r2']);
    expect(mapping.reactorsOfEdgeNode('plant1', 'gw2')).toBeUndefined();
  });

  it('converts rates to 1/h and mass concentrations to the named unit', () => {
    expect(unitFactor('dilution', '1/min', undefined)).toEqual({ ok: true, factor: 60 });
    expect(unitFactor('dilution', '1/d', undefined)).toEqual({ ok: true, factor: 1 / 24 });
    expect(unitFactor('substrate', 'mg/L', 'g/L')).toEqual({ ok: true, factor: 1e-3 });
    expect(unitFactor('od', 'g/L', 'mg/L')).toEqual({ ok: true, factor: 1000 });
    expect(unitFactor('substrate', 'conc', undefined)).toEqual({ ok: true, factor: 1 });
    expect(unitFactor('dilution', 'mg/L', undefined).ok).toBe(false);
    expect(unitFactor('substrate', 'mmol/L', 'g/L').ok).toBe(false);
    expect(unitFactor('substrate', 'mg/L', undefined)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('concentrationUnit'),
    });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an unknown signal', source({ OD: 'turbidity' }), /sources\.0\.metrics\.OD/],
    [
      'a unit that is no rate',
      source({ D: { signal: 'dilution', unit: 'mg/L' } }),
      /sources\.0\.metrics\.D: mg\/L is not a rate/,
    ],
    [
      'a concentration without concentrationUnit',
      source({ S: { signal: 'substrate', unit: 'mg/L' } }),
      /concentrationUnit/,
    ],
    ['two metrics on one signal', source({ A: 'od', B: 'od' }), /two metrics are mapped to od/],
    ['an unknown field', source({ A: 'od' }, { colour: 'red' }), /colour|Unrecognized/i],
    [
      'a bad reactor id',
      JSON.stringify({ sources: [{ group: 'g', edgeNode: 'e', reactor: 'r 1', metrics: {} }] }),
      /reactor/,
    ],
    [
      'a source given twice',
      JSON.stringify({
        sources: [
          { group: 'g', edgeNode: 'e', reactor: 'r1', metrics: {} },
          { group: 'g', edgeNode: 'e', reactor: 'r2', metrics: {} },
        ],
      }),
      /g\/e is mapped twice/,
    ],
  ])('refuses %s, naming it', (_what, json, message) => {
    expect(() => parseSparkplugMapping(json)).toThrow(message);
  });

  it('is a setting whose problems stop the start', () => {
    expect(() => loadSparkplugSettings({ SPARKPLUG_MAPPING: '[]' })).toThrow(ConfigError);
    const settings = loadSparkplugSettings({});
    expect(settings.mapping).toBeUndefined();
    expect(settings.hostId).toBe('culturewatch');
    expect(settings.estimates.enabled).toBe(false);
    expect(() => loadSparkplugSettings({ SPARKPLUG_HOST_ID: 'a/b' })).toThrow(/SPARKPLUG_HOST_ID/);
  });
});

describe('the OPC UA settings', () => {
  it('are off by default and on with one setting', () => {
    expect(loadOpcuaSettings({}).port).toBeUndefined();
    const on = loadOpcuaSettings({ OPCUA_PORT: '4840' });
    expect(on).toMatchObject({
      port: 4840,
      host: '127.0.0.1',
      securityModes: ['SignAndEncrypt'],
      anonymous: false,
      trustClients: false,
    });
  });

  it('refuse settings that would do nothing or send passwords in the clear', () => {
    expect(() => loadOpcuaSettings({ OPCUA_ANONYMOUS: 'on' })).toThrow(/OPCUA_PORT/);
    expect(() => loadOpcuaSettings({ OPCUA_PORT: '4840', OPCUA_SECURITY_MODES: 'None' })).toThrow(
      /None alone/,
    );
    expect(() => loadOpcuaSettings({ OPCUA_PORT: '4840', OPCUA_SECURITY_MODES: 'Encrypt' })).toThrow(
      ConfigError,
    );
    expect(
      loadOpcuaSettings({ OPCUA_PORT: '4840', OPCUA_SECURITY_MODES: 'None,Sign', OPCUA_ANONYMOUS: 'on' })
        .securityModes,
    ).toEqual(['None', 'Sign']);
  });
});
