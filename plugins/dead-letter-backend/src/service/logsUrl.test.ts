import { logsUrl } from './logsUrl';

describe('logsUrl', () => {
  const row = {
    service: 'term-deposit',
    environment: 'dev',
    deadLetteredAt: '2026-11-22T10:00:00.000Z',
    messageId: 'a b',
  };
  it('fills the placeholders, encoded', () => {
    expect(
      logsUrl(
        'https://logs.example/search?q=service%3D{service}&env={environment}&from={from}&to={to}&id={messageId}',
        row,
      ),
    ).toBe(
      'https://logs.example/search?q=service%3Dterm-deposit&env=dev&from=2026-11-22T09%3A55%3A00.000Z&to=2026-11-22T10%3A05%3A00.000Z&id=a%20b',
    );
  });
  it('is null without a template and keeps unknown placeholders', () => {
    expect(logsUrl(null, row)).toBeNull();
    expect(logsUrl('x/{unknown}/{service}', row)).toBe(
      'x/{unknown}/term-deposit',
    );
  });
});
