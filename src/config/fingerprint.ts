/** The only form in which outloop stores a key: `sha256:` + 64 lowercase hex digits. */
export const FINGERPRINT = /^sha256:[0-9a-f]{64}$/;
