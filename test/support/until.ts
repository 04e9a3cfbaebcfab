// Polling for a condition in tests, with a deadline that fails loudly (what was awaited and, when given, the
// state at the end) instead of a sleep used as synchronisation.
export async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  state?: () => unknown,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const at = state ? ` (${JSON.stringify(await state())})` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${at}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
