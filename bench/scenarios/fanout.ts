export async function runFanout(_o: Record<string, unknown>, _log: (s: string) => void): Promise<{ figures: unknown; notes: string[] }> {
  return { figures: {}, notes: ['not written yet'] };
}
