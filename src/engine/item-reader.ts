/**
 * A Distributed Map's items from S3, as its ItemReader reads them (an object list, a JSON, JSON Lines or
 * CSV file, an S3 inventory manifest), and the batches its ItemBatcher makes of them.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 */
import * as zlib from 'zlib';
import { StatesError } from './errors';
import { LocalS3 } from './local-s3';

const DELIMITERS: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };

/** Splits CSV text into rows of fields (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {quoted = true;} else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {field += c;}
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter(r => !(r.length === 1 && r[0] === ''));
}

export function readerFailed(message: string): StatesError {
  return new StatesError('States.ItemReaderFailed', message);
}

/** The items an ItemReader gives, from the evaluated reader parameters. */
export function readItems(s3: LocalS3, resource: string, parameters: any, config: any, maxItems: number | undefined): unknown[] {
  const bucket = parameters?.Bucket;
  if (typeof bucket !== 'string' || bucket === '') throw readerFailed('The ItemReader needs a Bucket.');
  if (!s3.hasBucket(bucket)) throw readerFailed(`The specified bucket does not exist (Service: S3, Status Code: 404, Error Code: NoSuchBucket): ${bucket}`);
  let items: unknown[];
  if (/:s3:listObjectsV2$/.test(resource)) {
    items = s3.list(bucket, parameters.Prefix ?? '');
  } else if (/:s3:getObject$/.test(resource)) {
    const key = parameters.Key;
    const object = typeof key === 'string' ? s3.getObject(bucket, key) : undefined;
    if (!object) throw readerFailed(`The specified key does not exist (Service: S3, Status Code: 404, Error Code: NoSuchKey): s3://${bucket}/${String(key)}`);
    const text = object.body.toString('utf8');
    const type = config?.InputType ?? 'JSON';
    items = parseFile(s3, bucket, text, type, config);
  } else {
    throw readerFailed(`The ItemReader resource ${resource} is not s3:listObjectsV2 or s3:getObject.`);
  }
  return maxItems !== undefined && maxItems > 0 ? items.slice(0, maxItems) : items;
}

function parseFile(s3: LocalS3, bucket: string, text: string, type: string, config: any): unknown[] {
  switch (type) {
    case 'JSON': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw readerFailed(`The file is not valid JSON: ${(e as Error).message}`);
      }
      if (!Array.isArray(parsed)) throw readerFailed('Attempting to map over non-iterable node.');
      return parsed;
    }
    case 'JSONL':
      return text.split(/\r?\n/).filter(l => l.trim() !== '').map((line, i) => {
        try {
          return JSON.parse(line);
        } catch {
          throw readerFailed(`Line ${i + 1} of the JSONL file is not valid JSON.`);
        }
      });
    case 'CSV': {
      const delimiter = DELIMITERS[config?.CSVDelimiter ?? 'COMMA'];
      if (!delimiter) throw readerFailed(`CSVDelimiter must be one of ${Object.keys(DELIMITERS).join(', ')}.`);
      const rows = parseCsv(text, delimiter);
      const given = (config?.CSVHeaderLocation ?? 'FIRST_ROW') === 'GIVEN';
      const headers: string[] = given ? config?.CSVHeaders ?? [] : rows.shift() ?? [];
      if (headers.length === 0) throw readerFailed('The CSV file has no header row and no CSVHeaders are given.');
      if (new Set(headers).size !== headers.length) throw readerFailed('CSV headers cannot contain duplicates.');
      return rows.map(r => Object.fromEntries(headers.map((h, i) => [h, r[i] ?? ''])));
    }
    case 'MANIFEST': {
      let manifest: any;
      try {
        manifest = JSON.parse(text);
      } catch {
        throw readerFailed('The S3 inventory manifest is not valid JSON.');
      }
      if (manifest?.fileFormat !== 'CSV' || !Array.isArray(manifest?.files)) throw readerFailed('The S3 inventory manifest must list CSV files (fileFormat CSV, files).');
      const columns = String(manifest.fileSchema ?? '').split(',').map(c => c.trim()).filter(c => c !== '');
      const out: unknown[] = [];
      for (const file of manifest.files) {
        const object = s3.getObject(bucket, file.key);
        if (!object) throw readerFailed(`The inventory file s3://${bucket}/${file.key} does not exist.`);
        const body = file.key.endsWith('.gz') ? zlib.gunzipSync(object.body).toString('utf8') : object.body.toString('utf8');
        for (const r of parseCsv(body, ',')) out.push(Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ''])));
      }
      return out;
    }
    default:
      throw readerFailed(`InputType must be JSON, JSONL, CSV or MANIFEST (got ${type}).`);
  }
}

/** Groups child inputs into batches as ItemBatcher says. */
export function batch(items: unknown[], maxItems: number | undefined, maxBytes: number | undefined, batchInput: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown[] = [];
  const input = (list: unknown[]) => (batchInput === undefined ? { Items: list } : { BatchInput: batchInput, Items: list });
  const size = (list: unknown[]) => Buffer.byteLength(JSON.stringify(input(list)), 'utf8');
  for (const item of items) {
    const next = [...current, item];
    const tooMany = maxItems !== undefined && next.length > maxItems;
    const tooBig = maxBytes !== undefined && current.length > 0 && size(next) > maxBytes;
    if (tooMany || tooBig) {
      out.push(input(current));
      current = [item];
    } else {current = next;}
    if (maxBytes !== undefined && current.length === 1 && size(current) > maxBytes) {
      throw new StatesError('States.ItemReaderFailed', `An item is larger than MaxInputBytesPerBatch (${maxBytes} bytes).`);
    }
  }
  if (current.length > 0) out.push(input(current));
  return out;
}
