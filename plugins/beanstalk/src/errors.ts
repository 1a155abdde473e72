/** Error codes of the beanstalk driver (entries in docs/errors.md). */
export const BeanstalkErrorCodes = {
  /** beanstalkd could not be reached or refused the tube when the pipeline opened. */
  CONNECT: 'RR_ERR_BEANSTALK_CONNECT',
  /** beanstalkd did not store a pushed job within `jobs.timeout`. */
  PUSH: 'RR_ERR_BEANSTALK_PUSH',
} as const;
