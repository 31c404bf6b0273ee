// Reading and renaming the role at the end of generated ownership and privilege statements.
import { describe, expect, it } from 'vitest';
import {
  mapDropRoles,
  mapObjectRoles,
  mapStatementRole,
  parseRoleMap,
  statementRole,
  statementRoles,
} from '../../src/engines/postgres/role-map.js';

describe('role map', () => {
  it('reads the one role a statement names, whatever the object is called', () => {
    expect(statementRole('ALTER TABLE "a TO b"."c FROM d" OWNER TO "Prod App"')).toBe('Prod App');
    expect(statementRole('GRANT SELECT ON TABLE x.y TO app WITH GRANT OPTION')).toBe('app');
    expect(statementRole('REVOKE ALL ON SCHEMA "TO x" FROM "we""ird"')).toBe('we"ird');
    expect(statementRole('GRANT USAGE ON SCHEMA s TO PUBLIC')).toBeUndefined();
    expect(statementRole('SET ROLE "Grant Giver"')).toBe('Grant Giver');
    expect(mapStatementRole('SET ROLE "Grant Giver"', { 'Grant Giver': 'dev' })).toBe('SET ROLE dev');
    expect(statementRole('RESET ROLE')).toBeUndefined();
    const dp = 'ALTER DEFAULT PRIVILEGES FOR ROLE "Prod App" IN SCHEMA s GRANT SELECT ON TABLES TO app';
    expect(statementRoles(dp)).toEqual(['Prod App', 'app']);
    expect(mapStatementRole(dp, { 'Prod App': 'dev', app: 'dev_reader' })).toBe(
      'ALTER DEFAULT PRIVILEGES FOR ROLE dev IN SCHEMA s GRANT SELECT ON TABLES TO dev_reader',
    );
    expect(statementRole("COMMENT ON TABLE t IS 'x'")).toBeUndefined();
  });

  it('renames only that role', () => {
    const map = { 'Prod App': 'dev_app', app: 'Dev Reader' };
    expect(mapStatementRole('ALTER TABLE "OWNER TO app".t OWNER TO "Prod App"', map)).toBe(
      'ALTER TABLE "OWNER TO app".t OWNER TO dev_app',
    );
    expect(mapStatementRole('GRANT SELECT ON TABLE s.app TO app WITH GRANT OPTION', map)).toBe(
      'GRANT SELECT ON TABLE s.app TO "Dev Reader" WITH GRANT OPTION',
    );
    expect(mapStatementRole('GRANT SELECT ON TABLE s.t TO other', map)).toBe(
      'GRANT SELECT ON TABLE s.t TO other',
    );
  });

  it("renames a policy's TO list and nothing in its expression", () => {
    const sql = [
      `CREATE POLICY p ON s.t AS PERMISSIVE FOR SELECT TO "Prod App", keep USING ((owner = 'Prod App'::text))`,
      `COMMENT ON POLICY p ON s.t IS 'TO "Prod App"'`,
    ];
    expect(mapObjectRoles({ sql, roles: ['"Prod App"', 'keep'] }, { 'Prod App': 'dev' })).toEqual([
      `CREATE POLICY p ON s.t AS PERMISSIVE FOR SELECT TO dev, keep USING ((owner = 'Prod App'::text))`,
      sql[1],
    ]);
  });

  it("renames a user mapping's role and nothing in its server name or options", () => {
    const sql = [`CREATE USER MAPPING FOR "Prod App" SERVER "FOR Prod App" OPTIONS (user 'Prod App')`];
    expect(mapObjectRoles({ sql, roles: ['"Prod App"'] }, { 'Prod App': 'dev' })).toEqual([
      `CREATE USER MAPPING FOR dev SERVER "FOR Prod App" OPTIONS (user 'Prod App')`,
    ]);
  });

  it('drops a user mapping (--clean) for its mapped role, and leaves other drops alone', () => {
    const mapping = {
      roles: ['"Prod App"'],
      drop: 'DROP USER MAPPING IF EXISTS FOR "Prod App" SERVER "FOR x SERVER y"',
    };
    expect(mapDropRoles(mapping, { 'Prod App': 'dev' })).toBe(
      'DROP USER MAPPING IF EXISTS FOR dev SERVER "FOR x SERVER y"',
    );
    expect(mapDropRoles(mapping, { other: 'dev' })).toBe(mapping.drop);
    const policyTable = { roles: ['a', 'b'], drop: 'DROP TABLE IF EXISTS s.t' };
    expect(mapDropRoles(policyTable, { a: 'z' })).toBe(policyTable.drop);
  });

  it('parses --map-role values and rejects bad ones', () => {
    expect(parseRoleMap(['a=b', 'C D=e'])).toEqual({ a: 'b', 'C D': 'e' });
    expect(() => parseRoleMap(['ab'])).toThrow(/ARCHIVED=TARGET/);
    expect(() => parseRoleMap(['=b'])).toThrow(/ARCHIVED=TARGET/);
    expect(() => parseRoleMap(['a=b', 'a=c'])).toThrow(/maps a twice/);
  });
});
