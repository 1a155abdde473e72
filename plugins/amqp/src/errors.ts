/** Stable error codes of the amqp jobs driver (documented in docs/errors.md). */
export const AmqpErrorCodes = {
  /** A push was not confirmed by RabbitMQ within `jobs.timeout` (broker down, unroutable, nacked). */
  PUSH: 'RR_ERR_JOBS_AMQP_PUSH',
  /** An ack/nack/requeue could not reach RabbitMQ on the channel that delivered the job. */
  SETTLE: 'RR_ERR_JOBS_AMQP_SETTLE',
  /** consume() on a pipeline that was closed. */
  CLOSED: 'RR_ERR_JOBS_AMQP_CLOSED',
  /** The first dial or the topology declaration failed when the pipeline was opened. */
  OPEN: 'RR_ERR_JOBS_AMQP_OPEN',
  /** A pipeline's `config` block has a wrong value. */
  CONFIG: 'RR_ERR_CONFIG_INVALID',
} as const;
