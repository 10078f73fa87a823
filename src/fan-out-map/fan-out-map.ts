import { Annotations, Arn, ArnFormat, Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FanOutLanguage } from './fan-out-language';
import { FanOutMode } from './fan-out-mode';
import { FanOutProcessor } from './fan-out-processor';
import { ItemSource } from './item-source';
import { ToleratedFailure } from './tolerated-failure';
import { expressIssue, graphStates } from '../private/graph';
import { suppressNag, suppressNagInStack, wildcardResourceFindings } from '../private/nag';
import { isDynamic } from '../private/paths';
import { checkProps } from '../private/prop-types';
import { ownsStates, readAtPath, setAtPath } from '../private/query-language';
import { required, requiredProps } from '../private/required';
import { checkDerivedStateNames } from '../private/state-names';

/**
 * How a Distributed Map groups items into batches: each child execution receives
 * `{ Items: [...], BatchInput: {...} }` instead of one item.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 */
export interface FanOutBatching {
  /**
   * The most items in one batch.
   * @default - no limit by count (give this, `maxInputBytesPerBatch`, or both)
   */
  readonly maxItemsPerBatch?: number;

  /**
   * The most bytes of items in one batch, up to 256 KiB (262144).
   * @default - no limit by size (give this, `maxItemsPerBatch`, or both)
   */
  readonly maxInputBytesPerBatch?: number;

  /**
   * What every batch receives in `BatchInput`, e.g. values from the state input
   * (`sfn.TaskInput.fromObject({ 'runId.$': '$.runId' })`); must be an object.
   * @default - no `BatchInput`
   */
  readonly batchInput?: sfn.TaskInput;
}

/**
 * Properties of a `FanOutMap`.
 */
export interface FanOutMapProps {
  /** Where the items come from. */
  readonly items: ItemSource;

  /** What runs for each item (or each batch). */
  readonly processor: FanOutProcessor;

  /**
   * The name of the Map state.
   * @default - the construct id
   */
  readonly stateName?: string;

  /**
   * The query language of the states the map creates: that of the workflow it runs in (a JSONata
   * workflow holds JSONata states only). Values given in props (`itemSelector`, a processor's
   * `payload`, `batching.batchInput`, keys and prefixes read at run time) are written in it:
   * `sfn.JsonPath` in JSONPath, `{% %}` expressions in JSONata. `resultPath` keeps its meaning in both.
   * @default sfn.QueryLanguage.JSON_PATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;

  /**
   * A comment for the Map state.
   * @default - none
   */
  readonly comment?: string;

  /**
   * Inline or distributed. A JSON array in the state input may be forced to `DISTRIBUTED` when it is
   * large or each item needs its own execution history; an S3 source is always distributed.
   * @default - `items.defaultMode`: INLINE for `ItemSource.jsonArray`, DISTRIBUTED for S3 sources
   */
  readonly mode?: FanOutMode;

  /**
   * How many items (or batches) run at the same time: from 1 to 40 inline (the service runs at
   * most 40 inline iterations at once), from 1 to 10,000 distributed. Keep it within what the
   * processor's downstream services can take.
   * @default - 40 inline, 1000 distributed
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
   */
  readonly maxConcurrency?: number;

  /**
   * The type of the child executions of a Distributed Map. Express children are priced by duration
   * and suit short (up to 5 minutes), idempotent processors; Standard children are needed for
   * callbacks (`.waitForTaskToken`), `.sync` jobs and Activities.
   * @default - EXPRESS, or STANDARD when the processor waits for callbacks, runs `.sync` jobs or Activities
   */
  readonly childExecutionType?: sfn.StateMachineType;

  /**
   * Groups items into batches that the processor receives whole, as `{ Items: [...], BatchInput }`
   * (distributed mode only). Leave it out to keep a processor that takes one item: the items are
   * then still grouped into child executions (see `itemsPerChildExecution`).
   * @default - the processor receives one item
   */
  readonly batching?: FanOutBatching;

  /**
   * How many items one Express child execution runs, each through the processor on its own, 10 at
   * a time, in distributed mode without `batching`. One child execution costs the parent one
   * state transition, so 100 items a child cost about 1/100 of one child per item (see the cost table
   * in docs/costs.md). A child with a failed item runs its other items to the end and then fails with
   * `FanOutMap.ItemsFailed`; its output (or the failure's cause) lists each item's outcome,
   * `{ Status: 'SUCCEEDED', Output }` or `{ Status: 'FAILED', Failure: { Error, Cause } }`.
   * The batch holds at most 256 KiB of items and its outcomes must fit in the 256 KiB payload
   * limit (about 2.5 KiB of output an item at 100); with 10 items at a time an item has about 30
   * seconds of the 5 minutes an Express child may run. 1 runs each item in its own child.
   * @default - 100 with Express children; 1 with Standard children (billed per state transition, grouping saves nothing)
   *   or when `toleratedFailure` is partial (a count above 0, a percentage between 0 and 100, or read at run time),
   *   since the Map counts every item of a failed child as failed
   */
  readonly itemsPerChildExecution?: number;

  /**
   * How many failed items the map run tolerates before it fails (distributed mode only).
   * @default ToleratedFailure.none()
   */
  readonly toleratedFailure?: ToleratedFailure;

  /**
   * What each item's processor receives instead of the item, as an object
   * (`sfn.TaskInput.fromObject({ 'order.$': '$$.Map.Item.Value', 'runId.$': '$.runId' })`).
   * @default - the item itself
   */
  readonly itemSelector?: sfn.TaskInput;

  /**
   * Where to put the result in the state input. Inline: the array of the items' results.
   * Distributed with results written to S3: `{ MapRunArn, ResultWriterDetails: { Bucket, Key },
   * ItemCounts: { Succeeded, Failed, TimedOut, Aborted, Total, ResultsWritten } }`.
   * @default '$' (the result replaces the input)
   */
  readonly resultPath?: string;

  /**
   * Whether a Distributed Map writes the items' results to S3 (`ResultWriterV2`) and outputs where
   * they are and how many succeeded and failed, instead of returning them all in its output, which
   * fails once the results exceed the 256 KiB payload limit.
   * @default true in distributed mode (results cannot be written in inline mode)
   */
  readonly writeResults?: boolean;

  /**
   * The bucket the results are written to.
   * @default - a bucket is created: private, encrypted (S3 managed keys), TLS only, retained
   */
  readonly resultBucket?: s3.IBucket;

  /**
   * The key prefix of the results (Step Functions adds `/<map run id>/manifest.json` and the result
   * files under it); a string or a JSON path.
   * @default 'fan-out/<label>'
   */
  readonly resultPrefix?: string;

  /**
   * The format of the result files.
   * @default - JSON files with each child's input, output, status and error (Transformation NONE)
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
   */
  readonly resultWriterConfig?: sfn.WriterConfig;

  /**
   * The label of the map runs (distributed mode only): it names the child executions and scopes
   * their IAM permissions. Up to 40 characters, no spaces or special characters.
   * @default - the state name, with other characters than letters, digits, `-` and `_` replaced by `-`, cut to 40
   */
  readonly label?: string;
}

/** The most concurrent iterations of an inline Map. */
const INLINE_MAX_CONCURRENCY = 40;
/** The most concurrent child executions of a Distributed Map. */
const DISTRIBUTED_MAX_CONCURRENCY = 10_000;
/** The Step Functions payload limit, the most bytes a batch may hold. */
const MAX_PAYLOAD_BYTES = 262_144;
/** Items an Express child execution runs by default (bench/fan-out-cost.ts, docs/costs.md "What a fan-out costs"). */
const DEFAULT_ITEMS_PER_CHILD = 100;
/** Items a child execution runs at the same time. */
const ITEMS_AT_ONCE_PER_CHILD = 10;

/**
 * Processes every item of a data set in parallel, from a few items in the state input to millions
 * of records in Amazon S3, with a Lambda function or any chain of states.
 *
 * The mode follows the source: an inline Map for a JSON array in the state input, a Distributed Map
 * (Express children, results written to S3, an output with the item counts) for S3 sources. The
 * state machine is granted exactly what the map needs: read on the source, write on the results
 * (KMS keys included), and the start, describe and stop of its own child executions.
 *
 * A `StateMachineFragment`: chain it into any definition.
 */
export class FanOutMap extends sfn.StateMachineFragment {
  /** The most concurrent iterations of an inline Map (a service limit). */
  public static readonly INLINE_MAX_CONCURRENCY = INLINE_MAX_CONCURRENCY;

  /** The most concurrent child executions of a Distributed Map (a service limit). */
  public static readonly DISTRIBUTED_MAX_CONCURRENCY = DISTRIBUTED_MAX_CONCURRENCY;

  /** How many items an Express child execution runs by default, each through the processor. */
  public static readonly DEFAULT_ITEMS_PER_CHILD_EXECUTION = DEFAULT_ITEMS_PER_CHILD;

  /** The error of a child execution in which an item failed (`itemsPerChildExecution` above 1). */
  public static readonly ITEMS_FAILED_ERROR = 'FanOutMap.ItemsFailed';

  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  /** The Map state (an `sfn.Map` inline, an `sfn.DistributedMap` distributed). */
  public readonly mapState: sfn.MapBase;

  /** Inline or distributed. */
  public readonly mode: FanOutMode;

  /** The query language of the states the map creates. */
  public readonly queryLanguage: sfn.QueryLanguage;

  /** How many items (or batches) run at the same time. */
  public readonly maxConcurrency: number;

  /** The type of the child executions (distributed mode). `undefined` inline. */
  public readonly childExecutionType?: sfn.StateMachineType;

  /** The bucket results are written to (distributed mode). `undefined` when they are not. */
  public readonly resultBucket?: s3.IBucket;

  /** The key prefix of the results. `undefined` when they are not written. */
  public readonly resultPrefix?: string;

  /** The label of the map runs (distributed mode). */
  public readonly label?: string;

  /**
   * How many items one child execution runs, each through the processor, in distributed mode
   * without `batching`. `undefined` inline or with `batching`.
   */
  public readonly itemsPerChildExecution?: number;

  /** The task that reads the item counts of the map run, when results are written to S3. */
  public readonly summaryState?: tasks.CallAwsService;

  private readonly map: sfn.Map | sfn.DistributedMap;

  constructor(scope: Construct, id: string, props: FanOutMapProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`FanOutMap '${id}': ${message}`);
    };
    requiredProps(props, `FanOutMap '${id}'`, ['items', 'processor']);
    checkProps(`FanOutMap '${id}'`, 'FanOutMapProps', props);
    ownsStates(this, 'FanOutMap');
    required(props.items, `FanOutMap '${id}'`, 'items', "give the item source, such as ItemSource.jsonArray('$.items')");
    required(props.processor, `FanOutMap '${id}'`, 'processor', 'give the processor of each item: FanOutProcessor.lambda(fn) or FanOutProcessor.chain(states)');
    const stateName = props.stateName ?? id;
    const source = props.items;
    const sourceErrors = source._validate();
    if (sourceErrors.length > 0) fail(sourceErrors.join('; '));
    this.queryLanguage = props.queryLanguage ?? sfn.QueryLanguage.JSON_PATH;
    const jsonata = this.queryLanguage === sfn.QueryLanguage.JSONATA;
    const language = new FanOutLanguage(id, this.queryLanguage);
    language.check(props, source, fail, Stack.of(this));

    this.mode = props.mode ?? source.defaultMode;
    const distributed = this.mode === FanOutMode.DISTRIBUTED;
    if (!distributed && source.bucket) {
      fail(`${source} is read by a Distributed Map only (got mode INLINE); leave mode out or use FanOutMode.DISTRIBUTED`);
    }
    const onlyDistributed = (what: string, fix: string) =>
      fail(`${what} applies to a Distributed Map only, and this one is inline (items from ${source}); ${fix}, or set mode: FanOutMode.DISTRIBUTED`);
    if (!distributed) {
      if (props.batching) onlyDistributed('batching', 'remove batching');
      if (props.toleratedFailure) onlyDistributed(`toleratedFailure (${props.toleratedFailure})`, 'catch the errors of the items instead (catchErrors)');
      if (props.writeResults || props.resultBucket || props.resultPrefix || props.resultWriterConfig) onlyDistributed('writing results to S3', 'remove the result options');
      if (props.childExecutionType) onlyDistributed('childExecutionType', 'remove it');
      if (props.label !== undefined) onlyDistributed('label', 'remove it');
      if (props.itemsPerChildExecution !== undefined) onlyDistributed('itemsPerChildExecution', 'remove it');
    }
    if (props.batching && props.itemsPerChildExecution !== undefined) {
      fail(`batching and itemsPerChildExecution (${props.itemsPerChildExecution}) exclude each other: batching hands the processor a whole batch, itemsPerChildExecution groups items that the processor still takes one by one; keep one of them`);
    }
    const perChild = props.itemsPerChildExecution;
    if (perChild !== undefined && !Token.isUnresolved(perChild) && (!Number.isInteger(perChild) || perChild < 1)) {
      fail(`itemsPerChildExecution must be a whole number, at least 1 (got ${perChild})`);
    }

    const maxConcurrency = props.maxConcurrency ?? (distributed ? 1000 : INLINE_MAX_CONCURRENCY);
    const limit = distributed ? DISTRIBUTED_MAX_CONCURRENCY : INLINE_MAX_CONCURRENCY;
    if (!Token.isUnresolved(maxConcurrency) && (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > limit)) {
      fail(`maxConcurrency must be a whole number from 1 to ${limit} in ${this.mode} mode (got ${maxConcurrency})`
        + (distributed ? '' : '; an inline Map runs at most 40 iterations at once, use mode: FanOutMode.DISTRIBUTED for more'));
    }
    this.maxConcurrency = maxConcurrency;

    // Every derived name is '<id>: <what>', like a Saga's '<id>: begin': '<id>: each item' was '<id> item', which read 'Assess line items item'.
    const processorSuffix = `: each ${props.batching ? 'batch' : 'item'}`;
    const nameOwner = `FanOutMap '${id}'`;
    const nameBase = props.stateName !== undefined ? 'stateName' : 'id (or stateName)';
    // The processor's state, and the Pass that records an item's failure (fan-out-processor.ts).
    checkDerivedStateNames(nameOwner, nameBase, stateName, ['', processorSuffix, `${processorSuffix} failed`]);
    const processorName = `${stateName}${processorSuffix}`;
    const processor = props.processor._bind(this, processorName, this.queryLanguage, language.declare);
    if (!processor || !processor.startState) {
      fail('the processor is empty; give a Lambda function (FanOutProcessor.lambda) or a chain of states (FanOutProcessor.chain)');
    }
    const stack = Stack.of(this);
    const states = graphStates(stack, processor!);
    if (!states.some(s => s.json.Type === 'Task' || s.json.Type === 'Map' || s.json.Type === 'Parallel')) {
      fail(`the processor does no work (its states: ${states.map(s => `'${s.name}' (${s.json.Type})`).join(', ')}); add a Task, Map or Parallel state to it, or use FanOutProcessor.lambda`);
    }

    const itemSelector = this.objectOf(props.itemSelector, 'itemSelector');
    if (!distributed) {
      const map = language.declare(new sfn.Map(this, 'Resource', {
        stateName,
        comment: props.comment,
        queryLanguage: this.queryLanguage,
        ...language.items(source.itemsPath),
        itemSelector,
        maxConcurrency,
        ...language.resultAt(props.resultPath),
      }));
      map.itemProcessor(processor!);
      this.map = map;
      this.mapState = map;
      this.startState = map;
      this.endStates = [map];
      return;
    }

    // Distributed mode.
    const needsStandard = states.map(s => ({ s, issue: expressIssue(stack, s) })).find(x => x.issue);
    if (needsStandard && props.childExecutionType === sfn.StateMachineType.EXPRESS) {
      fail(`state '${needsStandard.s.name}' of the processor ${needsStandard.issue!.what}, which an Express child execution cannot ${needsStandard.issue!.verb}; `
        + 'leave childExecutionType out (STANDARD children are then used) or set it to sfn.StateMachineType.STANDARD');
    }
    this.childExecutionType = props.childExecutionType ?? (needsStandard ? sfn.StateMachineType.STANDARD : sfn.StateMachineType.EXPRESS);
    if (!props.batching) this.itemsPerChildExecution = this.defaultItemsPerChild(props);

    const label = props.label ?? defaultLabel(stateName);
    if (!Token.isUnresolved(label) && (label.length === 0 || label.length > 40 || !/^[A-Za-z0-9_-]+$/.test(label))) {
      fail(`label must be 1 to 40 letters, digits, '-' or '_' (got '${label}')`);
    }
    this.label = label;

    const grouped = (this.itemsPerChildExecution ?? 1) !== 1;
    checkDerivedStateNames(nameOwner, nameBase, stateName, [
      ...(grouped ? [': item outcome', ': item error', ': items', ': items failed', ': items done', ': any item failed?'] : []),
      ...((props.writeResults ?? true) ? [': summary'] : []),
    ]);
    const batcher = props.batching ? this.itemBatcher(props.batching, fail)
      : grouped ? new sfn.ItemBatcher({ maxItemsPerBatch: this.itemsPerChildExecution, maxInputBytesPerBatch: MAX_PAYLOAD_BYTES }) : undefined;
    // With items grouped, maxConcurrency still counts items: children x items at once in each.
    const atOnce = !grouped ? 1 : Math.min(ITEMS_AT_ONCE_PER_CHILD,
      Token.isUnresolved(this.itemsPerChildExecution) ? ITEMS_AT_ONCE_PER_CHILD : this.itemsPerChildExecution!,
      Token.isUnresolved(maxConcurrency) ? ITEMS_AT_ONCE_PER_CHILD : maxConcurrency);
    const children = atOnce === 1 || Token.isUnresolved(maxConcurrency) ? maxConcurrency : Math.ceil(maxConcurrency / atOnce);
    const tolerance = this.tolerance(props.toleratedFailure, fail);

    const writeResults = props.writeResults ?? true;
    if (!writeResults && (props.resultBucket || props.resultPrefix || props.resultWriterConfig)) {
      fail('result options are set but writeResults is false; remove them or write the results');
    }
    const statements: iam.PolicyStatement[] = [];
    let writer: sfn.ResultWriterV2 | undefined;
    if (writeResults) {
      this.resultBucket = props.resultBucket ?? this.createResultBucket();
      this.resultPrefix = props.resultPrefix ?? `fan-out/${label}`;
      writer = new sfn.ResultWriterV2({
        bucket: this.resultBucket,
        prefix: this.resultPrefix,
        writerConfig: props.resultWriterConfig ?? new sfn.WriterConfig({ outputType: sfn.OutputType.JSON, transformation: sfn.Transformation.NONE }),
      });
      statements.push(...writeStatements(this.resultBucket, this.resultPrefix));
    }

    const map = new FanOutDistributedMap(this, 'Resource', {
      stateName,
      comment: props.comment,
      queryLanguage: this.queryLanguage,
      ...(source.bucket ? {} : language.items(source.itemsPath)),
      itemReader: source._reader(),
      itemSelector,
      itemBatcher: batcher,
      maxConcurrency: children,
      mapExecutionType: this.childExecutionType,
      label,
      ...language.resultAt(props.resultPath),
      ...tolerance,
    }, writer, statements);
    map.itemProcessor(grouped ? this.groupedProcessor(stateName, processor!, atOnce, language) : processor!);
    language.declare(map);
    this.map = map;
    this.mapState = map;
    this.startState = map;
    this.endStates = [map];

    const resultPath = props.resultPath ?? '$';
    if (writer && resultPath !== sfn.JsonPath.DISCARD) {
      const at = resultPath === '$' ? '$' : resultPath;
      const common = {
        stateName: `${stateName}: summary`,
        comment: 'Reads how many items succeeded and failed (DescribeMapRun)',
        service: 'sfn',
        action: 'describeMapRun',
        iamAction: 'states:DescribeMapRun',
        iamResources: [mapRunArn(label)],
      };
      const counts = ['Succeeded', 'Failed', 'TimedOut', 'Aborted', 'Total', 'ResultsWritten'];
      this.summaryState = language.declare(jsonata
        ? tasks.CallAwsService.jsonata(this, 'Summary', {
          ...common,
          parameters: { MapRunArn: `{% ${readAtPath('$states.input', at)}.MapRunArn %}` },
          outputs: `{% ${setAtPath('$states.input', `${at}.ItemCounts`, `{${counts.map(c => `"${c}": $states.result.ItemCounts.${c}`).join(', ')}}`)} %}`,
        })
        : tasks.CallAwsService.jsonPath(this, 'Summary', {
          ...common,
          parameters: { MapRunArn: sfn.JsonPath.stringAt(`${at}.MapRunArn`) },
          resultSelector: Object.fromEntries(counts.map(c => [c, sfn.JsonPath.numberAt(`$.ItemCounts.${c}`)])),
          resultPath: `${at}.ItemCounts`,
        }));
      this.summaryState.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      map.next(this.summaryState);
      this.endStates = [this.summaryState];
    }

    this.suppressWildcardFindings(source, statements);
  }

  /**
   * Sends the errors of the map (the map run failed, or exceeded its tolerated failures) and of
   * the summary to a handler.
   *
   * @returns this, to chain
   */
  public addCatch(handler: sfn.IChainable, props: sfn.CatchProps = {}): FanOutMap {
    required(handler, `FanOutMap '${this.node.id}': addCatch`, 'handler', 'give the state to go to when the map fails');
    this.map.addCatch(handler, props);
    this.summaryState?.addCatch(handler, props);
    return this;
  }

  /**
   * Retries the whole map on the given errors (a distributed map run restarts from the beginning).
   *
   * @returns this, to chain
   */
  public addRetry(props: sfn.RetryProps = {}): FanOutMap {
    this.map.addRetry(props);
    return this;
  }

  /**
   * Grants the right to read the results written to S3 (and decrypt them).
   */
  public grantReadResults(grantee: iam.IGrantable): iam.Grant {
    required(grantee, `FanOutMap '${this.node.id}': grantReadResults`, 'grantee', 'give the role or function to grant (an iam.IGrantable)');
    if (!this.resultBucket) {
      throw new Error(`FanOutMap '${this.node.id}': grantReadResults needs results written to S3 (this map is ${this.mode}${this.mode === FanOutMode.DISTRIBUTED ? ' with writeResults: false' : ''}); its results are in the state output`);
    }
    const prefix = this.resultPrefix !== undefined && !isDynamic(this.resultPrefix) ? `${this.resultPrefix}/*` : '*';
    return this.resultBucket.grantRead(grantee, prefix);
  }

  /**
   * How many items a child runs when the user has not batched: 100 for Express children, unless
   * a partial tolerance needs each failed item counted alone; 1 for Standard children.
   */
  private defaultItemsPerChild(props: FanOutMapProps): number {
    if (props.itemsPerChildExecution !== undefined) return props.itemsPerChildExecution;
    if (this.childExecutionType === sfn.StateMachineType.STANDARD) return 1;
    const tolerated = props.toleratedFailure;
    if (tolerated && isPartial(tolerated)) {
      Annotations.of(this).addWarningV2('cdk-workflow-patterns:fanOutOneItemPerChild',
        `FanOutMap '${this.node.id}': toleratedFailure (${tolerated}) counts failed items, and a Distributed Map counts every item of a failed child execution as failed, `
        + `so each item runs in its own child execution, which costs Step Functions about ${DEFAULT_ITEMS_PER_CHILD} times more than the default of ${DEFAULT_ITEMS_PER_CHILD} items a child; `
        + `set itemsPerChildExecution (${DEFAULT_ITEMS_PER_CHILD}, say) to accept that a failed item counts its whole child against the tolerance, or leave toleratedFailure out`);
      return 1;
    }
    return DEFAULT_ITEMS_PER_CHILD;
  }

  /**
   * The definition of a child execution that runs a group of items, each through the processor,
   * with each item's outcome recorded; the child fails after all its items ran if one failed.
   */
  private groupedProcessor(stateName: string, processor: sfn.IChainable, atOnce: number, language: FanOutLanguage): sfn.IChainable {
    const jsonata = language.isJsonata;
    const { declare } = language;
    const queryLanguage = this.queryLanguage;
    const outcomeProps = { stateName: `${stateName}: item outcome`, comment: 'Runs one item through the processor and records its outcome', queryLanguage };
    const outcome = declare(jsonata
      ? new sfn.Parallel(this, 'ItemOutcome', { ...outcomeProps, outputs: '{% {"Status": "SUCCEEDED", "Output": $states.result[0]} %}' })
      : new sfn.Parallel(this, 'ItemOutcome', { ...outcomeProps, resultSelector: { Status: 'SUCCEEDED', Output: sfn.JsonPath.objectAt('$[0]') } }));
    outcome.branch(processor);
    const errorProps = { stateName: `${stateName}: item error`, comment: 'Records the error of an item; the other items go on', queryLanguage };
    const failed = declare(jsonata
      ? new sfn.Pass(this, 'ItemError', { ...errorProps, outputs: '{% {"Status": "FAILED", "Failure": $states.input} %}' })
      : new sfn.Pass(this, 'ItemError', { ...errorProps, parameters: { Status: 'FAILED', Failure: sfn.JsonPath.objectAt('$') } }));
    outcome.addCatch(failed, { errors: ['States.ALL'] });
    const itemsProps = { stateName: `${stateName}: items`, comment: 'Runs each item of the child execution through the processor', maxConcurrency: atOnce, queryLanguage };
    const items = declare(jsonata
      ? new sfn.Map(this, 'Items', {
        ...itemsProps,
        items: sfn.ProvideItems.jsonata('{% $states.input.Items %}'),
        // The outcomes as an array (one failed item would otherwise come out of the filter alone).
        outputs: '{% {"Results": $states.result, "Failed": [$states.result[Status = "FAILED"]]} %}',
      })
      : new sfn.Map(this, 'Items', {
        ...itemsProps,
        itemsPath: '$.Items',
        resultSelector: { Results: sfn.JsonPath.objectAt('$'), Failed: sfn.JsonPath.listAt("$[?(@.Status == 'FAILED')]") },
      }));
    items.itemProcessor(outcome);
    declare(items);
    const failedProps = {
      stateName: `${stateName}: items failed`,
      comment: 'Fails the child execution, with the outcome of each of its items as the cause',
      error: FanOutMap.ITEMS_FAILED_ERROR,
      queryLanguage,
    };
    const batchFailed = declare(jsonata
      ? new sfn.Fail(this, 'ItemsFailed', { ...failedProps, cause: '{% $string($states.input.Results) %}' })
      : new sfn.Fail(this, 'ItemsFailed', { ...failedProps, causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.Results')) }));
    const doneProps = { stateName: `${stateName}: items done`, comment: 'Outputs the outcome of each item', queryLanguage };
    const done = declare(jsonata
      ? new sfn.Succeed(this, 'ItemsDone', { ...doneProps, outputs: '{% $states.input.Results %}' })
      : new sfn.Succeed(this, 'ItemsDone', { ...doneProps, outputPath: '$.Results' }));
    const anyFailed = declare(new sfn.Choice(this, 'AnyItemFailed', { stateName: `${stateName}: any item failed?`, queryLanguage }));
    return items.next(anyFailed
      .when(jsonata ? sfn.Condition.jsonata('{% $count($states.input.Failed) > 0 %}') : sfn.Condition.isPresent('$.Failed[0]'), batchFailed)
      .otherwise(done));
  }

  private objectOf(input: sfn.TaskInput | undefined, what: string): { [key: string]: any } | undefined {
    if (input === undefined) return undefined;
    if (input.type !== sfn.InputType.OBJECT) {
      throw new Error(`FanOutMap '${this.node.id}': ${what} must be an object (sfn.TaskInput.fromObject), got ${sfn.InputType[input.type]}`);
    }
    return input.value;
  }

  private itemBatcher(batching: FanOutBatching, fail: (message: string) => never): sfn.ItemBatcher {
    const { maxItemsPerBatch, maxInputBytesPerBatch } = batching;
    if (maxItemsPerBatch === undefined && maxInputBytesPerBatch === undefined) {
      fail('batching needs maxItemsPerBatch, maxInputBytesPerBatch or both');
    }
    if (maxItemsPerBatch !== undefined && !Token.isUnresolved(maxItemsPerBatch) && (!Number.isInteger(maxItemsPerBatch) || maxItemsPerBatch < 1)) {
      fail(`maxItemsPerBatch must be a whole number, at least 1 (got ${maxItemsPerBatch})`);
    }
    if (maxInputBytesPerBatch !== undefined && !Token.isUnresolved(maxInputBytesPerBatch)
      && (!Number.isInteger(maxInputBytesPerBatch) || maxInputBytesPerBatch < 1 || maxInputBytesPerBatch > MAX_PAYLOAD_BYTES)) {
      fail(`maxInputBytesPerBatch must be a whole number from 1 to ${MAX_PAYLOAD_BYTES} (256 KiB, the payload limit) (got ${maxInputBytesPerBatch})`);
    }
    return new sfn.ItemBatcher({
      maxItemsPerBatch,
      maxInputBytesPerBatch,
      batchInput: this.objectOf(batching.batchInput, 'batching.batchInput'),
    });
  }

  private tolerance(tolerated: ToleratedFailure | undefined, fail: (message: string) => never): Partial<sfn.DistributedMapProps> {
    if (!tolerated || tolerated.kind === 'none') return {};
    const { kind, value, path } = tolerated;
    if (path !== undefined) {
      if (!Token.isUnresolved(path) && !path.startsWith('$')) fail(`the tolerated failure ${kind} path must be a JSON path starting with '$' (got '${path}')`);
      return kind === 'percentage' ? { toleratedFailurePercentagePath: path } : { toleratedFailureCountPath: path };
    }
    if (kind === 'percentage') {
      if (!Token.isUnresolved(value) && !(value! >= 0 && value! <= 100)) fail(`the tolerated failure percentage must be from 0 to 100 (got ${value})`);
      return { toleratedFailurePercentage: value };
    }
    if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value! < 0)) fail(`the tolerated failure count must be a whole number, 0 or more (got ${value})`);
    return { toleratedFailureCount: value };
  }

  private createResultBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Results', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppressNag(bucket, [{
      id: 'AwsSolutions-S1',
      reason: 'The fan-out results bucket is written only by the state machine role and read by those granted grantReadResults; give resultBucket to use a bucket with server access logs.',
    }]);
    return bucket;
  }

  /**
   * The state machine's role gets the map's S3 statements; those with a wildcard (objects under a
   * prefix, or a key read at run time) are suppressed for cdk-nag by their exact resource.
   */
  private suppressWildcardFindings(source: ItemSource, writes: iam.PolicyStatement[]): void {
    const stack = Stack.of(this);
    const findings = (statements: iam.PolicyStatement[]) => wildcardResourceFindings(statements.map(s => stack.resolve(s.toStatementJson())));
    const reads = findings(source._readStatements());
    const written = findings(writes);
    suppressNagInStack(this, [
      {
        id: 'AwsSolutions-IAM5',
        reason: `FanOutMap '${this.node.path}' reads the objects its Distributed Map lists at run time (an S3 Inventory's data files, or a key taken from the state input), so s3:GetObject is granted on those objects only, by prefix.`,
        appliesTo: reads,
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: `FanOutMap '${this.node.path}' writes its results under a key prefix to which Step Functions adds the map run id, so write access is granted on the objects under that prefix only.`,
        appliesTo: written,
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: `FanOutMap '${this.node.path}' reads the item counts of its map runs, whose ARNs end with a run id known only at run time; access is limited to the runs labelled '${this.label}'.`,
        appliesTo: this.summaryState ? findings([new iam.PolicyStatement({ actions: ['states:DescribeMapRun'], resources: [mapRunArn(this.label!)] })]) : [],
      },
    ]);
  }
}

/**
 * A Distributed Map that renders `ResultWriterV2` whatever the feature flag
 * `@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2` says, and grants the state machine
 * the statements given (the results bucket's, KMS included) instead of CDK's bucket-wide ones.
 */
class FanOutDistributedMap extends sfn.DistributedMap {
  constructor(scope: Construct, id: string, props: sfn.DistributedMapProps,
    private readonly writer: sfn.ResultWriterV2 | undefined, private readonly statements: iam.PolicyStatement[]) {
    super(scope, id, props);
  }

  public toStateJson(queryLanguage?: sfn.QueryLanguage): object {
    const json = super.toStateJson(queryLanguage) as Record<string, unknown>;
    // The writer is written in the map's own language, which may differ from the state machine's.
    return this.writer ? { ...json, ResultWriter: this.writer.render(this.queryLanguage ?? queryLanguage) } : json;
  }

  protected whenBoundToGraph(graph: sfn.StateGraph): void {
    super.whenBoundToGraph(graph);
    for (const statement of this.statements) graph.registerPolicyStatement(statement);
  }

  protected validateState(): string[] {
    return [...super.validateState(), ...(this.writer?.validateResultWriter() ?? [])];
  }
}

/** Write access to the results: the objects under the prefix, and the bucket's KMS key. */
function writeStatements(bucket: s3.IBucket, prefix: string): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(isDynamic(prefix) ? '*' : `${prefix}/*`)],
  })];
  if (bucket.encryptionKey) {
    statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [bucket.encryptionKey.keyArn] }));
  }
  return statements;
}

/** The ARN of the map runs with this label, in any state machine of the account and region. */
function mapRunArn(label: string): string {
  return Arn.format({
    partition: Aws.PARTITION,
    service: 'states',
    region: Aws.REGION,
    account: Aws.ACCOUNT_ID,
    resource: 'mapRun',
    resourceName: `*/${label}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** A tolerance between none and all: a Map that groups items could only count it by child execution. */
function isPartial(tolerated: ToleratedFailure): boolean {
  if (tolerated.kind === 'none') return false;
  if (tolerated.path !== undefined || Token.isUnresolved(tolerated.value)) return true;
  return tolerated.kind === 'count' ? tolerated.value !== 0 : tolerated.value !== 0 && tolerated.value !== 100;
}

function defaultLabel(stateName: string): string {
  return stateName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
}
