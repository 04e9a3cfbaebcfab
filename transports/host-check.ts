// Which Host and Origin headers the HTTP server accepts. The Host check exists for one attack: DNS rebinding,
// where a web page on the user's machine resolves its own name to 127.0.0.1 and talks to an unauthenticated
// loopback server as if same-origin. Such a request carries the attacker's name in Host, never a loopback name,
// so a loopback name is accepted on any port (Docker's -p 9000:8000, an SSH tunnel) and a foreign name is
// refused. With a bearer token the page cannot authenticate anyway, so any Host is accepted (a LAN address,
// a reverse proxy's public name) unless --allowed-hosts narrows it.

/** The slice of the HTTP options the checks read. */
export interface HostCheckOptions {
  host: string;
  authToken?: string | undefined;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
}

/** `localhost`, `127.x.y.z` and `::1` (bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The name part of a Host header value (`[::1]:8000` → `[::1]`, `Example.com:80` → `example.com`). */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(0, end + 1);
  }
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The Host rule: an entry of --allowed-hosts (with or without the port) always passes; then, when --allowed-hosts
 * is empty and a token is required, any Host passes; otherwise a loopback name or the bound address (any port).
 */
export function hostAllowed(options: HostCheckOptions, header: string | undefined): boolean {
  if (header === undefined || header === '') return false;
  const name = hostName(header);
  const listed = options.allowedHosts.map((entry) => entry.toLowerCase());
  if (listed.includes(header.toLowerCase()) || listed.includes(name)) return true;
  if (options.authToken !== undefined && listed.length === 0) return true;
  return isLoopbackHost(name) || name === bracketed(options.host.toLowerCase());
}

/**
 * The Origin rule: no Origin (not a browser) passes; a browser page passes when it is same-origin with the Host
 * it addressed (its own UI behind the same published port) or is listed in --allowed-origins.
 */
export function originAllowed(
  options: HostCheckOptions,
  origin: string | undefined,
  host: string | undefined,
): boolean {
  if (origin === undefined) return true;
  if (options.allowedOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return (
      host !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase()
    );
  } catch {
    return false;
  }
}
