/** Neutron's error body, as every client of its API parses it. */
export interface NeutronErrorBody {
  NeutronError: { type: string; message: string; detail: string };
}

export function neutronError(type: string, message: string, detail = ''): NeutronErrorBody {
  return { NeutronError: { type, message, detail } };
}
