import { ValidationError } from '../errors.js';

/** Small validators used by the model constructors; each throws a ValidationError naming the field. */
export function requireNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(field, `a number between ${min} and ${max}`, value);
  }
  return value;
}

export function requireInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `an integer between ${min} and ${max}`, value);
  }
  return value;
}

export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(field, 'a non-empty string', value);
  }
  return value;
}
