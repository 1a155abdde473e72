/** Stable codes of the errors the rpc plugin raises; each has an entry in docs/errors.md. */
export const RpcErrorCodes = {
  /** The RPC listener could not be opened (address in use, no permission, a non-socket file in the way). */
  LISTEN: 'RR_ERR_RPC_LISTEN',
  /** Two plugins contributed an RPC service with the same name. */
  SERVICE_DUPLICATE: 'RR_ERR_RPC_SERVICE_DUPLICATE',
} as const;
