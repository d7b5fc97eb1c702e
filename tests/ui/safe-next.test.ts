/** Where the login page may go afterwards: a path on this site only. */
import { describe, expect, test } from 'vitest';
import { safeNextPath } from '../../app/lib/safe-next';

const origin = 'http://127.0.0.1:3000';

describe('safeNextPath', () => {
  test.each([
    ['/reactors/r1?range=12h', '/reactors/r1?range=12h'],
    ['/alerts#history-title', '/alerts#history-title'],
    ['/', '/'],
    [null, '/'],
    ['', '/'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['reactors/r1', '/'],
    ['/login?next=/alerts', '/'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('%s → %s', (raw, expected) => {
    expect(safeNextPath(raw, origin)).toBe(expected);
  });
});
