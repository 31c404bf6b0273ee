// Catalog keys → the object standing for each, for resolveDependencies (issue 14: memory with
// thousands of tables). Sorted typed arrays instead of a Map, with the Map's answers.
import { describe, expect, it } from 'vitest';
import { catalogKey } from '../../src/engines/postgres/introspect/context.js';
import { KeyOwners } from '../../src/engines/postgres/introspect/key-owners.js';

describe('KeyOwners', () => {
  it("finds each object's keys, -1 for others, and the later object for a key two list", () => {
    const table = catalogKey('pg_class', 3_000_000_000);
    const rowType = catalogKey('pg_type', 16402);
    const index = catalogKey('pg_class', 16410);
    const owners = KeyOwners.of([{ keys: [table, rowType] }, { keys: [] }, { keys: [index, table] }]);
    expect(owners.get(rowType)).toBe(0);
    expect(owners.get(index)).toBe(2);
    // As Map#set in object order: the last one to list it has it.
    expect(owners.get(table)).toBe(2);
    expect(owners.get(catalogKey('pg_class', 16411))).toBe(-1);
    expect(owners.get(0)).toBe(-1);
    expect(owners.get(Number.MAX_SAFE_INTEGER)).toBe(-1);
  });

  it('answers for keys claimed later, and none before', () => {
    const arrayType = catalogKey('pg_type', 16401);
    const owners = KeyOwners.of([{ keys: [catalogKey('pg_type', 16402)] }]);
    expect(owners.get(arrayType)).toBe(-1);
    owners.claim(arrayType, 0);
    expect(owners.get(arrayType)).toBe(0);
  });

  it('has nothing when no object has keys', () => {
    expect(KeyOwners.of([]).get(catalogKey('pg_class', 1))).toBe(-1);
  });
});
