import { required } from '../private/required';

/**
 * How many items of a Distributed Map may fail before the whole map run fails.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
 */
export class ToleratedFailure {
  /** No failed item is tolerated: the first failure fails the map run. */
  public static none(): ToleratedFailure {
    return new ToleratedFailure('none');
  }

  /**
   * The map run fails when more than this percentage of the items fail.
   * @param percentage from 0 to 100
   */
  public static percentage(percentage: number): ToleratedFailure {
    required(percentage, 'ToleratedFailure.percentage', 'percentage', 'give a number from 0 to 100');
    return new ToleratedFailure('percentage', percentage);
  }

  /**
   * The map run fails when more than this number of items fail.
   * @param count 0 or more
   */
  public static count(count: number): ToleratedFailure {
    required(count, 'ToleratedFailure.count', 'count', 'give a whole number of items, 0 or more');
    return new ToleratedFailure('count', count);
  }

  /**
   * The percentage is read from the state input at run time.
   * @param path a JSON path, e.g. `$.toleratedFailurePercentage`
   */
  public static percentageAt(path: string): ToleratedFailure {
    required(path, 'ToleratedFailure.percentageAt', 'path', "give the JSON path of the percentage in the state input, such as '$.tolerance'");
    return new ToleratedFailure('percentage', undefined, path);
  }

  /**
   * The count is read from the state input at run time.
   * @param path a JSON path, e.g. `$.toleratedFailureCount`
   */
  public static countAt(path: string): ToleratedFailure {
    required(path, 'ToleratedFailure.countAt', 'path', "give the JSON path of the count in the state input, such as '$.tolerance'");
    return new ToleratedFailure('count', undefined, path);
  }

  private constructor(
    /** `none`, `percentage` or `count`. */
    public readonly kind: string,
    /** The percentage or count, when given at synth. */
    public readonly value?: number,
    /** The JSON path of the percentage or count, when read at run time. */
    public readonly path?: string,
  ) {}

  /** For messages: `10%`, `5 items`, `the count at $.x`. */
  public toString(): string {
    if (this.kind === 'none') return 'no failed item';
    if (this.path !== undefined) return `the ${this.kind} at ${this.path}`;
    return this.kind === 'percentage' ? `${this.value}%` : `${this.value} items`;
  }
}
