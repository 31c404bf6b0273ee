/**
 * The small-database dataset (issue 14): a shop schema of 22 tables and about
 * 200 objects (keys, indexes, foreign keys, check constraints, sequences,
 * enum/domain/composite types, views, SQL and PL/pgSQL functions, triggers)
 * holding about 3 MB of rows (pg_table_size; pg_dump -Fc makes ~1 MB of it): the size of the databases test suites restore
 * over and over, where fixed costs (start-up, round trips, threads) decide.
 *
 *   npx tsx bench/postgres-small-dataset.ts --url postgres://USER:PW@HOST:PORT/DB
 *
 * Deterministic: rows come from generate_series and arithmetic on it, no
 * random(). Built in one transaction, so a database holds all of it or none;
 * a comment on the `public` schema marks the version. The database must
 * exist; its `public` schema is replaced. Bench-side only.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';

const MARKER = 'stowage bench small-database v2';

/** The schema and its rows, as one script (simple query protocol: many statements in one round trip). */
const SCRIPT = `
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
COMMENT ON SCHEMA public IS '${MARKER}';

CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'delivered', 'cancelled');
CREATE TYPE money_amount AS (amount numeric(12,2), currency char(3));
CREATE DOMAIN email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
CREATE SEQUENCE invoice_number START 100000;

CREATE TABLE departments (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE employees (
  id serial PRIMARY KEY, department_id integer NOT NULL REFERENCES departments, manager_id integer REFERENCES employees,
  name text NOT NULL, email email NOT NULL UNIQUE, hired date NOT NULL);
CREATE INDEX employees_department ON employees (department_id);
CREATE TABLE customers (
  id serial PRIMARY KEY, name text NOT NULL, email email NOT NULL UNIQUE, created timestamptz NOT NULL,
  account_manager integer REFERENCES employees, notes text);
CREATE INDEX customers_created ON customers (created);
CREATE INDEX customers_name_lower ON customers (lower(name));
CREATE TABLE addresses (
  id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers ON DELETE CASCADE,
  line1 text NOT NULL, city text NOT NULL, postcode text NOT NULL, country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'));
CREATE INDEX addresses_customer ON addresses (customer_id);
CREATE TABLE categories (id serial PRIMARY KEY, parent_id integer REFERENCES categories, name text NOT NULL);
CREATE INDEX categories_parent ON categories (parent_id);
CREATE TABLE suppliers (id serial PRIMARY KEY, name text NOT NULL UNIQUE, contact email);
CREATE TABLE products (
  id serial PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL, description text,
  price numeric(10,2) NOT NULL CHECK (price >= 0), active boolean NOT NULL DEFAULT true, attributes jsonb);
CREATE INDEX products_active ON products (id) WHERE active;
CREATE INDEX products_attributes ON products USING gin (attributes);
CREATE TABLE product_categories (
  product_id integer REFERENCES products, category_id integer REFERENCES categories, PRIMARY KEY (product_id, category_id));
CREATE INDEX product_categories_category ON product_categories (category_id);
CREATE TABLE product_suppliers (
  product_id integer REFERENCES products, supplier_id integer REFERENCES suppliers, cost numeric(10,2) NOT NULL,
  PRIMARY KEY (product_id, supplier_id));
CREATE TABLE warehouses (id serial PRIMARY KEY, code text NOT NULL UNIQUE, city text NOT NULL);
CREATE TABLE inventory (
  warehouse_id integer REFERENCES warehouses, product_id integer REFERENCES products,
  quantity integer NOT NULL CHECK (quantity >= 0), PRIMARY KEY (warehouse_id, product_id));
CREATE INDEX inventory_product ON inventory (product_id);
CREATE TABLE coupons (id serial PRIMARY KEY, code text NOT NULL UNIQUE, percent_off integer NOT NULL CHECK (percent_off BETWEEN 1 AND 90), expires date);
CREATE TABLE orders (
  id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers, address_id integer REFERENCES addresses,
  status order_status NOT NULL DEFAULT 'new', placed timestamptz NOT NULL, total money_amount,
  invoice bigint UNIQUE DEFAULT nextval('invoice_number'), updated timestamptz);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_placed ON orders (placed);
CREATE INDEX orders_open ON orders (placed) WHERE status IN ('new', 'paid');
CREATE TABLE order_items (
  order_id integer REFERENCES orders ON DELETE CASCADE, line integer, product_id integer NOT NULL REFERENCES products,
  quantity integer NOT NULL CHECK (quantity > 0), unit_price numeric(10,2) NOT NULL, PRIMARY KEY (order_id, line));
CREATE INDEX order_items_product ON order_items (product_id);
CREATE TABLE payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id integer NOT NULL REFERENCES orders,
  amount numeric(12,2) NOT NULL, paid_at timestamptz NOT NULL, method text NOT NULL CHECK (method IN ('card', 'transfer', 'voucher')));
CREATE INDEX payments_order ON payments (order_id);
CREATE TABLE shipments (
  id serial PRIMARY KEY, order_id integer NOT NULL REFERENCES orders, warehouse_id integer NOT NULL REFERENCES warehouses,
  shipped_at timestamptz, tracking text UNIQUE);
CREATE INDEX shipments_order ON shipments (order_id);
CREATE TABLE shipment_items (
  shipment_id integer REFERENCES shipments, order_id integer, line integer, PRIMARY KEY (shipment_id, order_id, line),
  FOREIGN KEY (order_id, line) REFERENCES order_items);
CREATE TABLE reviews (
  id serial PRIMARY KEY, product_id integer NOT NULL REFERENCES products, customer_id integer NOT NULL REFERENCES customers,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5), body text, written timestamptz NOT NULL);
CREATE INDEX reviews_product ON reviews (product_id, rating);
CREATE TABLE carts (id serial PRIMARY KEY, customer_id integer NOT NULL UNIQUE REFERENCES customers, updated timestamptz NOT NULL);
CREATE TABLE cart_items (
  cart_id integer REFERENCES carts ON DELETE CASCADE, product_id integer REFERENCES products, quantity integer NOT NULL,
  PRIMARY KEY (cart_id, product_id));
CREATE TABLE price_history (
  product_id integer REFERENCES products, valid_from date, price numeric(10,2) NOT NULL, PRIMARY KEY (product_id, valid_from));
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY, table_name text NOT NULL, row_id integer NOT NULL, action char(1) NOT NULL, at timestamptz NOT NULL, detail jsonb);
CREATE INDEX audit_log_row ON audit_log (table_name, row_id);

CREATE FUNCTION order_total(o integer) RETURNS numeric LANGUAGE sql STABLE
  AS $f$ SELECT coalesce(sum(quantity * unit_price), 0) FROM order_items WHERE order_id = o $f$;
CREATE FUNCTION customer_order_count(c integer) RETURNS bigint LANGUAGE sql STABLE
  AS $f$ SELECT count(*) FROM orders WHERE customer_id = c $f$;
CREATE FUNCTION in_stock(p integer) RETURNS integer LANGUAGE sql STABLE
  AS $f$ SELECT coalesce(sum(quantity), 0)::integer FROM inventory WHERE product_id = p $f$;
CREATE FUNCTION discounted(price numeric, percent integer) RETURNS numeric LANGUAGE sql IMMUTABLE
  AS $f$ SELECT round(price * (100 - percent) / 100, 2) $f$;
CREATE FUNCTION category_path(c integer) RETURNS text LANGUAGE plpgsql STABLE AS $f$
  DECLARE path text := ''; cur integer := c; n text; p integer;
  BEGIN
    WHILE cur IS NOT NULL LOOP
      SELECT name, parent_id INTO n, p FROM categories WHERE id = cur;
      path := n || CASE WHEN path = '' THEN '' ELSE ' / ' || path END;
      cur := p;
    END LOOP;
    RETURN path;
  END $f$;
CREATE FUNCTION touch_updated() RETURNS trigger LANGUAGE plpgsql AS $f$
  BEGIN NEW.updated := now(); RETURN NEW; END $f$;
CREATE FUNCTION log_order_change() RETURNS trigger LANGUAGE plpgsql AS $f$
  BEGIN
    INSERT INTO audit_log (table_name, row_id, action, at, detail)
      VALUES ('orders', NEW.id, left(TG_OP, 1), now(), jsonb_build_object('status', NEW.status));
    RETURN NEW;
  END $f$;
CREATE FUNCTION next_invoice() RETURNS bigint LANGUAGE sql AS $f$ SELECT nextval('invoice_number') $f$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch_updated();
CREATE TRIGGER carts_touch BEFORE UPDATE ON carts FOR EACH ROW EXECUTE FUNCTION touch_updated();
CREATE TRIGGER orders_audit AFTER UPDATE OF status ON orders FOR EACH ROW EXECUTE FUNCTION log_order_change();

CREATE VIEW order_totals AS SELECT o.id, o.customer_id, o.status, order_total(o.id) AS total FROM orders o;
CREATE VIEW customer_summary AS
  SELECT c.id, c.name, count(o.id) AS orders, max(o.placed) AS last_order FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id;
CREATE VIEW product_stock AS SELECT p.id, p.sku, p.name, in_stock(p.id) AS stock FROM products p WHERE p.active;
CREATE VIEW product_ratings AS SELECT product_id, avg(rating)::numeric(3,2) AS rating, count(*) AS reviews FROM reviews GROUP BY product_id;
CREATE VIEW open_orders AS SELECT * FROM orders WHERE status IN ('new', 'paid');
CREATE VIEW daily_sales AS
  SELECT date_trunc('day', placed) AS day, count(*) AS orders, sum((total).amount) AS revenue FROM orders GROUP BY 1;
CREATE VIEW category_tree AS SELECT id, category_path(id) AS path FROM categories;
CREATE VIEW top_products AS
  SELECT p.id, p.name, r.rating FROM products p JOIN product_ratings r ON r.product_id = p.id WHERE r.reviews >= 3;
CREATE MATERIALIZED VIEW monthly_revenue AS
  SELECT date_trunc('month', placed) AS month, sum((total).amount) AS revenue FROM orders GROUP BY 1;

INSERT INTO departments (name) SELECT 'department ' || i FROM generate_series(1, 8) i;
INSERT INTO employees (department_id, manager_id, name, email, hired)
  SELECT 1 + i % 8, CASE WHEN i > 8 THEN 1 + i % 8 END, 'employee ' || i, 'employee' || i || '@shop.example',
         date '2015-01-01' + i * 7 FROM generate_series(1, 120) i;
INSERT INTO customers (name, email, created, account_manager, notes)
  SELECT 'customer ' || i, 'customer' || i || '@mail.example', timestamptz '2020-01-01 00:00+00' + i * interval '37 minutes',
         CASE WHEN i % 5 = 0 THEN 1 + i % 120 END, CASE WHEN i % 7 = 0 THEN repeat('likes parcels early. ', 1 + i % 4) END
  FROM generate_series(1, 2000) i;
INSERT INTO addresses (customer_id, line1, city, postcode, country)
  SELECT 1 + i % 2000, i || ' Long Street', 'city ' || i % 300, lpad((i * 7919 % 100000)::text, 5, '0'),
         (ARRAY['DE', 'FR', 'NL', 'GB', 'US'])[1 + i % 5] FROM generate_series(1, 2500) i;
INSERT INTO categories (parent_id, name) SELECT CASE WHEN i > 10 THEN 1 + i % 10 END, 'category ' || i FROM generate_series(1, 60) i;
INSERT INTO suppliers (name, contact) SELECT 'supplier ' || i, 'sales@supplier' || i || '.example' FROM generate_series(1, 40) i;
INSERT INTO products (sku, name, description, price, active, attributes)
  SELECT 'SKU-' || lpad(i::text, 6, '0'), 'product ' || i, 'A fine product number ' || i || '. ' || repeat('Sturdy and useful. ', 1 + i % 5),
         (1 + i * 37 % 5000) / 10.0, i % 11 <> 0, jsonb_build_object('colour', (ARRAY['red', 'green', 'blue'])[1 + i % 3], 'weight', i % 90)
  FROM generate_series(1, 1500) i;
INSERT INTO product_categories SELECT 1 + i % 1500, 1 + (i * 13) % 60 FROM generate_series(0, 2999) i ON CONFLICT DO NOTHING;
INSERT INTO product_suppliers SELECT 1 + i % 1500, 1 + (i * 7) % 40, (1 + i * 31 % 4000) / 10.0 FROM generate_series(0, 2499) i ON CONFLICT DO NOTHING;
INSERT INTO warehouses (code, city) SELECT 'WH' || i, 'city ' || i FROM generate_series(1, 6) i;
INSERT INTO inventory SELECT 1 + i % 6, 1 + i / 6, i * 17 % 500 FROM generate_series(0, 8999) i;
INSERT INTO coupons (code, percent_off, expires) SELECT 'SAVE' || i, 5 + i % 40, date '2026-01-01' + i FROM generate_series(1, 100) i;
INSERT INTO orders (customer_id, address_id, status, placed, total)
  SELECT 1 + i % 2000, 1 + i % 2500, (ARRAY['new', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + i % 5]::order_status,
         timestamptz '2023-01-01 00:00+00' + i * interval '11 minutes', ROW((i * 113 % 50000) / 100.0, 'EUR')::money_amount
  FROM generate_series(1, 4500) i;
INSERT INTO order_items SELECT o, l, 1 + (o * 7 + l * 13) % 1500, 1 + (o + l) % 4, (1 + (o * l * 37) % 5000) / 10.0
  FROM generate_series(1, 4500) o, generate_series(1, 3) l;
INSERT INTO payments (order_id, amount, paid_at, method)
  SELECT i, (i * 113 % 50000) / 100.0, timestamptz '2023-01-01 00:30+00' + i * interval '11 minutes',
         (ARRAY['card', 'transfer', 'voucher'])[1 + i % 3] FROM generate_series(1, 4500) i WHERE i % 5 <> 0;
INSERT INTO shipments (order_id, warehouse_id, shipped_at, tracking)
  SELECT i, 1 + i % 6, timestamptz '2023-01-02 00:00+00' + i * interval '11 minutes', 'TRK' || lpad(i::text, 8, '0')
  FROM generate_series(1, 4500) i WHERE i % 5 IN (2, 3);
INSERT INTO shipment_items SELECT s.id, s.order_id, l FROM shipments s, generate_series(1, 3) l;
INSERT INTO reviews (product_id, customer_id, rating, body, written)
  SELECT 1 + i * 7 % 1500, 1 + i % 2000, 1 + i % 5, 'Review ' || i || ': ' || repeat('would buy again. ', 1 + i % 6),
         timestamptz '2023-06-01 00:00+00' + i * interval '1 hour' FROM generate_series(1, 1500) i;
INSERT INTO carts (customer_id, updated) SELECT i, timestamptz '2024-01-01 00:00+00' + i * interval '1 minute' FROM generate_series(1, 2000, 4) i;
INSERT INTO cart_items SELECT c, 1 + (c * 11 + k) % 1500, 1 + k FROM generate_series(1, 500) c, generate_series(0, 2) k;
INSERT INTO price_history SELECT 1 + i % 1500, date '2022-01-01' + (i / 1500) * 90, (1 + i * 41 % 5000) / 10.0 FROM generate_series(0, 2999) i;
INSERT INTO audit_log (table_name, row_id, action, at, detail)
  SELECT (ARRAY['orders', 'customers', 'products'])[1 + i % 3], 1 + i % 2000, (ARRAY['I', 'U', 'D'])[1 + i % 3],
         timestamptz '2023-01-01 00:00+00' + i * interval '3 minutes', jsonb_build_object('by', 1 + i % 120, 'seq', i)
  FROM generate_series(1, 4000) i;
REFRESH MATERIALIZED VIEW monthly_revenue;
`;

/** Whether the database at `url` holds this dataset (its marker comment on `public`). */
export async function smallDatabasePresent(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ marker: string | null }>(
      `SELECT obj_description('public'::regnamespace, 'pg_namespace') AS marker`,
    );
    return rows[0]?.marker === MARKER;
  } finally {
    await client.end();
  }
}

/** Replaces the `public` schema of the database at `url` with the dataset, in one transaction. */
export async function generateSmallDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`BEGIN; ${SCRIPT} COMMIT;`);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { url: { type: 'string' } } });
  if (!values.url) throw new Error('--url is required');
  await generateSmallDatabase(values.url);
}
