/**
 * An in-memory DynamoDB for handler tests and local runs: PutItem, UpdateItem and GetItem on tables
 * registered with their key attribute, with the condition and update expressions the handlers of
 * this library use, and Query on a sparse index (`#a = :v AND #b <= :w`, keys only). Anything else
 * fails loudly.
 */
import {
  AttributeValue, DynamoDBClient, GetItemCommand, GetItemCommandInput, PutItemCommand, PutItemCommandInput,
  QueryCommand, QueryCommandInput, UpdateItemCommand, UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { CfnTemplate } from './asl';
import { InMemoryDynamoDB } from '../../src/testing/offline-aws';

export type Item = Record<string, AttributeValue>;

export class FakeDynamoDB {
  private readonly db = new InMemoryDynamoDB();
  private readonly stub: AwsStub<any, any, any>;
  /** Successful writes (PutItem and UpdateItem), by table. */
  public readonly writes = this.db.writes;

  constructor() {
    this.stub = mockClient(DynamoDBClient);
    // The in-memory table throws errors named like the SDK's; the handlers read the name (and Item).
    this.stub.on(PutItemCommand).callsFake((input: PutItemCommandInput) => this.db.putItem(input));
    this.stub.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => this.db.updateItem(input));
    this.stub.on(GetItemCommand).callsFake((input: GetItemCommandInput) => this.db.getItem(input));
    this.stub.on(QueryCommand).callsFake((input: QueryCommandInput) => this.db.query(input));
  }

  /** Registers every table of a template under the placeholder name its references resolve to. */
  public addTablesOf(template: CfnTemplate): void {
    this.db.addTablesOf(template);
  }

  /** Registers a table (again: keeps its items). */
  public addTable(name: string, key: string): void {
    this.db.addTable(name, key);
  }

  /** The items of a table. */
  public items(name: string): Item[] {
    return this.db.items(name);
  }

  public restore(): void {
    this.stub.restore();
  }
}
