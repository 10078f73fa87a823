/**
 * Checks a definition before anything runs: its structure, the fields each state type and each
 * query language allows, transitions, names, retriers and catchers. Every problem is listed with the
 * state and the field; a feature the engine does not implement is refused the same way.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
import { DefinitionError, EngineUnsupportedError } from './errors';
import { isIntrinsic, parseIntrinsic } from './intrinsics';
import { parsePath } from './json-path';
import { jsonataExpression } from './jsonata';
import type { QueryLanguage } from './types';

/** A state machine, a Parallel branch or a Map item processor. */
export interface Graph {
  readonly StartAt: string;
  readonly States: Record<string, any>;
  readonly QueryLanguage?: QueryLanguage;
  readonly TimeoutSeconds?: number;
  readonly Comment?: string;
  readonly Version?: string;
  readonly ProcessorConfig?: { readonly Mode?: string; readonly ExecutionType?: string };
}

const TYPES = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'];
const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const TRANSITION = ['Next', 'End'];
const FIELDS: Record<string, string[]> = {
  Pass: [...TRANSITION, 'InputPath', 'OutputPath', 'Parameters', 'Result', 'ResultPath', 'Output', 'Assign'],
  Task: [...TRANSITION, 'Resource', 'InputPath', 'OutputPath', 'Parameters', 'Arguments', 'ResultSelector', 'ResultPath', 'Output',
    'Retry', 'Catch', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath', 'Credentials', 'Assign'],
  Choice: ['Choices', 'Default', 'InputPath', 'OutputPath', 'Output', 'Assign'],
  Wait: [...TRANSITION, 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath', 'InputPath', 'OutputPath', 'Output', 'Assign'],
  Succeed: ['InputPath', 'OutputPath', 'Output'],
  Fail: ['Error', 'Cause', 'ErrorPath', 'CausePath'],
  Parallel: [...TRANSITION, 'Branches', 'InputPath', 'OutputPath', 'Parameters', 'Arguments', 'ResultSelector', 'ResultPath', 'Output',
    'Retry', 'Catch', 'Assign'],
  Map: [...TRANSITION, 'ItemProcessor', 'Iterator', 'ItemsPath', 'Items', 'ItemSelector', 'Parameters', 'MaxConcurrency', 'MaxConcurrencyPath',
    'InputPath', 'OutputPath', 'ResultSelector', 'ResultPath', 'Output', 'Retry', 'Catch', 'Assign', 'Label',
    'ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath',
    'ToleratedFailureCount', 'ToleratedFailureCountPath'],
};
/** Fields a JSONata state may not use. */
const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'ItemsPath', 'ErrorPath', 'CausePath',
  'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath',
  'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath', 'Iterator', 'Result'];
/** Fields a JSONPath state may not use. */
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];
/** Fields only a Distributed Map may have (the tolerated failures are read on an inline Map too). */
const DISTRIBUTED_ONLY = ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath',
  'ToleratedFailureCount', 'ToleratedFailureCountPath'];

export const MAX_STATE_NAME = 80;

/** Integration patterns an Express state machine cannot use. */
export function expressProblems(graph: Graph): string[] {
  const out: string[] = [];
  const visit = (g: Graph) => {
    for (const [name, state] of Object.entries<any>(g.States ?? {})) {
      if (state.Type === 'Task' && typeof state.Resource === 'string') {
        if (state.Resource.endsWith('.waitForTaskToken')) out.push(`state '${name}': an Express state machine cannot wait for a task token (${state.Resource})`);
        if (/\.sync(:2)?$/.test(state.Resource)) out.push(`state '${name}': an Express state machine cannot run a job to completion (${state.Resource})`);
        if (/:activity:/.test(state.Resource)) out.push(`state '${name}': an Express state machine cannot use an activity`);
      }
      for (const b of state.Branches ?? []) visit(b);
      const p = state.ItemProcessor ?? state.Iterator;
      if (p && (p.ProcessorConfig?.Mode ?? 'INLINE') !== 'DISTRIBUTED') visit(p);
    }
  };
  visit(graph);
  return out;
}

/** Validates a whole definition; throws DefinitionError (listing every problem) or EngineUnsupportedError. */
export function validateDefinition(definition: unknown): Graph {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new DefinitionError(['the definition must be a JSON object with StartAt and States']);
  }
  const problems: string[] = [];
  const unsupported: EngineUnsupportedError[] = [];
  const graph = definition as Graph;
  const top = graph.QueryLanguage ?? 'JSONPath';
  if (graph.QueryLanguage !== undefined && !['JSONPath', 'JSONata'].includes(graph.QueryLanguage)) {
    problems.push(`the state machine's QueryLanguage must be JSONPath or JSONata (got ${JSON.stringify(graph.QueryLanguage)})`);
  }
  if (graph.TimeoutSeconds !== undefined && !(Number.isInteger(graph.TimeoutSeconds) && graph.TimeoutSeconds > 0)) {
    problems.push(`the state machine's TimeoutSeconds must be a positive integer (got ${JSON.stringify(graph.TimeoutSeconds)})`);
  }
  for (const key of Object.keys(graph)) {
    if (!['StartAt', 'States', 'QueryLanguage', 'TimeoutSeconds', 'Comment', 'Version'].includes(key)) {
      problems.push(`the state machine has an unknown field '${key}'`);
    }
  }
  checkGraph(graph, top, 'the state machine', problems, unsupported, new Set());
  if (problems.length > 0) throw new DefinitionError(problems);
  if (unsupported.length > 0) throw unsupported[0];
  return graph;
}

function checkGraph(
  graph: Graph, inherited: QueryLanguage, where: string, problems: string[], unsupported: EngineUnsupportedError[], names: Set<string>,
): void {
  if (typeof graph.StartAt !== 'string') problems.push(`${where} has no StartAt`);
  if (typeof graph.States !== 'object' || graph.States === null || Object.keys(graph.States).length === 0) {
    problems.push(`${where} has no States`);
    return;
  }
  if (typeof graph.StartAt === 'string' && !(graph.StartAt in graph.States)) {
    problems.push(`${where}: StartAt '${graph.StartAt}' is not a state`);
  }
  const language: QueryLanguage = graph.QueryLanguage ?? inherited;
  for (const [name, state] of Object.entries<any>(graph.States)) {
    const at = `state '${name}'`;
    if (names.has(name)) problems.push(`${at}: state names must be unique across the whole definition`);
    names.add(name);
    if (name.length > MAX_STATE_NAME) problems.push(`${at}: a state name has at most ${MAX_STATE_NAME} characters (it has ${name.length})`);
    if (typeof state !== 'object' || state === null) {
      problems.push(`${at} is not an object`);
      continue;
    }
    if (!TYPES.includes(state.Type)) {
      problems.push(`${at}: Type must be one of ${TYPES.join(', ')} (got ${JSON.stringify(state.Type)})`);
      continue;
    }
    checkState(name, state, language, graph, problems, unsupported, names);
  }
  checkReachable(graph, where, problems);
}

function checkState(
  name: string, state: any, inherited: QueryLanguage, graph: Graph, problems: string[], unsupported: EngineUnsupportedError[], names: Set<string>,
) {
  const at = `state '${name}'`;
  const lang: QueryLanguage = state.QueryLanguage ?? inherited;
  if (state.QueryLanguage !== undefined && !['JSONPath', 'JSONata'].includes(state.QueryLanguage)) {
    problems.push(`${at}: QueryLanguage must be JSONPath or JSONata (got ${JSON.stringify(state.QueryLanguage)})`);
  }
  if (inherited === 'JSONata' && state.QueryLanguage === 'JSONPath') {
    problems.push(`${at}: a JSONPath state cannot be used in a JSONata state machine (set the state machine's QueryLanguage to JSONPath and the state's to JSONata instead)`);
  }
  const allowed = new Set([...COMMON, ...FIELDS[state.Type]]);
  for (const field of Object.keys(state)) {
    if (!allowed.has(field)) problems.push(`${at}: a ${state.Type} state cannot have the field '${field}'`);
    if (lang === 'JSONata' && JSONPATH_ONLY.includes(field)) {
      problems.push(`${at}: the field '${field}' is not supported in JSONata states (use ${field === 'Parameters' ? 'Arguments' : field === 'ItemsPath' ? 'Items' : 'Output, Arguments or a {% %} expression'})`);
    }
    if (lang === 'JSONPath' && JSONATA_ONLY.includes(field)) {
      problems.push(`${at}: the field '${field}' is supported only in JSONata states (set "QueryLanguage": "JSONata" on the state)`);
    }
  }
  const terminal = state.Type === 'Succeed' || state.Type === 'Fail' || state.Type === 'Choice';
  if (!terminal) {
    if (state.End === true && state.Next !== undefined) problems.push(`${at} has both Next and End`);
    if (state.End !== true && state.Next === undefined) problems.push(`${at} has neither Next nor "End": true`);
  }
  const target = (field: string, next: unknown) => {
    if (typeof next !== 'string' || !(next in graph.States)) problems.push(`${at}: ${field} '${String(next)}' is not a state of the same scope`);
  };
  if (state.Next !== undefined) target('Next', state.Next);
  if (lang === 'JSONPath') checkJsonPathFields(at, state, problems);
  else checkJsonataFields(at, state, problems);
  if (state.Assign !== undefined && (typeof state.Assign !== 'object' || state.Assign === null || Array.isArray(state.Assign))) {
    problems.push(`${at}: Assign must be an object`);
  }
  for (const [i, r] of (state.Retry ?? []).entries()) checkRetrier(`${at} Retry[${i}]`, r, i === state.Retry.length - 1, problems);
  for (const [i, c] of (state.Catch ?? []).entries()) {
    checkErrors(`${at} Catch[${i}]`, c.ErrorEquals, i === state.Catch.length - 1, problems);
    target(`Catch[${i}].Next`, c.Next);
    if (lang === 'JSONata' && c.ResultPath !== undefined) problems.push(`${at} Catch[${i}]: ResultPath is not supported in JSONata (use Output)`);
    if (lang === 'JSONPath' && c.Output !== undefined) problems.push(`${at} Catch[${i}]: Output is supported only in JSONata states`);
  }
  switch (state.Type) {
    case 'Task':
      if (typeof state.Resource !== 'string') problems.push(`${at}: a Task needs a Resource`);
      if (state.TimeoutSeconds !== undefined && state.TimeoutSecondsPath !== undefined) problems.push(`${at}: TimeoutSeconds and TimeoutSecondsPath are exclusive`);
      if (state.HeartbeatSeconds !== undefined && state.HeartbeatSecondsPath !== undefined) problems.push(`${at}: HeartbeatSeconds and HeartbeatSecondsPath are exclusive`);
      for (const f of ['TimeoutSeconds', 'HeartbeatSeconds']) {
        const v = state[f];
        if (v !== undefined && jsonataExpression(v) === undefined && !(Number.isInteger(v) && v > 0)) problems.push(`${at}: ${f} must be a positive integer (got ${JSON.stringify(v)})`);
      }
      if (Number.isInteger(state.TimeoutSeconds) && Number.isInteger(state.HeartbeatSeconds) && state.HeartbeatSeconds >= state.TimeoutSeconds) {
        problems.push(`${at}: HeartbeatSeconds (${state.HeartbeatSeconds}) must be smaller than TimeoutSeconds (${state.TimeoutSeconds})`);
      }
      break;
    case 'Choice':
      if (!Array.isArray(state.Choices) || state.Choices.length === 0) problems.push(`${at}: a Choice needs a non-empty Choices array`);
      for (const [i, rule] of (state.Choices ?? []).entries()) {
        if (rule?.Next === undefined) problems.push(`${at} Choices[${i}] has no Next`);
        else target(`Choices[${i}].Next`, rule.Next);
        checkRule(`${at} Choices[${i}]`, rule, lang, true, problems);
      }
      if (state.Default !== undefined) target('Default', state.Default);
      break;
    case 'Wait': {
      const given = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter(f => state[f] !== undefined);
      if (given.length !== 1) problems.push(`${at}: a Wait needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath (got ${given.join(', ') || 'none'})`);
      if (typeof state.Seconds === 'number' && !(Number.isInteger(state.Seconds) && state.Seconds >= 0)) problems.push(`${at}: Seconds must be a non-negative integer`);
      break;
    }
    case 'Fail':
      if (state.Error !== undefined && state.ErrorPath !== undefined) problems.push(`${at}: Error and ErrorPath are exclusive`);
      if (state.Cause !== undefined && state.CausePath !== undefined) problems.push(`${at}: Cause and CausePath are exclusive`);
      break;
    case 'Parallel':
      if (!Array.isArray(state.Branches) || state.Branches.length === 0) problems.push(`${at}: a Parallel needs a non-empty Branches array`);
      for (const [i, b] of (state.Branches ?? []).entries()) checkGraph(b, lang, `branch ${i + 1} of ${at}`, problems, unsupported, names);
      break;
    case 'Map': {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (!processor) {
        problems.push(`${at}: a Map needs an ItemProcessor`);
        break;
      }
      const mode = processor.ProcessorConfig?.Mode ?? 'INLINE';
      if (!['INLINE', 'DISTRIBUTED'].includes(mode)) problems.push(`${at}: ProcessorConfig.Mode must be INLINE or DISTRIBUTED`);
      for (const field of DISTRIBUTED_ONLY) {
        // AWS accepts tolerated failures on an inline Map too (recorded: evaluate_jsonata test_base_map[TOLERATED_FAILURE_COUNT]).
        if (state[field] === undefined || mode === 'DISTRIBUTED' || field.startsWith('Tolerated')) continue;
        problems.push(`${at}: ${field} needs ProcessorConfig.Mode DISTRIBUTED`);
      }
      if (mode === 'DISTRIBUTED') checkDistributed(at, state, problems);
      const concurrency = state.MaxConcurrency;
      if (concurrency !== undefined && jsonataExpression(concurrency) === undefined && !(Number.isInteger(concurrency) && concurrency >= 0)) {
        problems.push(`${at}: MaxConcurrency must be a non-negative integer`);
      }
      const { ProcessorConfig: _c, ...inner } = processor;
      checkGraph(inner, lang, `the item processor of ${at}`, problems, unsupported, names);
      break;
    }
  }
}

const READERS = /^arn:[^:]+:states:::s3:(listObjectsV2|getObject)$/;

function checkDistributed(at: string, state: any, problems: string[]) {
  if (state.Label !== undefined) {
    const label = state.Label;
    if (typeof label !== 'string' || label.length > 40 || /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(label)) {
      problems.push(`${at}: Label must be at most 40 characters, without spaces or special characters (got ${JSON.stringify(label)})`);
    }
  }
  const reader = state.ItemReader;
  if (reader !== undefined) {
    if (typeof reader.Resource !== 'string' || !READERS.test(reader.Resource)) {
      problems.push(`${at}: ItemReader.Resource must be arn:aws:states:::s3:listObjectsV2 or arn:aws:states:::s3:getObject (got ${JSON.stringify(reader.Resource)})`);
    }
    const type = reader.ReaderConfig?.InputType;
    if (type !== undefined && !['JSON', 'JSONL', 'CSV', 'MANIFEST'].includes(type)) problems.push(`${at}: ReaderConfig.InputType must be JSON, JSONL, CSV or MANIFEST (got ${JSON.stringify(type)})`);
    if (/getObject$/.test(reader.Resource ?? '') && type === undefined) problems.push(`${at}: an s3:getObject ItemReader needs ReaderConfig.InputType`);
  }
  const writer = state.ResultWriter;
  if (writer !== undefined) {
    if (writer.Resource !== undefined && !/^arn:[^:]+:states:::s3:putObject$/.test(writer.Resource)) {
      problems.push(`${at}: ResultWriter.Resource must be arn:aws:states:::s3:putObject (got ${JSON.stringify(writer.Resource)})`);
    }
    const config = writer.WriterConfig;
    if (config?.OutputType !== undefined && !['JSON', 'JSONL'].includes(config.OutputType)) problems.push(`${at}: WriterConfig.OutputType must be JSON or JSONL`);
    if (config?.Transformation !== undefined && !['NONE', 'COMPACT', 'FLATTEN'].includes(config.Transformation)) problems.push(`${at}: WriterConfig.Transformation must be NONE, COMPACT or FLATTEN`);
  }
  const exec = state.ItemProcessor?.ProcessorConfig?.ExecutionType;
  if (exec !== undefined && !['STANDARD', 'EXPRESS'].includes(exec)) problems.push(`${at}: ProcessorConfig.ExecutionType must be STANDARD or EXPRESS`);
}

function checkRetrier(at: string, r: any, last: boolean, problems: string[]) {
  checkErrors(at, r?.ErrorEquals, last, problems);
  if (r?.MaxAttempts !== undefined && !(Number.isInteger(r.MaxAttempts) && r.MaxAttempts >= 0 && r.MaxAttempts <= 99999999)) problems.push(`${at}: MaxAttempts must be an integer from 0 to 99999999`);
  if (r?.IntervalSeconds !== undefined && !(Number.isInteger(r.IntervalSeconds) && r.IntervalSeconds >= 1 && r.IntervalSeconds <= 99999999)) problems.push(`${at}: IntervalSeconds must be an integer from 1 to 99999999`);
  if (r?.BackoffRate !== undefined && !(typeof r.BackoffRate === 'number' && r.BackoffRate >= 1)) problems.push(`${at}: BackoffRate must be a number of at least 1.0`);
  if (r?.MaxDelaySeconds !== undefined && !(Number.isInteger(r.MaxDelaySeconds) && r.MaxDelaySeconds >= 1 && r.MaxDelaySeconds <= 31622400)) problems.push(`${at}: MaxDelaySeconds must be an integer from 1 to 31622400`);
  if (r?.JitterStrategy !== undefined && !['FULL', 'NONE'].includes(r.JitterStrategy)) problems.push(`${at}: JitterStrategy must be FULL or NONE`);
}

function checkErrors(at: string, errors: unknown, last: boolean, problems: string[]) {
  if (!Array.isArray(errors) || errors.length === 0 || errors.some(e => typeof e !== 'string')) {
    problems.push(`${at}: ErrorEquals must be a non-empty array of error names`);
    return;
  }
  if (errors.includes('States.ALL') && (errors.length > 1 || !last)) problems.push(`${at}: States.ALL must appear alone, in the last retrier or catcher`);
}

const COMPARISONS = ['StringEquals', 'StringLessThan', 'StringGreaterThan', 'StringLessThanEquals', 'StringGreaterThanEquals', 'StringMatches',
  'NumericEquals', 'NumericLessThan', 'NumericGreaterThan', 'NumericLessThanEquals', 'NumericGreaterThanEquals',
  'BooleanEquals', 'TimestampEquals', 'TimestampLessThan', 'TimestampGreaterThan', 'TimestampLessThanEquals', 'TimestampGreaterThanEquals',
  'IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'];
export const CHOICE_OPERATORS = new Set([...COMPARISONS, ...COMPARISONS.filter(c => !c.startsWith('Is') && c !== 'StringMatches').map(c => `${c}Path`)]);

function checkRule(at: string, rule: any, lang: QueryLanguage, top: boolean, problems: string[]) {
  if (typeof rule !== 'object' || rule === null) {
    problems.push(`${at} is not an object`);
    return;
  }
  const allowedTop = top ? ['Next', 'Comment', 'Assign', ...(lang === 'JSONata' ? ['Output'] : [])] : ['Comment'];
  if (lang === 'JSONata') {
    if (rule.Condition === undefined) problems.push(`${at}: a JSONata Choice rule needs a Condition`);
    for (const k of Object.keys(rule)) if (![...allowedTop, 'Condition'].includes(k)) problems.push(`${at}: the field '${k}' is not supported in a JSONata Choice rule (use Condition)`);
    return;
  }
  const ops = Object.keys(rule).filter(k => !allowedTop.includes(k) && k !== 'Variable');
  if (rule.And || rule.Or) {
    const list = rule.And ?? rule.Or;
    if (!Array.isArray(list) || list.length === 0) problems.push(`${at}: And/Or need a non-empty array`);
    (list ?? []).forEach((r: any, i: number) => checkRule(`${at}.${rule.And ? 'And' : 'Or'}[${i}]`, r, lang, false, problems));
  } else if (rule.Not) {
    checkRule(`${at}.Not`, rule.Not, lang, false, problems);
  } else {
    if (ops.length !== 1 || !CHOICE_OPERATORS.has(ops[0])) {
      problems.push(`${at}: a rule needs exactly one comparison operator (got ${ops.join(', ') || 'none'})`);
    }
    if (typeof rule.Variable !== 'string') problems.push(`${at}: a comparison needs a Variable`);
    else checkPath(`${at} Variable`, rule.Variable, problems);
    if (ops[0]?.endsWith('Path') && typeof rule[ops[0]] === 'string') checkPath(`${at} ${ops[0]}`, rule[ops[0]], problems);
  }
  if (rule.Condition !== undefined) problems.push(`${at}: Condition is supported only in JSONata states`);
}

function checkPath(at: string, path: unknown, problems: string[]) {
  if (typeof path !== 'string') {
    problems.push(`${at} must be a path string`);
    return;
  }
  try {
    if (isIntrinsic(path)) parseIntrinsic(path);
    else parsePath(path);
  } catch (e) {
    problems.push(`${at}: ${(e as Error).message}`);
  }
}

function checkJsonPathFields(at: string, state: any, problems: string[]) {
  for (const f of ['InputPath', 'OutputPath', 'ResultPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ErrorPath', 'CausePath']) {
    if (state[f] !== undefined && state[f] !== null) checkPath(`${at} ${f}`, state[f], problems);
  }
  for (const f of ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign']) {
    if (state[f] !== undefined) checkTemplate(`${at} ${f}`, state[f], problems);
  }
  for (const [i, c] of (state.Catch ?? []).entries()) {
    if (c.ResultPath !== undefined && c.ResultPath !== null) checkPath(`${at} Catch[${i}] ResultPath`, c.ResultPath, problems);
    if (c.Assign !== undefined) checkTemplate(`${at} Catch[${i}] Assign`, c.Assign, problems);
  }
}

function checkTemplate(at: string, template: unknown, problems: string[]) {
  if (Array.isArray(template)) {template.forEach((v, i) => checkTemplate(`${at}[${i}]`, v, problems));} else if (typeof template === 'object' && template !== null) {
    for (const [k, v] of Object.entries(template)) {
      if (k.endsWith('.$')) checkPath(`${at} '${k}'`, v, problems);
      else checkTemplate(`${at}.${k}`, v, problems);
    }
  }
}

/** In JSONata states, `.$` keys are ordinary keys with literal values, as on AWS: nothing to check. */
function checkJsonataFields(_at: string, _state: any, _problems: string[]) {
  return;
}

/** Every state must be reachable from StartAt. */
function checkReachable(graph: Graph, where: string, problems: string[]) {
  const seen = new Set<string>();
  const stack = [graph.StartAt];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name) || !(name in graph.States)) continue;
    seen.add(name);
    const s = graph.States[name];
    for (const n of [s?.Next, s?.Default, ...(s?.Choices ?? []).map((c: any) => c?.Next), ...(s?.Catch ?? []).map((c: any) => c?.Next)]) {
      if (typeof n === 'string') stack.push(n);
    }
  }
  for (const name of Object.keys(graph.States)) {
    if (!seen.has(name)) problems.push(`state '${name}' in ${where} cannot be reached from StartAt`);
  }
}
