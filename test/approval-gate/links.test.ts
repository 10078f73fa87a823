import { MAX_LINK_SUMMARY, linkSummary, linkUrl, sign, verifyLink } from '../../src/private/approval/links';
import { emailSubject } from '../../src/private/approval/messages';
import { escapeHtml } from '../../src/private/approval/pages';
import { plainText } from '../../src/private/approval/text';
import { DECISION_URL, KEY, claims, signedQuery } from '../support/approval-events';

const NOW = 1_900_000_000;

test('a link carries the request id, action, expiry, recipient, summary and signature, and nothing else', () => {
  const url = new URL(linkUrl(DECISION_URL, KEY, claims({ expiresAt: NOW + 60 })));
  expect(`${url.origin}${url.pathname}`).toBe(DECISION_URL);
  expect([...url.searchParams.keys()]).toEqual(['id', 'a', 'exp', 'to', 's', 'sig']);
  expect(url.searchParams.get('sig')).toMatch(/^[A-Za-z0-9_-]{43}$/);
});

test('a signed link verifies until its expiry, and not at or after it', () => {
  const query = signedQuery(claims({ expiresAt: NOW + 60 }));
  expect(verifyLink(KEY, query, NOW + 59)).toEqual({ ok: true, claims: expect.objectContaining({ action: 'approve', expiresAt: NOW + 60 }) });
  expect(verifyLink(KEY, query, NOW + 60)).toEqual({ ok: false, problem: { kind: 'expired', expiresAt: NOW + 60 } });
});

test('a link of a shared service\'s gate names the gate, signed: changed, removed or added, the link is refused as forged', () => {
  const GATE = 'c8a1f00000000000000000000000000000000000aa';
  const query = signedQuery(claims({ expiresAt: NOW + 60, gate: GATE }));
  expect(query.g).toBe(GATE);
  expect(verifyLink(KEY, query, NOW)).toEqual({ ok: true, claims: expect.objectContaining({ gate: GATE }) });
  expect(verifyLink(KEY, { ...query, g: GATE.replace('a1', 'b2') }, NOW)).toEqual({ ok: false, problem: { kind: 'forged' } });
  const { g: _removed, ...withoutGate } = query;
  expect(verifyLink(KEY, withoutGate, NOW)).toEqual({ ok: false, problem: { kind: 'forged' } });
  // A link without a gate (a gate with a service of its own, or one made before gates had one) verifies as it always did; given one, it does not.
  const own = signedQuery(claims({ expiresAt: NOW + 60 }));
  expect(verifyLink(KEY, own, NOW)).toEqual({ ok: true, claims: expect.objectContaining({ gate: '' }) });
  expect(verifyLink(KEY, { ...own, g: GATE }, NOW)).toEqual({ ok: false, problem: { kind: 'forged' } });
  expect(verifyLink(KEY, { ...own, g: 'not a gate!' }, NOW)).toEqual({ ok: false, problem: { kind: 'malformed', detail: 'the gate is not valid' } });
});

test('fields cannot be shifted into one another: the signature covers each one with its length', () => {
  const a = sign(KEY, claims({ recipient: 'a|b', summary: 'c', expiresAt: NOW }));
  const b = sign(KEY, claims({ recipient: 'a', summary: 'b|c', expiresAt: NOW }));
  expect(a).not.toBe(b);
});

test('a signature of the right shape but wrong value is refused as forged; a short one as malformed', () => {
  const query = signedQuery(claims({ expiresAt: NOW + 60 }));
  const flipped = query.sig.startsWith('A') ? `B${query.sig.slice(1)}` : `A${query.sig.slice(1)}`;
  expect(verifyLink(KEY, { ...query, sig: flipped }, NOW)).toEqual({ ok: false, problem: { kind: 'forged' } });
  expect(verifyLink(KEY, { ...query, sig: query.sig.slice(1) }, NOW)).toEqual({ ok: false, problem: { kind: 'malformed', detail: 'the signature is not valid' } });
});

test('links carry at most 500 characters of the summary, marking the cut', () => {
  expect(linkSummary('short')).toBe('short');
  const cut = linkSummary('x'.repeat(MAX_LINK_SUMMARY + 1));
  expect(cut).toHaveLength(MAX_LINK_SUMMARY);
  expect(cut.endsWith('…')).toBe(true);
});

test('HTML escaping covers every character that can break out of text or an attribute', () => {
  expect(escapeHtml('<a href="x" onclick=\'y\'>&`</a>')).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;&#60;/a&#62;');
});

test('email subjects are printable ASCII on one line, fewer than 100 characters', () => {
  expect(emailSubject('Approve\ntrade ✓ now')).toBe('Approve trade now');
  expect(emailSubject('x'.repeat(150))).toBe(`${'x'.repeat(96)}...`);
  expect(emailSubject('✓✓')).toBe('Approval requested');
});

describe('text from the workflow is shown plain', () => {
  test.each([
    ['line breaks of every kind', 'a\r\nb\nc\rd\u2028e\u2029f\u0085g\u000bh\u000ci', 'a b c d e f g h i'],
    ['bidirectional overrides and zero-width characters', 'pay\u202eusd\u200b\u2066x\u2069', 'pay usd x'],
    ['web addresses, any case, any slashes', 'HTTPS://a.example/x http:\\\\b.example', 'HTTPS[:]//a[.]example/x http[:]\\\\b[.]example'],
    ['schemes linked without slashes', 'mailto:x javascript:alert(1) tel:+1', 'mailto[:]x javascript[:]alert(1) tel[:]+1'],
    ['bare domain names, e-mail domains and IPv4 addresses', 'www.evil.example, a@b.co.uk, 10.0.0.1', 'www[.]evil[.]example, a@b[.]co[.]uk, 10[.]0[.]0[.]1'],
    ['domain names in other scripts and with ideographic dots', 'пример.испытание evil\u3002example', 'пример[.]испытание evil[.]example'],
    ['nothing else: amounts, versions, abbreviations', 'Buy 10 at 12.50 (v1.2.3, e.g. 1.000,50 EUR).', 'Buy 10 at 12.50 (v1.2.3, e.g. 1.000,50 EUR).'],
  ])('%s', (_what, text, shown) => {
    expect(plainText(text)).toBe(shown);
  });

  test('is idempotent: a summary already plain is shown as it is', () => {
    const once = plainText('Approve: https://evil.example/x\nwww.evil.example');
    expect(plainText(once)).toBe(once);
  });
});
