import { type CommunitySpec, linkRoles } from './community';
import type { ModelDefinition, ParameterDefinition } from './definition';

/**
 * Writes a definition as a model file that parseModelFile reads back to the same definition. A
 * community model is written as its links (`community:`) unless `expand` asks for the equations.
 */
export function formatModelFile(
  def: ModelDefinition,
  options: { header?: string; expand?: boolean } = {},
): string {
  const lines: string[] = [];
  if (options.header) for (const line of options.header.split('\n')) lines.push(`# ${line}`.trimEnd());
  lines.push(`model: ${def.name}`);
  if (def.description) lines.push(`description: ${scalar(def.description)}`);
  if (def.community && !options.expand) {
    lines.push(...communityLines(def.community), ...combinationLines(def));
    return `${lines.join('\n')}\n`;
  }
  lines.push('', 'states:');
  for (const s of def.states) {
    const info = def.stateInfo?.[s];
    lines.push(
      `  ${s}: ${flow([['unit', unitText(info?.unit ?? 'conc')], ...described(info?.description)])}`,
    );
  }
  lines.push('', 'parameters:');
  for (const q of def.parameters) lines.push(`  ${q.name}: ${flow(parameterFields(q))}`);
  if (def.inputs.length) {
    lines.push('', 'inputs:');
    for (const q of def.inputs)
      lines.push(
        `  ${q.name}: ${flow([['unit', unitText(q.unit)], ['nominal', number(q.nominal)], ...described(q.description)])}`,
      );
  }
  const formulas = (title: string, entries: readonly (readonly [string, string])[]) => {
    if (!entries.length) return;
    lines.push('', `${title}:`);
    for (const [name, formula] of entries) lines.push(`  ${name}: ${scalar(formula)}`);
  };
  formulas('intermediates', def.intermediates);
  formulas(
    'rates',
    def.states.map((s) => [s, def.rates[s]]),
  );
  formulas('signals', Object.entries(def.signals));
  lines.push(...combinationLines(def));
  return `${lines.join('\n')}\n`;
}

function combinationLines(def: ModelDefinition): string[] {
  if (!def.combinations?.length) return [];
  const lines = ['', 'combinations:'];
  for (const c of def.combinations) {
    lines.push(`  ${c.name}:`);
    lines.push(`    exponents: ${flow(Object.entries(c.exponents).map(([k, v]) => [k, number(v)]))}`);
    if (c.meaning) lines.push(`    meaning: ${scalar(c.meaning)}`);
  }
  return lines;
}

function communityLines(spec: CommunitySpec): string[] {
  const list = (names: readonly string[]) => `[${names.join(', ')}]`;
  const lines = [
    'community:',
    `  substrate: ${spec.substrate}`,
    `  main: ${spec.main}`,
    `  satellites: ${list(spec.satellites)}`,
    `  metabolites: ${list(spec.metabolites)}`,
    `  feed: ${flow(Object.entries(spec.feed).map(([k, v]) => [k, number(v)]))}`,
    '  links:',
  ];
  for (const link of spec.links) {
    const fields: [string, string][] = [
      ['kind', link.kind],
      ['organism', link.organism],
      ['metabolite', link.metabolite],
      ...Object.keys(linkRoles[link.kind]).map((role): [string, string] => [role, number(link.values[role])]),
    ];
    if (link.off) fields.push(['off', 'true']);
    lines.push(`    - ${flow(fields)}`);
  }
  return lines;
}

function parameterFields(q: ParameterDefinition): [string, string][] {
  const fields: [string, string][] = [['value', number(q.plantValue)]];
  if (q.farGuess !== undefined) fields.push(['far_guess', number(q.farGuess)]);
  if (q.usuallyFixed) fields.push(['fixed', 'true']);
  fields.push(['unit', unitText(q.unit)]);
  if (q.bounds) fields.push(['bounds', `[${number(q.bounds.lower)}, ${number(q.bounds.upper)}]`]);
  if (q.prior)
    fields.push([
      'prior',
      flow([
        ['median', number(q.prior.median)],
        ['sd_log', number(q.prior.sdLog)],
      ]),
    ]);
  fields.push(...described(q.description));
  return fields;
}

const described = (text: string | undefined): [string, string][] =>
  text ? [['description', scalar(text, true)]] : [];

function flow(fields: readonly (readonly [string, string])[]): string {
  return `{ ${fields.map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
}

/** A number as YAML reads it back to the same float. */
function number(v: number): string {
  return String(v);
}

/** A unit; the dimensionless 1 is written as a number, as people write it. */
function unitText(unit: string): string {
  return unit === '1' ? '1' : scalar(unit, true);
}

/**
 * Text as a plain scalar where YAML reads it back unchanged, else quoted (a JSON string is a YAML
 * double-quoted scalar). Inside a flow mapping, commas and brackets also need quotes.
 */
function scalar(text: string, inFlow = false): string {
  const starts = /^[A-Za-z0-9(]/.test(text);
  const reserved = inFlow ? /: |\s#|[,[\]{}]/ : /: |\s#/;
  const readAsOther =
    /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text) ||
    /^0[xo]/.test(text) ||
    /^(true|false|null|~)$/i.test(text);
  return starts && !reserved.test(text) && !readAsOther && !/\s$/.test(text) ? text : JSON.stringify(text);
}
