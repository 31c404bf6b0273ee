// Parity for operators, operator families and operator classes (fixture 20),
// and the dependencies that order everything using them after them.
import { describe, expect, it } from 'vitest';
import { parsePostgresSchema } from '../../src/engines/postgres/model.js';
import { createPgDatabase, withPgClient } from '../support/pg.js';
import { parityTheme } from './parity-theme.js';
import { backupToMemory, restoreFromMemory } from './support.js';

describe('parity: operators, operator families and classes', () => {
  const theme = parityTheme('operators', ['20-operators']);

  it('whatever uses an operator or operator class depends on it', async () => {
    const backup = await backupToMemory(theme.source().url, {}, 1);
    const objects = (await parsePostgresSchema(backup.result.schema)).objects;
    const deps = (id: string) => objects.find((o) => o.id === id)?.deps ?? [];
    const ciEq = 'operator:ci.=~(text,text)';
    expect(deps('table:Ops.Ledger')).toContain(ciEq); // CHECK constraint
    expect(deps('default:Ops.Ledger.label')).toContain(ciEq);
    expect(deps('policy:Ops.Ledger.not test rows')).toContain(ciEq);
    expect(deps('view:Ops.Big spenders')).toContain('operator:Ops.!==("Ops"."Money","Ops"."Money")');
    expect(deps('index:Ops.Ledger_code_ci')).toContain('operator-class:ci.Text_CI_ops(btree)');
    expect(deps('index:Ops.places_at')).toContain('operator-class:Ops.Point copy ops(gist)');
    expect(deps('constraint:Ops.Ledger.Ledger_code_excl')).toContain('operator-class:ci.text_ci_hash(hash)');
    expect(deps('operator-class:ci.Text_CI_ops(btree)')).toEqual(
      expect.arrayContaining([
        'operator-family:ci.Text_CI_ops(btree)',
        ciEq,
        'function:ci.cmp(a text, b text)',
      ]),
    );
    // The loose cross-type member added with ALTER OPERATOR FAMILY ... ADD.
    expect(deps('operator-family:ci.Text_CI_ops(btree)')).toContain('operator:ci.<~(text,character varying)');
    const order = objects.map((o) => o.id);
    for (const o of objects)
      for (const d of o.deps) expect(order.indexOf(d)).toBeLessThan(order.indexOf(o.id));
  });

  it('a restore without a schema leaves out its operators, classes and whatever uses them', async () => {
    const backup = await backupToMemory(theme.source().url, {}, 1);
    const target = await createPgDatabase('parity_operators_sel');
    try {
      const result = await restoreFromMemory(target.url, backup, { excludeSchemas: ['ci'] }, 2);
      const left = await withPgClient(target.url, async (client) => {
        const { rows } = await client.query<{ o: string }>(
          `SELECT 'operator ' || oid::regoperator AS o FROM pg_operator WHERE oid >= 16384
           UNION ALL SELECT 'class ' || opcname FROM pg_opclass WHERE oid >= 16384
           UNION ALL SELECT 'family ' || opfname FROM pg_opfamily WHERE oid >= 16384
           UNION ALL SELECT 'relation ' || oid::regclass FROM pg_class WHERE relnamespace = '"Ops"'::regnamespace AND relkind IN ('r', 'v')
           ORDER BY 1`,
        );
        return rows.map((r) => r.o);
      });
      expect(left).toEqual([
        'class Money_hash_ops',
        'class Point copy ops',
        'family Money_hash_ops',
        'family Point copy ops',
        'operator "Ops".!==("Ops"."Money","Ops"."Money")',
        'operator "Ops".===("Ops"."Money","Ops"."Money")',
        'operator "Ops".~-(NONE,"Ops"."Money")',
        'relation "Ops".places',
      ]);
      expect(result.warnings.join('\n')).toMatch(/table Ops\.Ledger left out: it depends on operator ci\.=~/);
    } finally {
      await target.drop();
    }
  });
});
