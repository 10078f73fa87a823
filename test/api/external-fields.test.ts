/**
 * The fields of the aws-cdk-lib structs the library's props extend, which the check of misspelled
 * props knows without reading aws-cdk-lib's assembly: each is a field there, so no valid prop is refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { KNOWN_EXTERNAL_FIELDS } from '../../src/private/prop-types';

test('every field the check knows of an aws-cdk-lib struct is a field of that struct in the installed aws-cdk-lib', () => {
  const dir = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const types = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, '.jsii.gz'))).toString('utf8')).types;
  const fieldsOf = (fqn: string): string[] => [
    ...(types[fqn]?.properties ?? []).map((p: { name: string }) => p.name),
    ...(types[fqn]?.interfaces ?? []).flatMap(fieldsOf),
  ];
  for (const [fqn, names] of Object.entries(KNOWN_EXTERNAL_FIELDS)) {
    expect({ fqn, missing: names.filter(n => !fieldsOf(fqn).includes(n)) }).toEqual({ fqn, missing: [] });
  }
});
