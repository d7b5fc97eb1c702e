import { isAlias, isMap, isScalar, isSeq, type Node, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { formulaFunctions } from '../symbolic/parse';
import { checkModelDefinition, ModelCheckError } from './check-model';
import {
  type CommunityLink,
  type CommunitySpec,
  communityModel,
  feedRoles,
  type LinkKind,
  linkLabel,
  linkRoles,
} from './community';
import type {
  CombinationDefinition,
  InputDefinition,
  ModelDefinition,
  ParameterDefinition,
  StateDefinition,
} from './definition';

/**
 * A model file (YAML; `models/README.md` describes it) read into a checked ModelDefinition. Pure:
 * text in, a definition or one ModelFileError out. Reading the file is the callers' business.
 */
export class ModelFileError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.name = 'ModelFileError';
  }
}

const equationSections = ['states', 'parameters', 'inputs', 'intermediates', 'rates', 'signals'];
const sections = ['model', 'description', 'community', ...equationSections, 'combinations'];
const communityKeys = ['substrate', 'main', 'satellites', 'metabolites', 'feed', 'links'];
const stateKeys = ['unit', 'description'];
const parameterKeys = ['value', 'unit', 'description', 'far_guess', 'fixed', 'bounds', 'prior'];
const inputKeys = ['unit', 'nominal', 'description'];

/** Where each field of the definition was written: its key and its value node. */
type Places = Map<string, { key?: Node; value?: Node | null }>;

export function parseModelFile(text: string): ModelDefinition {
  const places: Places = new Map();
  const fail = (offset: number, detail: string): never => {
    const { line, column } = lineAndColumn(text, offset);
    throw new ModelFileError(line, column, detail);
  };
  const at = (node: Node | null | undefined, detail: string): never => fail(node?.range?.[0] ?? 0, detail);

  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) fail(syntax.pos[0], `not valid YAML: ${syntax.message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root))
    return at(root, 'a model file is a YAML mapping of model, description, states, parameters, …');

  const read = new Reader(at);
  const checked = (definition: ModelDefinition) => checkedAt(text, places, definition);
  const top = read.entries(root, '', sections);
  const section = (name: string, required: boolean): YAMLMap | undefined => {
    const entry = top.get(name);
    if (!entry) {
      if (required) fail(0, `the file has no "${name}" section`);
      return undefined;
    }
    places.set(name, entry);
    if (entry.value == null) return undefined;
    if (!isMap(entry.value)) return at(entry.value, `${name}: expected a mapping of names`);
    return entry.value;
  };
  const modelEntry = top.get('model');
  if (!modelEntry) return fail(0, 'the file has no "model" section (the model\'s name)');
  const name = read.string(modelEntry.value, 'model');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    at(modelEntry.value, `model: "${name}" is not a model name (letters, digits, ".", "_" and "-")`);
  const descriptionEntry = top.get('description');
  const description = descriptionEntry ? read.string(descriptionEntry.value, 'description') : '';
  const communityEntry = top.get('community');
  if (communityEntry) {
    const written = equationSections.find((name) => top.has(name));
    if (written)
      at(
        top.get(written)?.key,
        `${written}: a community model's equations come from its links; remove this section (or the community section)`,
      );
    const community = communityModel(name, description, readCommunity(communityEntry.value, read, at));
    return checked(
      withCombinations(community, readCombinations(section('combinations', false), read, places, at)),
    );
  }

  const states: string[] = [];
  const stateInfo: Record<string, StateDefinition> = {};
  for (const [state, entry] of read.entries(section('states', true), 'states')) {
    const field = `states.${state}`;
    places.set(field, entry);
    const fields = read.entries(read.map(entry.value, field), field, stateKeys);
    states.push(state);
    stateInfo[state] = {
      unit: read.unit(fields.get('unit'), `${field}.unit`, places, 'conc'),
      description: read.optionalString(fields.get('description'), `${field}.description`) ?? '',
    };
  }

  const parameters: ParameterDefinition[] = [];
  for (const [parameter, entry] of read.entries(section('parameters', true), 'parameters')) {
    const field = `parameters.${parameter}`;
    places.set(field, entry);
    const fields = read.entries(read.map(entry.value, field), field, parameterKeys);
    for (const key of parameterKeys) {
      const place = fields.get(key);
      if (place) places.set(`${field}.${key}`, place);
    }
    const valueEntry = fields.get('value');
    if (!valueEntry) return at(entry.key, `${field}: no value`);
    const definition: ParameterDefinition = {
      name: parameter,
      description: read.optionalString(fields.get('description'), `${field}.description`) ?? '',
      plantValue: read.number(valueEntry.value, `${field}.value`),
      unit: read.unit(fields.get('unit'), `${field}.unit`, places),
    };
    const farGuess = fields.get('far_guess');
    if (farGuess) definition.farGuess = read.number(farGuess.value, `${field}.far_guess`);
    const fixed = fields.get('fixed');
    if (fixed) definition.usuallyFixed = read.boolean(fixed.value, `${field}.fixed`);
    const bounds = fields.get('bounds');
    if (bounds) {
      const node = bounds.value;
      if (!isSeq(node) || node.items.length !== 2)
        return at(node ?? bounds.key, `${field}.bounds: expected [lower, upper]`);
      const [lower, upper] = node.items.map((item) => read.number(item as Node, `${field}.bounds`));
      definition.bounds = { lower, upper };
    }
    const prior = fields.get('prior');
    if (prior) {
      const priorFields = read.entries(read.map(prior.value, `${field}.prior`), `${field}.prior`, [
        'median',
        'sd_log',
      ]);
      const median = priorFields.get('median');
      const sdLog = priorFields.get('sd_log');
      if (!median || !sdLog) return at(prior.key, `${field}.prior: expected {median: …, sd_log: …}`);
      definition.prior = {
        median: read.number(median.value, `${field}.prior.median`),
        sdLog: read.number(sdLog.value, `${field}.prior.sd_log`),
      };
    }
    parameters.push(definition);
  }

  const inputs: InputDefinition[] = [];
  for (const [input, entry] of read.entries(section('inputs', false), 'inputs')) {
    const field = `inputs.${input}`;
    places.set(field, entry);
    const fields = read.entries(read.map(entry.value, field), field, inputKeys);
    const nominal = fields.get('nominal');
    if (!nominal) return at(entry.key, `${field}: no nominal value`);
    places.set(`${field}.nominal`, nominal);
    inputs.push({
      name: input,
      description: read.optionalString(fields.get('description'), `${field}.description`) ?? '',
      unit: read.unit(fields.get('unit'), `${field}.unit`, places),
      nominal: read.number(nominal.value, `${field}.nominal`),
    });
  }

  const formulas = (name: string, required: boolean): [string, string][] =>
    [...read.entries(section(name, required), name)].map(([key, entry]) => {
      places.set(`${name}.${key}`, entry);
      return [key, read.formula(entry.value, `${name}.${key}`)];
    });
  return checked({
    name,
    description,
    states,
    stateInfo,
    parameters,
    inputs,
    intermediates: formulas('intermediates', false),
    rates: Object.fromEntries(formulas('rates', true)),
    signals: Object.fromEntries(formulas('signals', true)),
    ...withCombinations({}, readCombinations(section('combinations', false), read, places, at)),
  });
}

/**
 * The `combinations:` section: named products of powers of parameters, each
 * `NAME: {exponents: {p: 1, q: -1}, meaning: …}`. A name that is not a parameter is refused here.
 */
function readCombinations(
  node: YAMLMap | undefined,
  read: Reader,
  places: Places,
  at: (node: Node | null | undefined, detail: string) => never,
): CombinationDefinition[] {
  const out: CombinationDefinition[] = [];
  for (const [name, entry] of read.entries(node, 'combinations')) {
    const field = `combinations.${name}`;
    places.set(field, entry);
    const fields = read.entries(read.map(entry.value, field), field, ['exponents', 'meaning']);
    const exponentsEntry = fields.get('exponents');
    if (!exponentsEntry) return at(entry.key, `${field}: no exponents ({parameter: power, …})`);
    const exponents: Record<string, number> = {};
    const terms = read.entries(read.map(exponentsEntry.value, `${field}.exponents`), `${field}.exponents`);
    for (const [parameter, power] of terms) {
      exponents[parameter] = read.number(power.value, `${field}.exponents.${parameter}`);
    }
    out.push({
      name,
      exponents,
      meaning: read.optionalString(fields.get('meaning'), `${field}.meaning`) ?? '',
    });
  }
  return out;
}

function withCombinations<T extends object>(definition: T, combinations: CombinationDefinition[]) {
  return combinations.length ? { ...definition, combinations } : definition;
}

/** A definition checked, with a problem reported at the place in the file it came from. */
function checkedAt(text: string, places: Places, definition: ModelDefinition): ModelDefinition {
  try {
    checkModelDefinition(definition);
  } catch (e) {
    if (!(e instanceof ModelCheckError)) throw e;
    const place = placeOf(places, e.field);
    // Inside a formula or unit, or at a whole value written as text; else at the key of a mapping.
    const node =
      e.start !== undefined || isScalar(place?.value) ? place?.value : (place?.key ?? place?.value);
    const offset =
      node && e.start !== undefined && e.text !== undefined && isScalar(node)
        ? offsetInScalar(text, node, e.text, e.start)
        : (node?.range?.[0] ?? 0);
    const { line, column } = lineAndColumn(text, offset);
    throw new ModelFileError(line, column, `${e.field}: ${e.detail}`);
  }
  return definition;
}

/** The `community:` section: organisms, metabolites, the feed, and one line per link. */
function readCommunity(
  node: Node | null,
  read: Reader,
  at: (node: Node | null | undefined, detail: string) => never,
): CommunitySpec {
  const fields = read.entries(read.map(node, 'community'), 'community', communityKeys);
  const required = (key: string) => {
    const entry = fields.get(key);
    if (!entry) return at(node, `community: no ${key}`);
    return entry;
  };
  const names = new Map<string, string>();
  const name = (n: Node | null | undefined, field: string, kind: string): string => {
    const value = read.string(n, field);
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(value))
      at(
        n,
        `${field}: "${value}" is not a name for a community (letters and digits, starting with a letter)`,
      );
    if (value === 'D' || value === 't' || Object.hasOwn(formulaFunctions, value))
      at(n, `${field}: "${value}" is reserved`);
    if (names.has(value)) at(n, `${field}: "${value}" is already ${names.get(value)}`);
    names.set(value, kind);
    return value;
  };
  const list = (key: string, kind: string): string[] => {
    const entry = required(key);
    if (!isSeq(entry.value))
      return at(entry.value ?? entry.key, `community.${key}: expected a list of names, [A, B]`);
    return entry.value.items.map((item, i) => name(item as Node, `community.${key}[${i}]`, kind));
  };
  const substrate = name(required('substrate').value, 'community.substrate', 'the substrate');
  const main = name(required('main').value, 'community.main', 'the main organism');
  const satellites = list('satellites', 'a satellite');
  const metabolites = list('metabolites', 'a metabolite');
  const feedEntry = required('feed');
  const feedFields = read.entries(
    read.map(feedEntry.value, 'community.feed'),
    'community.feed',
    Object.keys(feedRoles),
  );
  const feed: Record<string, number> = {};
  for (const role of Object.keys(feedRoles)) {
    const entry = feedFields.get(role);
    if (!entry) return at(feedEntry.value, `community.feed: no ${role}`);
    feed[role] = read.positive(entry.value, `community.feed.${role}`);
  }
  const organisms = [main, ...satellites];
  const linksEntry = required('links');
  if (!isSeq(linksEntry.value))
    return at(linksEntry.value ?? linksEntry.key, 'community.links: expected a list of links');
  const seen = new Set<string>();
  const links = linksEntry.value.items.map((item, i): CommunityLink => {
    const field = `community.links[${i}]`;
    const entries = read.entries(read.map(item as Node, field), field);
    const kindNode = entries.get('kind')?.value;
    const kind = read.string(kindNode, `${field}.kind`) as LinkKind;
    if (!Object.hasOwn(linkRoles, kind))
      at(kindNode, `${field}.kind: "${kind}" is not uptake, production or inhibition`);
    const roles = Object.keys(linkRoles[kind]);
    for (const [key, entry] of entries)
      if (![...roles, 'kind', 'organism', 'metabolite', 'off'].includes(key))
        at(
          entry.key,
          `${field}: unknown key "${key}" (a ${kind} link has organism, metabolite, ${roles.join(', ')}, off)`,
        );
    const member = (key: string, among: string[], what: string): string => {
      const n = entries.get(key)?.value;
      const value = read.string(n, `${field}.${key}`);
      if (!among.includes(value))
        at(n ?? (item as Node), `${field}.${key}: "${value}" is not ${what} (${among.join(', ')})`);
      return value;
    };
    const organism = member('organism', organisms, 'an organism');
    const metabolite = member('metabolite', [...metabolites], 'a metabolite');
    const link: CommunityLink = { kind, organism, metabolite, values: {} };
    if (seen.has(linkLabel(link)))
      at(item as Node, `${field}: the link "${linkLabel(link)}" is listed twice`);
    seen.add(linkLabel(link));
    const values: Record<string, number> = {};
    for (const role of roles) {
      const entry = entries.get(role);
      if (!entry)
        return at(item as Node, `${field}: a ${kind} link needs ${roles.join(', ')}; ${role} is missing`);
      values[role] = read.positive(entry.value, `${field}.${role}`);
    }
    const off = entries.get('off');
    return { ...link, values, ...(off && read.boolean(off.value, `${field}.off`) ? { off: true } : {}) };
  });
  return { substrate, main, satellites, metabolites, feed, links };
}

/** The nearest recorded place for a field: `parameters.gA.value`, else `parameters.gA`, else `parameters`. */
function placeOf(places: Places, field: string): { key?: Node; value?: Node | null } | undefined {
  for (let f = field; f; f = f.slice(0, Math.max(0, f.lastIndexOf('.')))) {
    const place = places.get(f);
    if (place) return place;
  }
  return undefined;
}

/** Typed reads of YAML nodes, each refusing with the field's name at the node. */
class Reader {
  constructor(private readonly at: (node: Node | null | undefined, detail: string) => never) {}

  map(node: Node | null | undefined, field: string): YAMLMap {
    if (!isMap(node)) return this.at(node, `${field}: expected a mapping ({key: value, …})`);
    return node;
  }

  /** A mapping's entries by key, in order; unknown keys (when `known` is given) are refused. */
  entries(
    node: YAMLMap | undefined,
    field: string,
    known?: readonly string[],
  ): Map<string, { key: Node; value: Node | null }> {
    const out = new Map<string, { key: Node; value: Node | null }>();
    for (const pair of node?.items ?? []) {
      const key = pair.key as Node;
      if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number'))
        return this.at(key, `${field || 'file'}: expected a name as the key`);
      const name = String(key.value);
      if (known && !known.includes(name))
        this.at(key, `${field ? `${field}: ` : ''}unknown key "${name}" (known: ${known.join(', ')})`);
      const value = pair.value as Node | null;
      if (isAlias(value))
        this.at(value, `${field ? `${field}.` : ''}${name}: YAML aliases are not supported`);
      out.set(name, { key, value });
    }
    return out;
  }

  string(node: Node | null | undefined, field: string): string {
    if (!isScalar(node) || typeof node.value !== 'string') return this.at(node, `${field}: expected text`);
    return node.value;
  }

  optionalString(entry: { value: Node | null } | undefined, field: string): string | undefined {
    return entry ? this.string(entry.value, field) : undefined;
  }

  positive(node: Node | null | undefined, field: string): number {
    const v = this.number(node, field);
    if (!(v > 0)) this.at(node, `${field}: must be a positive number (fits work in log space), got ${v}`);
    return v;
  }

  number(node: Node | null | undefined, field: string): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value))
      return this.at(node, `${field}: expected a number`);
    return node.value;
  }

  boolean(node: Node | null | undefined, field: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean')
      return this.at(node, `${field}: expected true or false`);
    return node.value;
  }

  /** A unit is text such as `conc/h`; a bare 1 (dimensionless) may be written as a number. */
  unit(entry: { value: Node | null } | undefined, field: string, places: Places, fallback?: string): string {
    if (!entry) {
      if (fallback !== undefined) return fallback;
      return this.at(null, `${field}: no unit`);
    }
    places.set(field, entry);
    const node = entry.value;
    if (isScalar(node) && node.value === 1) return '1';
    return this.string(node, field);
  }

  /** A formula is text; a bare number (a rate of 0) is taken as written. */
  formula(node: Node | null | undefined, field: string): string {
    if (isScalar(node) && typeof node.value === 'number')
      return (node as Scalar.Parsed).source ?? String(node.value);
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '')
      return this.at(node, `${field}: expected a formula`);
    return node.value;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Where the character `offset` of a scalar's value stands in the file. The value's characters other
 * than white space appear in the source in the same order (quotes, folding and indentation only add
 * or change white space), so the n-th such character of the value is the n-th of the source.
 */
function offsetInScalar(text: string, node: Scalar, value: string, offset: number): number {
  const [start, end] = node.range ?? [0, 0];
  let from = start;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') from++;
  if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') from = text.indexOf('\n', start) + 1;
  let wanted = 0;
  for (let i = 0; i < offset && i < value.length; i++) if (!/\s/.test(value[i])) wanted++;
  let after = from;
  for (let i = from; i < end; i++) {
    if (/\s/.test(text[i])) continue;
    if (wanted === 0) return i;
    wanted--;
    after = i + 1;
  }
  // Past the last character (an error "at the end"); a closing quote stays before it.
  return node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? Math.max(from, after - 1) : after;
}
