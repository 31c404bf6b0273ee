import { createWriteStream, existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A deterministic, realistic benchmark corpus: rows that look like PostgreSQL
 * `COPY … TO STDOUT` text output of four tables (orders, events, customers,
 * metrics): sequential ids, uuids, timestamps, words from a vocabulary,
 * emails, decimals, JSON columns, NULLs. Not all zeros, not all random: it
 * compresses about like real table data (zstd-3 ratio around 3–4).
 *
 * The same seed and size always give the same bytes. The file is generated
 * once and cached (in /dev/shm when present, so reading it costs no disk I/O).
 */

export interface CorpusTable {
  name: string;
  offset: number;
  length: number;
  rows: number;
}

export interface Corpus {
  path: string;
  bytes: number;
  tables: CorpusTable[];
}

const VERSION = 1;

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vocabulary(random: () => number, count: number): string[] {
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ra',
    'ne',
    'to',
    'shi',
    'ven',
    'dor',
    'al',
    'is',
    'um',
    'pe',
    'qua',
    'zen',
    'bri',
    'fo',
    'gal',
    'hen',
    'jo',
  ];
  const words = new Set<string>();
  while (words.size < count) {
    const n = 1 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[Math.floor(random() * syllables.length)];
    words.add(w);
  }
  return [...words];
}

function hex8(random: () => number): string {
  return Math.floor(random() * 4294967296)
    .toString(16)
    .padStart(8, '0');
}

function uuid(random: () => number): string {
  const a = hex8(random);
  const b = hex8(random);
  const c = hex8(random);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex8(random)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

let dayStart = -1;
let dayPrefix = '';
/** `YYYY-MM-DD hh:mm:ss+00`; the date part is cached, since rows are mostly in time order. */
function timestamp(epochSeconds: number): string {
  const day = epochSeconds - (epochSeconds % 86400);
  if (day !== dayStart) {
    const d = new Date(day * 1000);
    dayStart = day;
    dayPrefix = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} `;
  }
  const s = epochSeconds - day;
  return `${dayPrefix}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}+00`;
}

type RowMaker = (id: number) => string;

function makers(seed: number): { name: string; share: number; row: RowMaker }[] {
  const random = rng(seed);
  const words = vocabulary(random, 2000);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  // Zipf-ish word choice: common words come up far more often, as in real text.
  const word = () => words[Math.floor(words.length * random() ** 3)]!;
  const sentence = (min: number, max: number) => {
    const n = min + Math.floor(random() * (max - min + 1));
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(word());
    return out.join(' ');
  };
  const statuses = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
  const eventTypes = [
    'page_view',
    'click',
    'add_to_cart',
    'checkout',
    'login',
    'logout',
    'search',
    'error',
  ] as const;
  const countries = ['DE', 'FR', 'US', 'GB', 'JP', 'BR', 'IN', 'NL', 'SE', 'ES', 'IT', 'CA'] as const;
  const domains = ['example.com', 'mail.test', 'corp.example', 'post.example.org'] as const;
  const colors = ['red', 'green', 'blue', 'black', 'white', 'grey'] as const;
  const agents = [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
    'curl/8.5.0',
  ] as const;
  let clock = 1_700_000_000;
  return [
    {
      name: 'public.orders',
      share: 0.4,
      row: (id) => {
        clock += Math.floor(random() * 5);
        const amount = (random() * 2000).toFixed(2);
        const attrs = `{"sku": "${word().toUpperCase()}-${Math.floor(random() * 10000)}", "color": "${pick(colors)}", "size": ${Math.floor(random() * 50)}, "gift": ${random() < 0.1}}`;
        const note = random() < 0.3 ? '\\N' : sentence(3, 14);
        return `${id}\t${uuid(random)}\t${Math.floor(random() * 200000)}\t${pick(statuses)}\t${amount}\t${1 + Math.floor(random() * 9)}\t${timestamp(clock)}\t${timestamp(clock + Math.floor(random() * 86400))}\t${attrs}\t${note}\n`;
      },
    },
    {
      name: 'public.events',
      share: 0.3,
      row: (id) => {
        clock += Math.floor(random() * 3);
        const ip = `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
        const payload = `{"path": "/${word()}/${word()}", "ms": ${Math.floor(random() * 3000)}, "ok": ${random() < 0.95}, "ref": "${random() < 0.5 ? word() : ''}"}`;
        return `${id}\t${timestamp(clock)}\t${pick(eventTypes)}\t${uuid(random)}\t${ip}\t${pick(agents)}\t${payload}\n`;
      },
    },
    {
      name: 'public.customers',
      share: 0.2,
      row: (id) => {
        const first = word();
        const last = word();
        const phone =
          random() < 0.2 ? '\\N' : `+${Math.floor(random() * 90) + 10} ${Math.floor(random() * 1e9)}`;
        return `${id}\t${first} ${last}\t${first}.${last}${Math.floor(random() * 100)}@${pick(domains)}\t${phone}\t${Math.floor(random() * 300)} ${sentence(1, 3)} street\t${word()}\t${pick(countries)}\t${random() < 0.7 ? 't' : 'f'}\n`;
      },
    },
    {
      name: 'public.metrics',
      share: 0.1,
      row: (id) => {
        clock += 1;
        return `${id}\t${Math.floor(random() * 500)}\t${timestamp(clock)}\t${(random() * 100).toPrecision(15)}\t${(random() * 1e6).toFixed(3)}\t${Math.floor(random() * 1e6)}\n`;
      },
    },
  ];
}

/** The cache folder: tmpfs when there is one. */
export function corpusDir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** Generates (or reuses) the corpus of about `megabytes` MiB. */
export async function ensureCorpus(megabytes: number, seed = 42, dir = corpusDir()): Promise<Corpus> {
  const path = join(dir, `stowage-bench-corpus-v${VERSION}-${seed}-${megabytes}MiB.tsv`);
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    return JSON.parse(await readFile(metaPath, 'utf8')) as Corpus;
  }
  const target = megabytes * 1024 * 1024;
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const tables: CorpusTable[] = [];
  let offset = 0;
  let id = 1;
  const all = makers(seed);
  for (const [i, table] of all.entries()) {
    const tableTarget = i === all.length - 1 ? target - offset : Math.round(target * table.share);
    let length = 0;
    let rows = 0;
    while (length < tableTarget) {
      const lines: string[] = [];
      let batch = 0;
      while (batch < 4 * 1024 * 1024 && length + batch < tableTarget) {
        const line = table.row(id++);
        lines.push(line);
        batch += line.length; // ASCII only, so characters are bytes
        rows++;
      }
      const chunk = Buffer.from(lines.join(''), 'latin1');
      length += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    tables.push({ name: table.name, offset, length, rows });
    offset += length;
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  const corpus: Corpus = { path, bytes: offset, tables };
  await rename(partial, path);
  await writeFile(metaPath, JSON.stringify(corpus, null, 2));
  return corpus;
}

export async function removeCorpus(corpus: Corpus): Promise<void> {
  await rm(corpus.path, { force: true });
  await rm(`${corpus.path}.json`, { force: true });
}
