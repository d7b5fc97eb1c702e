/**
 * A community model's structure as a diagram: organisms on the left, metabolites on the right, and
 * each link between them: production (organism → metabolite), uptake (metabolite → organism),
 * inhibition (metabolite ⊣ organism). A link's state shows in its line (solid kept, dashed
 * undetermined, dotted with ✕ removed), its colour, and in words in the list the page puts beside it.
 */
import { type LinkKind, linkStateWords, linkWords, type StructureLink } from '../lib/structure-words';

const width = 360;
const rowGap = 86;
const top = 44;
const organismX = 62;
const metaboliteX = 298;
/** Each kind bends its own way, so that two links between the same pair never overlap. */
const bend: Record<LinkKind, number> = { production: -34, uptake: 0, inhibition: 34 };

export function StructureDiagram(props: {
  organisms: readonly string[];
  metabolites: readonly string[];
  links: readonly StructureLink[];
  label: string;
}) {
  const { organisms, metabolites, links } = props;
  const rows = Math.max(organisms.length, metabolites.length, 1);
  const height = top * 2 + (rows - 1) * rowGap;
  const yOf = (names: readonly string[], name: string) =>
    top + names.indexOf(name) * rowGap + ((rows - names.length) * rowGap) / 2;
  const drawn = links.filter((l) => l.state !== 'off');
  return (
    <svg
      className="structure-diagram"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={props.label}
      data-testid="structure-diagram"
    >
      <defs>
        {(['kept', 'undetermined', 'removed', 'in the model'] as const).map((state) => (
          <g key={state}>
            <marker
              id={`arrow-${cssName(state)}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" className={`link-mark link-${cssName(state)}`} />
            </marker>
            <marker
              id={`bar-${cssName(state)}`}
              viewBox="0 0 10 10"
              refX="8"
              refY="5"
              markerWidth="8"
              markerHeight="8"
              orient="auto"
            >
              <path d="M8,0 L8,10" className={`link-bar link-${cssName(state)}`} />
            </marker>
          </g>
        ))}
      </defs>
      {drawn.map((link) => {
        const oy = yOf(organisms, link.organism);
        const my = yOf(metabolites, link.metabolite);
        const x1 = organismX + 26;
        const x2 = metaboliteX - 30;
        const cx = (x1 + x2) / 2;
        const cy = (oy + my) / 2 + bend[link.kind];
        const state = cssName(link.state);
        // Production runs organism → metabolite; uptake and inhibition metabolite → organism.
        const path =
          link.kind === 'production'
            ? `M${x1},${oy} Q${cx},${cy} ${x2},${my}`
            : `M${x2},${my} Q${cx},${cy} ${x1},${oy}`;
        const end = link.kind === 'inhibition' ? `url(#bar-${state})` : `url(#arrow-${state})`;
        // The curve's midpoint, where a removed or undetermined link carries its sign.
        const mx = 0.25 * x1 + 0.5 * cx + 0.25 * x2;
        const my2 = 0.25 * oy + 0.5 * cy + 0.25 * my;
        const sign = link.state === 'removed' ? '✕' : link.state === 'undetermined' ? '?' : null;
        return (
          <g
            key={`${link.kind} ${link.organism} ${link.metabolite}`}
            data-link={`${link.kind} ${link.organism} ${link.metabolite}`}
            data-state={link.state}
          >
            <title>{`${linkWords(link)}: ${linkStateWords[link.state]}`}</title>
            <path d={path} className={`link-line link-${state}`} markerEnd={end} fill="none" />
            {sign ? (
              <text x={mx} y={my2 + 4} textAnchor="middle" className={`link-sign link-${state}`}>
                {sign}
              </text>
            ) : null}
          </g>
        );
      })}
      {organisms.map((o, i) => (
        <g key={o} className="structure-node organism">
          <circle cx={organismX} cy={yOf(organisms, o)} r={24} />
          <text x={organismX} y={yOf(organisms, o) + 5} textAnchor="middle">
            {o}
          </text>
          <text x={organismX} y={yOf(organisms, o) + 40} textAnchor="middle" className="structure-role">
            {i === 0 ? 'main' : 'satellite'}
          </text>
        </g>
      ))}
      {metabolites.map((m) => (
        <g key={m} className="structure-node metabolite">
          <rect x={metaboliteX - 28} y={yOf(metabolites, m) - 20} width={56} height={40} rx={8} />
          <text x={metaboliteX} y={yOf(metabolites, m) + 5} textAnchor="middle">
            {m}
          </text>
        </g>
      ))}
    </svg>
  );
}

function cssName(state: string): string {
  return state.replace(/ /g, '-');
}
