import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type Caller } from '../caller';
import { CREATE_DEFAULTS, DEFAULT_RULES } from './defaults';
import { type Check, type Credentials, evaluate, parseRule, PolicySyntaxError, type Target } from './rule';

/** 403 with Neutron's body; the shape the HTTP edge's exception filter turns into one. */
export class PolicyNotAuthorized extends Error {
  override name = 'PolicyNotAuthorized';
  readonly rejection: { rejected: true; status: 403; type: string; message: string };
  constructor(readonly action: string) {
    super(`rule:${action} is disallowed by policy`);
    this.rejection = { rejected: true, status: 403, type: 'PolicyNotAuthorized', message: this.message };
  }
}

/**
 * The policy table: Neutron's defaults, with an operator's overrides (a JSON or YAML file of
 * `rule name: check string`, as Neutron's policy.yaml). Every rule is parsed at start-up, so
 * a typo stops the process with the rule's name instead of denying or allowing at random.
 */
export class Policy {
  private readonly rules: ReadonlyMap<string, Check>;

  constructor(overrides: Readonly<Record<string, string>> = {}) {
    const rules = new Map<string, Check>();
    for (const [name, text] of Object.entries({ ...DEFAULT_RULES, ...overrides })) {
      try {
        rules.set(name, parseRule(text));
      } catch (err) {
        throw new PolicySyntaxError(`policy rule ${name}: ${(err as Error).message}`);
      }
    }
    this.rules = rules;
  }

  static fromFile(path: string): Policy {
    let overrides: unknown;
    try {
      overrides = parseYaml(readFileSync(path, 'utf8')); // YAML is a superset of JSON
    } catch (err) {
      throw new PolicySyntaxError(`policy file ${path}: ${(err as Error).message}`);
    }
    if (overrides === null || overrides === undefined) return new Policy();
    if (typeof overrides !== 'object' || Array.isArray(overrides))
      throw new PolicySyntaxError(`policy file ${path}: expected a map of rule names to check strings`);
    for (const [name, text] of Object.entries(overrides)) {
      if (typeof text !== 'string') throw new PolicySyntaxError(`policy file ${path}: rule ${name} is not a string`);
    }
    return new Policy(overrides as Record<string, string>);
  }

  has(action: string): boolean {
    return this.rules.has(action);
  }

  /** Whether `caller` may do `action` on `target`. An action with no rule is for admins only. */
  allows(caller: Caller, action: string, target: Target = {}): boolean {
    const rule = this.rules.get(action) ?? this.rules.get('admin_only');
    return rule !== undefined && evaluate(rule, { rules: this.rules, credentials: credentialsOf(caller), target });
  }

  enforce(caller: Caller, action: string, target: Target = {}): void {
    if (!this.allows(caller, action, target)) throw new PolicyNotAuthorized(action);
  }

  /**
   * Neutron's attribute rules: for each attribute the request sets that has an
   * `<action>:<attribute>` rule, that rule must allow it too (e.g. `create_network:shared`).
   * On create, an attribute given with its default value counts as not set (Neutron's
   * `_is_attribute_explicitly_set`): a member may send `shared: false`, not `ha: false`.
   */
  enforceAttributes(caller: Caller, action: string, body: Readonly<Record<string, unknown>>, target: Target): void {
    const creating = action.startsWith('create_');
    for (const [attr, value] of Object.entries(body)) {
      if (value === undefined || (creating && isDefault(action, attr, value))) continue;
      const name = `${action}:${attr}`;
      if (this.rules.has(name)) this.enforce(caller, name, target);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [inner, v] of Object.entries(value)) {
          const nested = `${name}:${inner}`;
          if (v !== undefined && this.rules.has(nested)) this.enforce(caller, nested, target);
        }
      }
    }
  }
}

function isDefault(action: string, attr: string, value: unknown): boolean {
  const defaults = CREATE_DEFAULTS[action] ?? {};
  return attr in defaults && JSON.stringify(defaults[attr]) === JSON.stringify(value);
}

function credentialsOf(caller: Caller): Credentials {
  return {
    roles: caller.roles,
    project_id: caller.projectId,
    tenant_id: caller.projectId,
    user_id: caller.userId,
    user_name: caller.userName,
    domain_id: caller.domainId,
    agent_host: caller.agentHost,
  };
}
