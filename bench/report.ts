export function writeReport(log: (s: string) => void): void {
  log('report: not written yet');
}
