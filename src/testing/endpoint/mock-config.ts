/**
 * Step Functions Local's mock configuration file (`MockConfigFile.json`), so that a team moving off
 * Step Functions Local keeps its test cases: a test case per state machine, selected by starting an
 * execution of `<stateMachineArn>#<TestCase>`, names a mocked response for each Task state it mocks;
 * a mocked response gives what each attempt (0 the first, 1 the first retry...; a range "1-2"
 * covers both; a Map's iterations are invocations one after another) returns or throws.
 *
 * ```json
 * {
 *   "StateMachines": { "Orders": { "TestCases": { "HappyPath": { "Charge": "ChargeOk" } } } },
 *   "MockedResponses": { "ChargeOk": { "0": { "Return": { "charged": true } }, "1-2": { "Throw": { "Error": "Busy", "Cause": "later" } } } }
 * }
 * ```
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
 */
import { HarnessError, TaskFailure, TaskOutcome } from '../local-execution';

/** A mock configuration file that does not follow the format. */
export class MockConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MockConfigError';
  }
}

type Answer = { readonly kind: 'return'; readonly value: unknown } | { readonly kind: 'throw'; readonly error: string; readonly cause: string };

interface Attempts {
  readonly from: number;
  readonly to: number;
  readonly answer: Answer;
}

/** One mocked response: what each attempt answers. */
export class MockedResponse {
  constructor(readonly name: string, private readonly attempts: readonly Attempts[]) {}

  /**
   * The answer to the state's invocation number `index` in its execution (0 the first; a retry is
   * the next invocation, and a Map's iterations count one after another, as Step Functions Local
   * counts them), as a task handler gives it: the value, or a thrown TaskFailure. An invocation the
   * response does not cover stops the execution, as Step Functions Local fails it.
   */
  answer(index: number, state: string): unknown {
    const entry = this.attempts.find(a => index >= a.from && index <= a.to);
    if (!entry) {
      throw new HarnessError(`the mocked response '${this.name}' of state '${state}' has no answer for invocation ${index} `
        + `(it covers ${this.attempts.map(a => (a.from === a.to ? `${a.from}` : `${a.from}-${a.to}`)).join(', ')}): add "${index}" to it in the mock configuration file`);
    }
    if (entry.answer.kind === 'throw') throw new TaskFailure(entry.answer.error, entry.answer.cause);
    // The service's whole response, as Step Functions Local takes it: a Lambda mock gives StatusCode and Payload itself.
    return TaskOutcome.succeed(entry.answer.value, { wholeResponse: true });
  }
}

/** A parsed mock configuration file. */
export class MockConfig {
  /** Whether a JSON document is in this format (rather than the `run` command's mocks file). */
  static isMockConfig(doc: unknown): boolean {
    return typeof doc === 'object' && doc !== null && ('StateMachines' in doc || 'MockedResponses' in doc);
  }

  /** Reads and checks a mock configuration document; `file` names it in messages. */
  static parse(doc: unknown, file: string): MockConfig {
    const fail = (where: string, what: string) => {
      throw new MockConfigError(`${file}: ${where}: ${what}`);
    };
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isObject(doc)) fail('the file', 'must be a JSON object with "StateMachines" and "MockedResponses"');
    const root = doc as Record<string, unknown>;
    for (const key of Object.keys(root)) {
      if (key !== 'StateMachines' && key !== 'MockedResponses') fail(key, 'is not a field of the format (StateMachines, MockedResponses)');
    }
    const responses = new Map<string, MockedResponse>();
    const mocked = root.MockedResponses ?? {};
    if (!isObject(mocked)) fail('MockedResponses', 'must be an object of mocked responses by name');
    for (const [name, spec] of Object.entries(mocked as Record<string, unknown>)) {
      const where = `MockedResponses["${name}"]`;
      if (!isObject(spec) || Object.keys(spec).length === 0) fail(where, 'must be an object of answers by attempt ("0", "1-2"...)');
      const attempts: Attempts[] = [];
      for (const [key, value] of Object.entries(spec as Record<string, unknown>)) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(key);
        if (!m) fail(`${where}["${key}"]`, 'an attempt is a number from 0 ("0") or an inclusive range ("1-2")');
        const from = Number(m![1]);
        const to = m![2] !== undefined ? Number(m![2]) : from;
        if (to < from) fail(`${where}["${key}"]`, 'a range goes from the lower attempt to the higher');
        if (!isObject(value) || Object.keys(value).length !== 1 || !('Return' in value || 'Throw' in value)) {
          fail(`${where}["${key}"]`, 'must hold exactly one field, "Return" (the result) or "Throw" ({ "Error": ..., "Cause": ... })');
        }
        const v = value as Record<string, unknown>;
        let answer: Answer;
        if ('Return' in v) {
          answer = { kind: 'return', value: v.Return };
        } else {
          const t = v.Throw;
          if (!isObject(t) || typeof t.Error !== 'string' || typeof t.Cause !== 'string') fail(`${where}["${key}"].Throw`, 'must be an object with "Error" and "Cause", both strings');
          answer = { kind: 'throw', error: (t as any).Error, cause: (t as any).Cause };
        }
        const clash = attempts.find(a => from <= a.to && to >= a.from);
        if (clash) fail(`${where}["${key}"]`, `overlaps "${clash.from === clash.to ? clash.from : `${clash.from}-${clash.to}`}": each attempt has one answer`);
        attempts.push({ from, to, answer });
      }
      responses.set(name, new MockedResponse(name, attempts.sort((a, b) => a.from - b.from)));
    }
    const cases = new Map<string, Map<string, Record<string, MockedResponse>>>();
    const machines = root.StateMachines ?? {};
    if (!isObject(machines)) fail('StateMachines', 'must be an object of state machines by name');
    for (const [machine, spec] of Object.entries(machines as Record<string, unknown>)) {
      const where = `StateMachines["${machine}"]`;
      if (!isObject(spec) || !isObject(spec.TestCases)) fail(where, 'must be an object with "TestCases"');
      const byCase = new Map<string, Record<string, MockedResponse>>();
      for (const [testCase, states] of Object.entries((spec as any).TestCases as Record<string, unknown>)) {
        if (!isObject(states)) fail(`${where}.TestCases["${testCase}"]`, 'must be an object: the mocked response of each state, by state name');
        const out: Record<string, MockedResponse> = {};
        for (const [state, response] of Object.entries(states as Record<string, unknown>)) {
          const response_ = typeof response === 'string' ? responses.get(response) : undefined;
          if (!response_) {
            fail(`${where}.TestCases["${testCase}"]["${state}"]`, `names no mocked response (${JSON.stringify(response)}; MockedResponses: ${[...responses.keys()].join(', ') || 'none'})`);
          }
          out[state] = response_!;
        }
        byCase.set(testCase, out);
      }
      cases.set(machine, byCase);
    }
    return new MockConfig(cases);
  }

  private constructor(private readonly cases: Map<string, Map<string, Record<string, MockedResponse>>>) {}

  /** The mocked responses of a test case, by state name; undefined when the state machine has no such test case. */
  testCase(machine: string, testCase: string): Record<string, MockedResponse> | undefined {
    return this.cases.get(machine)?.get(testCase);
  }

  /** The state machines the file has test cases for. */
  machines(): string[] {
    return [...this.cases.keys()];
  }

  /** What the test cases of a state machine mock that is not one of its Task states (a typo would otherwise run the real task). */
  problems(machine: string, taskStates: readonly string[]): string[] {
    const out: string[] = [];
    for (const [testCase, states] of this.cases.get(machine) ?? []) {
      for (const state of Object.keys(states)) {
        if (!taskStates.includes(state)) {
          out.push(`test case '${testCase}' of '${machine}' mocks '${state}', which is not a Task state of it (its Task states: ${taskStates.join(', ') || 'none'})`);
        }
      }
    }
    return out;
  }

  /** The test cases of a state machine, for messages. */
  testCasesOf(machine: string): string[] {
    return [...(this.cases.get(machine)?.keys() ?? [])];
  }
}
