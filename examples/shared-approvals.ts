/**
 * Example: one ApprovalService that the gates of two workflows share (a refund and a discount, each
 * approved by its own lead). The service's endpoint, table, signing key and functions serve both
 * gates; each gate adds its topic, its subscription and its grants. Used by the demo (`npm run demo`)
 * and by integ/integ.approval-service.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ApprovalGate, ApprovalService, Workflow } from '../src';

export interface SharedApprovalsStackProps extends StackProps {
  /** How long each lead has to decide. @default Duration.hours(24) */
  readonly approvalTimeout?: Duration;
}

export class SharedApprovalsStack extends Stack {
  public readonly service: ApprovalService;
  public readonly refunds: Workflow;
  public readonly refundGate: ApprovalGate;
  public readonly discounts: Workflow;
  public readonly discountGate: ApprovalGate;

  constructor(scope: Construct, id: string, props: SharedApprovalsStackProps = {}) {
    super(scope, id, props);
    const timeout = props.approvalTimeout ?? Duration.hours(24);
    this.service = new ApprovalService(this, 'Approvals');

    this.refundGate = new ApprovalGate(this, 'Approve refund', {
      service: this.service,
      timeout,
      summary: sfn.JsonPath.format('Refund of {} EUR on order {}', sfn.JsonPath.stringAt('$.amount'), sfn.JsonPath.stringAt('$.orderId')),
      approverEmails: ['support-lead@example.com'],
    });
    this.refunds = new Workflow(this, 'RefundWorkflow', { definition: this.refundGate.next(new sfn.Succeed(this, 'Refund issued')) });

    this.discountGate = new ApprovalGate(this, 'Approve discount', {
      service: this.service,
      timeout,
      summary: sfn.JsonPath.format('{} % off order {}', sfn.JsonPath.stringAt('$.percent'), sfn.JsonPath.stringAt('$.orderId')),
      approverEmails: ['sales-lead@example.com'],
    });
    this.discounts = new Workflow(this, 'DiscountWorkflow', { definition: this.discountGate.next(new sfn.Succeed(this, 'Discount applied')) });
  }
}
