'use client';
/**
 * The small multiples' titles as HTML over the chart: each sits above its grid and is cut with an
 * ellipsis at its column's edge (the whole title in its tooltip), so titles never run into each
 * other on a narrow screen, and their text is in the page.
 */
import { type MultipleHeading, multipleBox, multipleTitle } from './small-multiples';

export function MultipleTitles(props: { multiples: readonly MultipleHeading[]; columns: 1 | 2 }) {
  return (
    <ul className="multiple-titles" data-columns={props.columns}>
      {props.multiples.map((m, i) => {
        const text = multipleTitle(m);
        return (
          <li key={m.key} style={multipleBox(i, props.columns).title} title={text} data-multiple={m.key}>
            {text}
          </li>
        );
      })}
    </ul>
  );
}
