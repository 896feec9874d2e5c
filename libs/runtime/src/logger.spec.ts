import { requestLevel } from './logger';

describe('request log levels', () => {
  it('logs server errors at error, aborted requests at warn, and clients’ mistakes (4xx) at info', () => {
    expect(requestLevel(500, true)).toBe('error');
    expect(requestLevel(503, false)).toBe('error');
    expect(requestLevel(200, false)).toBe('warn');
    expect(requestLevel(404, true)).toBe('info');
    expect(requestLevel(409, true)).toBe('info');
    expect(requestLevel(201, true)).toBe('info');
  });
});
