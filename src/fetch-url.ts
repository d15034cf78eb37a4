// fetch, with its failures said: fetch itself says only "Failed to fetch" (Chromium) or "fetch
// failed" (Node). Beside platform.ts so that both the data loaders and the model loaders use it.
import { ConfigError, FileFormatError, StorageError } from './errors.js';
import { joinBytes } from './join-bytes.js';

/** The response for `url` (any status); an invalid URL or a scheme fetch cannot read is a ConfigError, no response a StorageError. */
export async function fetchUrl(url: string): Promise<Response> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${url}: not a valid URL; expected one such as https://example.com/picture.png`);
  }
  if (!['http:', 'https:', 'data:', 'blob:'].includes(parsed.protocol)) {
    throw new ConfigError(`${url}: the scheme ${parsed.protocol} cannot be fetched; expected an http: or https: URL (or data:, blob:)`);
  }
  try {
    return await fetch(url);
  } catch (error) {
    throw new StorageError(`${url}: cannot be fetched: ${whyNot(error, parsed)}`);
  }
}

/**
 * The body, read as it arrives and stopped once it passes `maxBytes` (a server may send a body that
 * never ends); past it, the error `tooLong` makes of the bytes seen. A broken-off body is a FileFormatError.
 */
export async function readBody(response: Response, maxBytes: number, file: string, tooLong: (bytes: number) => Error): Promise<Uint8Array> {
  // Compressed, the declared length is the compressed one, which may exceed what it holds.
  const declared = response.headers.get('content-encoding') ? NaN : Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel(); // the connection is let go, not left to finish the body
    throw tooLong(declared);
  }
  if (!response.body) return new Uint8Array(0); // an answer without a body (204): an empty file
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      length += next.value.length;
      if (length > maxBytes) break;
      chunks.push(next.value);
    }
  } catch (error) {
    throw new FileFormatError(`${file}: the download broke off (${(error as Error)?.message ?? error})`);
  }
  if (length > maxBytes) {
    await reader.cancel();
    throw tooLong(length);
  }
  return joinBytes(chunks);
}

/** Why fetch failed: Node gives the reason as the error's cause (its code, such as ECONNREFUSED); browsers give none. */
function whyNot(error: unknown, url: URL): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ message?: unknown }> } } | undefined)?.cause;
  if (!cause) return 'no connection, no such server, or the server does not let this page read it (CORS)';
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  // A connection tried at several addresses fails with an AggregateError, whose own message may be empty.
  const message = String(cause.message || cause.errors?.[0]?.message || code || cause);
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message;
  const meaning =
    code === 'ECONNREFUSED' ? 'no connection: the server refused it'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'no such server'
    : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'the server did not answer in time'
    : code === 'ECONNRESET' ? 'the server closed the connection'
    : code && /CERT|SIGNATURE|ISSUER/.test(code) ? 'the server\'s certificate is not trusted'
    : message === 'bad port' ? `fetch refuses port ${url.port}, kept for other protocols`
    : undefined;
  return meaning ? `${meaning} (${detail})` : `${detail}`;
}
