import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../assimilation/model/compile';
import { ModelFileError, parseModelFile } from '../../assimilation/model/model-file';
import { builtInModelPath } from '../../simulator/model-files';

const builtIn = readFileSync(builtInModelPath, 'utf8');

/** The built-in file with one line's text replaced (the line must be there). */
function edited(from: string, to: string): string {
  expect(builtIn).toContain(from);
  return builtIn.replace(from, to);
}

/** The one error a file gets, and where `marker` (a piece of the edited text) stands in it. */
function refusal(
  text: string,
  marker: string,
  nth = 0,
): { error: ModelFileError; line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(marker, index + 1);
  expect(index, `"${marker}" is in the file`).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  try {
    parseModelFile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return { error: e as ModelFileError, line, column };
  }
  throw new Error('the file was accepted');
}

function expectRefused(text: string, marker: string, message: RegExp, nth = 0): void {
  const { error, line, column } = refusal(text, marker, nth);
  expect(error.message).toMatch(message);
  expect({ line: error.line, column: error.column }).toEqual({ line, column });
  expect(error.message.startsWith(`line ${line}, column ${column}: `)).toBe(true);
}

describe('model files: one error naming the line and column', () => {
  it('points at an unknown name inside a rate', () => {
    expectRefused(
      edited('S: (S0 - S)*D - gamma*muX*X', 'S: (S0 - S)*Dx - gamma*muX*X'),
      'Dx',
      /rates\.S: unknown name "Dx" \(not a state, parameter, input, intermediate or the time t\)/,
    );
  });

  it('points at the sum whose units do not agree, and names both units', () => {
    expectRefused(
      edited('X: (muX - D)*X', 'X: (muX - D)*X + S0'),
      '+ S0',
      /rates\.X: a sum needs one unit: "\(muX - D\)\*X" is in conc\/h but "S0" is in conc/,
    );
  });

  it('refuses a rate in the wrong unit, a fitted power of a quantity with a unit, and an unknown unit', () => {
    expectRefused(
      edited('S: (S0 - S)*D - gamma*muX*X', 'S: S0 - S'),
      'S0 - S',
      /rates\.S: dS\/dt must be in conc\/h, but the formula is in conc/,
    );
    expectRefused(
      edited('muY: (muAmax*A/KA + muBmax*B/KB) / den', 'muY: muAmax*A^gB / den'),
      'A^gB',
      /intermediates\.muY: a power whose exponent is not a number needs a dimensionless base; "A" is in conc \(divide it by a constant of the same unit, as in \(S\/K\)\^n\)/,
    );
    expectRefused(
      edited(
        'KB: { value: 0.1, far_guess: 0.5, unit: conc,',
        'KB: { value: 0.1, far_guess: 0.5, unit: mg/L,',
      ),
      'mg/L',
      /parameters\.KB\.unit: unknown unit "mg" \(units are conc, h and 1/,
    );
    expectRefused(
      edited('den: 1 + A/KA + B/KB', 'den: 1 + exp(A) + B/KB'),
      'A) +',
      /exp needs a dimensionless argument; "A" is in conc/,
    );
  });

  it('refuses what cannot be differentiated or parsed, saying where', () => {
    expectRefused(
      edited('Y: (muY - D)*Y', 'Y: (muY - D)*floor(Y)'),
      'floor',
      /rates\.Y: floor\(…\) cannot be differentiated; use a smooth switch such as sigmoid/,
    );
    // The error is at the end of the formula: the column just past "(Y".
    const { error } = refusal(edited('A: vA*X - D*A - qA*Y', 'A: vA*X - D*A - qA*(Y'), 'qA*(Y');
    expect(error.message).toMatch(/rates\.A: expected "\)" at the end/);
    expect(error.column).toBe(builtIn.split('\n').find((l) => l.startsWith('  A: vA'))!.length + 2);
    expectRefused(
      edited('B: vB*X - D*B - qB*Y', 'B: if(B, vB*X, 0)'),
      ', vB',
      /expected a comparison \(<, <=, >, >=\) as the condition of if/,
    );
    expectRefused(
      edited('od: X + Y', 'od: X + Y > 1'),
      '> 1',
      /a comparison may only be the condition of if/,
    );
  });

  it('refuses malformed YAML, unknown or doubled keys, and missing parts', () => {
    expectRefused(
      edited(
        '  X: { unit: conc, description: main organism }',
        '  X: { unit: conc, description: main organism',
      ),
      'Y: { unit',
      /not valid YAML/,
    );
    expectRefused(
      edited('  Ks: { value: 1.0,', '  Ks: { valu: 1.0,'),
      'valu:',
      /parameters\.Ks: unknown key "valu" \(known: value, unit, description, far_guess, fixed, bounds, prior\)/,
    );
    expectRefused(
      edited('  od: X + Y\n', '  od: X + Y\n  od: X\n'),
      'od: X\n',
      /not valid YAML: Map keys must be unique/,
    );
    expectRefused(edited('  B: vB*X - D*B - qB*Y\n', ''), 'rates:', /rates: no rate for the state "B"/);
    expectRefused(
      edited('  IA: { value: 100,', '  IA: { value: -100,'),
      '-100',
      /parameters\.IA\.value: must be a positive number \(fits work in log space\), got -100/,
    );
    expectRefused(
      edited('  od: X + Y', '  od: X + Y*D'),
      'D\n  substrate',
      /signals\.od: a signal is a function of the states and parameters; it may not read the input "D"/,
    );
    expectRefused(
      edited('  muX: mu0', '  muX: den*mu0'),
      'den*mu0',
      /intermediates\.muX: "den" is defined below; an intermediate may use only those above it/,
    );
    expectRefused(
      edited('  gamma: { value: 1,', '  t: { value: 1,'),
      't: { value',
      /parameters\.t: "t" is reserved \(the time, in hours\)/,
    );
  });

  it('accepts every construct of the formula language and compiles it', () => {
    const text = edited(
      'muY: (muAmax*A/KA + muBmax*B/KB) / den',
      'muY: max(min(muAmax*(A/KA)^gA + abs(tanh(B/KB - 1))*muBmax, 2*muBmax), 0)*sigmoid((t - 6)/h_unit) / den + if(t < 1, 0.1/h_unit, sqrt(A)*x_half^(1/2)/den)',
    ).replace(
      '  S0:',
      '  h_unit: {value: 1, unit: h, description: an hour}\n  x_half: {value: 0.5, unit: 1/(conc*h^2), description: a scale}\n  S0:',
    );
    const def = parseModelFile(text);
    const model = compileModel(def);
    expect(model.inputNames).toEqual(['D', 't']);
    expect(model.measuredInputNames).toEqual(['D']);
    expect(model.timeInput).toBe(1);
  });
});
