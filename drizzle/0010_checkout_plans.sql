-- Hand-written: the checkout functions (0008) made safe from plans kept
-- from when the tables were small. PL/pgSQL keeps each statement's plan for
-- the session; one made while a store is new (or in a benchmark's first
-- seconds) may read a table whole, and goes on doing so once the table holds
-- thousands of rows: the orders benchmark found the idempotency check
-- reading every order of the one customer and the settle step every live
-- payment, 9 ms per batch at 20,000 orders (0011 removes a third such plan).
-- So each lookup of an order or a payment names its key and nothing an index
-- could serve more broadly (status conditions are checked on the rows read
-- by key), and the functions plan with sequential scans off.
-- src/modules/orders/checkout-plans.test.ts grows the tables under plans made
-- on empty ones and counts the blocks the next checkouts touch.
--
-- orders_place_many: as in 0008, with the Idempotency-Key check as one
-- probe of the unique (scope, key) index per order.
CREATE OR REPLACE FUNCTION "orders_place_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_store text := p_batch->0->'order'->>'store_id';
	v_at timestamptz := (p_batch->0->'order'->>'created_at')::timestamptz;
	v_short boolean;
	v_used boolean;
	v_item jsonb;
	v_held jsonb;
	v_out jsonb := '[]'::jsonb;
BEGIN
	WITH need AS (
		SELECT l.item_id, sum(l.qty)::integer AS qty
		FROM jsonb_array_elements(p_batch) b, jsonb_to_recordset(b.value->'lines') AS l(item_id text, qty integer)
		GROUP BY l.item_id
	), locked AS (
		SELECT p."item_id", p."on_hand" - p."reserved" AS available FROM "inventory_positions" p
		WHERE p."store_id" = v_store AND p."item_id" IN (SELECT need.item_id FROM need)
		ORDER BY p."item_id" FOR UPDATE
	)
	SELECT coalesce(bool_or(coalesce(locked.available, 0) < need.qty), false) INTO v_short
	FROM need LEFT JOIN locked ON locked."item_id" = need.item_id;

	-- One probe of the unique (scope, key) index per order: a plan kept from
	-- when orders was small must not read every order of a busy scope.
	SELECT EXISTS (
			SELECT 1 FROM jsonb_array_elements(p_batch) b,
				LATERAL (SELECT 1 FROM "orders" o
					WHERE o."idempotency_scope" = b.value->'order'->>'idempotency_scope' AND o."idempotency_key" = b.value->'order'->>'idempotency_key' LIMIT 1) hit)
		OR jsonb_array_length(p_batch) <> (SELECT count(DISTINCT (b.value->'order'->>'idempotency_scope', b.value->'order'->>'idempotency_key')) FROM jsonb_array_elements(p_batch) b)
	INTO v_used;

	IF v_short OR v_used THEN
		FOR v_item IN SELECT b.value FROM jsonb_array_elements(p_batch) b LOOP
			IF EXISTS (SELECT 1 FROM "orders" o WHERE o."idempotency_scope" = v_item->'order'->>'idempotency_scope' AND o."idempotency_key" = v_item->'order'->>'idempotency_key') THEN
				v_out := v_out || jsonb_build_array(jsonb_build_object('duplicate', true));
			ELSE
				v_out := v_out || jsonb_build_array("orders_place"(v_item->'order', v_item->'lines', v_item->'payment'));
			END IF;
		END LOOP;
		RETURN v_out;
	END IF;

	WITH lines AS (
		SELECT b.n, b.value->'order'->>'order_id' AS order_id, b.value->'order'->>'owner_id' AS actor, (b.value->'order'->>'created_at')::timestamptz AS at, l.item_id, l.qty
		FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS b(value, n), jsonb_to_recordset(b.value->'lines') AS l(item_id text, qty integer)
	), need AS (
		SELECT lines.item_id, sum(lines.qty)::integer AS qty FROM lines GROUP BY lines.item_id
	), held AS (
		UPDATE "inventory_positions" p SET "reserved" = p."reserved" + need.qty, "updated_at" = v_at
		FROM need
		WHERE p."store_id" = v_store AND p."item_id" = need.item_id
		RETURNING p."item_id", need.qty, p."on_hand", p."reserved", p."in_transit", p."on_order", p."damaged", p."threshold", p."low_stock_signalled"
	), ledger AS (
		INSERT INTO "inventory_transactions" ("tx_id", "store_id", "item_id", "type", "quantity", "actor", "reason", "reference", "at",
			"on_hand_after", "reserved_after", "in_transit_after", "on_order_after", "damaged_after")
		SELECT gen_random_uuid()::text, v_store, lines.item_id, 'reserve', lines.qty, lines.actor, 'order placed', lines.order_id, lines.at,
			held."on_hand", held."reserved" - held.qty + sum(lines.qty) OVER (PARTITION BY lines.item_id ORDER BY lines.n), held."in_transit", held."on_order", held."damaged"
		FROM lines JOIN held ON held."item_id" = lines.item_id
		ORDER BY lines.n, lines.item_id
	), placed AS (
		INSERT INTO "orders" SELECT r.* FROM jsonb_array_elements(p_batch) b, jsonb_populate_record(NULL::"orders", b.value->'order') r
		RETURNING "order_id", "total_cents", "created_at"
	), paying AS (
		INSERT INTO "payments" ("payment_id", "order_id", "provider", "amount_cents", "status", "created_at", "updated_at")
		SELECT b.value->'payment'->>'payment_id', placed."order_id", b.value->'payment'->>'provider', placed."total_cents", 'processing', placed."created_at", placed."created_at"
		FROM jsonb_array_elements(p_batch) b JOIN placed ON placed."order_id" = b.value->'order'->>'order_id'
		WHERE b.value ? 'payment'
	)
	SELECT coalesce(jsonb_agg(jsonb_build_object('itemId', held."item_id", 'onHand', held."on_hand", 'reserved', held."reserved",
		'inTransit', held."in_transit", 'onOrder', held."on_order", 'damaged', held."damaged",
		'threshold', held."threshold", 'signalled', held."low_stock_signalled") ORDER BY held."item_id"), '[]'::jsonb)
	INTO v_held FROM held;
	-- Every order of the batch answers the positions as the batch left them: what the low-stock signal needs.
	SELECT jsonb_agg(jsonb_build_object('missing', '[]'::jsonb, 'held', v_held)) INTO v_out FROM jsonb_array_elements(p_batch);
	RETURN v_out;
END
$$;--> statement-breakpoint
-- payments_open: as before; the order is read by its key alone and checked
-- here, so no plan can look it up through the owner's orders.
CREATE OR REPLACE FUNCTION "payments_open"(p_payment text, p_order text, p_owner text, p_provider text, p_at timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_owner text;
	v_status text;
	v_amount integer;
BEGIN
	SELECT o."owner_id", o."status", o."total_cents" INTO v_owner, v_status, v_amount FROM "orders" o WHERE o."order_id" = p_order;
	IF v_owner IS DISTINCT FROM p_owner OR v_status IS DISTINCT FROM 'pending' THEN
		RETURN NULL;
	END IF;
	INSERT INTO "payments" ("payment_id", "order_id", "provider", "amount_cents", "status", "created_at", "updated_at")
	VALUES (p_payment, p_order, p_provider, v_amount, 'processing', p_at, p_at);
	RETURN v_amount;
END
$$;--> statement-breakpoint
-- payments_settle: as before; the attempt is locked by its key and its
-- status checked here (a status condition in the UPDATE let a plan read
-- every live payment through the one-live-attempt index).
CREATE OR REPLACE FUNCTION "payments_settle"(p_payment text, p_order text, p_outcome text, p_ref text, p_reason text, p_at timestamptz, p_entry jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_order_status text;
	v_store text;
	v_pay_order text;
	v_pay_amount integer;
	v_pay_status text;
	v_row jsonb;
BEGIN
	SELECT o."status", o."store_id" INTO v_order_status, v_store FROM "orders" o WHERE o."order_id" = p_order FOR UPDATE;
	SELECT p."status" INTO v_pay_status FROM "payments" p WHERE p."payment_id" = p_payment FOR UPDATE;
	IF v_pay_status IS NULL OR v_pay_status NOT IN ('processing', 'pending') THEN
		RETURN NULL;
	END IF;
	UPDATE "payments" SET
		"status" = CASE WHEN p_outcome <> 'approved' THEN p_outcome WHEN v_order_status = 'pending' THEN 'approved' ELSE 'refunding' END,
		"provider_ref" = p_ref, "reason" = p_reason, "updated_at" = p_at
	WHERE "payment_id" = p_payment
	RETURNING "order_id", "amount_cents", "status" INTO v_pay_order, v_pay_amount, v_pay_status;
	UPDATE "orders" o SET
		"status" = CASE WHEN v_pay_status = 'approved' THEN 'paid' ELSE o."status" END,
		"history" = CASE WHEN v_pay_status = 'approved' THEN o."history" || p_entry ELSE o."history" END,
		"payment_status" = v_pay_status, "payment_reason" = p_reason, "updated_at" = p_at
	WHERE o."order_id" = v_pay_order
	RETURNING to_jsonb(o.*) INTO v_row;
	IF v_pay_status IN ('approved', 'refunding') THEN
		INSERT INTO "revenue" ("revenue_id", "store_id", "order_id", "kind", "amount_cents", "recorded_at")
		VALUES (v_pay_order || ':sale', v_store, v_pay_order, 'sale', v_pay_amount, p_at)
		ON CONFLICT DO NOTHING;
	END IF;
	RETURN v_row;
END
$$;--> statement-breakpoint
-- payments_open_many: as before, with each order read by its key alone
-- (MATERIALIZED: inlined, the owner and status conditions would reach the
-- scan of orders, and a plan could read the owner's orders to find them).
CREATE OR REPLACE FUNCTION "payments_open_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_out jsonb;
	v_orders text[] := ARRAY(SELECT e.value->>'order' FROM jsonb_array_elements(p_batch) e);
BEGIN
	WITH b AS (
		SELECT e.value->>'payment' AS payment, e.value->>'order' AS "order", e.value->>'owner' AS owner, e.value->>'provider' AS provider, (e.value->>'at')::timestamptz AS at, e.n
		FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS e(value, n)
	), o AS MATERIALIZED (
		SELECT o."order_id", o."owner_id", o."status", o."total_cents" FROM "orders" o WHERE o."order_id" = ANY(v_orders)
	), opened AS (
		INSERT INTO "payments" ("payment_id", "order_id", "provider", "amount_cents", "status", "created_at", "updated_at")
		SELECT b.payment, o."order_id", b.provider, o."total_cents", 'processing', b.at, b.at
		FROM b JOIN o ON o."order_id" = b."order"
		WHERE o."owner_id" = b.owner AND o."status" = 'pending'
		RETURNING "payment_id", "amount_cents"
	)
	SELECT jsonb_agg(to_jsonb(opened."amount_cents") ORDER BY b.n) INTO v_out
	FROM b LEFT JOIN opened ON opened."payment_id" = b.payment;
	RETURN v_out;
END
$$;--> statement-breakpoint
-- payments_settle_many: as before, with the attempts locked by their keys
-- and their status checked on the locked rows.
CREATE OR REPLACE FUNCTION "payments_settle_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_out jsonb;
	v_orders text[] := ARRAY(SELECT e.value->>'order' FROM jsonb_array_elements(p_batch) e);
	v_payments text[] := ARRAY(SELECT e.value->>'payment' FROM jsonb_array_elements(p_batch) e);
BEGIN
	WITH b AS (
		SELECT e.value->>'payment' AS payment, e.value->>'order' AS "order", e.value->>'outcome' AS outcome, e.value->>'ref' AS ref, e.value->>'reason' AS reason,
			(e.value->>'at')::timestamptz AS at, e.value->'entry' AS entry, e.n
		FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS e(value, n)
	), o AS (
		SELECT o."order_id", o."status", o."store_id" FROM "orders" o WHERE o."order_id" = ANY(v_orders) ORDER BY o."order_id" FOR UPDATE
	), live AS (
		SELECT p."payment_id", p."status" FROM "payments" p WHERE p."payment_id" = ANY(v_payments) ORDER BY p."payment_id" FOR UPDATE
	), p AS (
		UPDATE "payments" SET
			"status" = CASE WHEN b.outcome <> 'approved' THEN b.outcome WHEN o."status" = 'pending' THEN 'approved' ELSE 'refunding' END,
			"provider_ref" = b.ref, "reason" = b.reason, "updated_at" = b.at
		FROM b JOIN o ON o."order_id" = b."order" JOIN live ON live."payment_id" = b.payment
		WHERE "payments"."payment_id" = ANY(v_payments) AND "payments"."payment_id" = b.payment AND live."status" IN ('processing', 'pending')
		RETURNING "payments"."order_id", "payments"."amount_cents", "payments"."status", b.n, b.reason, b.at, b.entry, o."store_id"
	), u AS (
		UPDATE "orders" SET
			"status" = CASE WHEN p."status" = 'approved' THEN 'paid' ELSE "orders"."status" END,
			"history" = CASE WHEN p."status" = 'approved' THEN "orders"."history" || p.entry ELSE "orders"."history" END,
			"payment_status" = p."status", "payment_reason" = p.reason, "updated_at" = p.at
		FROM p WHERE "orders"."order_id" = ANY(v_orders) AND "orders"."order_id" = p."order_id"
		RETURNING p.n, to_jsonb("orders".*) AS row
	), r AS (
		INSERT INTO "revenue" ("revenue_id", "store_id", "order_id", "kind", "amount_cents", "recorded_at")
		SELECT p."order_id" || ':sale', p."store_id", p."order_id", 'sale', p."amount_cents", p.at
		FROM p WHERE p."status" IN ('approved', 'refunding')
		ON CONFLICT DO NOTHING
	)
	SELECT jsonb_agg(coalesce(u.row, 'null'::jsonb) ORDER BY b.n) INTO v_out
	FROM b LEFT JOIN u ON u.n = b.n;
	RETURN v_out;
END
$$;--> statement-breakpoint
ALTER FUNCTION "inventory_lock"(text, jsonb) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "inventory_reserve"(text, text, text, timestamptz, jsonb) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "orders_place"(jsonb, jsonb, jsonb) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "payments_open"(text, text, text, text, timestamptz) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "payments_settle"(text, text, text, text, text, timestamptz, jsonb) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "orders_place_many"(jsonb) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "payments_open_many"(jsonb) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "payments_settle_many"(jsonb) SET enable_seqscan = off;
