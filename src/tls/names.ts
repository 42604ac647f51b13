/** TLS name tables (IANA registries, Wireshark's spellings) for the TLS dissector. */

export const CONTENT_TYPES: Readonly<Record<number, string>> = {
  20: "Change Cipher Spec", 21: "Alert", 22: "Handshake", 23: "Application Data", 24: "Heartbeat",
};

export const VERSIONS: Readonly<Record<number, string>> = {
  0x0002: "SSL 2.0", 0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3",
  0xfeff: "DTLS 1.0", 0xfefd: "DTLS 1.2", 0xfefc: "DTLS 1.3",
};

/** Protocol column text per version. */
export const VERSION_COL: Readonly<Record<number, string>> = {
  0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3",
};

export const HANDSHAKE_TYPES: Readonly<Record<number, string>> = {
  0: "Hello Request", 1: "Client Hello", 2: "Server Hello", 3: "Hello Verify Request", 4: "New Session Ticket",
  5: "End of Early Data", 6: "Hello Retry Request", 8: "Encrypted Extensions", 11: "Certificate",
  12: "Server Key Exchange", 13: "Certificate Request", 14: "Server Hello Done", 15: "Certificate Verify",
  16: "Client Key Exchange", 20: "Finished", 21: "Certificate URL", 22: "Certificate Status",
  23: "Supplemental Data", 24: "Key Update", 25: "Compressed Certificate", 254: "Message Hash",
};

export const ALERT_LEVELS: Readonly<Record<number, string>> = { 1: "Warning", 2: "Fatal" };

export const ALERT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: "Close Notify", 10: "Unexpected Message", 20: "Bad Record MAC", 21: "Decryption Failed", 22: "Record Overflow",
  30: "Decompression Failure", 40: "Handshake Failure", 41: "No Certificate", 42: "Bad Certificate",
  43: "Unsupported Certificate", 44: "Certificate Revoked", 45: "Certificate Expired", 46: "Certificate Unknown",
  47: "Illegal Parameter", 48: "Unknown CA", 49: "Access Denied", 50: "Decode Error", 51: "Decrypt Error",
  60: "Export Restriction", 70: "Protocol Version", 71: "Insufficient Security", 80: "Internal Error",
  86: "Inappropriate Fallback", 90: "User Canceled", 100: "No Renegotiation", 109: "Missing Extension",
  110: "Unsupported Extension", 111: "Certificate Unobtainable", 112: "Unrecognized Name",
  113: "Bad Certificate Status Response", 114: "Bad Certificate Hash Value", 115: "Unknown PSK Identity",
  116: "Certificate Required", 120: "No application Protocol",
};

export const EXTENSIONS: Readonly<Record<number, string>> = {
  0: "server_name", 1: "max_fragment_length", 2: "client_certificate_url", 3: "trusted_ca_keys", 4: "truncated_hmac",
  5: "status_request", 6: "user_mapping", 7: "client_authz", 8: "server_authz", 9: "cert_type",
  10: "supported_groups", 11: "ec_point_formats", 12: "srp", 13: "signature_algorithms", 14: "use_srtp",
  15: "heartbeat", 16: "application_layer_protocol_negotiation", 17: "status_request_v2",
  18: "signed_certificate_timestamp", 19: "client_certificate_type", 20: "server_certificate_type", 21: "padding",
  22: "encrypt_then_mac", 23: "extended_master_secret", 24: "token_binding", 25: "cached_info",
  27: "compress_certificate", 28: "record_size_limit", 35: "session_ticket", 41: "pre_shared_key",
  42: "early_data", 43: "supported_versions", 44: "cookie", 45: "psk_key_exchange_modes",
  47: "certificate_authorities", 48: "oid_filters", 49: "post_handshake_auth", 50: "signature_algorithms_cert",
  51: "key_share", 57: "quic_transport_parameters", 65281: "renegotiation_info",
};

export const GROUPS: Readonly<Record<number, string>> = {
  0x0017: "secp256r1", 0x0018: "secp384r1", 0x0019: "secp521r1", 0x001d: "x25519", 0x001e: "x448",
  0x0100: "ffdhe2048", 0x0101: "ffdhe3072", 0x0102: "ffdhe4096", 0x0103: "ffdhe6144", 0x0104: "ffdhe8192",
  0x0015: "secp224r1", 0x0016: "secp256k1", 0x001a: "brainpoolP256r1", 0x001b: "brainpoolP384r1",
  0x001c: "brainpoolP512r1",
};

export const SIG_ALGS: Readonly<Record<number, string>> = {
  0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1", 0x0401: "rsa_pkcs1_sha256", 0x0403: "ecdsa_secp256r1_sha256",
  0x0501: "rsa_pkcs1_sha384", 0x0503: "ecdsa_secp384r1_sha384", 0x0601: "rsa_pkcs1_sha512",
  0x0603: "ecdsa_secp521r1_sha512", 0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384",
  0x0806: "rsa_pss_rsae_sha512", 0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
  0x080a: "rsa_pss_pss_sha384", 0x080b: "rsa_pss_pss_sha512", 0x0303: "SHA224 ECDSA", 0x0301: "SHA224 RSA",
  0x0302: "SHA224 DSA", 0x0402: "SHA256 DSA", 0x0502: "SHA384 DSA", 0x0602: "SHA512 DSA",
};

export const CIPHER_SUITES: Readonly<Record<number, string>> = {
  0x0000: "TLS_NULL_WITH_NULL_NULL", 0x0004: "TLS_RSA_WITH_RC4_128_MD5", 0x0005: "TLS_RSA_WITH_RC4_128_SHA",
  0x000a: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x002f: "TLS_RSA_WITH_AES_128_CBC_SHA", 0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
  0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA", 0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0x003c: "TLS_RSA_WITH_AES_128_CBC_SHA256",
  0x003d: "TLS_RSA_WITH_AES_256_CBC_SHA256", 0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
  0x006b: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 0x009c: "TLS_RSA_WITH_AES_128_GCM_SHA256",
  0x009d: "TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009e: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
  0x009f: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x00ff: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
  0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
  0x1304: "TLS_AES_128_CCM_SHA256", 0x1305: "TLS_AES_128_CCM_8_SHA256", 0x5600: "TLS_FALLBACK_SCSV",
  0xc009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xc00a: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  0xc013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xc014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  0xc023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xc024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
  0xc027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xc028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
  0xc02b: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02c: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  0xc02f: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  0xcca8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  0xccaa: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
};

export const COMPRESSION: Readonly<Record<number, string>> = { 0: "null", 1: "DEFLATE", 64: "LZS" };
