/** Error codes of the kafka driver (entries in docs/errors.md). */
export const KafkaErrorCodes = {
  /** The brokers could not be reached when the pipeline opened. */
  CONNECT: 'RR_ERR_KAFKA_CONNECT',
  /** The brokers did not acknowledge a pushed job within `jobs.timeout`. */
  PUSH: 'RR_ERR_KAFKA_PUSH',
} as const;
