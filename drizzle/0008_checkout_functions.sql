-- Hand-written: the checkout's hot path as PL/pgSQL functions. A function's
-- statements are planned once per database session and reused, so placing an
-- order costs one short statement instead of a large one parsed and planned
-- every time (on embedded PGlite that planning was most of an order's cost).
-- The rules stay the TypeScript ones (src/modules/inventory/ledger.ts): a
-- reservation takes only what is available (on hand − reserved), and the
-- positions' CHECK constraint refuses anything else anyway.
--
-- inventory_lock: locks the positions of the items named in `p_lines`
-- ([{item_id, qty}]) in item order, so no two writers wait on each other in
-- a cycle. A batch of orders locks all its items first with it.
--
-- inventory_reserve: holds stock for `p_reference` at `p_store`, all lines or
-- none. Locks the items' positions in item order (two reservations never wait
-- on each other in a cycle), then reads them again (READ COMMITTED: each
-- statement sees what committed before it), and only when nothing is short
-- raises `reserved` and writes one ledger row per item.
-- Returns {"missing": [{itemId, needed, available}], "held": [{itemId, onHand,
-- reserved, inTransit, onOrder, damaged, threshold, signalled}]}.
CREATE FUNCTION "inventory_lock"(p_store text, p_lines jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM "inventory_positions" p
	WHERE p."store_id" = p_store AND p."item_id" IN (SELECT n.item_id FROM jsonb_to_recordset(p_lines) AS n(item_id text, qty integer))
	ORDER BY p."item_id" FOR UPDATE;
END
$$;--> statement-breakpoint
CREATE FUNCTION "inventory_reserve"(p_store text, p_reference text, p_actor text, p_at timestamptz, p_lines jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_missing jsonb;
	v_held jsonb;
BEGIN
	PERFORM "inventory_lock"(p_store, p_lines);

	SELECT coalesce(jsonb_agg(jsonb_build_object('itemId', n.item_id, 'needed', n.qty, 'available', greatest(coalesce(p."on_hand" - p."reserved", 0), 0)) ORDER BY n.item_id), '[]'::jsonb)
	INTO v_missing
	FROM jsonb_to_recordset(p_lines) AS n(item_id text, qty integer)
	LEFT JOIN "inventory_positions" p ON p."store_id" = p_store AND p."item_id" = n.item_id
	WHERE coalesce(p."on_hand" - p."reserved", 0) < n.qty;
	IF jsonb_array_length(v_missing) > 0 THEN
		RETURN jsonb_build_object('missing', v_missing, 'held', '[]'::jsonb);
	END IF;

	WITH need AS (
		SELECT n.item_id, n.qty FROM jsonb_to_recordset(p_lines) AS n(item_id text, qty integer)
	), held AS (
		UPDATE "inventory_positions" p SET "reserved" = p."reserved" + need.qty, "updated_at" = p_at
		FROM need
		WHERE p."store_id" = p_store AND p."item_id" = need.item_id
		RETURNING p."item_id", need.qty, p."on_hand", p."reserved", p."in_transit", p."on_order", p."damaged", p."threshold", p."low_stock_signalled"
	), ledger AS (
		INSERT INTO "inventory_transactions" ("tx_id", "store_id", "item_id", "type", "quantity", "actor", "reason", "reference", "at",
			"on_hand_after", "reserved_after", "in_transit_after", "on_order_after", "damaged_after")
		SELECT gen_random_uuid()::text, p_store, held."item_id", 'reserve', held.qty, p_actor, 'order placed', p_reference, p_at,
			held."on_hand", held."reserved", held."in_transit", held."on_order", held."damaged"
		FROM held ORDER BY held."item_id"
	)
	SELECT coalesce(jsonb_agg(jsonb_build_object('itemId', held."item_id", 'onHand', held."on_hand", 'reserved', held."reserved",
		'inTransit', held."in_transit", 'onOrder', held."on_order", 'damaged', held."damaged",
		'threshold', held."threshold", 'signalled', held."low_stock_signalled") ORDER BY held."item_id"), '[]'::jsonb)
	INTO v_held FROM held;
	RETURN jsonb_build_object('missing', '[]'::jsonb, 'held', v_held);
END
$$;--> statement-breakpoint
-- orders_place: the order row (a JSON object keyed by column name) and its
-- stock in one call, and when `p_payment` ({payment_id, provider}) is given
-- the order's first payment attempt, 'processing', as payments_open writes
-- it (an order placed and paid in one request): the row is written only when nothing is short, and a
-- duplicate Idempotency-Key (unique violation) undoes the reservation with it,
-- since the call is one statement. Returns inventory_reserve's answer.
CREATE FUNCTION "orders_place"(p_order jsonb, p_lines jsonb, p_payment jsonb DEFAULT NULL) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_result jsonb := '{"missing": [], "held": []}'::jsonb;
BEGIN
	IF jsonb_array_length(p_lines) > 0 THEN
		v_result := "inventory_reserve"(p_order->>'store_id', p_order->>'order_id', p_order->>'owner_id', (p_order->>'created_at')::timestamptz, p_lines);
	END IF;
	IF jsonb_array_length(v_result->'missing') = 0 THEN
		INSERT INTO "orders" SELECT * FROM jsonb_populate_record(NULL::"orders", p_order);
		IF p_payment IS NOT NULL THEN
			INSERT INTO "payments" ("payment_id", "order_id", "provider", "amount_cents", "status", "created_at", "updated_at")
			VALUES (p_payment->>'payment_id', p_order->>'order_id', p_payment->>'provider', (p_order->>'total_cents')::integer, 'processing',
				(p_order->>'created_at')::timestamptz, (p_order->>'created_at')::timestamptz);
		END IF;
	END IF;
	RETURN v_result;
END
$$;
--> statement-breakpoint
-- payments_open: a payment attempt for an order that is the caller's and
-- still pending, written before the provider is asked. Answers the amount,
-- or NULL when nothing was written (not the caller's, or not pending); a
-- second live attempt is a unique violation (payments_one_live_per_order_idx).
CREATE FUNCTION "payments_open"(p_payment text, p_order text, p_owner text, p_provider text, p_at timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_amount integer;
BEGIN
	INSERT INTO "payments" ("payment_id", "order_id", "provider", "amount_cents", "status", "created_at", "updated_at")
	SELECT p_payment, o."order_id", p_provider, o."total_cents", 'processing', p_at, p_at
	FROM "orders" o
	WHERE o."order_id" = p_order AND o."owner_id" = p_owner AND o."status" = 'pending'
	RETURNING "amount_cents" INTO v_amount;
	RETURN v_amount;
END
$$;--> statement-breakpoint
-- payments_settle: a provider's answer to an attempt. Locks the order first
-- (as cancelling does, so neither deadlocks the other), settles the attempt
-- (an approval for an order cancelled meanwhile becomes a refund, never a
-- revived order), mirrors it on the order (paid, with `p_entry` appended to
-- its history, when approved) and books the sale once. A repeated answer for
-- a settled attempt changes nothing and answers NULL; otherwise the order
-- row as JSON.
CREATE FUNCTION "payments_settle"(p_payment text, p_order text, p_outcome text, p_ref text, p_reason text, p_at timestamptz, p_entry jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_order_status text;
	v_store text;
	v_pay_order text;
	v_pay_amount integer;
	v_pay_status text;
	v_row jsonb;
BEGIN
	SELECT o."status", o."store_id" INTO v_order_status, v_store FROM "orders" o WHERE o."order_id" = p_order FOR UPDATE;
	UPDATE "payments" SET
		"status" = CASE WHEN p_outcome <> 'approved' THEN p_outcome WHEN v_order_status = 'pending' THEN 'approved' ELSE 'refunding' END,
		"provider_ref" = p_ref, "reason" = p_reason, "updated_at" = p_at
	WHERE "payment_id" = p_payment AND "status" IN ('processing', 'pending')
	RETURNING "order_id", "amount_cents", "status" INTO v_pay_order, v_pay_amount, v_pay_status;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
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
$$;
--> statement-breakpoint
-- The same, for a batch of checkouts in one call (src/lib/batcher.ts: calls
-- arriving together go as one). Each answers an array, one element per item,
-- in order, and does the batch as a set: one statement per table, not one per
-- item. A duplicate Idempotency-Key is answered {"duplicate": true} (the
-- caller replays the earlier order); any other error fails the whole call,
-- and the caller then runs each item alone.
--
-- orders_place_many: locks every item the batch needs, once, in item order.
-- When the stock covers the whole batch and no key is used, it reserves,
-- writes the ledger (each row with the position right after it, in batch
-- order) and the orders as sets; otherwise it places the orders one by one
-- with orders_place, so the first come are served.
CREATE FUNCTION "orders_place_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_store text := p_batch->0->'order'->>'store_id';
	v_at timestamptz := (p_batch->0->'order'->>'created_at')::timestamptz;
	v_short boolean;
	v_used boolean;
	v_scopes text[];
	v_keys text[];
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

	SELECT array_agg(b.value->'order'->>'idempotency_scope'), array_agg(b.value->'order'->>'idempotency_key') INTO v_scopes, v_keys
	FROM jsonb_array_elements(p_batch) b;
	-- Keys as arrays (= ANY), so the plan kept for the session probes the index instead of scanning every order.
	SELECT EXISTS (
			SELECT 1 FROM "orders" o JOIN unnest(v_scopes, v_keys) AS k(scope, key) ON o."idempotency_scope" = k.scope AND o."idempotency_key" = k.key
			WHERE o."idempotency_scope" = ANY(v_scopes) AND o."idempotency_key" = ANY(v_keys))
		OR cardinality(v_keys) <> (SELECT count(*) FROM (SELECT DISTINCT k.scope, k.key FROM unnest(v_scopes, v_keys) AS k(scope, key)) d)
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
CREATE FUNCTION "payments_open_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_out jsonb;
	v_orders text[] := ARRAY(SELECT e.value->>'order' FROM jsonb_array_elements(p_batch) e);
BEGIN
	WITH b AS (
		SELECT e.value->>'payment' AS payment, e.value->>'order' AS "order", e.value->>'owner' AS owner, e.value->>'provider' AS provider, (e.value->>'at')::timestamptz AS at, e.n
		FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS e(value, n)
	), opened AS (
		INSERT INTO "payments" ("payment_id", "order_id", "provider", "amount_cents", "status", "created_at", "updated_at")
		SELECT b.payment, o."order_id", b.provider, o."total_cents", 'processing', b.at, b.at
		FROM b JOIN "orders" o ON o."order_id" = b."order" AND o."owner_id" = b.owner AND o."status" = 'pending'
		WHERE o."order_id" = ANY(v_orders)
		RETURNING "payment_id", "amount_cents"
	)
	SELECT jsonb_agg(to_jsonb(opened."amount_cents") ORDER BY b.n) INTO v_out
	FROM b LEFT JOIN opened ON opened."payment_id" = b.payment;
	RETURN v_out;
END
$$;--> statement-breakpoint
CREATE FUNCTION "payments_settle_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
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
	), p AS (
		UPDATE "payments" SET
			"status" = CASE WHEN b.outcome <> 'approved' THEN b.outcome WHEN o."status" = 'pending' THEN 'approved' ELSE 'refunding' END,
			"provider_ref" = b.ref, "reason" = b.reason, "updated_at" = b.at
		FROM b JOIN o ON o."order_id" = b."order"
		WHERE "payments"."payment_id" = ANY(v_payments) AND "payments"."payment_id" = b.payment AND "payments"."status" IN ('processing', 'pending')
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
$$;
