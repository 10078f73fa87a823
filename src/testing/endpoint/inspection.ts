/**
 * TestState's `inspectionData` at DEBUG and TRACE: the data at each step of a state's data flow, as
 * AWS lists it. Each JSONPath step (InputPath, Parameters, ResultSelector, ResultPath) is worked out
 * by the engine itself, on a Pass state that takes that one step, so that it follows the same rules
 * the state did.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
 */
import { execute, ExecutionResult, HistoryEvent } from '../../engine';

/** What one Pass state with these fields makes of `input`. */
async function pass(fields: Record<string, unknown>, input: unknown): Promise<unknown> {
  const run = await execute({ QueryLanguage: 'JSONPath', StartAt: 'Step', States: { Step: { Type: 'Pass', ...fields, End: true } } }, { input, type: 'EXPRESS' });
  return run.output;
}

function details(event: HistoryEvent | undefined): any {
  if (!event) return undefined;
  const key = Object.keys(event).find(k => k.endsWith('EventDetails'));
  return key ? (event as any)[key] : undefined;
}

const text = (value: unknown) => JSON.stringify(value);

/** The inspection data of a state's run: `state` as tested, `language` its query language. */
export async function inspectionOf(
  state: any, language: string, input: unknown, inputText: string, run: ExecutionResult, name: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = { input: inputText };
  const scheduled = details(run.events.find(e => /^(TaskScheduled|LambdaFunctionScheduled|ActivityScheduled)$/.test(e.type)));
  const succeeded = details(run.events.find(e => /^(TaskSucceeded|LambdaFunctionSucceeded|ActivitySucceeded)$/.test(e.type)));
  const exited = details(run.events.find(e => e.type === `${state.Type}StateExited` && details(e)?.name === name));
  if (exited?.assignedVariables) out.variables = text(exited.assignedVariables);
  if (language === 'JSONata') {
    if (scheduled) out.afterArguments = scheduled.parameters ?? scheduled.input;
    if (succeeded) out.result = succeeded.output;
    return out;
  }
  const afterInputPath = await pass({ InputPath: state.InputPath === undefined ? '$' : state.InputPath }, input);
  out.afterInputPath = text(afterInputPath);
  if (state.Type === 'Choice' || state.Type === 'Fail' || state.Type === 'Succeed' || state.Type === 'Wait') return out;
  let result: unknown;
  if (state.Type === 'Task') {
    if (scheduled) out.afterParameters = scheduled.parameters ?? scheduled.input;
    if (!succeeded) return out;
    result = JSON.parse(succeeded.output);
    out.result = succeeded.output;
  } else if (state.Result !== undefined) {
    result = state.Result;
    out.result = text(result);
  } else {
    result = state.Parameters !== undefined ? await pass({ Parameters: state.Parameters }, afterInputPath) : afterInputPath;
    if (state.Parameters !== undefined) out.afterParameters = text(result);
  }
  const selected = state.ResultSelector !== undefined ? await pass({ Parameters: state.ResultSelector }, result) : result;
  out.afterResultSelector = text(selected);
  if (state.ResultPath !== null) out.afterResultPath = text(await pass({ Result: selected, ResultPath: state.ResultPath ?? '$' }, input));
  else out.afterResultPath = inputText;
  return out;
}
