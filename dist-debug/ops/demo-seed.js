/**
 * The sample shop database `stowage demo` backs up: a few related tables with
 * the column types real schemas use (serial keys, numeric money, timestamps
 * with time zones, jsonb, arrays, uuid, bytea, booleans, an enum, NULLs and
 * non-ASCII text), foreign keys, indexes, a view and a sequence, filled with
 * generated rows. `scale` multiplies the row counts.
 */
export function demoSeedSql(scale) {
    const customers = 500 * scale;
    const products = 100 * scale;
    const orders = 2_000 * scale;
    return `
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
  id          serial PRIMARY KEY,
  email       text NOT NULL UNIQUE,
  name        text NOT NULL,
  country     char(2),
  signed_up   timestamptz NOT NULL,
  marketing   boolean NOT NULL DEFAULT false,
  tags        text[]
);

CREATE TABLE products (
  id          serial PRIMARY KEY,
  sku         uuid NOT NULL UNIQUE,
  title       text NOT NULL,
  price       numeric(10, 2) NOT NULL CHECK (price >= 0),
  attributes  jsonb NOT NULL DEFAULT '{}',
  thumbnail   bytea
);

CREATE TABLE orders (
  id          bigserial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers(id),
  status      order_status NOT NULL DEFAULT 'new',
  placed_at   timestamptz NOT NULL,
  note        text
);
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC);

CREATE TABLE order_items (
  order_id    bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  product_id  integer NOT NULL REFERENCES products(id),
  quantity    integer NOT NULL CHECK (quantity > 0),
  unit_price  numeric(10, 2) NOT NULL,
  PRIMARY KEY (order_id, product_id)
);

CREATE SEQUENCE invoice_numbers START 1000;

CREATE VIEW revenue_by_country AS
  SELECT c.country, sum(i.quantity * i.unit_price) AS revenue
    FROM order_items i JOIN orders o ON o.id = i.order_id JOIN customers c ON c.id = o.customer_id
   WHERE o.status <> 'cancelled'
   GROUP BY c.country;

INSERT INTO customers (email, name, country, signed_up, marketing, tags)
SELECT 'customer' || g || '@example.com',
       (ARRAY['Ana', 'Björn', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah', 'Giorgos', 'Hiroshi'])[1 + g % 8] || ' ' || g,
       (ARRAY['DE', 'FR', 'JP', 'BR', 'US', 'KR', NULL])[1 + g % 7],
       timestamptz '2024-01-01 00:00:00+00' + g * interval '37 minutes',
       g % 3 = 0,
       CASE WHEN g % 5 = 0 THEN ARRAY['vip', 'newsletter'] WHEN g % 5 = 1 THEN ARRAY[]::text[] END
  FROM generate_series(1, ${customers}) AS g;

INSERT INTO products (sku, title, price, attributes, thumbnail)
SELECT md5('sku' || g)::uuid,
       'Product ' || g || CASE WHEN g % 10 = 0 THEN ' — édition spéciale' ELSE '' END,
       round((3 + (g * 7919 % 20000) / 100.0)::numeric, 2),
       jsonb_build_object('color', (ARRAY['red', 'green', 'blue'])[1 + g % 3], 'weight_g', g % 900 + 100, 'fragile', g % 4 = 0),
       CASE WHEN g % 2 = 0 THEN decode(md5('img' || g), 'hex') END
  FROM generate_series(1, ${products}) AS g;

INSERT INTO orders (customer_id, status, placed_at, note)
SELECT 1 + (g * 31) % ${customers},
       (ARRAY['new', 'paid', 'shipped', 'cancelled']::order_status[])[1 + g % 4],
       timestamptz '2025-01-01 00:00:00+00' + g * interval '11 minutes',
       CASE WHEN g % 9 = 0 THEN 'leave at the door' END
  FROM generate_series(1, ${orders}) AS g;

INSERT INTO order_items (order_id, product_id, quantity, unit_price)
SELECT o, 1 + (o * k * 13) % ${products}, 1 + (o + k) % 5, round((3 + ((o * k) % 5000) / 100.0)::numeric, 2)
  FROM generate_series(1, ${orders}) AS o, generate_series(1, 3) AS k
ON CONFLICT DO NOTHING;

SELECT setval('invoice_numbers', 1234);
`;
}
/** Tables of the demo database, for its closing summary. */
export const DEMO_TABLES = ['public.customers', 'public.products', 'public.orders', 'public.order_items'];
//# sourceMappingURL=demo-seed.js.map