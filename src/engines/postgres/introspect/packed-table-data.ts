import { JSON_TEXT } from '../../../archive/json-pieces.js';
import type { PackedTexts } from '../../../archive/packed-texts.js';
import type { PgColumn, PgTableData } from '../model.js';

/** A table's data entry as the catalog reads it: the stored entry and the table's OID. */
export type CatalogTableData = PgTableData & { oid: string };

/**
 * A table's data entry (model.ts `PgTableData`) whose JSON text waits in a {@link PackedTexts}
 * from the moment the catalog reader builds it until the data phase copies the table, and again
 * until the footer: with 20,000 tables the entries, their 80,000 columns and names were some
 * 15 MB of the heap through the ordering and the whole data phase. What planning the copies
 * needs (OID, first stream, estimates) are fields; everything else is read from the text
 * (a new copy on each read: {@link unpacked} where the data phase reaches the table). The
 * text is the entry's JSON without its OID, as the schema stores it.
 */
export class PackedTableData {
  /** The streams splitTables cut the table into, once it did (else the one {@link stream}). */
  private split: string[] | undefined;

  constructor(
    private readonly store: PackedTexts,
    /** Where the text starts in `store`, and its length in bytes. */
    private at: number,
    private length: number,
    public readonly oid: string,
    /** The table's first stream (its only one unless it is copied in parts). */
    public readonly stream: string,
    public readonly estimatedRows: number,
    public readonly estimatedBytes: number,
    /** An extension's configuration table's condition (model.ts), when the entry has one. */
    public readonly filter: string | undefined,
  ) {}

  /** The entry as the schema stores it (no OID): a new copy each call. */
  unpacked(): PgTableData {
    return JSON.parse(this.store.text(this.at, this.length)) as PgTableData;
  }

  /** The entry's JSON text, as UTF-8 parts valid until the next is asked for. */
  *[JSON_TEXT](): Generator<Buffer> {
    yield* this.store.bytes(this.at, this.length);
  }

  /** For `JSON.stringify`: the stored entry. */
  toJSON(): PgTableData {
    return this.unpacked();
  }

  get streams(): string[] {
    return this.split ?? [this.stream];
  }
  /** Parts planned (table-parts.ts): the text is written again with them, in the same place of the JSON. */
  set streams(streams: string[]) {
    const entry = this.unpacked();
    entry.streams = streams;
    this.split = streams;
    this.at = this.store.size;
    this.length = this.store.add(JSON.stringify(entry));
  }
  get schema(): string {
    return this.unpacked().schema;
  }
  get name(): string {
    return this.unpacked().name;
  }
  get columns(): PgColumn[] {
    return this.unpacked().columns;
  }
  get format(): PgTableData['format'] {
    return this.unpacked().format;
  }
  get identityAlways(): boolean {
    return this.unpacked().identityAlways;
  }
}

/** `entry` packed into `store` as a {@link PackedTableData}, typed as the entry it stands for. */
export function packTableData(store: PackedTexts, entry: CatalogTableData): CatalogTableData {
  const { oid, ...stored } = entry;
  const at = store.size;
  const length = store.add(JSON.stringify(stored));
  const packed = new PackedTableData(
    store,
    at,
    length,
    oid,
    entry.streams[0]!,
    entry.estimatedRows,
    entry.estimatedBytes,
    entry.filter,
  );
  return packed as unknown as CatalogTableData;
}

/** The entry as the schema stores it: a packed one as it is (its JSON has no OID), a plain one without its OID. */
export function storedTableData(entry: CatalogTableData): PgTableData {
  if (entry instanceof PackedTableData) return entry;
  const { oid: _oid, ...stored } = entry;
  return stored;
}

/** `entry` as a plain object: a packed one unpacked. */
export function unpackedTableData(entry: PgTableData): PgTableData {
  return entry instanceof PackedTableData ? entry.unpacked() : entry;
}

/**
 * The data entries of a backed-up schema (`BackedUpPostgresSchema.tables`) as plain entries:
 * the list itself, or the entries the stand-in `packJson` gave for it holds.
 */
export function backedUpTables(tables: unknown): PgTableData[] {
  if (Array.isArray(tables)) return tables.map(unpackedTableData);
  return JSON.parse(JSON.stringify(tables)) as PgTableData[];
}
