/**
 * How a `FanOutMap` runs its items.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html
 */
export enum FanOutMode {
  /**
   * An inline Map: the items run inside the parent execution, at most 40 at a time, their results
   * returned in the state output (within the 256 KiB payload limit). For up to a few thousand items
   * in the state input.
   */
  INLINE = 'INLINE',

  /**
   * A Distributed Map: each item (or batch) runs as a child execution, up to 10,000 at a time, over
   * data sets of millions of items, with results written to S3.
   */
  DISTRIBUTED = 'DISTRIBUTED',
}
