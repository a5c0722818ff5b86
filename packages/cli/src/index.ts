/** Placeholder until the package lands. */
export const version = '0.1.0'
