import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowAlarmOptions } from '../workflow/workflow-options';

/**
 * The alarms of a workflow on failed, timed-out, throttled and aborted executions, in that order
 * (those whose threshold is not 0), each firing when its metric reaches its threshold in one period.
 */
export function workflowAlarms(owner: Construct, name: string, stateMachine: sfn.StateMachine, options: WorkflowAlarmOptions): cloudwatch.Alarm[] {
  if (options.enabled === false) return [];
  const period = options.period ?? Duration.minutes(5);
  const alarms: Array<[string, number | undefined, cloudwatch.Metric, string]> = [
    ['FailedAlarm', options.failedThreshold, stateMachine.metricFailed({ period, statistic: 'Sum' }), 'failed'],
    ['TimedOutAlarm', options.timedOutThreshold, stateMachine.metricTimedOut({ period, statistic: 'Sum' }), 'timed out'],
    ['ThrottledAlarm', options.throttledThreshold, stateMachine.metricThrottled({ period, statistic: 'Sum' }), 'were throttled'],
    ['AbortedAlarm', options.abortedThreshold, stateMachine.metricAborted({ period, statistic: 'Sum' }), 'were aborted'],
  ];
  const created: cloudwatch.Alarm[] = [];
  for (const [alarmId, given, metric, what] of alarms) {
    const threshold = given ?? 1;
    if (!Token.isUnresolved(threshold) && (!Number.isFinite(threshold) || threshold < 0)) {
      throw new Error(`${name}: alarm thresholds must be 0 (no alarm) or more (got ${threshold} for ${alarmId})`);
    }
    if (threshold === 0) continue;
    const alarm = new cloudwatch.Alarm(owner, alarmId, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${threshold} or more executions of workflow ${owner.node.path} ${what} in ${period.toHumanString()}`,
    });
    if (options.action) {
      alarm.addAlarmAction(options.action);
      alarm.addOkAction(options.action);
    }
    created.push(alarm);
  }
  return created;
}
