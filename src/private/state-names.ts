/** Step Functions refuses state names longer than this. */
export const MAX_STATE_NAME_LENGTH = 80;

/**
 * Refuses the state names a construct derives from a base (its id or a given state name) when one
 * is over 80 characters, naming the longest and how short the base must be.
 *
 * @param owner the construct, for the message: `ApprovalGate 'X'`
 * @param what the base, for the message: `id`, `stateName`
 * @param base the id or state name the names start with
 * @param suffixes what the construct appends to the base for its states (`''` for the base itself)
 */
export function checkDerivedStateNames(owner: string, what: string, base: string, suffixes: string[]): void {
  const longest = suffixes.reduce((a, b) => (b.length > a.length ? b : a), '');
  const name = `${base}${longest}`;
  if (name.length > MAX_STATE_NAME_LENGTH) {
    throw new Error(`${owner}: the state name '${name}' is ${name.length} characters, over the ${MAX_STATE_NAME_LENGTH} Step Functions allows; `
      + `give ${what.startsWith('id') ? 'an' : 'a'} ${what} of at most ${MAX_STATE_NAME_LENGTH - longest.length} characters (got ${base.length})`);
  }
}
