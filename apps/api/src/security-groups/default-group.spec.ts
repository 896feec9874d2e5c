import { defaultSecurityGroupId, uuidv5 } from './default-group';

describe('name-based ids', () => {
  it('computes RFC 4122 version 5 UUIDs (DNS namespace test vector)', () => {
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('derives one default group id per project', () => {
    expect(defaultSecurityGroupId('p1')).toBe(defaultSecurityGroupId('p1'));
    expect(defaultSecurityGroupId('p1')).not.toBe(defaultSecurityGroupId('p2'));
    expect(defaultSecurityGroupId('p1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
