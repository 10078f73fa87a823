/**
 * An in-memory DynamoDB for handler tests and local runs: PutItem, UpdateItem and GetItem on tables
 * registered with their key attribute, with the condition and update expressions the handlers of
 * this library use, and Query on a sparse index (`#a = :v AND #b <= :w`, keys only). Anything else
 * fails loudly.
 */
import {
  AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, GetItemCommandInput, PutItemCommand, PutItemCommandInput,
  QueryCommand, QueryCommandInput, UpdateItemCommand, UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { CfnTemplate, resolveIntrinsics } from './asl';
import { HarnessError } from './local-execution';

export type Item = Record<string, AttributeValue>;
type Expressed = Pick<UpdateItemCommandInput, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;

export class FakeDynamoDB {
  private readonly tables = new Map<string, { key: string; items: Map<string, Item> }>();
  private readonly stub: AwsStub<any, any, any>;
  /** Successful writes (PutItem and UpdateItem), by table. */
  public readonly writes: Array<{ table: string; command: 'PutItem' | 'UpdateItem'; key: string }> = [];

  constructor() {
    this.stub = mockClient(DynamoDBClient);
    this.stub.on(PutItemCommand).callsFake((input: PutItemCommandInput) => this.putItem(input));
    this.stub.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => this.updateItem(input));
    this.stub.on(GetItemCommand).callsFake((input: GetItemCommandInput) => this.getItem(input));
    this.stub.on(QueryCommand).callsFake((input: QueryCommandInput) => this.query(input));
  }

  /** Registers every table of a template under the placeholder name its references resolve to. */
  public addTablesOf(template: CfnTemplate): void {
    for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const key = (resource.Properties?.KeySchema ?? []).find((k: any) => k.KeyType === 'HASH')?.AttributeName;
      if (key) this.addTable(resolveIntrinsics({ Ref: logicalId }, template), key);
    }
  }

  /** Registers a table (again: keeps its items). */
  public addTable(name: string, key: string): void {
    if (!this.tables.has(name)) this.tables.set(name, { key, items: new Map() });
  }

  /** The items of a table. */
  public items(name: string): Item[] {
    return [...this.table(name).items.values()];
  }

  public restore(): void {
    this.stub.restore();
  }

  private table(name: string | undefined) {
    const table = this.tables.get(name ?? '');
    if (!table) throw new HarnessError(`fake DynamoDB: table '${name}' is not registered`);
    return table;
  }

  private putItem(input: PutItemCommandInput) {
    const table = this.table(input.TableName);
    const key = input.Item?.[table.key]?.S ?? '';
    const existing = table.items.get(key);
    if (input.ConditionExpression && !holds(input.ConditionExpression, existing, input)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    table.items.set(key, { ...input.Item });
    this.writes.push({ table: input.TableName!, command: 'PutItem', key });
    return {};
  }

  private getItem(input: GetItemCommandInput) {
    const table = this.table(input.TableName);
    const item = table.items.get(input.Key?.[table.key]?.S ?? '');
    return item ? { Item: { ...item } } : {};
  }

  /** A query of a sparse index: the items that have both key attributes and match, keys only, in one page. */
  private query(input: QueryCommandInput) {
    const table = this.table(input.TableName);
    const condition = (input.KeyConditionExpression ?? '').match(/^(\S+) = (:\S+) AND (\S+) <= (:\S+)$/);
    if (!input.IndexName || !condition) throw new HarnessError(`fake DynamoDB: query '${input.KeyConditionExpression}' is not supported`);
    const [partition, sort] = [attributeName(condition[1], input), attributeName(condition[3], input)];
    const [value, limit] = [input.ExpressionAttributeValues![condition[2]], Number(input.ExpressionAttributeValues![condition[4]].N)];
    const items = [...table.items.values()]
      .filter(item => item[partition] && item[sort] && JSON.stringify(item[partition]) === JSON.stringify(value) && Number(item[sort].N) <= limit)
      .sort((a, b) => (Number(a[sort].N) - Number(b[sort].N)) * (input.ScanIndexForward === false ? -1 : 1));
    return { Items: items.map(item => ({ [table.key]: item[table.key], [partition]: item[partition], [sort]: item[sort] })) };
  }

  private updateItem(input: UpdateItemCommandInput) {
    const table = this.table(input.TableName);
    const key = input.Key?.[table.key]?.S ?? '';
    const existing = table.items.get(key);
    if (input.ConditionExpression && !holds(input.ConditionExpression, existing, input)) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing ? { Item: existing } : {}),
      });
    }
    const item: Item = { ...(existing ?? input.Key) };
    const expression = input.UpdateExpression ?? '';
    const set = expression.match(/SET (.*?)(?= REMOVE |$)/)?.[1];
    const remove = expression.match(/REMOVE (.*)$/)?.[1];
    for (const assignment of set ? set.split(',') : []) {
      const [name, value] = assignment.split('=').map(s => s.trim());
      item[attributeName(name, input)] = input.ExpressionAttributeValues![value];
    }
    for (const name of remove ? remove.split(',') : []) delete item[attributeName(name.trim(), input)];
    table.items.set(key, item);
    this.writes.push({ table: input.TableName!, command: 'UpdateItem', key });
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: item } : {};
  }
}

function attributeName(name: string, input: Expressed): string {
  return name.startsWith('#') ? input.ExpressionAttributeNames![name] : name;
}

/**
 * Evaluates the condition forms the handlers use: `A OR B`, `A AND B`, `x = :v`, `x <> :v`,
 * `attribute_exists(x)`, `attribute_not_exists(x)`. A comparison with a missing attribute is false.
 */
function holds(condition: string, item: Item | undefined, input: Expressed): boolean {
  return condition.split(' OR ').some(any => any.split(' AND ').every(term => {
    const exists = term.trim().match(/^attribute_(not_)?exists\((.+)\)$/);
    if (exists) return (item?.[attributeName(exists[2], input)] === undefined) === Boolean(exists[1]);
    const compare = term.trim().match(/^(\S+) (=|<>) (:\S+)$/);
    if (!compare) throw new HarnessError(`fake DynamoDB: condition '${term}' is not supported`);
    const actual = item?.[attributeName(compare[1], input)];
    if (actual === undefined) return false;
    const same = JSON.stringify(actual) === JSON.stringify(input.ExpressionAttributeValues![compare[3]]);
    return compare[2] === '=' ? same : !same;
  }));
}
