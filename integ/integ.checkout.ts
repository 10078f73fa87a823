/**
 * Integration test: the checkout example (an HttpTask that charges a card through a payments API).
 * Offline (`npm test`), integ-runner synthesizes it and compares with the committed snapshot. With
 * AWS credentials it deploys and calls a public echo API (httpbin.org) for real: the charge succeeds,
 * and a 402 is caught as CardDeclined.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { CheckoutStack } from '../examples/checkout';

const app = new App();
// httpbin.org/anything echoes the request (200); httpbin.org/status/402 answers 402.
const paid = new CheckoutStack(app, 'CheckoutInteg', { apiRoot: 'https://httpbin.org', chargePath: 'anything/v1/charges' });
const declined = new CheckoutStack(app, 'CheckoutDeclinedInteg', { apiRoot: 'https://httpbin.org', chargePath: 'status/402' });
const integ = new IntegTest(app, 'CheckoutTest', { testCases: [paid, declined] });

const basket = { amount: 4200, card: 'tok_visa' };
expectExecution(integ, paid.workflow.stateMachineArn, { input: basket, expected: { status: 'SUCCEEDED' } });
expectExecution(integ, declined.workflow.stateMachineArn, { input: basket, expected: { status: 'FAILED', error: 'CardDeclined' } });

app.synth();
