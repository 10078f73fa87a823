import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FanOutMode } from './fan-out-mode';
import { isDynamic } from '../private/paths';
import { checkProps } from '../private/prop-types';
import { isJsonataExpression } from '../private/query-language';
import { required } from '../private/required';

/**
 * Options of an item source read from Amazon S3.
 */
export interface S3ItemSourceOptions {
  /**
   * The most items to read (the rest are ignored), e.g. to try a job on a sample of the data set.
   * @default - every item
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html#itemreader-field-contents
   */
  readonly maxItems?: number;
}

/**
 * Options of a CSV item source.
 */
export interface S3CsvItemSourceOptions extends S3ItemSourceOptions {
  /**
   * Where the column names come from: the first row of the file (`sfn.CsvHeaders.useFirstRow()`),
   * or the list given (`sfn.CsvHeaders.use(['id', 'email'])`). Each row becomes an object keyed by them.
   */
  readonly headers: sfn.CsvHeaders;

  /**
   * The character that separates the fields of a row.
   * @default sfn.CsvDelimiter.COMMA
   */
  readonly delimiter?: sfn.CsvDelimiter;
}

/** What an item source reads, for the internal checks and the IAM statements. */
enum SourceKind {
  JSON_ARRAY = 'a JSON array in the state input',
  S3_OBJECTS = 'the objects of an S3 bucket',
  S3_JSON = 'a JSON file in S3',
  S3_JSON_LINES = 'a JSON Lines file in S3',
  S3_CSV = 'a CSV file in S3',
  S3_MANIFEST = 'an S3 Inventory manifest',
}

/**
 * Where a `FanOutMap` finds its items: a JSON array in the state input (an inline Map by default),
 * or a data set in Amazon S3 (always a Distributed Map).
 *
 * Object keys and prefixes may be literal strings or come from the state input
 * (`sfn.JsonPath.stringAt('$.key')`).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 */
export class ItemSource {
  /**
   * The items of a JSON array in the state input.
   *
   * @param itemsPath the JSON path of the array in the state input. In a JSONata FanOutMap, a JSON
   * path such as `$.items` (read as `$states.input.items`) or a JSONata expression `{% ... %}`
   */
  public static jsonArray(itemsPath: string = '$'): ItemSource {
    return new ItemSource(SourceKind.JSON_ARRAY, { itemsPath });
  }

  /**
   * One item per object of a bucket (`{ Key, Size, Etag, LastModified, StorageClass }`), listed
   * with `ListObjectsV2`.
   *
   * @param prefix only the objects whose key starts with it (a string or a JSON path)
   */
  public static s3Objects(bucket: s3.IBucket, prefix?: string, options: S3ItemSourceOptions = {}): ItemSource {
    required(bucket, 'ItemSource.s3Objects', 'bucket', 'give the bucket whose objects are the items');
    checkProps('ItemSource.s3Objects', 'S3ItemSourceOptions', options);
    return new ItemSource(SourceKind.S3_OBJECTS, { bucket, prefix, maxItems: options.maxItems });
  }

  /**
   * The items of a JSON array stored as one S3 object.
   *
   * @param key the object key (a string or a JSON path)
   */
  public static s3Json(bucket: s3.IBucket, key: string, options: S3ItemSourceOptions = {}): ItemSource {
    requiredObject('ItemSource.s3Json', bucket, key);
    checkProps('ItemSource.s3Json', 'S3ItemSourceOptions', options);
    return new ItemSource(SourceKind.S3_JSON, { bucket, key, maxItems: options.maxItems });
  }

  /**
   * One item per line of a JSON Lines object (one JSON value per line).
   *
   * @param key the object key (a string or a JSON path)
   */
  public static s3JsonLines(bucket: s3.IBucket, key: string, options: S3ItemSourceOptions = {}): ItemSource {
    requiredObject('ItemSource.s3JsonLines', bucket, key);
    checkProps('ItemSource.s3JsonLines', 'S3ItemSourceOptions', options);
    return new ItemSource(SourceKind.S3_JSON_LINES, { bucket, key, maxItems: options.maxItems });
  }

  /**
   * One item per row of a CSV object, as an object keyed by the column names.
   *
   * @param key the object key (a string or a JSON path)
   */
  public static s3Csv(bucket: s3.IBucket, key: string, options: S3CsvItemSourceOptions): ItemSource {
    requiredObject('ItemSource.s3Csv', bucket, key);
    required(options, 'ItemSource.s3Csv', 'options (with headers)', 'give { headers: sfn.CsvHeaders.useFirstRow() } or { headers: sfn.CsvHeaders.use([...column names]) }');
    checkProps('ItemSource.s3Csv', 'S3CsvItemSourceOptions', options);
    return new ItemSource(SourceKind.S3_CSV, { bucket, key, maxItems: options.maxItems, csv: options });
  }

  /**
   * One item per object listed by an S3 Inventory report, from its `manifest.json`. The state
   * machine may read the whole inventory configuration folder (the manifest lists data files that
   * are only known at run time).
   *
   * @param key the key of the `manifest.json` (a string or a JSON path)
   */
  public static s3Manifest(bucket: s3.IBucket, key: string, options: S3ItemSourceOptions = {}): ItemSource {
    requiredObject('ItemSource.s3Manifest', bucket, key);
    checkProps('ItemSource.s3Manifest', 'S3ItemSourceOptions', options);
    return new ItemSource(SourceKind.S3_MANIFEST, { bucket, key, maxItems: options.maxItems });
  }

  /** The bucket the items are read from. `undefined` for items in the state input. */
  public readonly bucket?: s3.IBucket;

  /** The JSON path of the items in the state input. `undefined` for an S3 source. */
  public readonly itemsPath?: string;

  /** The mode a `FanOutMap` uses unless told otherwise: inline for the state input, distributed for S3. */
  public readonly defaultMode: FanOutMode;

  private readonly kind: SourceKind;
  private readonly key?: string;
  private readonly prefix?: string;
  private readonly maxItems?: number;
  private readonly csv?: S3CsvItemSourceOptions;

  private constructor(kind: SourceKind, props: SourceProps) {
    this.kind = kind;
    this.bucket = props.bucket;
    this.itemsPath = props.itemsPath;
    this.key = props.key;
    this.prefix = props.prefix;
    this.maxItems = props.maxItems;
    this.csv = props.csv;
    this.defaultMode = kind === SourceKind.JSON_ARRAY ? FanOutMode.INLINE : FanOutMode.DISTRIBUTED;
  }

  /** What the source reads, for messages: `a CSV file in S3`... */
  public toString(): string {
    return this.kind;
  }

  /**
   * What is wrong with the source, as message fragments (empty when it is usable).
   * @internal
   */
  public _validate(): string[] {
    const errors: string[] = [];
    if (this.itemsPath !== undefined && !Token.isUnresolved(this.itemsPath) && !this.itemsPath.startsWith('$') && !isJsonataExpression(this.itemsPath)) {
      errors.push(`the items path must be a JSON path starting with '$', or a JSONata expression '{% ... %}' (got '${this.itemsPath}')`);
    }
    if (this.key !== undefined && !Token.isUnresolved(this.key) && this.key.trim() === '') {
      errors.push(`the object key of ${this.kind} must not be empty; give the key, or a JSON path to it`);
    }
    if (this.maxItems !== undefined && !Token.isUnresolved(this.maxItems)
      && (!Number.isInteger(this.maxItems) || this.maxItems < 1 || this.maxItems > 100_000_000)) {
      errors.push(`maxItems must be a whole number from 1 to 100000000 (got ${this.maxItems})`);
    }
    if (this.csv) {
      const headers = this.csv.headers;
      if (!headers) {
        errors.push('a CSV source needs headers: sfn.CsvHeaders.useFirstRow() or sfn.CsvHeaders.use([...column names])');
      } else if (headers.headerLocation === sfn.CsvHeaderLocation.GIVEN) {
        const names = headers.headers ?? [];
        const blank = names.filter(n => n.trim() === '');
        const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
        if (names.length === 0) {
          errors.push('a CSV source given no column names (got sfn.CsvHeaders.use([])); list the columns, or use sfn.CsvHeaders.useFirstRow() if the file has a header row');
        } else if (blank.length > 0) {
          errors.push(`CSV column names must not be blank (got ${JSON.stringify(names)})`);
        } else if (duplicates.length > 0) {
          errors.push(`CSV column names must be unique (got ${JSON.stringify(duplicates[0])} twice)`);
        }
      }
    }
    return errors;
  }

  /**
   * The object key and the prefix given (literal, a JSON path or a JSONata expression), for checks.
   * @internal
   */
  public _objectKeys(): string[] {
    return [this.key, this.prefix].filter((v): v is string => v !== undefined);
  }

  /**
   * The Distributed Map item reader; `undefined` for items in the state input.
   * @internal
   */
  public _reader(): sfn.IItemReader | undefined {
    const bucket = this.bucket;
    if (!bucket) return undefined;
    const key = this.key ?? '';
    const maxItems = this.maxItems;
    return new ScopedItemReader(this.cdkReader(bucket, key, maxItems), this._readStatements());
  }

  private cdkReader(bucket: s3.IBucket, key: string, maxItems?: number): sfn.IItemReader {
    switch (this.kind) {
      case SourceKind.S3_OBJECTS: return new sfn.S3ObjectsItemReader({ bucket, prefix: this.prefix, maxItems });
      case SourceKind.S3_JSON: return new sfn.S3JsonItemReader({ bucket, key, maxItems });
      case SourceKind.S3_JSON_LINES: return new sfn.S3JsonLItemReader({ bucket, key, maxItems });
      case SourceKind.S3_MANIFEST: return new sfn.S3ManifestItemReader({ bucket, key, maxItems });
      default: return new sfn.S3CsvItemReader({
        bucket, key, maxItems, csvHeaders: this.csv?.headers, csvDelimiter: this.csv?.delimiter ?? sfn.CsvDelimiter.COMMA,
      });
    }
  }

  /**
   * The least the state machine needs to read the items: `s3:ListBucket` (limited to the prefix)
   * or `s3:GetObject` on the object (the inventory folder for a manifest, the bucket when the key is
   * read from the input), and `kms:Decrypt` when the bucket is encrypted with a KMS key.
   * @internal
   */
  public _readStatements(): iam.PolicyStatement[] {
    const bucket = this.bucket;
    if (!bucket) return [];
    const statements: iam.PolicyStatement[] = [];
    if (this.kind === SourceKind.S3_OBJECTS) {
      const literalPrefix = this.prefix !== undefined && !isDynamic(this.prefix) ? this.prefix : undefined;
      statements.push(new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        ...(literalPrefix ? { conditions: { StringLike: { 's3:prefix': `${literalPrefix}*` } } } : {}),
      }));
    } else {
      statements.push(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(this.objectPattern())] }));
    }
    if (bucket.encryptionKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [bucket.encryptionKey.keyArn] }));
    }
    return statements;
  }

  /** The objects `s3:GetObject` is granted on. */
  private objectPattern(): string {
    const key = this.key ?? '';
    if (isDynamic(key)) return '*';
    if (this.kind !== SourceKind.S3_MANIFEST) return key;
    // <destination prefix>/<source bucket>/<configuration id>/<date>/manifest.json lists data files
    // in <destination prefix>/<source bucket>/<configuration id>/data/.
    const parts = key.split('/');
    return parts.length > 2 ? `${parts.slice(0, -2).join('/')}/*` : '*';
  }
}

/** Fails unless the bucket and the key of an S3 object source are given. */
function requiredObject(where: string, bucket: s3.IBucket, key: string): void {
  required(bucket, where, 'bucket', 'give the bucket that holds the object');
  required(key, where, 'key', "give the object's key, or a JSON path to it (sfn.JsonPath.stringAt('$.key'))");
}

interface SourceProps {
  readonly bucket?: s3.IBucket;
  readonly itemsPath?: string;
  readonly key?: string;
  readonly prefix?: string;
  readonly maxItems?: number;
  readonly csv?: S3CsvItemSourceOptions;
}

/**
 * A CDK item reader whose IAM statements are replaced with scoped ones (CDK grants `s3:GetObject`
 * on the whole bucket and forgets the KMS key).
 */
class ScopedItemReader implements sfn.IItemReader {
  public readonly bucket: s3.IBucket;
  public readonly resource: string;
  public readonly maxItems?: number;
  public readonly bucketNamePath?: string;

  constructor(private readonly reader: sfn.IItemReader, private readonly statements: iam.PolicyStatement[]) {
    this.bucket = reader.bucket;
    this.resource = reader.resource;
    this.maxItems = reader.maxItems;
    this.bucketNamePath = reader.bucketNamePath;
  }

  public render(queryLanguage?: sfn.QueryLanguage): any {
    return this.reader.render(queryLanguage);
  }

  public providePolicyStatements(): iam.PolicyStatement[] {
    return this.statements;
  }

  public validateItemReader(): string[] {
    return this.reader.validateItemReader();
  }
}
