/**
 * Example: a nightly report built by a container on Fargate (ContainerTask), the day from the
 * schedule's input. Used by the demo (`npm run demo`, a function standing for the container) and by
 * integ/integ.nightly-report.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ContainerTask, Workflow } from '../src';

export class NightlyReportStack extends Stack {
  public readonly workflow: Workflow;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const report = new ecs.FargateTaskDefinition(this, 'Report', { cpu: 256, memoryLimitMiB: 512 });
    report.addContainer('report', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
      // A stand-in for the report job: it prints the day it was asked for, and exits 0.
      command: ['node', '-e', 'console.log(`report for ${process.env.REPORT_DAY}`)'],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'report', logRetention: logs.RetentionDays.ONE_MONTH }),
    });
    const build = new ContainerTask(this, 'Build report', {
      taskDefinition: report,
      vpc,
      environment: { REPORT_DAY: sfn.JsonPath.stringAt('$.day') },
      resultSelector: { 'exitCode.$': '$.Containers[0].ExitCode', 'stoppedAt.$': '$.StoppedAt' },
      resultPath: '$.report',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(30)),
    });
    build.addCatch(new sfn.Fail(this, 'Report failed', { error: 'ReportFailed', cause: 'The report container exited with an error' }), {
      errors: ['States.TaskFailed'],
    });
    this.workflow = new Workflow(this, 'Nightly', { definition: build.next(new sfn.Succeed(this, 'Report ready')), timeout: Duration.hours(1) });
    // The scheduled event's time is the day the report is for.
    this.workflow.addSchedule('Every night', events.Schedule.cron({ hour: '2', minute: '0' }), {
      input: events.RuleTargetInput.fromObject({ day: events.EventField.time }),
    });
  }
}
