/**
 * Example: a checkout that takes a payment through a third-party HTTPS API (HttpTask): paid, card
 * declined (402, caught), payment service down (503, retried, then caught). Used by the demo
 * (`npm run demo`, against a stand-in API it starts on 127.0.0.1) and by integ/integ.checkout.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HttpAuthorization, HttpErrors, HttpMethod, HttpTask, Workflow } from '../src';

export interface CheckoutStackProps extends StackProps {
  /** The payments API. @default 'https://api.payments.example.com' */
  readonly apiRoot?: string;
  /** Where charges are created, under the root. @default 'v1/charges' */
  readonly chargePath?: string;
}

export class CheckoutStack extends Stack {
  public readonly workflow: Workflow;

  constructor(scope: Construct, id: string, props: CheckoutStackProps = {}) {
    super(scope, id, props);
    // The payment provider's API key: put its value into the secret once it is deployed.
    const apiKey = new secretsmanager.Secret(this, 'PaymentsApiKey', { description: 'The payments API key of the checkout example' });

    const charge = new HttpTask(this, 'Charge card', {
      apiRoot: props.apiRoot ?? 'https://api.payments.example.com',
      path: props.chargePath ?? 'v1/charges',
      method: HttpMethod.POST,
      authorization: HttpAuthorization.apiKey('x-api-key', apiKey.secretValue),
      // The same on every retry of this execution: the provider charges once.
      headers: sfn.TaskInput.fromObject({ 'Idempotency-Key.$': '$$.Execution.Name' }),
      body: sfn.TaskInput.fromObject({ 'amount.$': '$.amount', 'currency': 'usd', 'card.$': '$.card' }),
      resultSelector: { 'status.$': '$.StatusCode', 'charge.$': '$.ResponseBody' },
      resultPath: '$.payment',
    });
    charge.addCatch(new sfn.Fail(this, 'Card declined', { error: 'CardDeclined', cause: 'The payment provider declined the card (402)' }), {
      errors: [HttpErrors.statusCode(402)],
    });
    charge.addCatch(new sfn.Fail(this, 'Payments unavailable', { error: 'PaymentsUnavailable', cause: 'The payment provider was down through every retry' }), {
      errors: HttpErrors.TRANSIENT,
    });

    this.workflow = new Workflow(this, 'Checkout', {
      definition: charge.next(new sfn.Succeed(this, 'Paid')),
      timeout: Duration.minutes(10),
    });
  }
}
