/**
 * The model definition writes its formulas as plain arithmetic ("mu0 * IA/(IA + A) * S/(Ks + S)").
 * This turns one into LaTeX for KaTeX: a small parser for + − × ÷, parentheses, numbers and names,
 * and a naming convention for symbols (mu0 → μ₀, muAmax → μ_{A,max}, KA → K_A, S0 → S₀).
 */

type Node =
  | { kind: 'number'; text: string }
  | { kind: 'name'; name: string }
  | { kind: 'negate'; operand: Node }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Node; right: Node };

const tokenPattern = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/()]))/y;

function tokenize(formula: string): string[] {
  const tokens: string[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < formula.length) {
    if (/^\s*$/.test(formula.slice(tokenPattern.lastIndex))) break;
    const at = tokenPattern.lastIndex;
    const match = tokenPattern.exec(formula);
    if (!match) throw new SyntaxError(`cannot read formula at ${at}: ${formula}`);
    tokens.push(match[1] ?? match[2] ?? match[3]);
  }
  return tokens;
}

export function parseFormula(formula: string): Node {
  const tokens = tokenize(formula);
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];

  function sum(): Node {
    let node = product();
    while (peek() === '+' || peek() === '-') {
      const op = take() as '+' | '-';
      node = { kind: 'binary', op, left: node, right: product() };
    }
    return node;
  }
  function product(): Node {
    let node = unary();
    while (peek() === '*' || peek() === '/') {
      const op = take() as '*' | '/';
      node = { kind: 'binary', op, left: node, right: unary() };
    }
    return node;
  }
  function unary(): Node {
    if (peek() === '-') {
      take();
      return { kind: 'negate', operand: unary() };
    }
    if (peek() === '+') take();
    return atom();
  }
  function atom(): Node {
    const token = take();
    if (token === undefined) throw new SyntaxError(`formula ends early: ${formula}`);
    if (token === '(') {
      const inner = sum();
      if (take() !== ')') throw new SyntaxError(`missing ) in ${formula}`);
      return inner;
    }
    if (/^\d/.test(token)) return { kind: 'number', text: token };
    if (/^[A-Za-z_]/.test(token)) return { kind: 'name', name: token };
    throw new SyntaxError(`unexpected ${token} in ${formula}`);
  }

  const node = sum();
  if (position !== tokens.length) throw new SyntaxError(`unexpected ${peek()} in ${formula}`);
  return node;
}

const greek: Record<string, string> = { gamma: '\\gamma', mu: '\\mu', sigma: '\\sigma' };

/** A model name as a LaTeX symbol. */
export function symbolLatex(name: string): string {
  if (greek[name]) return greek[name];
  // A community model's names index by organism and metabolite: v_X_A, muMax_Y1_B, inh_X.
  const parts = name.split('_');
  if (parts.length > 1 && parts.every(Boolean)) {
    const [head, ...indices] = parts;
    const base = head === 'muMax' ? '\\mu^{\\max}' : symbolLatex(head);
    const sub = indices.map((i) => (i.length === 1 ? i : `\\mathrm{${i}}`)).join(',');
    return `${base.includes('_') ? `{${base}}` : base}_{${sub}}`;
  }
  const mu = /^mu([A-Z0-9]*)(max)?$/.exec(name);
  if (mu) {
    const sub = [mu[1], mu[2] ? '\\max' : ''].filter(Boolean).join(',');
    return sub ? `\\mu_{${sub}}` : '\\mu';
  }
  const indexed = /^([a-zA-Z])([A-Z0-9]|s)$/.exec(name);
  if (indexed) return `${indexed[1]}_{${indexed[2]}}`;
  if (name.length === 1) return name;
  return `\\mathrm{${name}}`;
}

function needsParens(node: Node): boolean {
  return node.kind === 'binary' && (node.op === '+' || node.op === '-');
}

function render(node: Node): string {
  switch (node.kind) {
    case 'number':
      return node.text.replace(/[eE]([+-]?\d+)$/, (_, e: string) => `\\times 10^{${Number(e)}}`);
    case 'name':
      return symbolLatex(node.name);
    case 'negate':
      return `-${needsParens(node.operand) ? `\\left(${render(node.operand)}\\right)` : render(node.operand)}`;
    case 'binary': {
      if (node.op === '/') {
        // a * b / c reads as a · b/c: the fraction takes the nearest factor, as written by hand.
        const left = node.left;
        if (
          left.kind === 'binary' &&
          left.op === '*' &&
          !(left.right.kind === 'binary' && left.right.op === '/')
        ) {
          return render({
            kind: 'binary',
            op: '*',
            left: left.left,
            right: { kind: 'binary', op: '/', left: left.right, right: node.right },
          });
        }
        return `\\frac{${render(node.left)}}{${render(node.right)}}`;
      }
      if (node.op === '*') {
        const left = needsParens(node.left) ? `\\left(${render(node.left)}\\right)` : render(node.left);
        const right = needsParens(node.right) ? `\\left(${render(node.right)}\\right)` : render(node.right);
        // Juxtapose symbols; keep a visible product between two numbers.
        const bothNumbers = node.left.kind === 'number' && node.right.kind === 'number';
        return `${left}${bothNumbers ? ' \\cdot ' : '\\,'}${right}`;
      }
      const right =
        node.op === '-' && needsParens(node.right)
          ? `\\left(${render(node.right)}\\right)`
          : render(node.right);
      return `${render(node.left)} ${node.op} ${right}`;
    }
  }
}

export function formulaLatex(formula: string): string {
  return render(parseFormula(formula));
}
