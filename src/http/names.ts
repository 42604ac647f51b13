/** Tables of the HTTP dissector (tshark 4.0 packet-http.c): status codes, methods, header → field. */

/** vals_http_status_code */
export const STATUS_CODES: Readonly<Record<number, string>> = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints", 199: "Informational - Others",
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non-authoritative Information", 204: "No Content",
  205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 208: "Already Reported", 226: "IM Used",
  299: "Success - Others",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
  305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect", 399: "Redirection - Others",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Time-out",
  409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Request Entity Too Large",
  414: "Request-URI Too Long", 415: "Unsupported Media Type", 416: "Requested Range Not Satisfiable",
  417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request", 422: "Unprocessable Entity",
  423: "Locked", 424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required",
  429: "Too Many Requests", 431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
  499: "Client Error - Others",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Gateway Time-out", 505: "HTTP Version not supported", 506: "Variant Also Negotiates",
  507: "Insufficient Storage", 508: "Loop Detected", 510: "Not Extended", 511: "Network Authentication Required",
  599: "Server Error - Others",
};

/** Request methods is_http_request_or_reply() accepts (HTTP, WebDAV, SSDP, RTSP-ish extensions). */
export const METHODS: ReadonlySet<string> = new Set([
  "GET", "PUT", "ACL", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE", "PATCH",
  "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT", "OPTIONS",
  "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "M-SEARCH", "SUBSCRIBE", "PROPPATCH", "BPROPFIND", "BPROPPATCH",
  "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE", "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL",
  "SSTP_DUPLEX_POST", "MKCALENDAR",
]);

/** Lower-cased header name → key of the http field it fills (headers[] in packet-http.c). */
export const HEADER_FIELDS: ReadonlyMap<string, string> = new Map([
  ["authorization", "authorization"], ["proxy-authorization", "proxyAuthorization"],
  ["proxy-authenticate", "proxyAuthenticate"], ["www-authenticate", "wwwAuthenticate"],
  ["content-type", "contentType"], ["content-length", "contentLengthHeader"],
  ["content-encoding", "contentEncoding"], ["transfer-encoding", "transferEncoding"], ["upgrade", "upgrade"],
  ["user-agent", "userAgent"], ["host", "host"], ["connection", "connection"], ["cookie", "cookie"],
  ["accept", "accept"], ["referer", "referer"], ["accept-language", "acceptLanguage"],
  ["accept-encoding", "acceptEncoding"], ["date", "date"], ["cache-control", "cacheControl"], ["server", "server"],
  ["location", "location"], ["sec-websocket-accept", "secWsAccept"], ["sec-websocket-extensions", "secWsExtensions"],
  ["sec-websocket-key", "secWsKey"], ["sec-websocket-protocol", "secWsProtocol"],
  ["sec-websocket-version", "secWsVersion"], ["set-cookie", "setCookie"], ["last-modified", "lastModified"],
  ["x-forwarded-for", "xForwardedFor"], ["http2-settings", "http2Settings"],
]);

/** Media types the line-based text dissector takes (packet-text-media.c registrations). */
export const TEXT_MEDIA: ReadonlySet<string> = new Set([
  "text/plain", "text/html", "text/css", "text/richtext", "text/vnd.sun.j2me.app-descriptor", "text/javascript",
  "application/javascript", "application/x-javascript", "application/x-ns-proxy-autoconfig",
  "application/vnd.poc.refer-to", "application/x-wms-logplaystats", "application/x-wms-logconnectstats",
  "application/x-rtsp-udp-packetpair", "application/x-tia-p25-issi", "application/x-tia-p25-sndcp",
  "application/x-vnd.sun.j2me.app-descriptor", "text/vnd.wap.si", "text/vnd.wap.sl", "text/vnd.wap.co",
  "text/x-vcard", "text/vcard", "text/x-vcalendar", "text/calendar", "text/x-hdml",
  "text/xml-external-parsed-entity", "application/xml-external-parsed-entity",
]);

/**
 * The "media_type" table: lower-cased media type → the dissector (abbrev) HTTP hands a
 * body of that type to. Types not listed go to "media" (application/octet-stream, which
 * tshark shows as plain data, to "data").
 */
export const MEDIA_TYPES: ReadonlyMap<string, string> = new Map([
  ...[...TEXT_MEDIA].map((t) => [t, "data-text-lines"] as const),
  ["application/x-www-form-urlencoded", "urlencoded-form"],
  ...["application/json", "application/json-rpc", "application/jsonrequest", "application/problem+json",
    "application/merge-patch+json", "application/vnd.api+json", "application/dds-web+json",
    "application/vnd.oma.lwm2m+json"].map((t) => [t, "json"] as const),
  // packet-xml.c default_media_types (tshark 4.0); after the text types, which some replace (text/vnd.wap.si…).
  // Not application/smil, application/cpim-pidf+xml: tshark gives them DTD namespaces (dtds/), which nestcap lacks.
  ...[
    "text/xml", "text/vnd.wap.wml", "text/vnd.wap.si", "text/vnd.wap.sl", "text/vnd.wap.co", "text/vnd.wap.emn",
    "application/3gpp-ims+xml", "application/atom+xml", "application/auth-policy+xml", "application/ccmp+xml",
    "application/conference-info+xml", "application/cpl+xml", "application/dds-web+xml",
    "application/im-iscomposing+xml", "application/load-control+xml", "application/mathml+xml",
    "application/media_control+xml", "application/note+xml", "application/pidf+xml", "application/pidf-diff+xml",
    "application/poc-settings+xml", "application/rdf+xml", "application/reginfo+xml",
    "application/resource-lists+xml", "application/rlmi+xml", "application/rls-services+xml", "application/rss+xml",
    "application/rs-metadata+xml", "application/simple-filter+xml", "application/simple-message-summary+xml",
    "application/simservs+xml", "application/soap+xml", "application/vnd.etsi.aoc+xml",
    "application/vnd.etsi.cug+xml", "application/vnd.etsi.iptvcommand+xml", "application/vnd.etsi.iptvdiscovery+xml",
    "application/vnd.etsi.iptvprofile+xml", "application/vnd.etsi.iptvsad-bc+xml",
    "application/vnd.etsi.iptvsad-cod+xml", "application/vnd.etsi.iptvsad-npvr+xml",
    "application/vnd.etsi.iptvservice+xml", "application/vnd.etsi.iptvsync+xml",
    "application/vnd.etsi.iptvueprofile+xml", "application/vnd.etsi.mcid+xml",
    "application/vnd.etsi.overload-control-policy-dataset+xml", "application/vnd.etsi.pstn+xml",
    "application/vnd.etsi.sci+xml", "application/vnd.etsi.simservs+xml", "application/vnd.etsi.tsl+xml",
    "application/vnd.oma.xdm-apd+xml", "application/vnd.oma.fnl+xml",
    "application/vnd.oma.access-permissions-list+xml", "application/vnd.oma.alias-principals-list+xml",
    "application/upp-directory+xml", "application/vnd.oma.xdm-hi+xml", "application/vnd.oma.xdm-rhi+xml",
    "application/vnd.oma.xdm-prefs+xml", "application/vnd.oma.xdcp+xml",
    "application/vnd.oma.bcast.associated-procedure-parameter+xml", "application/vnd.oma.bcast.drm-trigger+xml",
    "application/vnd.oma.bcast.imd+xml", "application/vnd.oma.bcast.notification+xml",
    "application/vnd.oma.bcast.sgdd+xml", "application/vnd.oma.bcast.smartcard-trigger+xml",
    "application/vnd.oma.bcast.sprov+xml", "application/vnd.oma.cab-address-book+xml",
    "application/vnd.oma.cab-feature-handler+xml", "application/vnd.oma.cab-pcc+xml",
    "application/vnd.oma.cab-subs-invite+xml", "application/vnd.oma.cab-user-prefs+xml",
    "application/vnd.oma.dd2+xml", "application/vnd.oma.drm.risd+xml", "application/vnd.oma.group-usage-list+xml",
    "application/vnd.oma.pal+xml", "application/vnd.oma.poc.detailed-progress-report+xml",
    "application/vnd.oma.poc.final-report+xml", "application/vnd.oma.poc.groups+xml",
    "application/vnd.oma.poc.invocation-descriptor+xml", "application/vnd.oma.poc.optimized-progress-report+xml",
    "application/vnd.oma.scidm.messages+xml", "application/vnd.oma.suppnot+xml",
    "application/vnd.oma.xcap-directory+xml", "application/vnd.omads-email+xml", "application/vnd.omads-file+xml",
    "application/vnd.omads-folder+xml", "application/vnd.3gpp.access-transfer-events+xml",
    "application/vnd.3gpp.bsf+xml", "application/vnd.3gpp.comm-div-info+xml", "application/vnd.3gpp.cw+xml",
    "application/vnd.3gpp.iut+xml", "application/vnc.3gpp.iut-config+xml", "application/vnd.3gpp.mcptt-info+xml",
    "application/vnd.3gpp.mcptt-mbms-usage-info+xml", "application/vnd.3gpp.mcptt-location-info+xml",
    "application/vnd.3gpp.mcptt-affiliation-command+xml", "application/vnd.3gpp.mcptt-floor-request+xml",
    "application/vnd.3gpp.mcptt-signed+xml", "application/vnd.3gpp.mcptt-regroup+xml",
    "application/vnd.3gpp.mcdata-info+xml", "application/vnd.3gpp.mcdata-mbms-usage-info+xml",
    "application/vnd.3gpp.mcdata-location-info+xml", "application/vnd.3gpp.mcdata-affiliation-command+xml",
    "application/vnd.3gpp.mcdata-regroup+xml", "application/vnd.3gpp.mcvideo-info+xml",
    "application/vnd.3gpp.mcvideo-mbms-usage-info+xml", "application/vnd.3gpp.mcvideo-location-info+xml",
    "application/vnd.3gpp.mcvideo-affiliation-command+xml", "application/vnd.3gpp.transmission-request+xml",
    "application/vnd.3gpp.mcptt-ue-init-config+xml", "application/vnd.3gpp.mcptt-ue-config+xml",
    "application/vnd.3gpp.mcptt-user-profile+xml", "application/vnd.3gpp.mcptt-service-config+xml",
    "application/vnd.3gpp.mcdata-service-config+xml", "application/vnd.3gpp.mcvideo-service-config+xml",
    "application/vnd.3gpp.mcvideo-ue-config+xml", "application/vnd.3gpp.mcvideo-user-profile+xml",
    "application/vnd.3gpp.mcdata-ue-config+xml", "application/vnd.3gpp.mcdata-user-profile+xml",
    "application/vnd.3gpp.mid-call+xml", "application/vnd.3gpp-prose-pc3ch+xml", "application/vnd.3gpp-prose+xml",
    "application/vnd.3gpp.replication+xml", "application/vnd.3gpp.sms+xml", "application/vnd.3gpp.srvcc-info+xml",
    "application/vnd.3gpp.srvcc-ext+xml", "application/vnd.3gpp.state-and-event-info+xml",
    "application/vnd.3gpp.ussd+xml", "application/vnd.3gpp2.bcmcsinfo+xml", "application/vnd.wv.csp+xml",
    "application/vnd.wv.csp.xml", "application/watcherinfo+xml", "application/xcap-att+xml",
    "application/xcap-caps+xml", "application/xcap-diff+xml", "application/xcap-el+xml",
    "application/xcap-error+xml", "application/xcap-ns+xml", "application/xml", "application/xml-dtd",
    "application/xpidf+xml", "application/xslt+xml", "application/x-crd+xml", "application/x-wms-logconnectstats",
    "application/x-wms-logplaystats", "application/x-wms-sendevent", "image/svg+xml", "message/imdn+xml",
  ].map((t) => [t, "xml"] as const),
  ["application/octet-stream", "data"],
  // MIME multipart (packet-multipart.c registers these; other multipart/ types stay data)
  ...["multipart/mixed", "multipart/related", "multipart/alternative", "multipart/form-data", "multipart/report",
    "multipart/signed", "multipart/encrypted"].map((t) => [t, "mime_multipart"] as const),
  // DNS over HTTPS (packet-dns.c registers it)
  ["application/dns-message", "dns"],
]);

/** Media types tshark hands to dissectors nestcap does not have (multipart/*: mime_multipart): shown as data. */
export function mediaHandler(ct: string): string {
  return MEDIA_TYPES.get(ct) ?? (ct.startsWith("multipart/") ? "data" : "media");
}

/**
 * Media types whose tshark dissector nestcap does not have but which check a file
 * signature first and give the body up when it is missing (a byte range of an image,
 * a mislabelled body). tshark then notes "HTTP body subdissector failed, trying
 * heuristic subdissector" and shows the body as media, which nestcap does too; with the
 * signature present tshark shows the format's tree and nestcap the media item.
 * Each entry says whether a body starts with its format's signature.
 */
const ascii = (b: Uint8Array, o: number, s: string): boolean => {
  if (b.length < o + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[o + i] !== s.charCodeAt(i)) return false;
  return true;
};
const jpeg = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0xff && b[1] === 0xd8;
// ISO base media files begin with a box; these are the top-level box types seen first
const MP4_BOXES = ["ftyp", "styp", "moov", "moof", "mdat", "free", "skip", "wide", "meta", "sidx", "uuid", "pdin", "mfra"];
const SIGNED: ReadonlyMap<string, (b: Uint8Array) => boolean> = new Map([
  ["image/jpeg", jpeg], ["image/jpg", jpeg], ["image/jfif", jpeg],
  ["image/png", (b: Uint8Array) => ascii(b, 0, "\x89PNG\r\n\x1a\n")],
  ["image/gif", (b: Uint8Array) => ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")],
  ["image/tiff", (b: Uint8Array) => ascii(b, 0, "II*\0") || ascii(b, 0, "MM\0*")],
  ["application/x-executable", (b: Uint8Array) => ascii(b, 0, "\x7fELF")],
  ["video/mp4", (b: Uint8Array) => MP4_BOXES.some((t) => ascii(b, 4, t))],
  ["audio/mp4", (b: Uint8Array) => MP4_BOXES.some((t) => ascii(b, 4, t))],
]);

/** True when tshark's dissector for `ct` would refuse this body (see SIGNED). */
export function mediaRefuses(ct: string, body: Uint8Array): boolean {
  const ok = SIGNED.get(ct);
  return ok !== undefined && !ok(body);
}

/** A body's media type and the parameters after it in Content-Type (what a multipart body needs: its boundary). */
export interface MediaContent {
  type: string;
  params: string | null;
}

const blank = (c: string): boolean => c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\v" || c === "\f";

/**
 * The value of parameter `key` (any case) in a media type's parameters ("boundary=x;
 * charset=\"utf-8\""), a quoted value unquoted (backslash pairs as the character); null when absent.
 */
export function mediaParameter(params: string, key: string): string | null {
  const s = params, n = s.length, k = key.toLowerCase();
  let p = 0;
  while (p < n) {
    while (p < n && blank(s[p])) p++;
    const ns = p;
    while (p < n && s[p] !== "=" && s[p] !== ";" && !blank(s[p])) p++;
    const name = s.slice(ns, p).toLowerCase();
    while (p < n && blank(s[p])) p++;
    if (p >= n) return null;
    if (s[p] !== "=") {
      while (p < n && s[p] !== ";") p++;
      p++;
      continue;
    }
    p++;
    while (p < n && blank(s[p])) p++;
    let value = "";
    if (s[p] === '"') {
      for (p++; p < n && s[p] !== '"'; p++) {
        if (s[p] === "\\" && p + 1 < n) p++;
        value += s[p];
      }
      p++;
    } else {
      const vs = p;
      while (p < n && s[p] !== ";" && !blank(s[p])) p++;
      value = s.slice(vs, p);
    }
    if (name === k) return value;
    while (p < n && s[p] !== ";") p++;
    p++;
  }
  return null;
}

/** What a media-type dissector gets as its data: the type, and for a multipart body its parameters too. */
export function mediaArgument(handler: string, type: string, params: string | null): string | MediaContent {
  return handler === "mime_multipart" ? { type, params } : type;
}

/** Is either port HTTP's TLS port (tshark's http.tls.port, 443)? */
export function onHttpTlsPort(srcport: number, dstport: number): boolean {
  return srcport === 443 || dstport === 443;
}
