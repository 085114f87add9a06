import { maskContent, parseJsonPath, readMaskingRules } from './masking';

const rules = (jsonPaths: string[], headers: string[] = []) =>
  readMaskingRules('deadLetter.masking', {
    jsonPaths,
    headers,
    replacement: '***',
  });

function mask(
  jsonPaths: string[],
  body: unknown,
  options: {
    headers?: Record<string, unknown>;
    headerRules?: string[];
    properties?: Record<string, unknown>;
  } = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const input = {
    headers: options.headers ?? {},
    properties: options.properties ?? {},
    body: Buffer.from(text),
    bodyText: text,
  };
  const before = JSON.stringify(input);
  const result = maskContent(rules(jsonPaths, options.headerRules), input);
  // The stored content is never changed in place.
  expect(JSON.stringify(input)).toBe(before);
  return result;
}

const json = (r: { bodyText: string | null }) => JSON.parse(r.bodyText!);

describe('masking', () => {
  it('masks top-level and nested fields, keeping everything else', () => {
    const r = mask(['$.cpr', '$.account.iban', '$.missing'], {
      cpr: '0101901234',
      amount: 100,
      account: { iban: 'DK5000400440116243', currency: 'DKK' },
    });
    expect(json(r)).toEqual({
      cpr: '***',
      amount: 100,
      account: { iban: '***', currency: 'DKK' },
    });
    // Only paths that matched are reported.
    expect(r.masked).toEqual(['$.cpr', '$.account.iban']);
    expect(Buffer.from(r.body).toString()).toBe(r.bodyText);
  });

  it('masks array elements by wildcard and by index', () => {
    const body = {
      items: [
        { pan: '4111111111111111', n: 1 },
        { pan: '5500000000000004', n: 2 },
      ],
      tags: ['a', 'b', 'c'],
    };
    expect(json(mask(['$.items[*].pan'], body)).items).toEqual([
      { pan: '***', n: 1 },
      { pan: '***', n: 2 },
    ]);
    expect(json(mask(['$.tags[1]', '$.tags[9]'], body)).tags).toEqual([
      'a',
      '***',
      'c',
    ]);
    expect(json(mask(["$['items'][0]['pan']"], body)).items[1].pan).toBe(
      '5500000000000004',
    );
  });

  it('masks at any depth with recursive descent, whole values included', () => {
    const body = {
      cardNumber: '1',
      payer: { card: { cardNumber: '2', expiry: '12/29' } },
      batch: [{ cardNumber: '3' }, [{ cardNumber: { last4: '4444' } }]],
    };
    const r = mask(['$..cardNumber'], body);
    expect(json(r)).toEqual({
      cardNumber: '***',
      payer: { card: { cardNumber: '***', expiry: '12/29' } },
      batch: [{ cardNumber: '***' }, [{ cardNumber: '***' }]],
    });
    expect(json(mask(['$.payer..*'], body)).payer).toEqual({ card: '***' });
    expect(json(mask(["$..['expiry']"], body)).payer.card.expiry).toBe('***');
  });

  it('masks headers by name, case-insensitively', () => {
    const r = mask(['$.x'], 'not json', {
      headers: {
        Authorization: 'Bearer secret',
        'X-Api-Key': { $base64: 'c2VjcmV0' },
        'x-error': 'ctx handler: timeout',
      },
      headerRules: ['authorization', 'X-API-KEY'],
    });
    expect(r.headers).toEqual({
      Authorization: '***',
      'X-Api-Key': '***',
      'x-error': 'ctx handler: timeout',
    });
    expect(r.masked).toEqual(['header Authorization', 'header X-Api-Key']);
  });

  it('leaves non-JSON bodies alone', () => {
    for (const text of ['hej med dig', '<xml>0101901234</xml>', '']) {
      const r = mask(['$.cpr'], text);
      expect([r.bodyText, r.bodyWithheld, r.masked]).toEqual([text, false, []]);
    }
    const binary = maskContent(rules(['$.cpr']), {
      headers: {},
      properties: {},
      body: Buffer.from([0, 255, 1]),
      bodyText: null,
    });
    expect([...binary.body]).toEqual([0, 255, 1]);
    expect(binary.bodyWithheld).toBe(false);
  });

  it('withholds a body that should be JSON but does not parse', () => {
    const cut = '{"cpr":"0101901234","name":"Mette Han';
    expect(mask(['$.cpr'], cut)).toMatchObject({
      bodyText: null,
      bodyWithheld: true,
    });
    const typed = mask(['$.cpr'], 'cpr=0101901234', {
      properties: { contentType: 'application/json' },
    });
    expect(typed.bodyWithheld).toBe(true);
    expect(typed.body.length).toBe(0);
    // Without paths to mask there is nothing to find: shown as it is.
    const noPaths = maskContent(rules([]), {
      headers: {},
      properties: {},
      body: Buffer.from(cut),
      bodyText: cut,
    });
    expect(noPaths.bodyText).toBe(cut);
  });

  it('leaves the body bytes untouched when nothing matched', () => {
    const text = '{ "a" : 1 }';
    const r = mask(['$.cpr'], text);
    expect(r.bodyText).toBe(text);
    expect(r.masked).toEqual([]);
  });

  it.each([
    ['cpr', "must start with '\\$'"],
    ['$', 'selects the whole body'],
    ['$.', 'expected a field name'],
    ['$..', 'expected a field name'],
    ['$.a[', "unclosed '\\['"],
    ['$.a[?(@.x)]', 'is not supported'],
    ['$.a[0:2]', 'is not supported'],
    ['$.a.[0]', "'.\\['"],
    ['$a', "unexpected 'a'"],
    ['$.a b', "unexpected ' '"],
  ])('rejects %s', (path, why) => {
    expect(() => parseJsonPath(path)).toThrow(new RegExp(why));
  });

  it('names the config key of an invalid path or header', () => {
    expect(() => rules(['$.ok', '$.items[?(@.pan)]'])).toThrow(
      "deadLetter.masking.jsonPaths[1]: invalid JSON path '$.items[?(@.pan)]'",
    );
    expect(() => rules([], ['x-ok', 'bad name'])).toThrow(
      "deadLetter.masking.headers[1]: 'bad name' is not a header name",
    );
  });
});
