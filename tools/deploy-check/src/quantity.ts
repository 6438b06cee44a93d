const suffixes: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes resource quantity ("250m", "2", "384Mi", "1Gi") as a number of cores or bytes. */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(value);
  const factor = match ? (match[2] === '' ? 1 : suffixes[match[2]]) : undefined;
  if (!match || factor === undefined) throw new Error(`not a resource quantity: "${value}"`);
  return Number(match[1]) * factor;
}
