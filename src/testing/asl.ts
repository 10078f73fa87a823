/**
 * Extracts the concrete Amazon States Language of a state machine from a synthesized
 * CloudFormation template, with every intrinsic resolved to a deterministic placeholder.
 *
 * The same logical id always gives the same placeholder, so a test can compute what a
 * construct's ARN looks like in the ASL (test/support/asl.ts `arnOf`) and map it to a local function.
 * This module reads JSON only (no aws-cdk-lib), so the command-line tool can bundle it.
 */
export const PLACEHOLDER_PARTITION = 'aws';
export const PLACEHOLDER_REGION = 'us-east-1';
export const PLACEHOLDER_ACCOUNT = '123456789012';
export const PLACEHOLDER_URL_SUFFIX = 'amazonaws.com';

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  readonly Resources?: Record<string, { Type: string; Properties?: any }>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly [key: string]: unknown;
}

/** An ASL document (kept loose on purpose: tests index into it freely). */
export type Asl = Record<string, any>;

const PSEUDO: Record<string, string> = {
  'AWS::Partition': PLACEHOLDER_PARTITION,
  'AWS::Region': PLACEHOLDER_REGION,
  'AWS::AccountId': PLACEHOLDER_ACCOUNT,
  'AWS::URLSuffix': PLACEHOLDER_URL_SUFFIX,
  'AWS::StackName': 'Stack',
  'AWS::StackId': `arn:aws:cloudformation:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:stack/Stack/id`,
  'AWS::NoValue': '',
};

const arn = (service: string, resource: string, region = PLACEHOLDER_REGION, account = PLACEHOLDER_ACCOUNT) =>
  `arn:${PLACEHOLDER_PARTITION}:${service}:${region}:${account}:${resource}`;

/** What `Ref` and each `Fn::GetAtt` attribute give for a resource type, from its logical id. */
const TYPES: Record<string, { ref: (id: string) => string; attrs?: Record<string, (id: string) => string> }> = {
  'AWS::Lambda::Function': { ref: id => id, attrs: { Arn: id => arn('lambda', `function:${id}`) } },
  'AWS::Lambda::Alias': { ref: id => arn('lambda', `function:${id}:alias`) },
  'AWS::Lambda::Version': { ref: id => arn('lambda', `function:${id}:1`), attrs: { Version: () => '1' } },
  'AWS::SNS::Topic': { ref: id => arn('sns', id), attrs: { TopicArn: id => arn('sns', id), TopicName: id => id } },
  'AWS::SQS::Queue': {
    ref: id => `https://sqs.${PLACEHOLDER_REGION}.${PLACEHOLDER_URL_SUFFIX}/${PLACEHOLDER_ACCOUNT}/${id}`,
    attrs: {
      Arn: id => arn('sqs', id),
      QueueName: id => id,
      QueueUrl: id => `https://sqs.${PLACEHOLDER_REGION}.${PLACEHOLDER_URL_SUFFIX}/${PLACEHOLDER_ACCOUNT}/${id}`,
    },
  },
  'AWS::DynamoDB::Table': { ref: id => id, attrs: { Arn: id => arn('dynamodb', `table/${id}`), StreamArn: id => arn('dynamodb', `table/${id}/stream/1`) } },
  'AWS::StepFunctions::StateMachine': {
    ref: id => arn('states', `stateMachine:${id}`),
    attrs: { Arn: id => arn('states', `stateMachine:${id}`), Name: id => id },
  },
  'AWS::StepFunctions::Activity': { ref: id => arn('states', `activity:${id}`), attrs: { Name: id => id } },
  'AWS::S3::Bucket': { ref: id => id.toLowerCase(), attrs: { Arn: id => `arn:${PLACEHOLDER_PARTITION}:s3:::${id.toLowerCase()}` } },
  'AWS::Events::Connection': {
    ref: id => id,
    attrs: { Arn: id => arn('events', `connection/${id}/local`), Name: id => id, SecretArn: id => arn('secretsmanager', `secret:events!connection/${id}/local`) },
  },
  'AWS::Events::EventBus': { ref: id => id, attrs: { Arn: id => arn('events', `event-bus/${id}`), Name: id => id } },
  'AWS::SecretsManager::Secret': { ref: id => arn('secretsmanager', `secret:${id}`) },
  'AWS::KMS::Key': { ref: id => id, attrs: { Arn: id => arn('kms', `key/${id}`), KeyId: id => id } },
  'AWS::IAM::Role': { ref: id => id, attrs: { Arn: id => `arn:${PLACEHOLDER_PARTITION}:iam::${PLACEHOLDER_ACCOUNT}:role/${id}` } },
  'AWS::Logs::LogGroup': { ref: id => id, attrs: { Arn: id => arn('logs', `log-group:${id}:*`) } },
};

/**
 * The placeholder that `Ref` (no attribute) or `Fn::GetAtt` (with one) of the resource with this
 * logical id resolves to. Unknown types and attributes resolve to `<logicalId>` and
 * `<logicalId>.<attribute>`.
 */
export function placeholderFor(logicalId: string, type: string, attribute?: string): string {
  const spec = TYPES[type];
  if (attribute === undefined) {
    return spec ? spec.ref(logicalId) : logicalId;
  }
  const attr = spec?.attrs?.[attribute];
  return attr ? attr(logicalId) : `${logicalId}.${attribute}`;
}

const IMPORTS = Symbol('imports');

/**
 * Gives each template of an app the values the others export (`Outputs` with an `Export`), each
 * resolved in its own template: a reference across stacks (`Fn::ImportValue`) then resolves to the
 * placeholder of what it refers to, as a reference within one stack does.
 */
export function linkExports(templates: CfnTemplate[]): void {
  const exports = new Map<string, unknown>();
  for (const template of templates) {
    for (const output of Object.values<any>((template.Outputs ?? {}) as Record<string, any>)) {
      const name = output?.Export?.Name;
      if (name === undefined) continue;
      try {
        exports.set(String(resolveIntrinsics(name, template)), resolveIntrinsics(output.Value, template));
      } catch {
        // An export whose value this reader cannot resolve stays an import.
      }
    }
  }
  for (const template of templates) Object.defineProperty(template, IMPORTS, { value: exports, enumerable: false, configurable: true });
}

const NESTED = Symbol('nested');

/**
 * Gives a template its nested stacks' templates, by the logical id of their `AWS::CloudFormation::Stack`:
 * `Fn::GetAtt` of such a stack's `Outputs.<name>` then resolves to what the nested stack outputs.
 */
export function linkNested(parent: CfnTemplate, nested: Map<string, CfnTemplate>): void {
  Object.defineProperty(parent, NESTED, { value: nested, enumerable: false, configurable: true });
}

/** What `Fn::GetAtt` of a resource gives: its placeholder, or a nested stack's output. */
function attributeOf(logicalId: string, attribute: string, template: CfnTemplate): unknown {
  const nested = (template as unknown as Record<symbol, Map<string, CfnTemplate> | undefined>)[NESTED]?.get(logicalId);
  const output = attribute.startsWith('Outputs.') ? (nested?.Outputs as Record<string, any> | undefined)?.[attribute.slice('Outputs.'.length)] : undefined;
  if (nested && output) return resolveIntrinsics(output.Value, nested);
  return placeholderFor(logicalId, resourceType(logicalId, template), attribute);
}

function importsOf(template: CfnTemplate): Map<string, unknown> | undefined {
  return (template as unknown as Record<symbol, Map<string, unknown> | undefined>)[IMPORTS];
}

/** Resolves every intrinsic in `value` against `template`. */
export function resolveIntrinsics(value: unknown, template: CfnTemplate): any {
  if (Array.isArray(value)) {
    return value.map(v => resolveIntrinsics(v, template));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = obj[key] as any;
    switch (key) {
      case 'Ref': return ref(arg, template);
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof arg === 'string' ? splitOnce(arg, '.') : arg;
        return attributeOf(id, String(resolveIntrinsics(attribute, template)), template);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg;
        return (resolveIntrinsics(parts, template) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Sub': return sub(arg, template);
      case 'Fn::Select': {
        const [index, list] = resolveIntrinsics(arg, template);
        return list[Number(index)];
      }
      case 'Fn::Split': {
        const [sep, str] = resolveIntrinsics(arg, template);
        return String(str).split(sep);
      }
      case 'Fn::ImportValue': {
        // Another stack's export, when the template was read with its app's (stackTemplates): its value.
        const name = String(resolveIntrinsics(arg, template));
        const exported = importsOf(template)?.get(name);
        return exported !== undefined ? exported : `import:${name}`;
      }
      case 'Fn::Base64': return Buffer.from(String(resolveIntrinsics(arg, template))).toString('base64');
      default:
        if (key.startsWith('Fn::')) {
          throw new Error(`aslOf: intrinsic ${key} is not supported (${JSON.stringify(arg)})`);
        }
    }
  }
  return Object.fromEntries(keys.map(k => [k, resolveIntrinsics(obj[k], template)]));
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return [s.slice(0, i), s.slice(i + 1)];
}

function resourceType(logicalId: string, template: CfnTemplate): string {
  const resource = template.Resources?.[logicalId];
  if (!resource) {
    throw new Error(`aslOf: the template has no resource '${logicalId}'`);
  }
  return resource.Type;
}

function ref(name: string, template: CfnTemplate): string {
  if (name in PSEUDO) return PSEUDO[name];
  const parameter = template.Parameters?.[name];
  if (parameter) return parameter.Default !== undefined ? String(parameter.Default) : name;
  return placeholderFor(name, resourceType(name, template));
}

function sub(arg: unknown, template: CfnTemplate): string {
  const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
  const resolvedVars = resolveIntrinsics(vars, template) as Record<string, unknown>;
  return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, expr: string) => {
    if (expr in resolvedVars) return String(resolvedVars[expr]);
    if (expr in PSEUDO) return PSEUDO[expr];
    if (expr.includes('.')) {
      const [id, attribute] = splitOnce(expr, '.');
      return String(attributeOf(id, attribute, template));
    }
    return ref(expr, template);
  });
}

/** The ASL of the `AWS::StepFunctions::StateMachine` with this logical id in a template. */
export function aslFromTemplate(template: CfnTemplate, logicalId: string): Asl {
  const resource = template.Resources?.[logicalId];
  if (!resource || resource.Type !== 'AWS::StepFunctions::StateMachine') {
    const machines = stateMachineIds(template);
    throw new Error(`aslOf: '${logicalId}' is not a state machine in this template (state machines: ${machines.join(', ') || 'none'})`);
  }
  const props = resource.Properties ?? {};
  let text: string;
  if (props.DefinitionString !== undefined) {
    text = String(resolveIntrinsics(props.DefinitionString, template));
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolveIntrinsics(props.Definition, template));
  } else {
    throw new Error(`aslOf: state machine '${logicalId}' has its definition in S3 (DefinitionS3Location), which cannot be read offline`);
  }
  const substitutions = resolveIntrinsics(props.DefinitionSubstitutions ?? {}, template) as Record<string, unknown>;
  text = text.replace(/\$\{([^}]+)\}/g, (match, key: string) => (key in substitutions ? String(substitutions[key]) : match));
  return JSON.parse(text);
}

/** Logical ids of every state machine in a template. */
export function stateMachineIds(template: CfnTemplate): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id]) => id);
}
