import { SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { checkHttps } from '../private/https';
import { checkProps, checkValue } from '../private/prop-types';
import { required } from '../private/required';

/**
 * Options for `HttpAuthorization.oauthClientCredentials`.
 */
export interface HttpOAuthClientCredentialsOptions {
  /**
   * The URL of the authorization server's token endpoint (`https://`).
   */
  readonly authorizationEndpoint: string;

  /**
   * The client id.
   */
  readonly clientId: string;

  /**
   * The client secret, from Secrets Manager (`SecretValue.secretsManager(...)`), never plain text.
   */
  readonly clientSecret: SecretValue;

  /**
   * The method of the token request.
   * @default events.HttpMethod.POST
   */
  readonly httpMethod?: events.HttpMethod;

  /**
   * Extra parameters of the token request's body (such as `scope`).
   * @default - none
   */
  readonly bodyParameters?: Record<string, events.HttpParameter>;
}

/**
 * How an `HttpTask` authenticates to the API: through an EventBridge connection, which keeps the
 * credential in Secrets Manager, out of the template and out of the state machine's history.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-auth.html
 */
export abstract class HttpAuthorization {
  /**
   * An API key sent in a header of each request.
   * @param headerName the header (`x-api-key`)
   * @param value the key, from Secrets Manager: `SecretValue.secretsManager('payments/api-key')`
   */
  public static apiKey(headerName: string, value: SecretValue): HttpAuthorization {
    const where = 'HttpAuthorization.apiKey';
    required(headerName, where, 'headerName', "give the header that carries the key, such as 'x-api-key'");
    if (typeof headerName !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(headerName)) {
      throw new Error(`${where}: headerName must be an HTTP header name, such as 'x-api-key' (got ${JSON.stringify(headerName)})`);
    }
    const secret = secretOf(where, 'value', value);
    return new ConnectionAuthorization(`API key in ${headerName}`, () => events.Authorization.apiKey(headerName, secret));
  }

  /**
   * HTTP Basic authentication.
   * @param username the user name (it is in the template: it is not a secret)
   * @param password the password, from Secrets Manager
   */
  public static basic(username: string, password: SecretValue): HttpAuthorization {
    const where = 'HttpAuthorization.basic';
    required(username, where, 'username', 'give the user name');
    if (typeof username !== 'string' || username.length === 0) {
      throw new Error(`${where}: username must be a non-empty string (got ${JSON.stringify(username)})`);
    }
    const secret = secretOf(where, 'password', password);
    return new ConnectionAuthorization(`Basic as ${username}`, () => events.Authorization.basic(username, secret));
  }

  /**
   * OAuth 2.0 client credentials: EventBridge exchanges the client id and secret for an access token,
   * and renews it.
   */
  public static oauthClientCredentials(options: HttpOAuthClientCredentialsOptions): HttpAuthorization {
    const where = 'HttpAuthorization.oauthClientCredentials';
    required(options, where, 'options', 'give { authorizationEndpoint, clientId, clientSecret }');
    checkProps(where, 'HttpOAuthClientCredentialsOptions', options);
    required(options.authorizationEndpoint, where, 'authorizationEndpoint', "give the token endpoint, such as 'https://auth.example.com/oauth2/token'");
    checkHttps(where, 'authorizationEndpoint', options.authorizationEndpoint);
    required(options.clientId, where, 'clientId', 'give the client id');
    const secret = secretOf(where, 'clientSecret', options.clientSecret);
    return new ConnectionAuthorization(`OAuth client ${options.clientId}`, () => events.Authorization.oauth({
      authorizationEndpoint: options.authorizationEndpoint,
      clientId: options.clientId,
      clientSecret: secret,
      httpMethod: options.httpMethod ?? events.HttpMethod.POST,
      bodyParameters: options.bodyParameters,
    }));
  }

  /**
   * An EventBridge connection that exists already (shared by several tasks, or made elsewhere).
   */
  public static fromConnection(connection: events.IConnection): HttpAuthorization {
    required(connection, 'HttpAuthorization.fromConnection', 'connection', 'give an events.IConnection (events.Connection.fromConnectionAttributes for one made elsewhere)');
    checkValue('HttpAuthorization.fromConnection', 'connection', 'aws-cdk-lib.aws_events.IConnection', connection);
    return new ExistingConnection(connection);
  }

  /**
   * The connection the task uses: created once per stack for each authorization, so tasks given the
   * same authorization share one connection (and one secret).
   * @internal
   */
  public abstract _connection(scope: Construct, taskId: string): events.IConnection;
}

class ConnectionAuthorization extends HttpAuthorization {
  /** By stack object: two apps may hold stacks of the same path (a test builds a new app each time). */
  private readonly made = new WeakMap<Stack, events.IConnection>();

  constructor(private readonly description: string, private readonly authorization: () => events.Authorization) {
    super();
  }

  public _connection(scope: Construct, taskId: string): events.IConnection {
    const stack = Stack.of(scope);
    let connection = this.made.get(stack);
    if (!connection) {
      // Named after the first task that uses it; the tasks of the stack given the same authorization share it.
      connection = new events.Connection(scope, `${taskId} Connection`, {
        authorization: this.authorization(),
        description: `${this.description}, for ${scope.node.path}/${taskId}`.slice(0, 512),
      });
      this.made.set(stack, connection);
    }
    return connection;
  }
}

class ExistingConnection extends HttpAuthorization {
  constructor(private readonly connection: events.IConnection) {
    super();
  }

  public _connection(): events.IConnection {
    return this.connection;
  }
}

/** A credential that is in Secrets Manager (a token), or an error that says why a plain text one is refused. */
function secretOf(where: string, name: string, value: SecretValue): SecretValue {
  required(value, where, name, "give a SecretValue from Secrets Manager, such as SecretValue.secretsManager('payments/api-key')");
  if (!SecretValue.isSecretValue(value)) {
    throw new Error(`${where}: ${name} must be a SecretValue (got ${typeof value}); write SecretValue.secretsManager('<secret name>')`);
  }
  if (!Token.isUnresolved(value.unsafeUnwrap())) {
    throw new Error(`${where}: ${name} is plain text (SecretValue.unsafePlainText), which would put the credential in the template; `
      + "store it in Secrets Manager and write SecretValue.secretsManager('<secret name>')");
  }
  return value;
}
