/**
 * What differs between the two query languages in the states the library writes: the declared
 * language of each state, the JSONPath-only fields a JSONata workflow cannot hold, and the JSONata
 * expressions that do what a JSONPath `ResultPath` does.
 */
import { Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';

/** The name of a query language as ASL writes it: `JSONPath` or `JSONata`. */
export function languageName(language: sfn.QueryLanguage): string {
  return language === sfn.QueryLanguage.JSONATA ? 'JSONata' : 'JSONPath';
}

/**
 * Makes a state the library creates declare its query language in the ASL (CDK writes
 * `QueryLanguage` only for a JSONata state under a JSONPath top level), and refuses, when the state
 * machine's top level is JSONata, a JSONPath state with the given message instead of CDK's.
 *
 * The state must have been created in that language (`queryLanguage` in its props).
 */
export function declareQueryLanguage<T extends sfn.State>(state: T, language: sfn.QueryLanguage, refusal: () => string): T {
  Object.defineProperty(state, 'renderQueryLanguage', {
    value: (topLevel?: sfn.QueryLanguage) => {
      if (topLevel === sfn.QueryLanguage.JSONATA && language !== sfn.QueryLanguage.JSONATA) {
        throw new Error(refusal());
      }
      return { QueryLanguage: languageName(language) };
    },
    // A construct of the library may declare a state another one created (a ResilientLambdaInvoke).
    configurable: true,
    writable: true,
  });
  return state;
}

/** The fields (and Choice rule fields) a JSONata state cannot have. */
const JSONPATH_FIELDS = [
  'InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'ItemsPath', 'CausePath', 'ErrorPath',
  'SecondsPath', 'TimestampPath', 'HeartbeatSecondsPath', 'TimeoutSecondsPath', 'MaxConcurrencyPath',
  'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath',
];

/**
 * Why a state (resolved ASL) is JSONPath: declared so, or written with fields only JSONPath has.
 * `undefined` when it is JSONata or holds nothing either language would read differently.
 */
export function jsonPathReason(json: any, declared?: sfn.QueryLanguage): string | undefined {
  if (json.QueryLanguage === 'JSONata') return undefined;
  if (json.QueryLanguage === 'JSONPath') return 'declares QueryLanguage JSONPath';
  if (declared === sfn.QueryLanguage.JSON_PATH) return 'was created in JSONPath';
  const fields = JSONPATH_FIELDS.filter(field => json[field] !== undefined);
  if ((json.Choices ?? []).some((rule: any) => rule.Condition === undefined)) fields.push('Choices with Variable');
  if ((json.Catch ?? []).some((c: any) => c.ResultPath !== undefined)) fields.push('Catch with ResultPath');
  return fields.length > 0 ? `has ${fields.join(', ')}` : undefined;
}

/** Whether a state (resolved ASL) is declared JSONata. */
export function isJsonataState(json: any): boolean {
  return json.QueryLanguage === 'JSONata';
}

/**
 * A JSONata expression (without the `{% %}`) of `base` with `value` set at a JSONPath-style field
 * path (`$.approval`, `$.review.decision`): what a JSONPath `ResultPath` does, for a JSONata `Output`.
 */
export function setAtPath(base: string, path: string, value: string): string {
  const fields = path.replace(/^\$\.?/, '').split('.').filter(f => f.length > 0);
  if (fields.length === 0) return value;
  const [first, ...rest] = fields;
  const inner = rest.length === 0 ? value : setAtPath(`${base}.${quoteField(first)}`, `$.${rest.join('.')}`, value);
  return `$merge([${base}, {${JSON.stringify(first)}: ${inner}}])`;
}

/** A JSONata path of a JSONPath-style field path: `$.approval.decision` read from `$states.input`. */
export function readAtPath(base: string, path: string): string {
  const fields = path.replace(/^\$\.?/, '').split('.').filter(f => f.length > 0);
  return [base, ...fields.map(quoteField)].join('.');
}

function quoteField(field: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) ? field : `\`${field}\``;
}

/** Whether a string is a JSONata template (`{% ... %}`). */
export function isJsonataExpression(value: string): boolean {
  return /^\{%[\s\S]*%\}$/.test(value.trim());
}

/**
 * Refuses an object prop (an `itemSelector`, a payload, an input) written in the other query language,
 * which would otherwise pass as literal text: a JSONata expression in a JSONPath construct, a `.$` key
 * or a JSON path token (`sfn.JsonPath.stringAt`) in a JSONata one. One message, naming the construct,
 * the prop, the key and what to write.
 */
export function checkObjectLanguage(where: string, what: string, value: unknown, jsonata: boolean, at = ''): void {
  if (typeof value === 'string') {
    if (!jsonata && isJsonataExpression(value)) {
      throw new Error(`${where}: ${what} holds a JSONata expression${at ? ` at '${at}'` : ''} (got '${value}'), and it is JSONPath; `
        + 'write a JSON path (sfn.JsonPath.stringAt(\'$.order\')), or give queryLanguage: sfn.QueryLanguage.JSONATA');
    }
    if (jsonata && sfn.JsonPath.isEncodedJsonPath(value)) {
      throw new Error(`${where}: ${what} holds a JSON path${at ? ` at '${at}'` : ''} (sfn.JsonPath), and it is JSONata; write a JSONata expression such as '{% $states.input.order %}'`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkObjectLanguage(where, what, v, jsonata, `${at}[${i}]`));
    return;
  }
  if (value && typeof value === 'object' && !Token.isUnresolved(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (jsonata && key.endsWith('.$')) {
        throw new Error(`${where}: ${what} holds the JSONPath field '${key}'${at ? ` in '${at}'` : ''}, and it is JSONata, where it would pass as a literal; `
          + `write '${key.slice(0, -2)}': '{% ... %}' (a JSONata expression such as '{% $states.input.order %}')`);
      }
      checkObjectLanguage(where, what, v, jsonata, at ? `${at}.${key}` : key);
    }
  }
}

/**
 * Makes every state a construct created (its children, not the states a user gave it) declare the
 * construct's query language; in a JSONata state machine, a JSONPath one is refused naming the
 * construct and the fix.
 */
/** The library's constructs that create states, by construct: their kind (`ApprovalGate`...). */
const stateOwners = new WeakMap<IConstruct, string>();

/** Records that `construct` (an ApprovalGate, a FanOutMap...) creates states: a message about them can name it. */
export function ownsStates(construct: IConstruct, kind: string): void {
  stateOwners.set(construct, kind);
}

/** The library construct that created a state, and its kind; undefined for a state the user created. */
export function stateOwnerOf(state: IConstruct): { readonly construct: IConstruct; readonly kind: string } | undefined {
  for (const scope of [...state.node.scopes].reverse()) {
    const kind = stateOwners.get(scope);
    if (kind !== undefined && scope !== state) return { construct: scope, kind };
  }
  return undefined;
}

export function declareStatesOf(construct: IConstruct, language: sfn.QueryLanguage, kind: string): void {
  ownsStates(construct, kind);
  for (const child of construct.node.findAll()) {
    if (!(child instanceof sfn.State)) continue;
    declareQueryLanguage(child, language, () => `${kind} '${construct.node.path}': its state '${child.stateId}' is JSONPath, `
      + 'and the state machine is JSONata; give the construct queryLanguage: sfn.QueryLanguage.JSONATA');
  }
}
