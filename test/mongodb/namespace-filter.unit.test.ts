import { describe, expect, it } from 'vitest';
import {
  NamespaceFilter,
  NamespacePattern,
  NamespaceRenamer,
  splitNamespace,
  validateNamespace,
} from '../../src/engines/mongodb/namespace-filter.js';
import { UsageError } from '../../src/errors.js';

describe('namespace patterns', () => {
  it('matches database and collection parts separately', () => {
    const p = new NamespacePattern('shop.*');
    expect(p.matches('shop.orders')).toBe(true);
    expect(p.matches('shop.orders.archive')).toBe(true); // collection names may contain dots
    expect(p.matches('shopping.orders')).toBe(false);
    expect(new NamespacePattern('*.logs').matches('a.logs')).toBe(true);
    expect(new NamespacePattern('*.logs').matches('a.b.logs')).toBe(false); // * in the db part stops at the dot
    expect(new NamespacePattern('shop').matches('shop.x')).toBe(true); // a database name alone means all of it
    expect(new NamespacePattern('s?op.(x)').matches('s?op.(x)')).toBe(true); // regex characters are literal
    expect(new NamespacePattern('s?op.(x)').matches('shop.x')).toBe(false);
  });

  it('rejects malformed patterns', () => {
    expect(() => new NamespacePattern('')).toThrow(UsageError);
    expect(() => new NamespacePattern('.coll')).toThrow(/bad namespace pattern/);
    expect(() => new NamespacePattern('db.')).toThrow(/bad namespace pattern/);
  });

  it('include and exclude', () => {
    const f = new NamespaceFilter(['shop.*', 'crm.users'], ['shop.tmp*']);
    expect(f.accepts('shop.orders')).toBe(true);
    expect(f.accepts('shop.tmp_1')).toBe(false);
    expect(f.accepts('crm.users')).toBe(true);
    expect(f.accepts('crm.leads')).toBe(false);
    expect(new NamespaceFilter([], ['*.logs']).accepts('a.b')).toBe(true);
    expect(new NamespaceFilter([], ['*.logs']).accepts('a.logs')).toBe(false);
  });
});

describe('namespace renames', () => {
  it('substitutes each * in order', () => {
    const r = new NamespaceRenamer(['shop.*', '*.logs_*'], ['shop_copy.*', 'archive.*_logs_*']);
    expect(r.rename('shop.orders')).toBe('shop_copy.orders');
    expect(r.rename('app.logs_2024')).toBe('archive.app_logs_2024');
    expect(r.rename('other.x')).toBe('other.x');
  });

  it('renames whole databases given without a dot', () => {
    expect(new NamespaceRenamer(['shop'], ['shop2']).rename('shop.a.b')).toBe('shop2.a.b');
  });

  it('refuses unpaired or mismatched patterns', () => {
    expect(() => new NamespaceRenamer(['a.*'], [])).toThrow(/--ns-from is given 1 time\(s\) but --ns-to 0/);
    expect(() => new NamespaceRenamer(['a.*'], ['b.c'])).toThrow(/has 0 "\*" but --ns-from "a.\*" has 1/);
  });

  it('refuses targets MongoDB would reject', () => {
    expect(() => new NamespaceRenamer(['a.*'], ['b c.*']).rename('a.x')).toThrow(
      /database name "b c" is not valid/,
    );
    expect(() => validateNamespace('db.a$b', 'restoring')).toThrow(/collection name is not valid/);
    expect(() => splitNamespace('nodot')).toThrow(/is not a namespace/);
  });
});
