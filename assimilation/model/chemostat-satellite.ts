import type { ModelDefinition } from './definition';

/** The chemostat with a satellite population, as specified in shared/spec/culture-model.md §1. */
export const chemostatSatellite: ModelDefinition = {
  name: 'chemostat-satellite',
  description:
    'Main organism X on substrate S excretes inhibitors A and B; an averaged satellite population Y lives on A and B.',
  states: ['S', 'X', 'Y', 'A', 'B'],
  parameters: [
    {
      name: 'gA',
      description: 'A consumed per unit of satellite growth',
      plantValue: 0.3,
      farGuess: 1.0,
      unit: '1',
    },
    {
      name: 'gB',
      description: 'B consumed per unit of satellite growth',
      plantValue: 3.0,
      farGuess: 5.0,
      unit: '1',
    },
    { name: 'vA', description: 'A excretion rate per unit X', plantValue: 1e-4, farGuess: 0.1, unit: '1/h' },
    { name: 'vB', description: 'B excretion rate per unit X', plantValue: 0.009, farGuess: 1.0, unit: '1/h' },
    { name: 'muAmax', description: 'satellite max growth on A', plantValue: 0.1, farGuess: 0.2, unit: '1/h' },
    { name: 'muBmax', description: 'satellite max growth on B', plantValue: 0.7, farGuess: 0.9, unit: '1/h' },
    {
      name: 'KA',
      description: 'satellite affinity constant for A',
      plantValue: 1.0,
      farGuess: 1.0,
      unit: 'conc',
    },
    {
      name: 'KB',
      description: 'satellite affinity constant for B',
      plantValue: 0.1,
      farGuess: 0.5,
      unit: 'conc',
    },
    { name: 'IA', description: 'inhibition constant of X by A', plantValue: 100, farGuess: 10, unit: 'conc' },
    {
      name: 'IB',
      description: 'inhibition constant of X by B',
      plantValue: 1.0,
      farGuess: 5.0,
      unit: 'conc',
    },
    { name: 'mu0', description: 'max growth rate of X', plantValue: 0.3, usuallyFixed: true, unit: '1/h' },
    { name: 'Ks', description: 'substrate affinity of X', plantValue: 1.0, usuallyFixed: true, unit: 'conc' },
    { name: 'gamma', description: 'substrate per unit X', plantValue: 1, usuallyFixed: true, unit: '1' },
    {
      name: 'S0',
      description: 'feed substrate concentration',
      plantValue: 100,
      usuallyFixed: true,
      unit: 'conc',
    },
  ],
  inputs: [{ name: 'D', description: 'dilution rate', unit: '1/h', nominal: 0.25 }],
  intermediates: [
    ['muX', 'mu0 * IA/(IA + A) * IB/(IB + B) * S/(Ks + S)'],
    ['den', '1 + A/KA + B/KB'],
    ['muY', '(muAmax*A/KA + muBmax*B/KB) / den'],
    ['qA', 'gA * muAmax * (A/KA) / den'],
    ['qB', 'gB * muBmax * (B/KB) / den'],
  ],
  rates: {
    S: '(S0 - S)*D - gamma*muX*X',
    X: '(muX - D)*X',
    Y: '(muY - D)*Y',
    A: 'vA*X - D*A - qA*Y',
    B: 'vB*X - D*B - qB*Y',
  },
  signals: { od: 'X + Y', substrate: 'S', S: 'S', X: 'X', Y: 'Y', A: 'A', B: 'B' },
  combinations: [
    {
      name: 'gB/vB',
      exponents: { gB: 1, vB: -1 },
      meaning:
        'B taken up per unit of satellite growth, over B excreted per unit of X: with the satellite living on B, it sets the satellite-to-main ratio (Y/X ≈ vB/(gB·D)).',
    },
    {
      name: 'gA/vA',
      exponents: { gA: 1, vA: -1 },
      meaning:
        'The same balance for A: A taken up per unit of satellite growth, over A excreted per unit of X.',
    },
    {
      name: 'KB/IB',
      exponents: { KB: 1, IB: -1 },
      meaning:
        'The B level the satellite needs (KB), against the B level that holds the main organism back (IB): how strongly a satellite on B slows X.',
    },
    {
      name: 'KA/IA',
      exponents: { KA: 1, IA: -1 },
      meaning: 'The same for A: the A level the satellite needs, against the A level that holds X back.',
    },
  ],
};
