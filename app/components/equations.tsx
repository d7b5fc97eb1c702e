/**
 * A model's equations, typeset with KaTeX from the model definition itself: its intermediates,
 * rates and measurement maps, and a table of its parameters. The built-in model's are typeset on
 * the server; a reactor running another model gets its own from the API, typeset in the browser.
 * KaTeX writes MathML only, which the browser typesets natively: no web fonts to fetch and
 * thousands of fewer elements to lay out on a page where every section is rendered from the start.
 */
import katex from 'katex';
import { formulaLatex, symbolLatex } from '../lib/formula-latex';
import { displayUnit } from '../lib/model-info';

/** What the equations are typeset from: a model definition, or the API's `ReactorModelView`. */
export interface ModelEquations {
  description: string;
  states: readonly string[];
  parameters: readonly {
    name: string;
    description: string;
    unit: string;
    plantValue: number;
    usuallyFixed?: boolean;
  }[];
  intermediates: readonly (readonly [string, string])[];
  rates: Readonly<Record<string, string>>;
  signals: Readonly<Record<string, string>>;
}

function tex(latex: string, displayMode: boolean): string {
  return katex.renderToString(latex, { displayMode, throwOnError: true, output: 'mathml' });
}

function TeX(props: { latex: string; display?: boolean }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: KaTeX output of our own model definition.
  return <span dangerouslySetInnerHTML={{ __html: tex(props.latex, props.display ?? false) }} />;
}

export function Equations({ model }: { model: ModelEquations }) {
  const intermediates = model.intermediates.map(
    ([name, formula]) => `${symbolLatex(name)} &= ${formulaLatex(formula)}`,
  );
  const rates = Object.entries(model.rates).map(
    ([state, formula]) => `\\frac{d${symbolLatex(state)}}{dt} &= ${formulaLatex(formula)}`,
  );
  const signals = Object.entries(model.signals)
    .filter(([name]) => name === 'od' || name === 'substrate')
    .map(([name, formula]) => `\\mathrm{${name}} &= ${formulaLatex(formula)}`);
  const block = (lines: string[]) => `\\begin{aligned}${lines.join(' \\\\[4pt] ')}\\end{aligned}`;
  return (
    <div className="equations">
      <p>
        {model.description} States <TeX latex={model.states.map(symbolLatex).join(', ')} /> are
        concentrations; time is in hours; <TeX latex="D(t)" /> is the measured dilution rate.
      </p>
      <div className="equation-columns">
        <div>
          <h3>Rates</h3>
          <TeX latex={block(rates)} display />
        </div>
        <div>
          <h3>Growth and uptake</h3>
          <TeX latex={block(intermediates)} display />
          <h3>What the sensors measure</h3>
          <TeX latex={block(signals)} display />
        </div>
      </div>
      <table className="compact-table">
        <caption>Parameters</caption>
        <thead>
          <tr>
            <th scope="col">symbol</th>
            <th scope="col">name</th>
            <th scope="col">meaning</th>
            <th scope="col">unit</th>
            <th scope="col">plant value</th>
            <th scope="col">fitted</th>
          </tr>
        </thead>
        <tbody>
          {model.parameters.map((p) => (
            <tr key={p.name}>
              <td>
                <TeX latex={symbolLatex(p.name)} />
              </td>
              <td>
                <code>{p.name}</code>
              </td>
              <td>{p.description}</td>
              <td>{displayUnit(p.unit)}</td>
              <td>{p.plantValue}</td>
              <td>{p.usuallyFixed ? 'usually fixed' : 'refitted'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
