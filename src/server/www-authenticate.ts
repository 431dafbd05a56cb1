/**
 * WWW-Authenticate parsing (RFC 9110 §11.6.1): several challenges per field, parameters with token or
 * quoted-string values (commas and escaped quotes inside quotes), token68, several field lines.
 * Lenient where servers are sloppy (stray commas, spaces around "="), never throws.
 */
import type { WwwAuthChallenge } from '../model/index.js';

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

export function parseWwwAuthenticate(fields: string | string[] | undefined): WwwAuthChallenge[] {
  if (fields === undefined) return [];
  const list = Array.isArray(fields) ? fields : [fields];
  return list.flatMap(parseField);
}

function parseField(s: string): WwwAuthChallenge[] {
  const out: WwwAuthChallenge[] = [];
  const n = s.length;
  let i = 0;
  const isWs = (c: string | undefined) => c === ' ' || c === '\t';
  const skipWs = () => {
    while (i < n && isWs(s[i])) i++;
  };
  const skipWsComma = () => {
    while (i < n && (isWs(s[i]) || s[i] === ',')) i++;
  };
  const tokenAt = (at: number): string => {
    let j = at;
    while (j < n && TCHAR.test(s[j]!)) j++;
    return s.slice(at, j);
  };
  const readQuoted = (): string => {
    // s[i] === '"'
    i++;
    let v = '';
    while (i < n && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < n) i++;
      v += s[i];
      i++;
    }
    i++; // closing quote (or end)
    return v;
  };
  const readValue = (): string => {
    skipWs();
    if (s[i] === '"') return readQuoted();
    // token (lenient: anything up to a delimiter)
    let j = i;
    while (j < n && s[j] !== ',' && !isWs(s[j])) j++;
    const v = s.slice(i, j);
    i = j;
    return v;
  };
  /** Is there `name =` at position `at` (i.e. an auth-param rather than a new challenge)? */
  const paramAhead = (at: number): boolean => {
    const name = tokenAt(at);
    if (!name) return false;
    let k = at + name.length;
    while (k < n && isWs(s[k])) k++;
    return s[k] === '=';
  };
  const addParam = (ch: WwwAuthChallenge, name: string) => {
    const key = name.toLowerCase();
    const value = readValue();
    // Own properties only: a parameter named "constructor" or "__proto__" is a parameter like any other.
    if (!Object.hasOwn(ch.params, key)) Object.defineProperty(ch.params, key, { value, enumerable: true, writable: true, configurable: true });
  };

  while (true) {
    skipWsComma();
    if (i >= n) break;
    const scheme = tokenAt(i);
    if (!scheme) {
      i++;
      continue;
    }
    i += scheme.length;
    // A stray "name=value" after a comma belongs to the previous challenge.
    const save = i;
    skipWs();
    if (s[i] === '=' && out.length) {
      i++;
      addParam(out[out.length - 1]!, scheme);
      continue;
    }
    i = save;
    const ch: WwwAuthChallenge = { scheme, params: {} };
    out.push(ch);
    skipWs();
    if (i >= n) break;
    if (s[i] === ',') continue;
    // token68?
    const m = TOKEN68.exec(s.slice(i));
    if (m && !paramAhead(i)) {
      let k = i + m[0].length;
      while (k < n && isWs(s[k])) k++;
      if (k >= n || s[k] === ',') {
        ch.token68 = m[0];
        i = k;
        continue;
      }
    }
    // auth-params
    while (i < n) {
      skipWs();
      if (i >= n) break;
      if (s[i] === ',') {
        i++;
        skipWsComma();
        if (i >= n || !paramAhead(i)) break; // next challenge (or end)
      }
      const name = tokenAt(i);
      if (!name) {
        i++;
        continue;
      }
      if (!paramAhead(i)) {
        // A new scheme without a separating comma: let the outer loop read it.
        break;
      }
      i += name.length;
      skipWs();
      i++; // '='
      addParam(ch, name);
    }
  }
  return out;
}

/** The first Bearer challenge (scheme compared case-insensitively), if any. */
export function bearerChallenge(challenges: WwwAuthChallenge[] | undefined): WwwAuthChallenge | undefined {
  return challenges?.find((c) => c.scheme.toLowerCase() === 'bearer');
}
