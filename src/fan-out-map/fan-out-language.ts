/**
 * What a FanOutMap writes differently in each query language. Internal: not exported from the package.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { FanOutMapProps } from './fan-out-map';
import { ItemSource } from './item-source';
import { checkObjectLanguage, declareQueryLanguage, isJsonataExpression, readAtPath, setAtPath } from '../private/query-language';

/**
 * What the map writes differently in each query language: where the items come from, where the
 * result goes, and which of the user's values fit the language.
 */
export class FanOutLanguage {
  public readonly isJsonata: boolean;

  constructor(private readonly id: string, private readonly language: sfn.QueryLanguage) {
    this.isJsonata = language === sfn.QueryLanguage.JSONATA;
  }

  /** Declares the language in the state, refusing it (in JSONPath) in a JSONata state machine. */
  public readonly declare = <T extends sfn.State>(state: T): T => declareQueryLanguage(state, this.language,
    () => `FanOutMap '${this.id}': state '${state.stateId}' is JSONPath, and the state machine it is in is JSONata, where every state must be JSONata; give the FanOutMap queryLanguage: sfn.QueryLanguage.JSONATA`);

  /** Refuses the values given in the other language, and what JSONata has no field for. */
  public check(props: FanOutMapProps, source: ItemSource, fail: (message: string) => never, stack: Stack): void {
    const given: Array<[string, string | undefined]> = [
      ['the items path', source.itemsPath],
      ['resultPrefix', props.resultPrefix],
      ...source._objectKeys().map((key): [string, string] => ['the object key or prefix', key]),
    ];
    for (const [what, written] of given) {
      // A JSON path given as sfn.JsonPath.stringAt() is a token until resolved.
      const encoded = written !== undefined && Token.isUnresolved(written) && sfn.JsonPath.isEncodedJsonPath(written);
      const value = encoded ? String(stack.resolve(written)) : written;
      if (value === undefined || Token.isUnresolved(value)) continue;
      if (this.isJsonata && value.startsWith('$') && !/^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(value)) {
        fail(`${what} is a JSON path (got '${value}'), and the map is JSONata; give a JSONata expression such as '{% $states.input.items %}'`);
      }
      if (this.isJsonata && value.startsWith('$') && what !== 'the items path') {
        fail(`${what} is a JSON path (got '${value}'), and the map is JSONata; give a JSONata expression such as '{% $states.input.key %}'`);
      }
      if (!this.isJsonata && isJsonataExpression(value)) {
        fail(`${what} is a JSONata expression (got '${value}'), and the map is JSONPath; give queryLanguage: sfn.QueryLanguage.JSONATA, or a JSON path`);
      }
    }
    // Objects written in the other language would pass as literal text.
    const where = `FanOutMap '${this.id}'`;
    for (const [what, input] of [['itemSelector', props.itemSelector], ['batching.batchInput', props.batching?.batchInput], ['the processor\'s payload', props.processor?._payload]] as const) {
      if (input !== undefined) checkObjectLanguage(where, what, input.value, this.isJsonata);
    }
    if (props.resultPath !== undefined && props.resultPath !== sfn.JsonPath.DISCARD && !Token.isUnresolved(props.resultPath) && !props.resultPath.startsWith('$')) {
      fail(`resultPath must be a JSON path such as '$.results' (got '${props.resultPath}')`);
    }
    if (this.isJsonata && props.toleratedFailure?.path !== undefined) {
      fail(`the tolerated failure read at ${props.toleratedFailure.path} is a JSON path, which a JSONata map has no field for; give a fixed ToleratedFailure.percentage() or count()`);
    }
    if (props.resultPath !== undefined && props.resultPath !== sfn.JsonPath.DISCARD && !Token.isUnresolved(props.resultPath)
      && !/^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(props.resultPath) && this.isJsonata) {
      fail(`resultPath must be '$' or a path to a field such as '$.results' in a JSONata map (got '${props.resultPath}')`);
    }
  }

  /** Where the items come from: `ItemsPath` in JSONPath, `Items` in JSONata. */
  public items(itemsPath: string | undefined): { itemsPath?: string; items?: sfn.ProvideItems } {
    if (itemsPath === undefined) return {};
    if (!this.isJsonata) return { itemsPath };
    return { items: sfn.ProvideItems.jsonata(isJsonataExpression(itemsPath) ? itemsPath : `{% ${readAtPath('$states.input', itemsPath)} %}`) };
  }

  /** Where the result goes: `ResultPath` in JSONPath; in JSONata, an `Output` that does the same. */
  public resultAt(resultPath: string | undefined): { resultPath?: string; outputs?: any } {
    if (!this.isJsonata) return { resultPath };
    if (resultPath === undefined || resultPath === '$') return {};
    if (resultPath === sfn.JsonPath.DISCARD) return { outputs: '{% $states.input %}' };
    return { outputs: `{% ${setAtPath('$states.input', resultPath, '$states.result')} %}` };
  }
}
