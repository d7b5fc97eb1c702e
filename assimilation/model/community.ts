import type { ModelDefinition, ParameterDefinition } from './definition';

/**
 * A generalized community: the main organism on the feed substrate, satellites, and metabolites,
 * with every link between an organism and a metabolite listed on its own. A model file's
 * `community:` section holds this; `communityModel` turns it into an ordinary definition. Structure
 * refinement works on the links: `withLinkOff` switches one off (its term and parameters leave the
 * model; the link stays listed, marked off, for the record).
 *
 * The equations, for organism o and metabolite m (links that are off are left out of every sum and
 * product):
 *   inh_o  = Π_{m inhibits o} I_o_m/(I_o_m + m)
 *   den_o  = 1 + Σ_{o takes up m} m/K_o_m
 *   mu_o   = inh_o · (base_o + Σ_{o takes up m} muMax_o_m·(m/K_o_m)/den_o),  base = mu0·S/(Ks + S) for
 *            the main organism, 0 for a satellite
 *   dS/dt  = (S0 − S)·D − gamma·inh_X·mu0·S/(Ks + S)·X
 *   do/dt  = (mu_o − D)·o
 *   dm/dt  = Σ_{o makes m} v_o_m·o − D·m − Σ_{o takes up m} g_o_m·inh_o·muMax_o_m·(m/K_o_m)/den_o·o
 * With one satellite Y and metabolites A and B, the links X→A, X→B (production), A⊣X, B⊣X
 * (inhibition) and Y←A, Y←B (uptake) are the seed model, shared/spec/culture-model.md §1.
 */
export type LinkKind = 'uptake' | 'production' | 'inhibition';

export interface CommunityLink {
  kind: LinkKind;
  organism: string;
  metabolite: string;
  /** Values by role: uptake {mu_max, K, yield}, production {v}, inhibition {I}. */
  values: Readonly<Record<string, number>>;
  /** Switched off: not in the model. */
  off?: boolean;
}

export interface CommunitySpec {
  substrate: string;
  main: string;
  satellites: readonly string[];
  metabolites: readonly string[];
  /** The main organism's growth on the substrate: mu0, Ks, gamma, S0 (usually known constants). */
  feed: Readonly<Record<string, number>>;
  links: readonly CommunityLink[];
}

interface Role {
  unit: string;
  parameter: (o: string, m: string) => string;
  describe: (o: string, m: string) => string;
}

/** Each link kind's parameters, by the role names a link's line uses. */
export const linkRoles: Record<LinkKind, Record<string, Role>> = {
  uptake: {
    mu_max: {
      unit: '1/h',
      parameter: (o, m) => `muMax_${o}_${m}`,
      describe: (o, m) => `${o}'s max growth on ${m}`,
    },
    K: {
      unit: 'conc',
      parameter: (o, m) => `K_${o}_${m}`,
      describe: (o, m) => `${o}'s affinity constant for ${m}`,
    },
    yield: {
      unit: '1',
      parameter: (o, m) => `g_${o}_${m}`,
      describe: (o, m) => `${m} consumed per unit of ${o}'s growth on it`,
    },
  },
  production: {
    v: {
      unit: '1/h',
      parameter: (o, m) => `v_${o}_${m}`,
      describe: (o, m) => `${m} excretion rate per unit ${o}`,
    },
  },
  inhibition: {
    I: {
      unit: 'conc',
      parameter: (o, m) => `I_${o}_${m}`,
      describe: (o, m) => `inhibition constant of ${o} by ${m}`,
    },
  },
};

export const feedRoles: Record<string, { unit: string; description: string }> = {
  mu0: { unit: '1/h', description: 'max growth rate of the main organism on the substrate' },
  Ks: { unit: 'conc', description: 'substrate affinity of the main organism' },
  gamma: { unit: '1', description: 'substrate per unit of the main organism' },
  S0: { unit: 'conc', description: 'feed substrate concentration' },
};

/** Starting values of a generated link; a fit moves them, refinement removes what the data do not support. */
export const defaultLinkValues: Record<LinkKind, Record<string, number>> = {
  uptake: { mu_max: 0.2, K: 1, yield: 1 },
  production: { v: 0.001 },
  inhibition: { I: 100 },
};

const seedFeed = { mu0: 0.3, Ks: 1, gamma: 1, S0: 100 };

export function linkLabel(link: Pick<CommunityLink, 'kind' | 'organism' | 'metabolite'>): string {
  return `${link.kind} ${link.organism} ${link.metabolite}`;
}

/** Every uptake, production and inhibition link between each organism and each metabolite. */
export function fullCommunity(satellites: readonly string[], metabolites: readonly string[]): CommunitySpec {
  const organisms = ['X', ...satellites];
  const links: CommunityLink[] = [];
  for (const kind of ['uptake', 'production', 'inhibition'] as const)
    for (const organism of organisms)
      for (const metabolite of metabolites)
        links.push({ kind, organism, metabolite, values: { ...defaultLinkValues[kind] } });
  return { substrate: 'S', main: 'X', satellites, metabolites, feed: { ...seedFeed }, links };
}

/** The same community with one link switched off. */
export function withLinkOff(spec: CommunitySpec, label: string): CommunitySpec {
  const index = spec.links.findIndex((l) => linkLabel(l) === label);
  if (index < 0) throw new Error(`no link "${label}"`);
  return { ...spec, links: spec.links.map((l, i) => (i === index ? { ...l, off: true } : l)) };
}

/** Satellite names Y1…YN and metabolite names A, B, C, … (letters before S), or M1… beyond 18. */
export function communityNames(
  satellites: number,
  metabolites: number,
): { satellites: string[]; metabolites: string[] } {
  const letters = 'ABCDEFGHIJKLMNOPQR';
  return {
    satellites: Array.from({ length: satellites }, (_, i) => `Y${i + 1}`),
    metabolites: Array.from({ length: metabolites }, (_, i) =>
      metabolites <= letters.length ? letters[i] : `M${i + 1}`,
    ),
  };
}

/** The ordinary model definition of a community; checked like any other by compileModel. */
export function communityModel(name: string, description: string, spec: CommunitySpec): ModelDefinition {
  const { substrate: S, main: X, metabolites } = spec;
  const organisms = [X, ...spec.satellites];
  const on = spec.links.filter((l) => !l.off);
  const linksOf = (kind: LinkKind, o: string) => on.filter((l) => l.kind === kind && l.organism === o);

  const parameters: ParameterDefinition[] = [];
  for (const [role, { unit, description: text }] of Object.entries(feedRoles)) {
    parameters.push({ name: role, description: text, plantValue: spec.feed[role], usuallyFixed: true, unit });
  }
  for (const link of on) {
    for (const [role, r] of Object.entries(linkRoles[link.kind])) {
      parameters.push({
        name: r.parameter(link.organism, link.metabolite),
        description: r.describe(link.organism, link.metabolite),
        plantValue: link.values[role],
        unit: r.unit,
      });
    }
  }

  const intermediates: [string, string][] = [];
  const growth: Record<string, string> = {};
  const inhibitionOf: Record<string, string | undefined> = {};
  const uptakeTerm = (o: string, m: string) => `muMax_${o}_${m}*(${m}/K_${o}_${m})/den_${o}`;
  for (const o of organisms) {
    const inhibitions = linksOf('inhibition', o);
    if (inhibitions.length) {
      inhibitionOf[o] = `inh_${o}`;
      intermediates.push([
        `inh_${o}`,
        inhibitions
          .map((l) => `I_${o}_${l.metabolite}/(I_${o}_${l.metabolite} + ${l.metabolite})`)
          .join(' * '),
      ]);
    }
    const uptakes = linksOf('uptake', o);
    if (uptakes.length)
      intermediates.push([
        `den_${o}`,
        ['1', ...uptakes.map((l) => `${l.metabolite}/K_${o}_${l.metabolite}`)].join(' + '),
      ]);
    const terms = [
      ...(o === X ? [`mu0*${S}/(Ks + ${S})`] : []),
      ...uptakes.map((l) => uptakeTerm(o, l.metabolite)),
    ];
    if (terms.length) {
      const sum = terms.join(' + ');
      const inh = inhibitionOf[o];
      intermediates.push([`mu_${o}`, inh ? `${inh}*(${sum})` : sum]);
      growth[o] = `mu_${o}`;
    }
  }

  const times = (factor: string | undefined, term: string) => (factor ? `${factor}*${term}` : term);
  const rates: Record<string, string> = {
    [S]: `(S0 - ${S})*D - gamma*${times(inhibitionOf[X], `mu0*${S}/(Ks + ${S})`)}*${X}`,
  };
  for (const o of organisms) rates[o] = growth[o] ? `(${growth[o]} - D)*${o}` : `-D*${o}`;
  for (const m of metabolites) {
    const made = on
      .filter((l) => l.kind === 'production' && l.metabolite === m)
      .map((l) => `v_${l.organism}_${m}*${l.organism}`);
    const taken = on
      .filter((l) => l.kind === 'uptake' && l.metabolite === m)
      .map(
        (l) =>
          `g_${l.organism}_${m}*${times(inhibitionOf[l.organism], uptakeTerm(l.organism, m))}*${l.organism}`,
      );
    const dilution = made.length ? `${made.join(' + ')} - D*${m}` : `-D*${m}`;
    rates[m] = [dilution, ...taken].join(' - ');
  }

  const states = [S, ...organisms, ...metabolites];
  return {
    name,
    description,
    states,
    stateInfo: Object.fromEntries(
      states.map((s) => [
        s,
        {
          unit: 'conc',
          description:
            s === S
              ? 'substrate'
              : s === X
                ? 'main organism'
                : organisms.includes(s)
                  ? 'satellite'
                  : 'metabolite',
        },
      ]),
    ),
    parameters,
    inputs: [{ name: 'D', description: 'dilution rate', unit: '1/h', nominal: 0.25 }],
    intermediates,
    rates,
    signals: {
      od: organisms.join(' + '),
      substrate: S,
      ...Object.fromEntries(states.map((s) => [s, s])),
    },
    community: spec,
  };
}
