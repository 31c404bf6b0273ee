import { qualify, quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { catalogKey } from './context.js';
const ENABLE_VERB = { D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' };
export function tableEventObject(kind, catalog, r) {
    const table = qualify(r.nspname, r.relname);
    const keyword = kind.toUpperCase();
    const verb = ENABLE_VERB[r.enabled];
    return {
        id: `${kind}:${r.nspname}.${r.relname}.${r.name}`,
        kind,
        section: 'post-data',
        schema: r.nspname,
        name: `${r.relname}.${r.name}`,
        relation: { schema: r.nspname, name: r.relname },
        sql: [
            r.def.trim().replace(/;$/, ''),
            ...(verb ? [`ALTER TABLE ${table} ${verb} ${keyword} ${quoteIdent(r.name)}`] : []),
            ...commentStatement(`${keyword} ${quoteIdent(r.name)} ON ${table}`, r.comment),
        ],
        deps: [],
        keys: [catalogKey(catalog, r.oid)],
        lock: 'exclusive',
    };
}
//# sourceMappingURL=table-event-object.js.map