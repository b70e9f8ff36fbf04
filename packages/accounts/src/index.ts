export * from "./types.js";
export { readAccounts, readUser, readPermissions, whereWritten } from "./config.js";
export { validateAccounts, findExport } from "./validate.js";
export { importLocalSubject, mapSubject, capture, streamImportSubject, serviceImportSubject } from "./mapping.js";
export { SubjectPermissionChecker } from "./permissions.js";
export { Authenticator, type ClientCredentials, type Identity } from "./authenticator.js";
export { secretEquals, isBcrypt, passwordMatches, nkeySignatureValid, newNonce } from "./credentials.js";
export { NkeyPrefix, encodeNkey, decodeNkey, base32Encode, base32Decode, crc16 } from "./nkeys.js";
