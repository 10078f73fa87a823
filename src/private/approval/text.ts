/**
 * Text from the workflow (the summary, the execution's name) as an ApprovalGate shows it: on one
 * line, without control or formatting characters, with every web address and domain name defused
 * (`https[:]//evil[.]example`), so that it cannot add lines, or links that pass for the gate's own,
 * to a message or a page. Mail clients turn addresses and bare domain names into links by
 * themselves; a defused one stays text.
 */

/** What the library takes for an email address: one @, a dot after it, no spaces or commas. */
export const EMAIL_ADDRESS = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** Controls (line breaks included), format characters (bidirectional overrides, zero-width), line and paragraph separators, private use, unassigned. */
const INVISIBLE_OR_BREAKING = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]+/gu;
/** Dots that IDNA reads as a full stop in domain names. */
const IDEOGRAPHIC_DOTS = /[\u3002\uFF0E\uFF61]/g;
/** `scheme://`, written any way a URL parser accepts (`https:/\`, `HTTPS://`). */
const SCHEME = /\b([a-z][a-z0-9+.-]*):(?=[/\\])/gi;
/** Schemes mail clients link without slashes. */
const BARE_SCHEME = /\b(mailto|tel|sms|javascript|data|file|ftp|callto|skype|facetime):/gi;
/** A domain name, in any script: dotted labels, the last one (the top-level domain) starting with a letter, at least two long. */
const DOMAIN = /(?<![\p{L}\p{N}\p{M}-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?\.)+\p{L}[\p{L}\p{N}\p{M}-]+(?![\p{L}\p{N}\p{M}-])/gu;
/** Dotted IPv4 addresses. */
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

/** Text from the workflow on one line, with nothing that reads as a link or a line of the gate's own. */
export function plainText(text: string): string {
  return text
    .replace(INVISIBLE_OR_BREAKING, ' ')
    .replace(IDEOGRAPHIC_DOTS, '.')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(SCHEME, '$1[:]')
    .replace(BARE_SCHEME, '$1[:]')
    .replace(DOMAIN, name => name.replace(/\./g, '[.]'))
    .replace(IPV4, address => address.replace(/\./g, '[.]'));
}
