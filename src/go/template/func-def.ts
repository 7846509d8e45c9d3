import type { CallContext } from './budget.ts';
import type { Evaluated } from './values.ts';

/**
 * A Go parameter type, which decides how the evaluator converts arguments and
 * which errors it reports, as text/template does by reflection:
 *   string, int, bool   -> a GoString, bigint or boolean, or an error
 *   float               -> float64: a number (an integer literal converts, a computed int does not)
 *   any                 -> interface{}: any value, nil as null
 *   value               -> reflect.Value (the builtins): may be undefined
 *   dict                -> map[string]interface{}; a map[string]string is refused
 *   time                -> time.Time (a GoTime)
 *   uint32              -> a bigint, from a literal only (no template value has Go's uint32 type)
 *   list                -> []interface{}: a GoSlice of interface{}, or nil
 *   certificate         -> sprig's certificate struct (a SprigCertificate)
 *   version             -> *semver.Version: a SemverVersion pointer, or nil (null)
 */
export type Param = 'string' | 'int' | 'float' | 'bool' | 'any' | 'value' | 'dict' | 'time' | 'uint32' | 'list' | 'certificate' | 'version';

/**
 * A template function: Go signature and implementation. Failures throw FuncError; a
 * function that builds a string or a collection does it through `ctx` (a Builder, or
 * take()), so that it stops at the bound instead of finishing first.
 */
export interface FuncDef {
  readonly params: readonly Param[];
  /** Type of the `...` parameter, if the function is variadic. */
  readonly variadic?: Param;
  readonly call: (args: readonly Evaluated[], ctx: CallContext) => Evaluated;
}

/** The Go spelling of a parameter type, for error messages. */
export const goType: Record<Param, string> = {
  string: 'string',
  int: 'int',
  float: 'float64',
  bool: 'bool',
  any: 'interface {}',
  value: 'reflect.Value',
  dict: 'map[string]interface {}',
  time: 'time.Time',
  uint32: 'uint32',
  list: '[]interface {}',
  certificate: 'sprig.certificate',
  version: '*semver.Version',
};
