/** Injection token of the CallerResolver the module uses (the API passes its own request-context reader). */
export const L3_CALLER = Symbol('L3_CALLER');
