import { type CatalogObject } from './context.js';
/**
 * Rules and triggers: objects that hang off one table, are named within it,
 * and share the same enabled states (`ev_enabled` and `tgenabled` use the same
 * letters). One builder keeps their DDL, comments and enable statements alike.
 */
export interface TableEventRow {
    oid: string;
    name: string;
    nspname: string;
    relname: string;
    /** Complete CREATE statement from pg_get_ruledef / pg_get_triggerdef. */
    def: string;
    enabled: string;
    comment: string | null;
}
export declare function tableEventObject(kind: 'rule' | 'trigger', catalog: 'pg_rewrite' | 'pg_trigger', r: TableEventRow): CatalogObject;
