import type { ModelDefinition } from './definition';

/**
 * Which states are the substrate, the main organism, the satellites and the metabolites: what the
 * composition an operator reads (X, the satellites together as Y, their fraction, the metabolites)
 * is made of. A community model says so in its `community:` section; a model written as equations
 * is read by the built-in model's names (S, X, Y, the rest metabolites). Null when neither applies.
 */
export interface CompositionRoles {
  substrate: string;
  main: string;
  satellites: readonly string[];
  metabolites: readonly string[];
}

export function compositionRoles(def: ModelDefinition): CompositionRoles | null {
  const spec = def.community;
  if (spec)
    return {
      substrate: spec.substrate,
      main: spec.main,
      satellites: spec.satellites,
      metabolites: spec.metabolites,
    };
  const has = (state: string) => def.states.includes(state);
  if (!has('S') || !has('X') || !has('Y')) return null;
  return {
    substrate: 'S',
    main: 'X',
    satellites: ['Y'],
    metabolites: def.states.filter((s) => s !== 'S' && s !== 'X' && s !== 'Y'),
  };
}
