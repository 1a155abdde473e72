/** Error codes of the kv plugin (entries in docs/errors.md). */
export const KvErrorCodes = {
  /** A storage's driver failed to open it (bad options, backend unreachable). */
  STORAGE_OPEN: 'RR_ERR_KV_STORAGE_OPEN',
} as const;
