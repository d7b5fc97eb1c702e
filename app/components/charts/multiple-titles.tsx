'use client';
/**
 * The small multiples' titles as HTML over the chart: each sits above its grid and is cut with an
 * ellipsis at its column's edge (the whole title in its tooltip), so titles never run into each
 * other on a narrow screen, and their text is in the page.
 */
import { certaintyLabel } from '../../lib/parameter-certainty';
import { type MultipleHeading, multipleBox, multipleTitle, multipleTitleInWords } from './small-multiples';

export function MultipleTitles(props: { multiples: readonly MultipleHeading[]; columns: 1 | 2 }) {
  return (
    <ul className="multiple-titles" data-columns={props.columns}>
      {props.multiples.map((m, i) => {
        return (
          <li
            key={m.key}
            style={multipleBox(i, props.columns).title}
            title={multipleTitleInWords(m)}
            data-multiple={m.key}
            data-certainty={m.certainty}
          >
            {m.certainty ? (
              <>
                <span className={`certainty certainty-${m.certainty}`}>
                  {certaintyLabel[m.certainty]}
                </span>{' '}
              </>
            ) : null}
            {multipleTitle(m)}
          </li>
        );
      })}
    </ul>
  );
}
