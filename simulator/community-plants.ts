/**
 * Simulated plants whose structure is known, for structure refinement (assimilation/structure/):
 * each is a community (model/community.ts) with only its true links on, and the generalized model a
 * refinement starts from. Used by `npm run bench:structure` and tests/structure/.
 */
import {
  type CommunitySpec,
  communityModel,
  communityNames,
  compileModel,
  fullCommunity,
  linkLabel,
  type ModelDefinition,
} from '../assimilation';

/** Link values by label ("uptake Y1 B"), by role (mu_max, K, yield; v; I). */
export type LinkValues = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** The community of these organisms and metabolites with only the links in `on` (at their values). */
export function communityWith(
  satellites: readonly string[],
  metabolites: readonly string[],
  on: LinkValues,
): CommunitySpec {
  const full = fullCommunity(satellites, metabolites);
  const labels = new Set(full.links.map(linkLabel));
  for (const label of Object.keys(on)) if (!labels.has(label)) throw new Error(`no link "${label}"`);
  return {
    ...full,
    links: full.links.map((link) => {
      const values = on[linkLabel(link)];
      return values ? { ...link, values: { ...link.values, ...values } } : { ...link, off: true };
    }),
  };
}

/** The seed model's links and values (models/chemostat-satellite.yaml) with satellite Y1. */
export const seedLinks: LinkValues = {
  'production X A': { v: 1e-4 },
  'production X B': { v: 0.009 },
  'inhibition X A': { I: 100 },
  'inhibition X B': { I: 1 },
  'uptake Y1 A': { mu_max: 0.1, K: 1, yield: 0.3 },
  'uptake Y1 B': { mu_max: 0.7, K: 0.1, yield: 3 },
};

/**
 * Two satellites on different metabolites: Y1 lives on A, Y2 on B, both made by X; B slows X. At
 * D ≈ 0.25/h both persist (Y1 about 6, Y2 about 1 in steady state).
 */
export const twoSatelliteLinks: LinkValues = {
  'production X A': { v: 0.005 },
  'production X B': { v: 0.009 },
  'inhibition X B': { I: 1 },
  'uptake Y1 A': { mu_max: 0.6, K: 0.1, yield: 0.3 },
  'uptake Y2 B': { mu_max: 0.7, K: 0.1, yield: 3 },
};

export interface KnownStructurePlant {
  name: string;
  /** The plant's truth: its own community model. */
  truth: ModelDefinition;
  /** The links on in the truth. */
  trueLinks: readonly string[];
  /** The generalized model a refinement starts from. */
  generalized: ModelDefinition;
  /** A link of the generalized model planted with a strong start, absent from the truth (if any). */
  planted?: string;
}

/** The generalized model of `satellites` × `metabolites` (every link), starting values overridden by `start`. */
export function generalizedModel(
  satellites: number,
  metabolites: number,
  start: LinkValues = {},
): ModelDefinition {
  const names = communityNames(satellites, metabolites);
  const full = fullCommunity(names.satellites, names.metabolites);
  const spec: CommunitySpec = {
    ...full,
    links: full.links.map((link) => {
      const values = start[linkLabel(link)];
      return values ? { ...link, values: { ...link.values, ...values } } : link;
    }),
  };
  return communityModel(`community-${satellites}-satellites-${metabolites}-metabolites`, 'generalized', spec);
}

function truthModel(name: string, satellites: readonly string[], links: LinkValues): ModelDefinition {
  const definition = communityModel(
    name,
    `known structure: ${name}`,
    communityWith(satellites, ['A', 'B'], links),
  );
  compileModel(definition);
  return definition;
}

/**
 * The bench's plants: the seed's model; two satellites on different metabolites; and the seed with
 * a planted link (X growing on A, started as strong as a real link) that the truth lacks. Each is
 * fitted from the generalized model of 2 satellites and 2 metabolites (18 links).
 */
export function knownStructurePlants(): KnownStructurePlant[] {
  return [
    {
      name: 'seed',
      truth: truthModel('seed', ['Y1'], seedLinks),
      trueLinks: Object.keys(seedLinks),
      generalized: generalizedModel(2, 2),
    },
    {
      name: 'two satellites on A and B',
      truth: truthModel('two-satellites', ['Y1', 'Y2'], twoSatelliteLinks),
      trueLinks: Object.keys(twoSatelliteLinks),
      generalized: generalizedModel(2, 2),
    },
    {
      name: 'seed + planted X on A',
      truth: truthModel('seed', ['Y1'], seedLinks),
      trueLinks: Object.keys(seedLinks),
      generalized: generalizedModel(2, 2, { 'uptake X A': { mu_max: 0.3, K: 0.1, yield: 1 } }),
      planted: 'uptake X A',
    },
  ];
}
