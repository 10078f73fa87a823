import { Token } from 'aws-cdk-lib';

/** A key, prefix or value read from the state input (a JSON path or a JSONata expression), or otherwise unknown at synth. */
export function isDynamic(value: string): boolean {
  return Token.isUnresolved(value) || value.startsWith('$') || /^\{%[\s\S]*%\}$/.test(value.trim());
}
