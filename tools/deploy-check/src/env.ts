import { ConfigSchema, PropertySchema } from './workspace';

/** Variables a deployment may set besides the schema's: OpenTelemetry's own and Node's. */
export function isAllowedOutsideSchema(name: string): boolean {
  // Read by libraries, not by the services' config: OpenTelemetry, Node, libtensorflow.
  return (
    name.startsWith('OTEL_') ||
    name === 'NODE_ENV' ||
    name === 'NODE_OPTIONS' ||
    name === 'TF_CPP_MIN_LOG_LEVEL'
  );
}

/** A value coming from somewhere the check cannot read (a Secret, the downward API…). */
export const UNKNOWN_VALUE = Symbol('unknown value');
export type EnvValue = string | typeof UNKNOWN_VALUE;

/**
 * Problems with the environment a deployment gives a service: variables the service does not read,
 * required variables missing, and values its schema would reject. Empty when all is well.
 */
export function checkEnvironment(where: string, schema: ConfigSchema, env: Map<string, EnvValue>): string[] {
  const problems: string[] = [];
  for (const [name, value] of env) {
    const property = schema.properties[name];
    if (!property) {
      if (!isAllowedOutsideSchema(name))
        problems.push(`${where}: ${name} is not a variable of the service's describe-config`);
      continue;
    }
    if (value === UNKNOWN_VALUE) continue;
    const problem = checkValue(property, value);
    if (problem) problems.push(`${where}: ${name}=${JSON.stringify(value)}: ${problem}`);
  }
  for (const name of schema.required ?? []) {
    if (!env.has(name)) problems.push(`${where}: required variable ${name} is not provided`);
  }
  return problems;
}

/** A light JSON Schema check of one environment value (always a string) against its property. */
export function checkValue(property: PropertySchema, value: string): string | undefined {
  if (property.enum && !property.enum.map(String).includes(value)) {
    return `expected one of ${property.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (property.type === 'integer' || property.type === 'number') {
    const pattern = property.type === 'integer' ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
    if (!pattern.test(value.trim()))
      return `expected ${property.type === 'integer' ? 'an integer' : 'a number'}`;
    const n = Number(value);
    if (property.minimum !== undefined && n < property.minimum) return `expected >= ${property.minimum}`;
    if (property.maximum !== undefined && n > property.maximum) return `expected <= ${property.maximum}`;
    if (property.exclusiveMinimum !== undefined && n <= property.exclusiveMinimum)
      return `expected > ${property.exclusiveMinimum}`;
    if (property.exclusiveMaximum !== undefined && n >= property.exclusiveMaximum)
      return `expected < ${property.exclusiveMaximum}`;
  }
  if (property.type === 'string' || property.type === undefined) {
    if (property.minLength !== undefined && value.length < property.minLength)
      return `expected at least ${property.minLength} character(s)`;
    if (property.maxLength !== undefined && value.length > property.maxLength)
      return `expected at most ${property.maxLength} character(s)`;
    if (property.pattern !== undefined && !new RegExp(property.pattern, 'u').test(value))
      return `expected to match ${property.pattern}`;
    if (property.format === 'uri' && !URL.canParse(value)) return 'expected a URL';
  }
  return undefined;
}

/** The port a service listens on: PORT from its environment, else its schema's default. */
export function effectivePort(schema: ConfigSchema, env: Map<string, EnvValue>): number {
  const value = env.get('PORT');
  if (typeof value === 'string') return Number(value);
  const fallback = schema.properties['PORT']?.default;
  if (typeof fallback !== 'number') throw new Error('the service has no PORT default and none is set');
  return fallback;
}
