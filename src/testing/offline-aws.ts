/**
 * Offline AWS services for the library's own Lambda functions in a local run: an in-memory DynamoDB,
 * SNS, Secrets Manager and Step Functions, served to the functions' code in place of the AWS SDK
 * packages (`@aws-sdk/client-*`), which the Lambda runtime provides and a user's project does not
 * install. They implement what the library's handlers call, and fail loudly on anything else.
 */
import { createHash } from 'crypto';
import type { CfnTemplate } from './asl';
import { resolveIntrinsics } from './asl';

/** A DynamoDB item in the wire format (`{ S: 'x' }`, `{ N: '1' }`...). */
export type Item = Record<string, any>;

interface Expressed {
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, any>;
}

/** A mistake no AWS service would make: the offline service cannot answer a call it does not implement. */
export class OfflineServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OfflineServiceError';
  }
}

/** An error as the AWS SDK throws it: named after the service's exception, with the HTTP status. */
export function serviceException(name: string, message: string, status = 400, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, ...extra });
}

/**
 * An in-memory DynamoDB: PutItem, UpdateItem and GetItem on tables registered with their key
 * attribute, with the condition and update expressions the library's handlers use, and Query on a
 * sparse index (`#a = :v AND #b <= :w`, keys only).
 */
export class InMemoryDynamoDB {
  /** Successful writes (PutItem and UpdateItem), in order. */
  public readonly writes: Array<{ table: string; command: 'PutItem' | 'UpdateItem'; key: string }> = [];
  private readonly tables = new Map<string, { key: string; items: Map<string, Item> }>();

  /** Registers every table of a template under the placeholder name its references resolve to. */
  public addTablesOf(template: CfnTemplate): void {
    for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const key = (resource.Properties?.KeySchema ?? []).find((k: any) => k.KeyType === 'HASH')?.AttributeName;
      if (key) this.addTable(String(resolveIntrinsics({ Ref: logicalId }, template)), key);
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

  /** The names of the tables. */
  public tableNames(): string[] {
    return [...this.tables.keys()];
  }

  public putItem(input: any): object {
    const table = this.table(input.TableName);
    const key = input.Item?.[table.key]?.S ?? '';
    const existing = table.items.get(key);
    if (input.ConditionExpression && !holds(input.ConditionExpression, existing, input)) {
      throw serviceException('ConditionalCheckFailedException', 'The conditional request failed', 400,
        input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing ? { Item: existing } : {});
    }
    table.items.set(key, { ...input.Item });
    this.writes.push({ table: input.TableName, command: 'PutItem', key });
    return {};
  }

  public getItem(input: any): object {
    const table = this.table(input.TableName);
    const item = table.items.get(input.Key?.[table.key]?.S ?? '');
    return item ? { Item: { ...item } } : {};
  }

  /** A query of a sparse index: the items that have both key attributes and match, keys only, in one page. */
  public query(input: any): object {
    const table = this.table(input.TableName);
    const condition = String(input.KeyConditionExpression ?? '').match(/^(\S+) = (:\S+) AND (\S+) <= (:\S+)$/);
    if (!input.IndexName || !condition) throw new OfflineServiceError(`offline DynamoDB: query '${input.KeyConditionExpression}' is not supported`);
    const [partition, sort] = [attributeName(condition[1], input), attributeName(condition[3], input)];
    const [value, limit] = [input.ExpressionAttributeValues[condition[2]], Number(input.ExpressionAttributeValues[condition[4]].N)];
    const items = [...table.items.values()]
      .filter(item => item[partition] && item[sort] && JSON.stringify(item[partition]) === JSON.stringify(value) && Number(item[sort].N) <= limit)
      .sort((a, b) => (Number(a[sort].N) - Number(b[sort].N)) * (input.ScanIndexForward === false ? -1 : 1));
    return { Items: items.map(item => ({ [table.key]: item[table.key], [partition]: item[partition], [sort]: item[sort] })) };
  }

  public updateItem(input: any): object {
    const table = this.table(input.TableName);
    const key = input.Key?.[table.key]?.S ?? '';
    const existing = table.items.get(key);
    if (input.ConditionExpression && !holds(input.ConditionExpression, existing, input)) {
      throw serviceException('ConditionalCheckFailedException', 'The conditional request failed', 400,
        input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing ? { Item: existing } : {});
    }
    const item: Item = { ...(existing ?? input.Key) };
    const expression = String(input.UpdateExpression ?? '');
    const set = expression.match(/SET (.*?)(?= REMOVE |$)/)?.[1];
    const remove = expression.match(/REMOVE (.*)$/)?.[1];
    for (const assignment of set ? set.split(',') : []) {
      const [name, value] = assignment.split('=').map(s => s.trim());
      item[attributeName(name, input)] = input.ExpressionAttributeValues[value];
    }
    for (const name of remove ? remove.split(',') : []) delete item[attributeName(name.trim(), input)];
    table.items.set(key, item);
    this.writes.push({ table: input.TableName, command: 'UpdateItem', key });
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: item } : {};
  }

  private table(name: string | undefined) {
    const table = this.tables.get(name ?? '');
    if (!table) throw new OfflineServiceError(`offline DynamoDB: table '${name}' is not registered (tables: ${this.tableNames().join(', ') || 'none'})`);
    return table;
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
    if (!compare) throw new OfflineServiceError(`offline DynamoDB: condition '${term}' is not supported`);
    const actual = item?.[attributeName(compare[1], input)];
    if (actual === undefined) return false;
    const same = JSON.stringify(actual) === JSON.stringify(input.ExpressionAttributeValues![compare[3]]);
    return compare[2] === '=' ? same : !same;
  }));
}

/** A message published to a topic. */
export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  /** The `recipient` message attribute (the approver the message is for), if any. */
  readonly recipient?: string;
}

/** The offline AWS of one local run: what the library's functions stored, published and sent. */
export class OfflineAws {
  public readonly dynamodb = new InMemoryDynamoDB();
  /** Every SNS message published, in order. */
  public readonly messages: PublishedMessage[] = [];
  /** `SendTaskSuccess` outputs by task token (JSON text). */
  public readonly taskOutputs = new Map<string, string>();
  /** Every SQS message sent by a task (`sqs:sendMessage`: the Saga's operator record...), in order. */
  public readonly queueMessages: Array<{ readonly queueUrl: string; readonly body: unknown }> = [];
  private readonly secrets = new Map<string, string>();
  private readonly succeeded: Array<{ output: string; timestamp: Date }> = [];

  /** The value of a secret: a fixed random-looking string per secret, the same for the whole run. */
  public secretValue(secretId: string): string {
    if (!this.secrets.has(secretId)) {
      this.secrets.set(secretId, `offline-secret-${this.secrets.size + 1}-0123456789abcdef0123456789abcdef`);
    }
    return this.secrets.get(secretId)!;
  }

  /**
   * Handlers for the service integrations the offline services answer, by resource: a task that
   * sends an SQS message (the Saga's record of what was not undone) gets the answer SQS gives.
   */
  public integrations(): Record<string, (input: any) => unknown> {
    return {
      'arn:aws:states:::sqs:sendMessage': input => {
        const body = input?.MessageBody;
        this.queueMessages.push({ queueUrl: String(input?.QueueUrl ?? ''), body });
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        return { MessageId: `offline-sqs-message-${this.queueMessages.length}`, MD5OfMessageBody: createHash('md5').update(text).digest('hex') };
      },
    };
  }

  /** The client packages these services answer, with their client class and the commands each offers. */
  public sdkShapes(): Record<string, { readonly client: string; readonly commands: string[] }> {
    const out: Record<string, { client: string; commands: string[] }> = {};
    for (const pkg of SDK_PACKAGES) {
      const names = Object.keys(this.sdkModule(pkg)!);
      out[pkg] = { client: names.find(n => n.endsWith('Client'))!, commands: names.filter(n => n.endsWith('Command')) };
    }
    return out;
  }

  /** The `@aws-sdk/client-*` module a function's code requires, served by these services (undefined: not offered). */
  public sdkModule(name: string): Record<string, unknown> | undefined {
    switch (name) {
      case '@aws-sdk/client-dynamodb':
        return sdkModule('DynamoDBClient', {
          PutItemCommand: i => this.dynamodb.putItem(i),
          GetItemCommand: i => this.dynamodb.getItem(i),
          UpdateItemCommand: i => this.dynamodb.updateItem(i),
          QueryCommand: i => this.dynamodb.query(i),
        });
      case '@aws-sdk/client-sns':
        return sdkModule('SNSClient', {
          PublishCommand: i => {
            this.messages.push({
              topicArn: i.TopicArn,
              subject: i.Subject,
              message: i.Message,
              recipient: i.MessageAttributes?.recipient?.StringValue,
            });
            return { MessageId: `offline-message-${this.messages.length}` };
          },
        });
      case '@aws-sdk/client-secrets-manager':
        return sdkModule('SecretsManagerClient', {
          GetSecretValueCommand: i => ({ SecretString: this.secretValue(String(i.SecretId)) }),
        });
      case '@aws-sdk/client-sfn':
        return sdkModule('SFNClient', {
          SendTaskSuccessCommand: i => this.sendTaskSuccess(i),
          GetExecutionHistoryCommand: () => ({ events: this.history() }),
          SendTaskFailureCommand: () => {
            throw new OfflineServiceError('offline Step Functions: the library\'s functions never call SendTaskFailure');
          },
          SendTaskHeartbeatCommand: () => {
            throw new OfflineServiceError('offline Step Functions: the library\'s functions never call SendTaskHeartbeat');
          },
        });
      default:
        return undefined;
    }
  }

  /** SendTaskSuccess from a function's code: kept here, for the run to read. */
  protected sendTaskSuccess(input: any): object {
    const token = String(input.taskToken ?? '');
    if (this.taskOutputs.has(token)) throw serviceException('TaskTimedOut', 'Task Timed Out');
    this.taskOutputs.set(token, String(input.output));
    this.succeeded.push({ output: String(input.output), timestamp: new Date() });
    return {};
  }

  /** The TaskSucceeded events of the run's callback tasks, newest first (as the delivery protocol reads them). */
  private history(): object[] {
    return this.succeeded.map((s, i) => ({
      type: 'TaskSucceeded',
      id: i + 1,
      timestamp: s.timestamp,
      taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: s.output },
    })).reverse();
  }
}

const SDK_PACKAGES = ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sns', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sfn'];

type Operation = (input: any) => object;

/** A stand-in for an AWS SDK v3 client package: a client class whose `send` runs the command offline. */
function sdkModule(clientName: string, operations: Record<string, Operation>): Record<string, unknown> {
  const commands: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(operations)) {
    commands[name] = class {
      public static readonly operation = run;
      constructor(public readonly input: unknown) {}
    };
  }
  const client = class {
    public async send(command: { input: unknown; constructor: { operation?: Operation } }): Promise<object> {
      const run = command?.constructor?.operation;
      if (!run) throw new OfflineServiceError(`offline ${clientName}: this command is not implemented`);
      return run(command.input);
    }
    public destroy(): void {}
  };
  const exports: Record<string, unknown> = { ...commands, [clientName]: client };
  // A command the library's handlers do not use gets a clear error, not `undefined is not a constructor`.
  return new Proxy(exports, {
    get(target, name) {
      if (typeof name === 'string' && !(name in target) && /^[A-Z]\w*Command$/.test(name)) {
        throw new OfflineServiceError(`offline ${clientName}: ${name} is not implemented (it offers ${Object.keys(commands).join(', ')})`);
      }
      return target[name as string];
    },
  });
}
