/**
 * Distributed Map: item readers (S3 listings, JSON, JSON Lines, CSV, S3 inventory manifests),
 * ItemsPath and ItemSelector, item batching, MaxConcurrency, tolerated failures, the ResultWriter's
 * S3 layout, the Map Run events of the parent history, and how child executions are billed.
 */
import { CONFORMANCE_START, ConformanceCase } from './case';
import { all, DOC, first, INVOKE, json, LS } from './helpers';
import type { ExecutionResult, TaskRequest } from '../../../src/engine/types';
import { TaskError, TaskOutcome } from '../../../src/engine/types';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:worker';
const SCN = `${LS}scenarios/test_base_scenarios.snapshot.json#`;
const DOC_MAP = `${DOC}state-map-distributed.html`;
const DOC_READER = `${DOC}input-output-itemreader.html`;
const DOC_BATCHER = `${DOC}input-output-itembatcher.html`;
const DOC_WRITER = `${DOC}input-output-resultwriter.html`;

const BUCKET = 'items-bucket';
const RESULTS = 'result-bucket';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAP_RUN_ARN = /^arn:aws:states:us-east-1:123456789012:mapRun:LocalStateMachine\/[^/:]+:[0-9a-f-]+$/;

/** The parent history of a Distributed Map that is the only state and succeeds. */
const DM_OK = ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded',
  'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded'];
/** ...and the one whose Map Run fails (reader failure, tolerated failure threshold exceeded). */
const DM_FAILED = ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunFailed',
  'MapStateFailed', 'ExecutionFailed'];

const pass = { StartAt: 'PassItem', States: { PassItem: { Type: 'Pass', End: true } } };
/** A child workflow that calls the worker function with its input and returns the function's payload. */
const work = {
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: INVOKE, Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } },
};
const processor = (states: object = pass, executionType: 'STANDARD' | 'EXPRESS' = 'STANDARD') => ({
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType },
  ...states,
});
/** A Distributed Map state (End: true unless `extra` says otherwise). */
const dmap = (extra: Record<string, unknown> = {}, states: object = pass, executionType: 'STANDARD' | 'EXPRESS' = 'STANDARD') => {
  const state: Record<string, unknown> = { Type: 'Map', ItemProcessor: processor(states, executionType), End: true, ...extra };
  if ('Next' in extra) delete state.End;
  return state;
};
const single = (state: object, name = 'MapState', top: object = {}) => ({ ...top, StartAt: name, States: { [name]: state } });

const getObject = (readerConfig: object) => ({
  Resource: 'arn:aws:states:::s3:getObject',
  ReaderConfig: readerConfig,
  Parameters: { 'Bucket.$': '$.Bucket', 'Key.$': '$.Key' },
});
const csvReader = (readerConfig: object = {}) => getObject({ InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', ...readerConfig });

const detail = (r: ExecutionResult, type: string, key: string) => first(r, type)[key] as Record<string, any>;
const run = (r: ExecutionResult, n = 0) => {
  const m = r.mapRuns[n];
  if (!m) throw new Error(`no map run #${n} (${r.mapRuns.length} recorded)`);
  return m;
};
/** The map run id: the last part of its ARN, as ResultWriter keys use it. */
const runId = (r: ExecutionResult) => run(r).mapRunArn.split(':').pop()!;
/** Seconds from the start of the parent to each child's start, in the order the children started. */
const childStarts = (r: ExecutionResult) => run(r).executions.map(e => (new Date(e.startDate).getTime() - CONFORMANCE_START.getTime()) / 1000);
/** The input a child execution was started with. */
const childInput = (e: ExecutionResult) => json((e.events[0].executionStartedEventDetails as any).input);
const readJson = (s3: { getText(b: string, k: string): string | undefined }, bucket: string, key: string) => {
  const text = s3.getText(bucket, key);
  if (text === undefined) throw new Error(`no object s3://${bucket}/${key}`);
  return JSON.parse(text);
};

/** The worker echoes its input after `seconds` (default 0); it fails items that carry `fail: true`. */
const worker = (seconds: (input: any) => number = () => 0) => (req: TaskRequest) => {
  if (req.input && typeof req.input === 'object' && req.input.fail) throw new TaskError('Item.Failed', `item ${req.input.id} failed`);
  return TaskOutcome.succeed(req.input, { afterSeconds: seconds(req.input) });
};

const VERDICTS = [
  { verdict: 'true', statement_date: '6/11/2008', statement_source: 'speech' },
  { verdict: 'false', statement_date: '6/7/2022', statement_source: 'television' },
  { verdict: 'mostly-true', statement_date: '5/18/2016', statement_source: 'news' },
];
const CSV_FIRST_ROW = 'Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,\'HelloWorld\'\nNull,None,\n   \n';
const CSV_NO_HEADER = 'Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,\'HelloWorld\'\nNull,None,\n   \n';
const CSV_FOUR = 'Col1,Col2\nValue1,Value2\nValue3,Value4\nValue5,Value6\nValue7,Value8\n';
const FOUR_ROWS = [
  { Col1: 'Value1', Col2: 'Value2' }, { Col1: 'Value3', Col2: 'Value4' },
  { Col1: 'Value5', Col2: 'Value6' }, { Col1: 'Value7', Col2: 'Value8' },
];
const csvInput = { Bucket: BUCKET, Key: 'file.csv' };
const jsonInput = { Bucket: BUCKET, Key: 'file.json' };
const maxConcurrent = (r: ExecutionResult) => run(r).maxConcurrentExecutions;

/** Items that are ~100 bytes each once serialised. */
const bulky = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `${i}`.padEnd(90, 'x') }));

export const cases: ConformanceCase[] = [
  // ---------------------------------------------------------------- ItemReader: s3:listObjectsV2
  {
    name: 'distributed map: listObjectsV2 reader - each listed object is an item {Etag, Key, LastModified, Size, StorageClass}, MapStateStarted length 0',
    source: `${SCN}test_map_item_reader_base_list_objects_v2`,
    definition: single(dmap({
      MaxConcurrency: 1,
      ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { 'Bucket.$': '$.Bucket' } },
    })),
    input: { Bucket: BUCKET },
    s3: { [BUCKET]: { 'file_0.txt': '0HelloWorld!', 'file_1.txt': '1HelloWorld!', 'file_2.txt': '2HelloWorld!' } },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: DM_OK,
      output: [0, 1, 2].map(i => ({ Etag: expect.any(String), LastModified: expect.any(String), Key: `file_${i}.txt`, Size: 12, StorageClass: 'STANDARD' })),
      check: r => {
        expect(detail(r, 'MapStateStarted', 'mapStateStartedEventDetails')).toEqual({ length: 0 });
        expect(detail(r, 'MapRunStarted', 'mapRunStartedEventDetails').mapRunArn).toBe(run(r).mapRunArn);
        expect(run(r).mapRunArn).toMatch(MAP_RUN_ARN);
        expect(run(r).itemCounts).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
      },
    },
  },
  {
    name: 'distributed map: listObjectsV2 reader with a Prefix lists only the keys under it',
    source: DOC_READER,
    definition: single(dmap({
      ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: BUCKET, Prefix: 'in/' } },
      ItemSelector: { 'key.$': '$$.Map.Item.Value.Key', 'size.$': '$$.Map.Item.Value.Size' },
    })),
    s3: { [BUCKET]: { 'in/a.txt': 'aa', 'in/b.txt': 'bbb', 'out/c.txt': 'c', 'inbox.txt': 'dddd' } },
    expect: { status: 'SUCCEEDED', output: [{ key: 'in/a.txt', size: 2 }, { key: 'in/b.txt', size: 3 }] },
  },

  // ---------------------------------------------------------------- ItemReader: JSON
  {
    name: 'distributed map: JSON reader - each element of the array in the object is an item',
    source: `${SCN}test_map_item_reader_base_json`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: getObject({ InputType: 'JSON' }) })),
    input: jsonInput,
    s3: { [BUCKET]: { 'file.json': JSON.stringify(VERDICTS) } },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: DM_OK,
      output: VERDICTS,
      check: r => expect(detail(r, 'MapStateStarted', 'mapStateStartedEventDetails')).toEqual({ length: 0 }),
    },
  },
  {
    name: 'distributed map: JSON reader, MaxItems 2 reads the first two items only',
    source: `${SCN}test_map_item_reader_base_json_max_items`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: getObject({ InputType: 'JSON', MaxItems: 2 }) })),
    input: jsonInput,
    s3: { [BUCKET]: { 'file.json': JSON.stringify([VERDICTS[0], VERDICTS[0], VERDICTS[0]]) } },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: DM_OK,
      output: [VERDICTS[0], VERDICTS[0]],
      check: r => expect(run(r).itemCounts.total).toBe(2),
    },
  },
  {
    name: 'distributed map: JSON reader over an object that is not an array fails the Map Run with States.ItemReaderFailed',
    source: `${SCN}test_map_item_reader_json_no_json_list_object`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: getObject({ InputType: 'JSON' }) })),
    input: jsonInput,
    s3: { [BUCKET]: { 'file.json': JSON.stringify({ Hello: 'world' }) } },
    expect: {
      status: 'FAILED',
      error: 'States.ItemReaderFailed',
      cause: 'Attempting to map over non-iterable node.',
      eventTypes: DM_FAILED,
      check: r => expect(detail(r, 'MapRunFailed', 'mapRunFailedEventDetails')).toMatchObject({
        error: 'States.ItemReaderFailed', cause: 'Attempting to map over non-iterable node.',
      }),
    },
  },
  {
    name: 'distributed map: JSONata ItemReader with Arguments and a JSONata MaxItems',
    source: `${SCN}test_map_item_reader_base_json_max_items_jsonata`,
    definition: single(dmap({
      MaxConcurrency: 1,
      ItemReader: {
        ReaderConfig: { InputType: 'JSON', MaxItems: '{% $maxItems := 2 %}' },
        Resource: 'arn:aws:states:::s3:getObject',
        Arguments: { Bucket: '{% $states.input.Bucket %}', Key: '{% $states.input.Key %}' },
      },
    }), 'MapState', { QueryLanguage: 'JSONata' }),
    input: { ...jsonInput, MaxItems: 2 },
    s3: { [BUCKET]: { 'file.json': JSON.stringify(VERDICTS) } },
    expect: { status: 'SUCCEEDED', eventTypes: DM_OK, output: VERDICTS.slice(0, 2) },
  },
  {
    name: 'distributed map: with an ItemReader, ItemsPath does not select from the state input',
    source: `${SCN}test_map_item_reader_base_json_with_items_path[VALID_ITEMS_PATH_FROM_PREVIOUS]`,
    definition: {
      StartAt: 'LoadState',
      States: {
        LoadState: { Type: 'Pass', Parameters: { 'Bucket.$': '$.Bucket', 'Key.$': '$.Key', 'from_previous': ['from-previous-item-0'] }, Next: 'MapState' },
        MapState: dmap({ MaxConcurrency: 1, ItemsPath: '$.from_previous', ItemReader: getObject({ InputType: 'JSON' }) }),
      },
    },
    input: { ...jsonInput, from_input_items: ['input-item-0'] },
    s3: { [BUCKET]: { 'file.json': JSON.stringify([['from-bucket-item-0']]) } },
    expect: { status: 'SUCCEEDED', output: [['from-bucket-item-0']] },
  },

  // ---------------------------------------------------------------- ItemReader: JSONL, CSV, MANIFEST
  {
    name: 'distributed map: JSONL reader - each line is an item',
    source: DOC_READER,
    definition: single(dmap({ ItemReader: getObject({ InputType: 'JSONL' }) })),
    input: { Bucket: BUCKET, Key: 'file.jsonl' },
    s3: { [BUCKET]: { 'file.jsonl': VERDICTS.map(v => JSON.stringify(v)).join('\n') + '\n' } },
    expect: { status: 'SUCCEEDED', eventTypes: DM_OK, output: VERDICTS },
  },
  {
    name: 'distributed map: CSV reader, CSVHeaderLocation FIRST_ROW - every value a string, short rows padded with "", extra fields dropped',
    source: `${SCN}test_map_item_reader_base_csv_headers_first_line`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader() })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': CSV_FIRST_ROW } },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: DM_OK,
      output: [
        { Col1: 'Value1', Col2: 'Value2', Col3: 'Value3' },
        { Col1: 'Value4', Col2: 'Value5', Col3: 'Value6' },
        { Col1: '', Col2: '', Col3: '' },
        { Col1: 'true', Col2: '1', Col3: '\'HelloWorld\'' },
        { Col1: 'Null', Col2: 'None', Col3: '' },
        { Col1: '   ', Col2: '', Col3: '' },
      ],
    },
  },
  {
    name: 'distributed map: CSV reader, CSVHeaderLocation GIVEN - the CSVHeaders name the columns, the first row is data',
    source: `${SCN}test_map_item_reader_base_csv_headers_decl`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ CSVHeaderLocation: 'GIVEN', CSVHeaders: ['H1', 'H2', 'H3'] }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': CSV_NO_HEADER } },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { H1: 'Value1', H2: 'Value2', H3: 'Value3' },
        { H1: 'Value4', H2: 'Value5', H3: 'Value6' },
        { H1: '', H2: '', H3: '' },
        { H1: 'true', H2: '1', H3: '\'HelloWorld\'' },
        { H1: 'Null', H2: 'None', H3: '' },
        { H1: '   ', H2: '', H3: '' },
      ],
    },
  },
  {
    name: 'distributed map: CSV reader, GIVEN with fewer headers than fields keeps only the named columns',
    source: `${SCN}test_map_item_reader_csv_headers_decl_extra_fields`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ CSVHeaderLocation: 'GIVEN', CSVHeaders: ['H1'] }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': CSV_NO_HEADER } },
    expect: { status: 'SUCCEEDED', output: [{ H1: 'Value1' }, { H1: 'Value4' }, { H1: '' }, { H1: 'true' }, { H1: 'Null' }, { H1: '   ' }] },
  },
  {
    name: 'distributed map: CSV reader, GIVEN with duplicate headers fails with States.ItemReaderFailed',
    source: `${SCN}test_map_item_reader_csv_headers_decl_duplicate_headers`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ CSVHeaderLocation: 'GIVEN', CSVHeaders: ['H1', 'H1', 'H3'] }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': CSV_NO_HEADER } },
    expect: { status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'CSV headers cannot contain duplicates.', eventTypes: DM_FAILED },
  },
  {
    name: 'distributed map: CSV reader, FIRST_ROW headers that look like other types stay strings',
    source: `${SCN}test_map_item_reader_csv_headers_first_row_typed_headers`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader() })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': '0,True,{}\nValue4,Value5,Value6\n,,,\ntrue,1,\'HelloWorld\'\nNull,None,\n   \n' } },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { '0': 'Value4', 'True': 'Value5', '{}': 'Value6' },
        { '0': '', 'True': '', '{}': '' },
        { '0': 'true', 'True': '1', '{}': '\'HelloWorld\'' },
        { '0': 'Null', 'True': 'None', '{}': '' },
        { '0': '   ', 'True': '', '{}': '' },
      ],
    },
  },
  {
    name: 'distributed map: CSV reader, an empty header in the first row is the key ""',
    source: `${SCN}test_map_item_reader_csv_first_row_extra_fields`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader() })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': 'H1,\nValue4,Value5,Value6\n,,,\ntrue,1,\'HelloWorld\'\nNull,None,\n   \n' } },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { 'H1': 'Value4', '': 'Value5' }, { 'H1': '', '': '' }, { 'H1': 'true', '': '1' }, { 'H1': 'Null', '': 'None' }, { 'H1': '   ', '': '' },
      ],
    },
  },
  {
    name: 'distributed map: CSV reader, MaxItems 0 means no limit',
    source: `${SCN}test_map_item_reader_csv_max_items[0]`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ MaxItems: 0 }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': CSV_FOUR } },
    expect: { status: 'SUCCEEDED', eventTypes: DM_OK, output: FOUR_ROWS },
  },
  {
    name: 'distributed map: CSV reader, MaxItems 2 reads the first two data rows',
    source: `${SCN}test_map_item_reader_csv_max_items[2]`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ MaxItems: 2 }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': CSV_FOUR } },
    expect: { status: 'SUCCEEDED', output: FOUR_ROWS.slice(0, 2) },
  },
  {
    name: 'distributed map: CSV reader, MaxItemsPath 2 from the input',
    source: `${SCN}test_map_item_reader_csv_max_items_paths[2]`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ MaxItemsPath: '$.MaxItems' }) })),
    input: { ...csvInput, MaxItems: 2 },
    s3: { [BUCKET]: { 'file.csv': CSV_FOUR } },
    expect: { status: 'SUCCEEDED', eventTypes: DM_OK, output: FOUR_ROWS.slice(0, 2) },
  },
  {
    name: 'distributed map: CSV reader, MaxItemsPath above 100,000,000 reads everything',
    source: `${SCN}test_map_item_reader_csv_max_items_paths[100000001]`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ MaxItemsPath: '$.MaxItems' }) })),
    input: { ...csvInput, MaxItems: 100000001 },
    s3: { [BUCKET]: { 'file.csv': CSV_FOUR } },
    expect: { status: 'SUCCEEDED', output: FOUR_ROWS },
  },
  {
    name: 'distributed map: CSV reader, a negative MaxItemsPath fails the Map Run with States.ItemReaderFailed',
    source: `${SCN}test_map_item_reader_csv_max_items_paths[-1]`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ MaxItemsPath: '$.MaxItems' }) })),
    input: { ...csvInput, MaxItems: -1 },
    s3: { [BUCKET]: { 'file.csv': CSV_FOUR } },
    expect: { status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'field MaxItems must be positive', eventTypes: DM_FAILED },
  },
  {
    name: 'distributed map: CSV reader, a MaxItemsPath that is not an integer fails the execution with States.Runtime before any Map Run',
    source: `${SCN}test_map_item_reader_csv_max_items_paths[1.5]`,
    definition: single(dmap({ MaxConcurrency: 1, ItemReader: csvReader({ MaxItemsPath: '$.MaxItems' }) })),
    input: { ...csvInput, MaxItems: 1.5 },
    s3: { [BUCKET]: { 'file.csv': CSV_FOUR } },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'An error occurred while executing the state \'MapState\' (entered at the event id #2). The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.MaxItems',
      eventTypes: ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'ExecutionFailed'],
    },
  },
  {
    name: 'distributed map: CSV reader, CSVDelimiter PIPE',
    source: DOC_READER,
    definition: single(dmap({ ItemReader: csvReader({ CSVDelimiter: 'PIPE' }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': 'name|qty\napple|3\npear,green|10\n' } },
    expect: { status: 'SUCCEEDED', output: [{ name: 'apple', qty: '3' }, { name: 'pear,green', qty: '10' }] },
  },
  {
    name: 'distributed map: CSV reader, CSVDelimiter TAB with GIVEN headers',
    source: DOC_READER,
    definition: single(dmap({ ItemReader: csvReader({ CSVHeaderLocation: 'GIVEN', CSVHeaders: ['name', 'qty'], CSVDelimiter: 'TAB' }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': 'apple\t3\npear;green\t10\n' } },
    expect: { status: 'SUCCEEDED', output: [{ name: 'apple', qty: '3' }, { name: 'pear;green', qty: '10' }] },
  },
  {
    name: 'distributed map: CSV reader, CSVDelimiter SEMICOLON',
    source: DOC_READER,
    definition: single(dmap({ ItemReader: csvReader({ CSVDelimiter: 'SEMICOLON' }) })),
    input: csvInput,
    s3: { [BUCKET]: { 'file.csv': 'a;b\n1;2\n' } },
    expect: { status: 'SUCCEEDED', output: [{ a: '1', b: '2' }] },
  },
  {
    name: 'distributed map: MANIFEST reader - the inventory\'s data files are read, items carry the fileSchema columns as strings',
    source: DOC_READER,
    definition: single(dmap({
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'MANIFEST' },
        Parameters: { Bucket: 'inventory-bucket', Key: 'inventory/2022-11-16T00-00Z/manifest.json' },
      },
    })),
    s3: {
      'inventory-bucket': {
        'inventory/2022-11-16T00-00Z/manifest.json': JSON.stringify({
          sourceBucket: 'amzn-s3-demo-inventory',
          destinationBucket: 'arn:aws:s3:::inventory-bucket',
          version: '2016-11-30',
          creationTimestamp: '1668560400000',
          fileFormat: 'CSV',
          fileSchema: 'Bucket, Key, Size, LastModifiedDate',
          files: [{ key: 'inventory/data/part-0.csv', size: 140, MD5checksum: 'f1a2b3c4d5e6f708192a3b4c5d6e7f80' }],
        }),
        'inventory/data/part-0.csv':
          '"amzn-s3-demo-inventory","csvDataset/0.csv","2","2022-11-16T00:29:32.000Z"\n' +
          '"amzn-s3-demo-inventory","csvDataset/1.csv","13","2022-11-16T00:29:33.000Z"\n',
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { Bucket: 'amzn-s3-demo-inventory', Key: 'csvDataset/0.csv', Size: '2', LastModifiedDate: '2022-11-16T00:29:32.000Z' },
        { Bucket: 'amzn-s3-demo-inventory', Key: 'csvDataset/1.csv', Size: '13', LastModifiedDate: '2022-11-16T00:29:33.000Z' },
      ],
    },
  },
  {
    name: 'distributed map: getObject reader over a missing object fails with States.ItemReaderFailed',
    source: DOC_READER,
    definition: single(dmap({ ItemReader: getObject({ InputType: 'JSON' }) })),
    input: { Bucket: BUCKET, Key: 'no-such-key.json' },
    s3: { [BUCKET]: { 'file.json': '[]' } },
    expect: { status: 'FAILED', error: 'States.ItemReaderFailed', eventTypes: DM_FAILED },
  },
  {
    name: 'distributed map: listObjectsV2 reader over a missing bucket fails with States.ItemReaderFailed, which a Catch handles',
    source: DOC_READER,
    definition: {
      StartAt: 'MapState',
      States: {
        MapState: dmap({
          ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'no-such-bucket' } },
          Catch: [{ ErrorEquals: ['States.ItemReaderFailed'], ResultPath: '$.error', Next: 'Caught' }],
        }),
        Caught: { Type: 'Pass', End: true },
      },
    },
    input: { started: true },
    expect: {
      status: 'SUCCEEDED',
      output: { started: true, error: { Error: 'States.ItemReaderFailed', Cause: expect.any(String) } },
    },
  },

  // ---------------------------------------------------------------- ItemsPath, ItemSelector, Label
  {
    name: 'distributed map: ItemsPath over the state input, ItemSelector with $$.Map.Item.Value',
    source: `${SCN}test_map_state_config_distributed_item_selector_parameters`,
    definition: {
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Parameters: { bucket: 'test-bucket', values: ['1', '2', '3'] }, ResultPath: '$.content', Next: 'MapState' },
        MapState: dmap({
          MaxConcurrency: 1,
          ItemsPath: '$.content.values',
          ItemSelector: { 'bucketName.$': '$.content.bucket', 'value.$': '$$.Map.Item.Value' },
          Next: 'Finish',
        }),
        Finish: { Type: 'Succeed' },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: ['1', '2', '3'].map(value => ({ bucketName: 'test-bucket', value })),
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted',
        'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded'],
      check: r => {
        expect(detail(r, 'MapStateStarted', 'mapStateStartedEventDetails')).toEqual({ length: 3 });
        expect(run(r).executions.map(childInput)).toEqual(['1', '2', '3'].map(value => ({ bucketName: 'test-bucket', value })));
      },
    },
  },
  {
    name: 'distributed map: legacy Parameters and Iterator with a DISTRIBUTED ProcessorConfig',
    source: `${SCN}test_map_state_legacy_config_distributed_parameters`,
    definition: {
      StartAt: 'MapState',
      States: {
        MapState: {
          Type: 'Map',
          MaxConcurrency: 1,
          Parameters: { 'constantValue': 'constant', 'mapValue.$': '$$.Map.Item.Value', 'fromInput.$': '$' },
          Iterator: processor(),
          Next: 'Finish',
        },
        Finish: { Type: 'Succeed' },
      },
    },
    input: ['Hello', 'World'],
    expect: {
      status: 'SUCCEEDED',
      output: ['Hello', 'World'].map(mapValue => ({ constantValue: 'constant', mapValue, fromInput: ['Hello', 'World'] })),
      check: r => expect(detail(r, 'MapStateStarted', 'mapStateStartedEventDetails')).toEqual({ length: 2 }),
    },
  },
  {
    name: 'distributed map: ItemSelector with $$.Map.Item.Index',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', ItemSelector: { 'index.$': '$$.Map.Item.Index', 'item.$': '$$.Map.Item.Value' } })),
    input: { items: ['a', 'b', 'c'] },
    expect: { status: 'SUCCEEDED', output: [{ index: 0, item: 'a' }, { index: 1, item: 'b' }, { index: 2, item: 'c' }] },
  },
  {
    name: 'distributed map: ItemsPath from the previous state\'s result',
    source: `${SCN}test_map_state_config_distributed_items_path_from_previous`,
    definition: {
      StartAt: 'PreviousState',
      States: {
        PreviousState: { Type: 'Pass', Result: { result_value: ['item-value-from-previous'] }, Next: 'MapState' },
        MapState: dmap({ MaxConcurrency: 1, ItemsPath: '$.result_value' }),
      },
    },
    expect: { status: 'SUCCEEDED', output: ['item-value-from-previous'] },
  },
  {
    name: 'distributed map: the Label names the map run (mapRun:<state machine>/<Label>:<id>)',
    source: `${SCN}test_map_state_label`,
    definition: single(dmap({ Label: 'TestMap' })),
    input: ['Hello', 'World'],
    expect: {
      status: 'SUCCEEDED',
      output: ['Hello', 'World'],
      eventTypes: DM_OK,
      check: r => {
        expect(run(r).mapRunArn).toMatch(/^arn:aws:states:us-east-1:123456789012:mapRun:LocalStateMachine\/TestMap:[0-9a-f-]+$/);
        expect(detail(r, 'MapRunStarted', 'mapRunStartedEventDetails').mapRunArn).toBe(run(r).mapRunArn);
      },
    },
  },
  {
    name: 'distributed map: without a Label the map run is named after the state',
    source: DOC_WRITER,
    definition: single(dmap(), 'Map'),
    input: [1],
    expect: { status: 'SUCCEEDED', check: r => expect(run(r).mapRunArn).toMatch(/:mapRun:LocalStateMachine\/Map:[0-9a-f-]+$/) },
  },
  {
    name: 'distributed map: a Label with a space is refused',
    source: `${LS}test_sfn_api_map_run.snapshot.json#test_map_state_label_invalid_char_fail[ ]`,
    definition: single(dmap({ Label: 'label_ ' })),
    expect: { invalid: /Label/ },
  },
  {
    name: 'distributed map: a Label over 40 characters is refused',
    source: `${LS}test_sfn_api_map_run.snapshot.json#test_map_state_label_too_long_fail`,
    definition: single(dmap({ Label: '12345678901234567890123456789012345678901' })),
    expect: { invalid: /Label/ },
  },

  // ---------------------------------------------------------------- ItemBatcher
  {
    name: 'distributed map: ItemBatcher MaxItemsPerBatchPath (a variable) - each child receives { Items: [...] }',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_in_map_state_max_items_path[MAP_STATE_REFERENCE_IN_MAX_PER_BATCH_PATH]`,
    definition: {
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Assign: { maxItemsPerBatch: '2', maxBytesPerBatch: '15000' }, Next: 'BatchMapState' },
        BatchMapState: dmap({
          MaxConcurrency: 1,
          ItemReader: getObject({ InputType: 'JSON', MaxItems: 4 }),
          ItemBatcher: { MaxItemsPerBatchPath: '$maxItemsPerBatch', MaxInputBytesPerBatchPath: '$maxBytesPerBatch' },
        }, { StartAt: 'ProcessBatch', States: { ProcessBatch: { Type: 'Pass', End: true } } }),
      },
    },
    input: jsonInput,
    s3: { [BUCKET]: { 'file.json': JSON.stringify([...VERDICTS, { verdict: 'false', statement_date: '5/18/2024', statement_source: 'x' }]) } },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { Items: VERDICTS.slice(0, 2) },
        { Items: [VERDICTS[2], { verdict: 'false', statement_date: '5/18/2024', statement_source: 'x' }] },
      ],
      check: r => expect(run(r).executions).toHaveLength(2),
    },
  },
  {
    name: 'distributed map: ItemBatcher MaxItemsPerBatch 2 over five items starts three children, the last with one item',
    source: DOC_BATCHER,
    definition: single(dmap({ ItemsPath: '$.items', ItemBatcher: { MaxItemsPerBatch: 2 } })),
    input: { items: [1, 2, 3, 4, 5] },
    expect: {
      status: 'SUCCEEDED',
      output: [{ Items: [1, 2] }, { Items: [3, 4] }, { Items: [5] }],
      check: r => {
        expect(run(r).executions.map(childInput)).toEqual([{ Items: [1, 2] }, { Items: [3, 4] }, { Items: [5] }]);
        expect(run(r).itemCounts.total).toBe(5);
        expect(run(r).executionCounts.total).toBe(3);
      },
    },
  },
  {
    name: 'distributed map: ItemBatcher BatchInput - each child receives { BatchInput, Items }',
    source: DOC_BATCHER,
    definition: single(dmap({
      ItemsPath: '$.items',
      ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'factCheck': 'December 2022', 'run.$': '$.run' } },
    })),
    input: { run: 7, items: ['a', 'b', 'c'] },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { BatchInput: { factCheck: 'December 2022', run: 7 }, Items: ['a', 'b'] },
        { BatchInput: { factCheck: 'December 2022', run: 7 }, Items: ['c'] },
      ],
    },
  },
  {
    name: 'distributed map: ItemBatcher MaxInputBytesPerBatch limits the batch by serialised size',
    source: DOC_BATCHER,
    definition: single(dmap({ ItemsPath: '$.items', ItemBatcher: { MaxInputBytesPerBatch: 250 } })),
    input: { items: bulky(5) },
    expect: {
      status: 'SUCCEEDED',
      check: r => expect(run(r).executions.map(e => childInput(e).Items.length)).toEqual([2, 2, 1]),
    },
  },

  // ---------------------------------------------------------------- MaxConcurrency
  {
    name: 'distributed map: MaxConcurrency 2 runs at most two children at a time',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrency: 2 }, work)),
    input: { items: [1, 2, 3, 4, 5] },
    tasks: { [FN]: worker(() => 10) },
    expect: {
      status: 'SUCCEEDED',
      output: [1, 2, 3, 4, 5],
      check: r => {
        expect(maxConcurrent(r)).toBe(2);
        expect(childStarts(r)).toEqual([0, 0, 10, 10, 20]);
        expect((new Date(r.stopDate).getTime() - CONFORMANCE_START.getTime()) / 1000).toBe(30);
      },
    },
  },
  {
    name: 'distributed map: MaxConcurrency 1 runs the children one after another',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrency: 1 }, work)),
    input: { items: ['a', 'b', 'c'] },
    tasks: { [FN]: worker(() => 5) },
    expect: {
      status: 'SUCCEEDED',
      output: ['a', 'b', 'c'],
      check: r => {
        expect(maxConcurrent(r)).toBe(1);
        expect(childStarts(r)).toEqual([0, 5, 10]);
      },
    },
  },
  {
    name: 'distributed map: MaxConcurrencyPath from the input',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrencyPath: '$.limit' }, work)),
    input: { limit: 3, items: [1, 2, 3, 4, 5, 6] },
    tasks: { [FN]: worker(() => 4) },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        expect(maxConcurrent(r)).toBe(3);
        expect(childStarts(r)).toEqual([0, 0, 0, 4, 4, 4]);
      },
    },
  },
  {
    name: 'distributed map: without MaxConcurrency every child starts at once',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items' }, work)),
    input: { items: [1, 2, 3, 4, 5] },
    tasks: { [FN]: worker(() => 10) },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        expect(maxConcurrent(r)).toBe(5);
        expect(childStarts(r)).toEqual([0, 0, 0, 0, 0]);
      },
    },
  },

  // ---------------------------------------------------------------- Tolerated failures
  {
    name: 'distributed map: without a tolerance one failed child fails the Map Run with States.ExceedToleratedFailureThreshold',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrency: 1 }, work)),
    input: { items: [{ id: 1 }, { id: 2, fail: true }, { id: 3 }] },
    tasks: { [FN]: worker() },
    expect: {
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
      eventTypes: DM_FAILED,
      check: r => {
        expect(run(r).status).toBe('FAILED');
        expect(run(r).itemCounts.failed).toBe(1);
        expect(detail(r, 'MapRunFailed', 'mapRunFailedEventDetails').error).toBe('States.ExceedToleratedFailureThreshold');
        expect(r.events.some(e => e.type.startsWith('MapIteration'))).toBe(false);
      },
    },
  },
  {
    name: 'distributed map: ToleratedFailureCount 1 - one failed child of four, the Map succeeds',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrency: 1, ToleratedFailureCount: 1 }, work)),
    input: { items: [{ id: 1 }, { id: 2, fail: true }, { id: 3 }, { id: 4 }] },
    tasks: { [FN]: worker() },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: DM_OK,
      check: r => {
        expect(run(r).status).toBe('SUCCEEDED');
        expect(run(r).itemCounts).toMatchObject({ total: 4, succeeded: 3, failed: 1 });
        expect(run(r).executions.map(e => e.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED']);
      },
    },
  },
  {
    name: 'distributed map: ToleratedFailureCount 1 - two failed children exceed it',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrency: 1, ToleratedFailureCount: 1 }, work)),
    input: { items: [{ id: 1, fail: true }, { id: 2, fail: true }, { id: 3 }, { id: 4 }] },
    tasks: { [FN]: worker() },
    expect: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', eventTypes: DM_FAILED },
  },
  {
    name: 'distributed map: ToleratedFailurePercentage 30 - one failed child of four (25 %) is tolerated',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrency: 1, ToleratedFailurePercentage: 30 }, work)),
    input: { items: [{ id: 1 }, { id: 2 }, { id: 3, fail: true }, { id: 4 }] },
    tasks: { [FN]: worker() },
    expect: { status: 'SUCCEEDED', check: r => expect(run(r).itemCounts).toMatchObject({ succeeded: 3, failed: 1 }) },
  },
  {
    name: 'distributed map: ToleratedFailurePercentage 30 - two failed children of four (50 %) exceed it',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', ToleratedFailurePercentage: 30 }, work)),
    input: { items: [{ id: 1, fail: true }, { id: 2 }, { id: 3, fail: true }, { id: 4 }] },
    tasks: { [FN]: worker() },
    expect: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', check: r => expect(run(r).status).toBe('FAILED') },
  },
  {
    name: 'distributed map: ToleratedFailureCount 10 with nothing failing',
    source: `${SCN}test_map_state_tolerated_failure_values[count_literal]`,
    definition: single(dmap({ InputPath: '$', MaxConcurrency: 1, ToleratedFailureCount: 10 }, { StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } })),
    input: [0],
    expect: { status: 'SUCCEEDED', output: [0], eventTypes: DM_OK },
  },
  {
    name: 'distributed map: ToleratedFailureCountPath 1 from the input',
    source: `${SCN}test_map_state_tolerated_failure_count_path[1]`,
    definition: single(dmap({ ItemsPath: '$.Items', MaxConcurrency: 1, ToleratedFailureCountPath: '$.ToleratedFailureCount' })),
    input: { Items: [0], ToleratedFailureCount: 1 },
    expect: { status: 'SUCCEEDED', output: [0], eventTypes: DM_OK },
  },
  {
    name: 'distributed map: a negative ToleratedFailureCountPath fails with States.Runtime',
    source: `${SCN}test_map_state_tolerated_failure_count_path[-1]`,
    definition: single(dmap({ ItemsPath: '$.Items', MaxConcurrency: 1, ToleratedFailureCountPath: '$.ToleratedFailureCount' })),
    input: { Items: [0], ToleratedFailureCount: -1 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'An error occurred while executing the state \'MapState\' (entered at the event id #2). ToleratedFailureCount cannot be negative.',
      eventTypes: ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'ExecutionFailed'],
    },
  },
  {
    name: 'distributed map: a ToleratedFailureCountPath that is not a number fails with States.Runtime',
    source: `${SCN}test_map_state_tolerated_failure_count_path[NoNumber]`,
    definition: single(dmap({ ItemsPath: '$.Items', MaxConcurrency: 1, ToleratedFailureCountPath: '$.ToleratedFailureCount' })),
    input: { Items: [0], ToleratedFailureCount: 'NoNumber' },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'An error occurred while executing the state \'MapState\' (entered at the event id #2). The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.ToleratedFailureCount',
    },
  },
  {
    name: 'distributed map: ToleratedFailurePercentagePath 1.1 (a float) is accepted',
    source: `${SCN}test_map_state_tolerated_failure_percentage_path[1.1]`,
    definition: single(dmap({ ItemsPath: '$.Items', MaxConcurrency: 1, ToleratedFailurePercentagePath: '$.ToleratedFailurePercentage' })),
    input: { Items: [0], ToleratedFailurePercentage: 1.1 },
    expect: { status: 'SUCCEEDED', output: [0], eventTypes: DM_OK },
  },
  {
    name: 'distributed map: ToleratedFailurePercentagePath 100.1 fails with States.Runtime',
    source: `${SCN}test_map_state_tolerated_failure_percentage_path[100.1]`,
    definition: single(dmap({ ItemsPath: '$.Items', MaxConcurrency: 1, ToleratedFailurePercentagePath: '$.ToleratedFailurePercentage' })),
    input: { Items: [0], ToleratedFailurePercentage: 100.1 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'An error occurred while executing the state \'MapState\' (entered at the event id #2). ToleratedFailurePercentage must be between 0 and 100.',
      eventTypes: ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'ExecutionFailed'],
    },
  },
  {
    name: 'distributed map: a ToleratedFailurePercentagePath that is an object fails with States.Runtime',
    source: `${SCN}test_map_state_tolerated_failure_percentage_path[tolerated_failure_percentage_value0]`,
    definition: single(dmap({ ItemsPath: '$.Items', MaxConcurrency: 1, ToleratedFailurePercentagePath: '$.ToleratedFailurePercentage' })),
    input: { Items: [0], ToleratedFailurePercentage: {} },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'An error occurred while executing the state \'MapState\' (entered at the event id #2). The ToleratedFailurePercentagePath field refers to value "{}" which is not a valid float: $.ToleratedFailurePercentage',
    },
  },

  // ---------------------------------------------------------------- ResultWriter
  {
    name: 'result writer: the Map\'s output is { MapRunArn, ResultWriterDetails: { Bucket, Key: <Prefix>/<map run id>/manifest.json } }',
    source: `${SCN}test_map_state_result_writer`,
    definition: single(dmap({
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: RESULTS, Prefix: 'mapJobs' } },
      Label: 'TestMap',
    }, { StartAt: 'IteratorInner', States: { IteratorInner: { Type: 'Pass', End: true } } })),
    input: ['Hello', 'World'],
    s3: { [RESULTS]: {} },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: DM_OK,
      check: (r, s3) => {
        const id = runId(r);
        expect(id).toMatch(UUID);
        expect(r.output).toEqual({ MapRunArn: run(r).mapRunArn, ResultWriterDetails: { Bucket: RESULTS, Key: `mapJobs/${id}/manifest.json` } });
        expect(run(r).mapRunArn).toMatch(/:mapRun:LocalStateMachine\/TestMap:/);
        const manifest = readJson(s3, RESULTS, `mapJobs/${id}/manifest.json`);
        expect(manifest).toMatchObject({ DestinationBucket: RESULTS, MapRunArn: run(r).mapRunArn });
        expect(manifest.ResultFiles).toMatchObject({ FAILED: [], PENDING: [] });
      },
    },
  },
  {
    name: 'result writer: all children succeed - manifest.json and SUCCEEDED_0.json are written, nothing else; the manifest lists the file with its size',
    source: DOC_WRITER,
    definition: single(dmap({ ItemsPath: '$.items', ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: RESULTS, Prefix: 'csvProcessJobs' } } })),
    input: { items: [{ n: 1 }, { n: 2 }] },
    s3: { [RESULTS]: {} },
    expect: {
      status: 'SUCCEEDED',
      check: (r, s3) => {
        const id = runId(r);
        expect(s3.keys(RESULTS)).toEqual([`csvProcessJobs/${id}/SUCCEEDED_0.json`, `csvProcessJobs/${id}/manifest.json`]);
        const size = s3.getObject(RESULTS, `csvProcessJobs/${id}/SUCCEEDED_0.json`)!.body.length;
        expect(readJson(s3, RESULTS, `csvProcessJobs/${id}/manifest.json`)).toEqual({
          DestinationBucket: RESULTS,
          MapRunArn: run(r).mapRunArn,
          ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `csvProcessJobs/${id}/SUCCEEDED_0.json`, Size: size }] },
        });
      },
    },
  },
  {
    name: 'result writer: SUCCEEDED_0.json holds one record per child (NONE transformation): Input and Output as JSON strings, Status, ARNs',
    source: DOC_WRITER,
    definition: single(dmap({ ItemsPath: '$.items', MaxConcurrency: 1, ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: RESULTS, Prefix: 'out' } } }, {
      StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } },
    })),
    input: { items: [{ n: 1 }, { n: 2 }] },
    s3: { [RESULTS]: {} },
    expect: {
      status: 'SUCCEEDED',
      check: (r, s3) => {
        const records = readJson(s3, RESULTS, `out/${runId(r)}/SUCCEEDED_0.json`) as any[];
        expect(records).toHaveLength(2);
        const byInput = [...records].sort((a, b) => JSON.parse(a.Input).n - JSON.parse(b.Input).n);
        byInput.forEach((rec, i) => {
          expect(rec).toMatchObject({ Status: 'SUCCEEDED', InputDetails: { Included: true }, OutputDetails: { Included: true } });
          expect(typeof rec.Input).toBe('string');
          expect(typeof rec.Output).toBe('string');
          expect(JSON.parse(rec.Input)).toEqual({ n: i + 1 });
          expect(JSON.parse(rec.Output)).toEqual({ twice: 2 * (i + 1) });
          expect(rec.ExecutionArn).toEqual(expect.any(String));
          expect(rec.StateMachineArn).toEqual(expect.any(String));
        });
        expect(records.map(x => x.ExecutionArn).sort()).toEqual(run(r).executions.map(e => e.executionArn).sort());
      },
    },
  },
  {
    name: 'result writer: a tolerated failed child goes to FAILED_0.json with its Error and Cause, and the manifest lists it',
    source: DOC_WRITER,
    definition: single(dmap({
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ToleratedFailureCount: 1,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: RESULTS, Prefix: 'jobs' } },
    }, work)),
    input: { items: [{ id: 1 }, { id: 2, fail: true }, { id: 3 }] },
    tasks: { [FN]: worker() },
    s3: { [RESULTS]: {} },
    expect: {
      status: 'SUCCEEDED',
      check: (r, s3) => {
        const id = runId(r);
        expect(s3.keys(RESULTS, `jobs/${id}/`)).toEqual([`jobs/${id}/FAILED_0.json`, `jobs/${id}/SUCCEEDED_0.json`, `jobs/${id}/manifest.json`]);
        const failed = readJson(s3, RESULTS, `jobs/${id}/FAILED_0.json`) as any[];
        expect(failed).toHaveLength(1);
        expect(failed[0]).toMatchObject({ Status: 'FAILED', Error: 'Item.Failed', Cause: 'item 2 failed' });
        expect(JSON.parse(failed[0].Input)).toEqual({ id: 2, fail: true });
        expect(readJson(s3, RESULTS, `jobs/${id}/SUCCEEDED_0.json`)).toHaveLength(2);
        const manifest = readJson(s3, RESULTS, `jobs/${id}/manifest.json`);
        expect(manifest.ResultFiles.FAILED).toEqual([{ Key: `jobs/${id}/FAILED_0.json`, Size: s3.getObject(RESULTS, `jobs/${id}/FAILED_0.json`)!.body.length }]);
        expect(manifest.ResultFiles.SUCCEEDED.map((f: any) => f.Key)).toEqual([`jobs/${id}/SUCCEEDED_0.json`]);
      },
    },
  },
  {
    name: 'result writer: WriterConfig COMPACT writes only the children\'s outputs',
    source: DOC_WRITER,
    definition: single(dmap({
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: RESULTS, Prefix: 'compact' }, WriterConfig: { OutputType: 'JSON', Transformation: 'COMPACT' } },
    })),
    input: { items: [{ a: 1 }, { a: 2 }] },
    s3: { [RESULTS]: {} },
    expect: {
      status: 'SUCCEEDED',
      check: (r, s3) => {
        const manifest = readJson(s3, RESULTS, `compact/${runId(r)}/manifest.json`);
        const file = manifest.ResultFiles.SUCCEEDED[0].Key as string;
        expect(file.startsWith(`compact/${runId(r)}/`)).toBe(true);
        expect(readJson(s3, RESULTS, file)).toEqual([{ a: 1 }, { a: 2 }]);
      },
    },
  },
  {
    name: 'result writer: WriterConfig FLATTEN with JSONL output - one line per element of the flattened outputs',
    source: DOC_WRITER,
    definition: single(dmap({
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: RESULTS, Prefix: 'flat' }, WriterConfig: { OutputType: 'JSONL', Transformation: 'FLATTEN' } },
    })),
    input: { items: [[1, 2], [3]] },
    s3: { [RESULTS]: {} },
    expect: {
      status: 'SUCCEEDED',
      check: (r, s3) => {
        const manifest = readJson(s3, RESULTS, `flat/${runId(r)}/manifest.json`);
        const text = s3.getText(RESULTS, manifest.ResultFiles.SUCCEEDED[0].Key)!;
        expect(text.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l))).toEqual([1, 2, 3]);
      },
    },
  },
  {
    name: 'result writer: WriterConfig alone (no Resource) formats the state output - FLATTEN',
    source: DOC_WRITER,
    definition: single(dmap({ ItemsPath: '$.items', ResultWriter: { WriterConfig: { OutputType: 'JSON', Transformation: 'FLATTEN' } } })),
    input: { items: [['a', 'b'], ['c'], []] },
    expect: { status: 'SUCCEEDED', output: ['a', 'b', 'c'] },
  },
  {
    name: 'result writer: a bucket that does not exist fails with States.ResultWriterFailed',
    source: DOC_WRITER,
    definition: single(dmap({ ItemsPath: '$.items', ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'no-such-bucket', Prefix: 'out' } } })),
    input: { items: [1, 2] },
    expect: { status: 'FAILED', error: 'States.ResultWriterFailed' },
  },
  {
    name: 'result writer: JSONata Arguments give the bucket and prefix',
    source: DOC_WRITER,
    definition: single(dmap({
      Items: '{% $states.input.items %}',
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: '{% $states.input.bucket %}', Prefix: 'jsonata' } },
    }), 'MapState', { QueryLanguage: 'JSONata' }),
    input: { bucket: RESULTS, items: [1, 2, 3] },
    s3: { [RESULTS]: {} },
    expect: {
      status: 'SUCCEEDED',
      check: (r, s3) => {
        expect((r.output as any).ResultWriterDetails).toEqual({ Bucket: RESULTS, Key: `jsonata/${runId(r)}/manifest.json` });
        expect(s3.getText(RESULTS, `jsonata/${runId(r)}/manifest.json`)).toBeDefined();
      },
    },
  },

  // ---------------------------------------------------------------- Output, history, billing
  {
    name: 'distributed map: without a ResultWriter the output is the children\'s outputs in item order, whatever order they finish in',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items', ResultPath: '$.results' }, work)),
    input: { items: [{ id: 1, s: 30 }, { id: 2, s: 20 }, { id: 3, s: 10 }] },
    tasks: { [FN]: worker(i => i.s) },
    expect: {
      status: 'SUCCEEDED',
      output: { items: [{ id: 1, s: 30 }, { id: 2, s: 20 }, { id: 3, s: 10 }], results: [{ id: 1, s: 30 }, { id: 2, s: 20 }, { id: 3, s: 10 }] },
      eventTypes: DM_OK,
    },
  },
  {
    name: 'distributed map: a map state entered three times starts three map runs',
    source: `${SCN}test_map_state_config_distributed_reentrant`,
    definition: {
      StartAt: 'StartState',
      States: {
        StartState: { Type: 'Pass', Parameters: { 'Iterations': 3, 'Values.$': 'States.ArrayRange(0, 3, 1)' }, Next: 'BeforeIteration' },
        BeforeIteration: { Type: 'Pass', Parameters: { 'Iterations.$': 'States.MathAdd($.Iterations, -1)', 'Values.$': '$.Values' }, Next: 'IterationBody' },
        IterationBody: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemsPath: '$.Values',
          ItemProcessor: processor({ StartAt: 'ProcessValue', States: { ProcessValue: { Type: 'Pass', End: true } } }),
          ResultPath: '$.Values',
          Next: 'CheckIteration',
        },
        CheckIteration: { Type: 'Choice', Choices: [{ Variable: '$.Iterations', NumericEquals: 0, Next: 'Terminate' }], Default: 'BeforeIteration' },
        Terminate: { Type: 'Succeed' },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: { Values: [0, 1, 2, 3], Iterations: 0 },
      check: r => {
        expect(all(r, 'MapRunStarted')).toHaveLength(3);
        expect(all(r, 'MapRunSucceeded')).toHaveLength(3);
        expect(r.mapRuns).toHaveLength(3);
        expect(new Set(r.mapRuns.map(m => m.mapRunArn)).size).toBe(3);
        expect(all(r, 'MapStateStarted').map(e => (e.mapStateStartedEventDetails as any).length)).toEqual([4, 4, 4]);
      },
    },
  },
  {
    name: 'distributed map: a Distributed Map inside a child execution - the parent records only its own map run',
    source: `${SCN}test_map_state_nested_config_distributed`,
    definition: {
      StartAt: 'SetupState',
      States: {
        SetupState: { Type: 'Pass', Result: { values: [{ 'sub-values': [{ num: 1, str: 'A' }, { num: 2, str: 'B' }] }] }, Next: 'MapState' },
        MapState: dmap({ MaxConcurrency: 1, ItemsPath: '$.values' }, {
          StartAt: 'SubMapState',
          States: {
            SubMapState: dmap({ MaxConcurrency: 1, ItemsPath: '$.sub-values', ResultPath: '$.result' }, { StartAt: 'SubMapStateSuccess', States: { SubMapStateSuccess: { Type: 'Succeed' } } }),
          },
        }),
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: [{ 'sub-values': [{ num: 1, str: 'A' }, { num: 2, str: 'B' }], 'result': [{ num: 1, str: 'A' }, { num: 2, str: 'B' }] }],
      check: r => {
        expect(all(r, 'MapRunStarted')).toHaveLength(1);
        expect(r.mapRuns).toHaveLength(1);
        expect(run(r).executions[0].mapRuns).toHaveLength(1);
      },
    },
  },
  {
    name: 'distributed map: STANDARD children - their transitions are billed, not counted in the parent\'s transitions',
    source: DOC_MAP,
    definition: {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Next: 'MapState' },
        MapState: dmap({ ItemsPath: '$.items' }, { StartAt: 'One', States: { One: { Type: 'Pass', Next: 'Two' }, Two: { Type: 'Pass', End: true } } }),
      },
    },
    input: { items: [1, 2, 3] },
    expect: {
      status: 'SUCCEEDED',
      transitions: 2,
      check: r => {
        expect(run(r).executionType).toBe('STANDARD');
        expect(run(r).executions.map(e => e.transitions)).toEqual([2, 2, 2]);
        expect(r.billing).toEqual({ standardTransitions: 8, expressRequests: 0, expressDurationMs: 0 });
        expect(r.states.map(s => s.name)).toEqual(['Prepare', 'MapState']);
      },
    },
  },
  {
    name: 'distributed map: EXPRESS children are billed as Express requests and duration',
    source: DOC_MAP,
    definition: single(dmap({ ItemsPath: '$.items' }, work, 'EXPRESS')),
    input: { items: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    tasks: { [FN]: worker(() => 3) },
    expect: {
      status: 'SUCCEEDED',
      transitions: 1,
      check: r => {
        expect(run(r).executionType).toBe('EXPRESS');
        expect(run(r).executions.every(e => e.status === 'SUCCEEDED')).toBe(true);
        expect(r.billing).toEqual({ standardTransitions: 1, expressRequests: 3, expressDurationMs: 9000 });
      },
    },
  },
];
