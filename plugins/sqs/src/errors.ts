/** Error codes of the sqs driver (entries in docs/errors.md). */
export const SqsErrorCodes = {
  /** The queue could not be declared or found when the pipeline opened. */
  QUEUE: 'RR_ERR_SQS_QUEUE',
  /** SQS did not accept a pushed job within `jobs.timeout`. */
  PUSH: 'RR_ERR_SQS_PUSH',
} as const;
