/**
 * The FastMCP JWT under diagnosis: from the positional argument, `-` (stdin) or --token-file.
 */
import { UsageError } from '../../errors.js';
import { cleanTokenText } from '../../fastmcp/jwt.js';
import { readTextFile, type InputSources } from '../../inputs.js';
import { registerSecret } from '../../secrets.js';

export interface TokenInput {
  text: string;
  /** "argument", "stdin", "file <path>" — never the token. */
  source: string;
}

export async function readTokenInput(positional: string | undefined, tokenFile: string | undefined, src: InputSources): Promise<TokenInput | undefined> {
  if (positional !== undefined && tokenFile !== undefined) throw new UsageError('both a token argument and --token-file were given', 'give one of them');
  let raw: string;
  let source: string;
  if (tokenFile !== undefined) {
    raw = tokenFile === '-' ? await src.readStdin() : readTextFile(tokenFile, 'token');
    source = tokenFile === '-' ? 'token (stdin)' : `token (file ${tokenFile})`;
  } else if (positional !== undefined) {
    raw = positional === '-' ? await src.readStdin() : positional;
    source = positional === '-' ? 'token (stdin)' : 'token (argument)';
  } else {
    return undefined;
  }
  const text = cleanTokenText(raw);
  if (!text) throw new UsageError(`the ${source} is empty`, 'pass the JWT the client sends');
  registerSecret(text);
  return { text, source };
}
