/**
 * An in-memory S3 for local runs: where a Distributed Map reads its items and writes its results,
 * and what the S3 service integrations (`s3:getObject`, `s3:putObject`, `s3:listObjectsV2`) see.
 * It can be loaded from a folder (each top-level folder a bucket) and written back to one.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface LocalS3Object {
  readonly key: string;
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
}

/** One entry of ListObjectsV2's `Contents`, as a Distributed Map item. */
export interface ListedObject {
  readonly Etag: string;
  readonly Key: string;
  readonly LastModified: string;
  readonly Size: number;
  readonly StorageClass: string;
}

export class LocalS3 {
  /**
   * Loads a folder: each top-level folder is a bucket, every file under it an object (its path the key).
   * `bucketOf` names the bucket a folder holds (default: the folder's name).
   */
  public static fromFolder(dir: string, now: Date = new Date(), bucketOf: (folder: string) => string = folder => folder): LocalS3 {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new Error(`LocalS3.fromFolder: '${dir}' is not a folder (give a folder whose subfolders are buckets)`);
    }
    const s3 = new LocalS3();
    for (const bucket of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!bucket.isDirectory()) continue;
      const name = bucketOf(bucket.name);
      s3.createBucket(name);
      const walk = (folder: string, prefix: string) => {
        for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
          const full = path.join(folder, entry.name);
          if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
          else s3.putObject(name, `${prefix}${entry.name}`, fs.readFileSync(full), now);
        }
      };
      walk(path.join(dir, bucket.name), '');
    }
    return s3;
  }

  private readonly buckets = new Map<string, Map<string, LocalS3Object>>();

  createBucket(bucket: string): this {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    return this;
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  putObject(bucket: string, key: string, body: string | Buffer, now: Date = new Date()): LocalS3Object {
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const object: LocalS3Object = { key, body: data, etag: `"${crypto.createHash('md5').update(data).digest('hex')}"`, lastModified: now };
    this.createBucket(bucket).buckets.get(bucket)!.set(key, object);
    return object;
  }

  getObject(bucket: string, key: string): LocalS3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** The object's body as UTF-8 text; undefined when there is no such object. */
  getText(bucket: string, key: string): string | undefined {
    return this.getObject(bucket, key)?.body.toString('utf8');
  }

  /** Keys of a bucket under a prefix, in lexicographic order as S3 lists them. */
  keys(bucket: string, prefix = ''): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].filter(k => k.startsWith(prefix)).sort();
  }

  /** ListObjectsV2's `Contents` for a prefix. */
  list(bucket: string, prefix = ''): ListedObject[] {
    return this.keys(bucket, prefix).map(key => {
      const o = this.getObject(bucket, key)!;
      return { Etag: o.etag, Key: key, LastModified: o.lastModified.toISOString(), Size: o.body.length, StorageClass: 'STANDARD' };
    });
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()].sort();
  }

  /**
   * Writes every bucket into a folder (the reverse of fromFolder), each bucket a folder, empty ones too.
   * `folderOf` names the folder of a bucket (default: the bucket's name).
   */
  writeToFolder(dir: string, folderOf: (bucket: string) => string = bucket => bucket): void {
    // A key is any text in S3 ('../../x' included): one whose file would land outside its bucket's folder is not written there.
    const outside: string[] = [];
    const root = path.resolve(dir);
    for (const [bucket, objects] of this.buckets) {
      const folder = path.resolve(root, folderOf(bucket));
      if (!folder.startsWith(root + path.sep)) {
        outside.push(`bucket '${bucket}'`);
        continue;
      }
      fs.mkdirSync(folder, { recursive: true });
      for (const [key, o] of objects) {
        const file = path.resolve(folder, ...key.split('/'));
        if (!file.startsWith(folder + path.sep)) {
          outside.push(`s3://${bucket}/${key}`);
          continue;
        }
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, o.body);
      }
    }
    if (outside.length > 0) {
      throw new Error(`LocalS3.writeToFolder: not written, as each would land outside its bucket's folder in ${dir}: ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ` and ${outside.length - 5} more` : ''}`);
    }
  }
}
