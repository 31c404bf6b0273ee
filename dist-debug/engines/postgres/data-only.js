import { StowageError } from '../../errors.js';
import { qualify } from './ident.js';
/**
 * Data-only restore: the schema already exists in the target (made by a
 * migration tool, or an earlier schema-only restore) and only rows are loaded.
 */
/** Fails unless every table to load exists in the target. */
export async function requireTables(session, tables) {
    if (!tables.length)
        return;
    const { rows } = await session.query(`SELECT x.name FROM pg_catalog.unnest($1::text[]) AS x(name) WHERE pg_catalog.to_regclass(x.name) IS NULL`, [tables.map((t) => qualify(t.schema, t.name))], 'checking the target tables');
    if (rows.length) {
        const names = rows.map((r) => r.name);
        throw new StowageError('pg-missing-table', `data-only restore: ${names.length === 1 ? 'table' : 'tables'} ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''} not in the target database`, 'create the schema first (restore without --data-only, or with --schema-only), or leave those tables out with --exclude-table');
    }
}
/**
 * Plans a data-only load around the target's foreign keys between the tables
 * being loaded: a table waits for the tables it references. Tables in a
 * foreign-key cycle are loaded together in one transaction with deferrable
 * constraints deferred, ordered so that only deferrable keys point forward;
 * a cycle of non-deferrable keys cannot be loaded this way and is reported
 * (--disable-triggers loads it).
 */
export async function dataOnlyLoadGroups(session, tables, warnings) {
    const byName = new Map(tables.map((t) => [`${t.schema}\u0000${t.name}`, qualify(t.schema, t.name)]));
    const { rows } = await session.query(`SELECT cn.nspname AS cs, c.relname AS cn, pn.nspname AS ps, p.relname AS pn, k.condeferrable AS deferrable
     FROM pg_catalog.pg_constraint k
     JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
     JOIN pg_catalog.pg_class p ON p.oid = k.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
     WHERE k.contype = 'f' AND k.conrelid <> k.confrelid`, [], 'reading foreign keys of the target');
    const edges = [];
    for (const r of rows) {
        const child = byName.get(`${r.cs}\u0000${r.cn}`);
        const parent = byName.get(`${r.ps}\u0000${r.pn}`);
        if (child && parent && child !== parent)
            edges.push({ child, parent, deferrable: r.deferrable });
    }
    const keys = tables.map((t) => qualify(t.schema, t.name));
    const components = stronglyConnected(keys, edges);
    const groupOf = new Map();
    for (const members of components)
        for (const m of members)
            groupOf.set(m, members[0]);
    const groups = [];
    for (const members of components) {
        const id = members[0];
        const deps = new Set();
        for (const e of edges) {
            if (groupOf.get(e.child) === id && groupOf.get(e.parent) !== id)
                deps.add(groupOf.get(e.parent));
        }
        let ordered = members;
        if (members.length > 1) {
            const inner = edges.filter((e) => members.includes(e.child) && members.includes(e.parent) && !e.deferrable);
            const sorted = topological(members, inner);
            if (sorted)
                ordered = sorted;
            else {
                warnings.push(`tables ${members.join(', ')} reference each other through foreign keys that are not deferrable: loading them may fail; --disable-triggers loads them in any order`);
            }
        }
        groups.push({ id, tables: ordered, deps: [...deps] });
    }
    return groups;
}
/** Tarjan's algorithm; components come out with dependencies (parents) before dependents. */
function stronglyConnected(nodes, edges) {
    const out = new Map();
    for (const e of edges)
        out.set(e.child, [...(out.get(e.child) ?? []), e.parent]);
    let index = 0;
    const indexOf = new Map();
    const low = new Map();
    const stack = [];
    const onStack = new Set();
    const result = [];
    const visit = (v) => {
        indexOf.set(v, index);
        low.set(v, index);
        index++;
        stack.push(v);
        onStack.add(v);
        for (const w of out.get(v) ?? []) {
            if (!indexOf.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v), low.get(w)));
            }
            else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v), indexOf.get(w)));
            }
        }
        if (low.get(v) === indexOf.get(v)) {
            const component = [];
            let w;
            do {
                w = stack.pop();
                onStack.delete(w);
                component.push(w);
            } while (w !== v);
            result.push(component);
        }
    };
    for (const n of nodes)
        if (!indexOf.has(n))
            visit(n);
    return result;
}
/** Parents before children, or undefined when the edges still form a cycle. */
function topological(nodes, edges) {
    const waiting = new Map(nodes.map((n) => [n, 0]));
    for (const e of edges)
        waiting.set(e.child, (waiting.get(e.child) ?? 0) + 1);
    const ready = nodes.filter((n) => waiting.get(n) === 0);
    const out = [];
    while (ready.length) {
        const n = ready.shift();
        out.push(n);
        for (const e of edges) {
            if (e.parent !== n)
                continue;
            const left = (waiting.get(e.child) ?? 0) - 1;
            waiting.set(e.child, left);
            if (left === 0)
                ready.push(e.child);
        }
    }
    return out.length === nodes.length ? out : undefined;
}
//# sourceMappingURL=data-only.js.map