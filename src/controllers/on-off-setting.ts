/**
 * An on/off environment setting (UNSAFE_ALLOW_GENERIC_TARGETS, ROLLING_RESTART): unset, empty or
 * "false" is off, "true" is on; anything else is refused at start, saying what each choice does.
 */
export function onOffSetting(name: string, value: string | undefined, whenOff: string, whenOn: string): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`${name} ${JSON.stringify(value)} is neither "true" nor "false" (leave it unset to ${whenOff}; "true" ${whenOn})`);
}
