import { renderBody } from './MessageDrawer';

const message = (bytes: Buffer, bodyText: string | null) => ({
  body: bytes.toString('base64'),
  bodyText,
});

describe('renderBody', () => {
  it('pretty-prints JSON', () => {
    expect(renderBody(message(Buffer.from('{"a":1}'), '{"a":1}'))).toEqual({
      kind: 'json',
      text: '{\n  "a": 1\n}',
    });
  });
  it('shows other UTF-8 as text', () => {
    expect(renderBody(message(Buffer.from('hej'), 'hej'))).toEqual({
      kind: 'text',
      text: 'hej',
    });
  });
  it('shows binary as hex with offsets', () => {
    const bytes = Buffer.from([...Array(17).keys()].map(i => i * 15));
    expect(renderBody(message(bytes, null))).toEqual({
      kind: 'hex',
      text:
        '00000000  00 0f 1e 2d 3c 4b 5a 69 78 87 96 a5 b4 c3 d2 e1\n' +
        '00000010  f0',
    });
  });
});
