/** Stable error codes of the nats jobs driver (documented in docs/errors.md). */
export const NatsErrorCodes = {
  /** The pipeline could not connect to NATS or create its stream/consumer. */
  OPEN: 'RR_ERR_JOBS_NATS_OPEN',
  /** A push got no JetStream ack within `jobs.timeout`. */
  PUSH: 'RR_ERR_JOBS_NATS_PUSH',
  /** An ack/nak/term could not be confirmed by the server. */
  SETTLE: 'RR_ERR_JOBS_NATS_SETTLE',
  CLOSED: 'RR_ERR_JOBS_NATS_CLOSED',
} as const;
