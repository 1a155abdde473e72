export { RrError, errorCode, type Phase } from '@rr/plugin-api';
