/**
 * oslo.policy's check language, the one Neutron's policy files are written in:
 *   `@` (always), `!` (never), `rule:<name>`, `role:<name>`, `field:<resource>:<attr>=<value>`,
 *   `<credential>:<value or %(target attr)s>`, combined with `not`, `and`, `or` and parentheses.
 * Parsed once into a tree; evaluated against the caller's credentials and the target resource.
 */
export type Check =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'rule'; name: string }
  | { kind: 'role'; name: string }
  | { kind: 'field'; attr: string; value: string }
  | { kind: 'generic'; credential: string; match: string }
  | { kind: 'not'; check: Check }
  | { kind: 'and' | 'or'; checks: Check[] };

export type Target = Readonly<Record<string, unknown>>;
export type Credentials = Readonly<Record<string, string | readonly string[] | null>>;

export class PolicySyntaxError extends Error {
  override name = 'PolicySyntaxError';
}

export function parseRule(text: string): Check {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'always' }; // "" allows, as in oslo.policy
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const or = (): Check => {
    const checks = [and()];
    while (peek() === 'or') {
      i++;
      checks.push(and());
    }
    return checks.length === 1 ? checks[0] : { kind: 'or', checks };
  };
  const and = (): Check => {
    const checks = [not()];
    while (peek() === 'and') {
      i++;
      checks.push(not());
    }
    return checks.length === 1 ? checks[0] : { kind: 'and', checks };
  };
  const not = (): Check => {
    if (peek() !== 'not') return atom();
    i++;
    return { kind: 'not', check: not() };
  };
  const atom = (): Check => {
    const token = tokens[i++];
    if (token === undefined) throw new PolicySyntaxError(`rule "${text}" ends too early`);
    if (token === '(') {
      const inner = or();
      if (tokens[i++] !== ')') throw new PolicySyntaxError(`rule "${text}" misses a closing parenthesis`);
      return inner;
    }
    return single(token, text);
  };
  const check = or();
  if (i !== tokens.length) throw new PolicySyntaxError(`rule "${text}" has an unexpected "${tokens[i]}"`);
  return check;
}

/** As oslo.policy: split on spaces, then peel parentheses off each end (`%(project_id)s` keeps its own). */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (let chunk of text.split(/\s+/).filter(Boolean)) {
    while (chunk.startsWith('(')) {
      tokens.push('(');
      chunk = chunk.slice(1);
    }
    let closing = 0;
    while (chunk.endsWith(')') && !/%\([^)]*\)$/.test(chunk)) {
      closing++;
      chunk = chunk.slice(0, -1);
    }
    if (chunk) tokens.push(chunk);
    for (let i = 0; i < closing; i++) tokens.push(')');
  }
  return tokens;
}

function single(token: string, text: string): Check {
  if (token === '@') return { kind: 'always' };
  if (token === '!') return { kind: 'never' };
  const colon = token.indexOf(':');
  if (colon <= 0) throw new PolicySyntaxError(`rule "${text}": "${token}" is not a check`);
  const kind = token.slice(0, colon);
  const rest = token.slice(colon + 1);
  if (kind === 'rule') return { kind: 'rule', name: rest };
  if (kind === 'role') return { kind: 'role', name: rest.toLowerCase() };
  if (kind === 'field') {
    // field:networks:shared=True. The resource is implied by the target, as in Neutron.
    // `=~<regex>` matches a pattern, as Neutron's `field:port:device_owner=~^network:`.
    const m = /^[^:]+:([^=]+)=(.*)$/.exec(rest);
    if (!m) throw new PolicySyntaxError(`rule "${text}": "${token}" is not field:<resource>:<attr>=<value>`);
    return { kind: 'field', attr: m[1], value: m[2] };
  }
  return { kind: 'generic', credential: kind, match: rest.replace(/^['"](.*)['"]$/, '$1') };
}

export interface Evaluation {
  rules: ReadonlyMap<string, Check>;
  credentials: Credentials;
  target: Target;
}

export function evaluate(check: Check, e: Evaluation, depth = 0): boolean {
  if (depth > 50) throw new PolicySyntaxError('rules refer to each other in a loop');
  switch (check.kind) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'rule': {
      const rule = e.rules.get(check.name);
      return rule !== undefined && evaluate(rule, e, depth + 1);
    }
    case 'role':
      return (e.credentials.roles ?? []).includes(check.name);
    case 'field':
      return fieldMatches(fieldValue(e.target, check.attr), check.value);
    case 'generic':
      return genericMatch(check, e);
    case 'not':
      return !evaluate(check.check, e, depth + 1);
    case 'and':
      return check.checks.every((c) => evaluate(c, e, depth + 1));
    case 'or':
      return check.checks.some((c) => evaluate(c, e, depth + 1));
  }
}

/** A resource's own attribute, or its network's (a subnet or port is "shared" when its network is). */
function fieldValue(target: Target, attr: string): string | undefined {
  return scalar(target[attr] ?? target[`network:${attr}`]);
}

/** A target attribute as policy compares it; objects and lists never match. */
function scalar(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function fieldMatches(have: string | undefined, want: string): boolean {
  if (have === undefined) return false;
  if (want.startsWith('~')) return new RegExp(want.slice(1)).test(have);
  // True/False are written capitalised in policy files, as Python prints them.
  return have.toLowerCase() === want.toLowerCase();
}

function genericMatch(check: { credential: string; match: string }, e: Evaluation): boolean {
  const interpolated = /^%\((.+)\)s$/.exec(check.match);
  let expected: string;
  if (interpolated) {
    const v = scalar(e.target[interpolated[1]]);
    if (v === undefined) return false;
    expected = v;
  } else {
    expected = check.match;
  }
  const have = e.credentials[check.credential];
  if (have === undefined || have === null) return false;
  return Array.isArray(have) ? have.includes(expected) : have === expected;
}
