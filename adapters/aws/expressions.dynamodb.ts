/**
 * DynamoDB condition and update expressions built from named pieces (STYLE 9), so that every condition a
 * write depends on has a name a reader can find, and placeholders never collide.
 */
export interface Expression {
  readonly text: string;
  readonly names: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, unknown>>;
}

/** The item exists (any key attribute). */
export const itemExists: Expression = { text: 'attribute_exists(#c_pk)', names: { '#c_pk': 'pk' }, values: {} };

/** No item with this key yet: a create must not overwrite. */
export const itemAbsent: Expression = { text: 'attribute_not_exists(#c_pk)', names: { '#c_pk': 'pk' }, values: {} };

/** The fencing check of every ownership-sensitive write. */
export function epochIs(expectedEpoch: number): Expression {
  return { text: '#c_epoch = :c_epoch', names: { '#c_epoch': 'epoch' }, values: { ':c_epoch': expectedEpoch } };
}

/** Optimistic concurrency on a versioned item. */
export function versionIs(expectedVersion: number): Expression {
  return { text: '#c_version = :c_version', names: { '#c_version': 'version' }, values: { ':c_version': expectedVersion } };
}

/** A shadow's stats are only extended with samples taken at the same replication rate. */
/** The item exists and holds this rate (a comparison with a missing attribute is false in DynamoDB). */
export function rateIs(rate: number): Expression {
  return { text: '#c_rate = :c_rate', names: { '#c_rate': 'rate' }, values: { ':c_rate': rate } };
}

export function rateDiffers(rate: number): Expression {
  return { text: '#c_rate <> :c_rate', names: { '#c_rate': 'rate' }, values: { ':c_rate': rate } };
}

/** The item is the shadow with this id (a shadow's slot may hold another shadow of the same shard and kind). */
export function shadowIdIs(shadowId: string): Expression {
  return { text: '#c_shadow = :c_shadow', names: { '#c_shadow': 'shadowId' }, values: { ':c_shadow': shadowId } };
}

/** The item has expired by `nowMs` (an item without an expiry never does: a comparison with a missing attribute is false). */
export function expiredBy(nowMs: number): Expression {
  return { text: '#c_expires <= :c_now', names: { '#c_expires': 'expiresAtMs' }, values: { ':c_now': nowMs } };
}

/**
 * The stats have no high-water mark yet, or it is below `sortKey` (fixed-width decimal strings, so that
 * DynamoDB's string order is the numeric order of sequence numbers).
 */
export function highWaterBelow(sortKey: string): Expression {
  return { text: '(attribute_not_exists(#c_hw) OR #c_hw < :c_hw)', names: { '#c_hw': 'highWaterKey' }, values: { ':c_hw': sortKey } };
}

export function or(...parts: readonly Expression[]): Expression {
  return {
    text: `(${parts.map((p) => `(${p.text})`).join(' OR ')})`,
    names: Object.assign({}, ...parts.map((p) => p.names)) as Record<string, string>,
    values: Object.assign({}, ...parts.map((p) => p.values)) as Record<string, unknown>,
  };
}

export function and(...parts: readonly Expression[]): Expression {
  return {
    text: parts.map((p) => p.text).join(' AND '),
    names: Object.assign({}, ...parts.map((p) => p.names)) as Record<string, string>,
    values: Object.assign({}, ...parts.map((p) => p.values)) as Record<string, unknown>,
  };
}

export interface UpdateParts {
  /** `SET #a = :a`; an `undefined` value becomes `REMOVE #a`. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** `SET #a = if_not_exists(#a, :a)`: written once, never overwritten. */
  readonly setIfAbsent?: Readonly<Record<string, unknown>>;
  /** `ADD #a :a`: atomic counters. */
  readonly add?: Readonly<Record<string, number>>;
}

/** Builds an UpdateExpression with `#u<i>` / `:u<i>` placeholders. */
export function update(parts: UpdateParts): Expression {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const adds: string[] = [];
  let i = 0;
  const placeholder = (attribute: string): [string, string] => {
    const n = `#u${i}`;
    const v = `:u${i}`;
    i += 1;
    names[n] = attribute;
    return [n, v];
  };
  for (const [attribute, value] of Object.entries(parts.set ?? {})) {
    const [n, v] = placeholder(attribute);
    if (value === undefined) {
      removes.push(n);
    } else {
      values[v] = value;
      sets.push(`${n} = ${v}`);
    }
  }
  for (const [attribute, value] of Object.entries(parts.setIfAbsent ?? {})) {
    const [n, v] = placeholder(attribute);
    values[v] = value;
    sets.push(`${n} = if_not_exists(${n}, ${v})`);
  }
  for (const [attribute, value] of Object.entries(parts.add ?? {})) {
    const [n, v] = placeholder(attribute);
    values[v] = value;
    adds.push(`${n} ${v}`);
  }
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
  ].filter((c) => c !== '');
  return { text: clauses.join(' '), names, values };
}

/** The request fields of an update with an optional condition (empty value maps are omitted, as DynamoDB requires). */
export function updateRequest(updateExpression: Expression, condition?: Expression): Record<string, unknown> {
  const names = { ...updateExpression.names, ...condition?.names };
  const values = { ...updateExpression.values, ...condition?.values };
  return {
    UpdateExpression: updateExpression.text,
    ...(condition === undefined ? {} : { ConditionExpression: condition.text }),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

export function conditionRequest(condition: Expression): Record<string, unknown> {
  return {
    ConditionExpression: condition.text,
    ExpressionAttributeNames: condition.names,
    ...(Object.keys(condition.values).length > 0 ? { ExpressionAttributeValues: condition.values } : {}),
  };
}
