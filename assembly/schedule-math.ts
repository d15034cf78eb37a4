// The transcendental functions that learning-rate schedules need, from AssemblyScript's own math
// library compiled into this module: JavaScript's Math.cos or Math.pow may differ between engines
// in the last bit, these give the same bits everywhere, so a schedule's rate does too.

export function mathCos(x: f64): f64 {
  return Math.cos(x);
}

export function mathPow(base: f64, exponent: f64): f64 {
  return Math.pow(base, exponent);
}
