import { qualify, quoteIdent } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogName, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface NamedRow {
  oid: string;
  nspname: string;
  name: string;
  comment: string | null;
}

interface ParserRow extends NamedRow {
  start: string;
  token: string;
  end: string;
  headline: string | null;
  lextypes: string;
}

interface TemplateRow extends NamedRow {
  init: string | null;
  lexize: string;
}

interface DictionaryRow extends NamedRow {
  template: string;
  options: string | null;
  owner: string;
}

interface ConfigurationRow extends NamedRow {
  parser: string;
  owner: string;
}

interface MappingRow {
  cfg: string;
  token: string;
  dictionaries: string[];
}

/** `schema.name` of a row of a text search catalog, both parts quoted as needed. */
function qualifiedName(catalog: string, nameColumn: string, nsColumn: string, oidExpr: string): string {
  return `(SELECT pg_catalog.quote_ident(qn.nspname) || '.' || pg_catalog.quote_ident(q.${nameColumn})
    FROM pg_catalog.${catalog} q JOIN pg_catalog.pg_namespace qn ON qn.oid = q.${nsColumn} WHERE q.oid = ${oidExpr})`;
}

/**
 * Text search parsers, templates, dictionaries and configurations (with their
 * token mappings). Parsers and templates are made of C functions and have no
 * owner; creating them needs a superuser, as with pg_restore.
 */
export async function readTextSearch(ctx: CatalogContext): Promise<CatalogObject[]> {
  const where = (alias: string, catalog: string, nsColumn: string) =>
    `FROM pg_catalog.${catalog} ${alias} JOIN pg_catalog.pg_namespace n ON n.oid = ${alias}.${nsColumn}
     WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember(catalog, `${alias}.oid`)}`;
  const parsers = await rows<ParserRow>(
    ctx,
    `SELECT p.oid, n.nspname, p.prsname AS name, ${commentOf('pg_ts_parser', 'p.oid')} AS comment,
       p.prsstart::pg_catalog.regproc::text AS start, p.prstoken::pg_catalog.regproc::text AS token,
       p.prsend::pg_catalog.regproc::text AS end, p.prslextype::pg_catalog.regproc::text AS lextypes,
       CASE WHEN p.prsheadline <> 0 THEN p.prsheadline::pg_catalog.regproc::text END AS headline
     ${where('p', 'pg_ts_parser', 'prsnamespace')} ORDER BY n.nspname, p.prsname`,
    [ctx.schemas],
  );
  const templates = await rows<TemplateRow>(
    ctx,
    `SELECT t.oid, n.nspname, t.tmplname AS name, ${commentOf('pg_ts_template', 't.oid')} AS comment,
       CASE WHEN t.tmplinit <> 0 THEN t.tmplinit::pg_catalog.regproc::text END AS init,
       t.tmpllexize::pg_catalog.regproc::text AS lexize
     ${where('t', 'pg_ts_template', 'tmplnamespace')} ORDER BY n.nspname, t.tmplname`,
    [ctx.schemas],
  );
  const dictionaries = await rows<DictionaryRow>(
    ctx,
    `SELECT d.oid, n.nspname, d.dictname AS name, ${commentOf('pg_ts_dict', 'd.oid')} AS comment,
       ${qualifiedName('pg_ts_template', 'tmplname', 'tmplnamespace', 'd.dicttemplate')} AS template,
       d.dictinitoption AS options, pg_catalog.pg_get_userbyid(d.dictowner) AS owner
     ${where('d', 'pg_ts_dict', 'dictnamespace')} ORDER BY n.nspname, d.dictname`,
    [ctx.schemas],
  );
  const configurations = await rows<ConfigurationRow>(
    ctx,
    `SELECT c.oid, n.nspname, c.cfgname AS name, ${commentOf('pg_ts_config', 'c.oid')} AS comment,
       ${qualifiedName('pg_ts_parser', 'prsname', 'prsnamespace', 'c.cfgparser')} AS parser,
       pg_catalog.pg_get_userbyid(c.cfgowner) AS owner
     ${where('c', 'pg_ts_config', 'cfgnamespace')} ORDER BY n.nspname, c.cfgname`,
    [ctx.schemas],
  );
  const mappings = configurations.length
    ? await rows<MappingRow>(
        ctx,
        `SELECT m.mapcfg AS cfg, tt.alias AS token,
           pg_catalog.array_agg(${qualifiedName('pg_ts_dict', 'dictname', 'dictnamespace', 'm.mapdict')} ORDER BY m.mapseqno) AS dictionaries
         FROM pg_catalog.pg_ts_config_map m JOIN pg_catalog.pg_ts_config c ON c.oid = m.mapcfg
         CROSS JOIN LATERAL pg_catalog.ts_token_type(c.cfgparser) tt
         WHERE m.mapcfg = ANY($1::oid[]) AND tt.tokid = m.maptokentype
         GROUP BY m.mapcfg, m.maptokentype, tt.alias ORDER BY m.mapcfg, m.maptokentype`,
        [configurations.map((c) => c.oid)],
      )
    : [];

  const base = (kind: CatalogObject['kind'], catalog: CatalogName, keyword: string, r: NamedRow) => {
    const name = qualify(r.nspname, r.name);
    return {
      id: `${kind}:${r.nspname}.${r.name}`,
      kind,
      section: 'pre-data' as const,
      schema: r.nspname,
      name: r.name,
      drop: `DROP TEXT SEARCH ${keyword} IF EXISTS ${name}`,
      deps: [`schema:${r.nspname}`],
      keys: [catalogKey(catalog, r.oid)],
      comment: commentStatement(`TEXT SEARCH ${keyword} ${name}`, r.comment),
      qualified: name,
    };
  };
  const out: CatalogObject[] = [];
  for (const p of parsers) {
    const { comment, qualified, ...o } = base('text-search-parser', 'pg_ts_parser', 'PARSER', p);
    const opts = [
      `START = ${p.start}`,
      `GETTOKEN = ${p.token}`,
      `END = ${p.end}`,
      `LEXTYPES = ${p.lextypes}`,
    ];
    if (p.headline) opts.push(`HEADLINE = ${p.headline}`);
    out.push({ ...o, sql: [`CREATE TEXT SEARCH PARSER ${qualified} (${opts.join(', ')})`, ...comment] });
  }
  for (const t of templates) {
    const { comment, qualified, ...o } = base('text-search-template', 'pg_ts_template', 'TEMPLATE', t);
    const opts = [...(t.init ? [`INIT = ${t.init}`] : []), `LEXIZE = ${t.lexize}`];
    out.push({ ...o, sql: [`CREATE TEXT SEARCH TEMPLATE ${qualified} (${opts.join(', ')})`, ...comment] });
  }
  for (const d of dictionaries) {
    const { comment, qualified, ...o } = base('text-search-dictionary', 'pg_ts_dict', 'DICTIONARY', d);
    // dictinitoption is stored as the option list's own SQL text (`stopwords = 'english'`).
    const opts = [`TEMPLATE = ${d.template}`, ...(d.options ? [d.options] : [])];
    out.push({
      ...o,
      sql: [`CREATE TEXT SEARCH DICTIONARY ${qualified} (${opts.join(', ')})`, ...comment],
      owner: ownerStatement(`TEXT SEARCH DICTIONARY ${qualified}`, d.owner),
    });
  }
  for (const c of configurations) {
    const { comment, qualified, ...o } = base(
      'text-search-configuration',
      'pg_ts_config',
      'CONFIGURATION',
      c,
    );
    const maps = mappings
      .filter((m) => m.cfg === c.oid)
      .map(
        (m) =>
          `ALTER TEXT SEARCH CONFIGURATION ${qualified} ADD MAPPING FOR ${quoteIdent(m.token)} WITH ${m.dictionaries.join(', ')}`,
      );
    out.push({
      ...o,
      sql: [`CREATE TEXT SEARCH CONFIGURATION ${qualified} (PARSER = ${c.parser})`, ...maps, ...comment],
      owner: ownerStatement(`TEXT SEARCH CONFIGURATION ${qualified}`, c.owner),
    });
  }
  return out;
}
