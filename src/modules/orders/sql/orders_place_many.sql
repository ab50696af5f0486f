-- orders_place_many: a batch of orders ([{order, lines, payment?}], each as
-- orders_place takes them) placed as sets: one reservation of the whole
-- batch's stock through inventory's inventory_reserve_many, one insert of the
-- orders, one of the payment attempts. A batch that reuses an Idempotency-Key
-- or is short of stock as a whole is placed order by order with
-- orders_place instead, so the first come are served. Every order answers
-- the positions as the batch left them (what the low-stock signal needs).
-- Each Idempotency-Key is looked up by one probe of the unique (scope, key)
-- index: a plan kept from when orders was small must not read every order
-- of a busy scope (src/modules/orders/checkout-plans.test.ts).
CREATE OR REPLACE FUNCTION "orders_place_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
	v_store text := p_batch->0->'order'->>'store_id';
	v_at timestamptz := (p_batch->0->'order'->>'created_at')::timestamptz;
	v_used boolean;
	v_item jsonb;
	v_reserved jsonb;
	v_out jsonb := '[]'::jsonb;
BEGIN
	SELECT EXISTS (
			SELECT 1 FROM jsonb_array_elements(p_batch) b,
				LATERAL (SELECT 1 FROM "orders" o
					WHERE o."idempotency_scope" = b.value->'order'->>'idempotency_scope' AND o."idempotency_key" = b.value->'order'->>'idempotency_key' LIMIT 1) hit)
		OR jsonb_array_length(p_batch) <> (SELECT count(DISTINCT (b.value->'order'->>'idempotency_scope', b.value->'order'->>'idempotency_key')) FROM jsonb_array_elements(p_batch) b)
	INTO v_used;

	IF NOT v_used THEN
		v_reserved := "inventory_reserve_many"(v_store, v_at, (
			SELECT coalesce(jsonb_agg(jsonb_build_object('n', b.n, 'reference', b.value->'order'->>'order_id', 'actor', b.value->'order'->>'owner_id',
				'at', b.value->'order'->>'created_at', 'item_id', l.item_id, 'qty', l.qty)), '[]'::jsonb)
			FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS b(value, n), jsonb_to_recordset(b.value->'lines') AS l(item_id text, qty integer)
		));
	END IF;

	IF v_used OR jsonb_array_length(v_reserved->'missing') > 0 THEN
		FOR v_item IN SELECT b.value FROM jsonb_array_elements(p_batch) b LOOP
			IF EXISTS (SELECT 1 FROM "orders" o WHERE o."idempotency_scope" = v_item->'order'->>'idempotency_scope' AND o."idempotency_key" = v_item->'order'->>'idempotency_key') THEN
				v_out := v_out || jsonb_build_array(jsonb_build_object('duplicate', true));
			ELSE
				v_out := v_out || jsonb_build_array("orders_place"(v_item->'order', v_item->'lines', v_item->'payment'));
			END IF;
		END LOOP;
		RETURN v_out;
	END IF;

	WITH placed AS (
		INSERT INTO "orders" SELECT r.* FROM jsonb_array_elements(p_batch) b, jsonb_populate_record(NULL::"orders", b.value->'order') r
		RETURNING "order_id", "total_cents", "created_at"
	)
	INSERT INTO "payments" ("payment_id", "order_id", "provider", "amount_cents", "status", "created_at", "updated_at")
	SELECT b.value->'payment'->>'payment_id', placed."order_id", b.value->'payment'->>'provider', placed."total_cents", 'processing', placed."created_at", placed."created_at"
	FROM jsonb_array_elements(p_batch) b JOIN placed ON placed."order_id" = b.value->'order'->>'order_id'
	WHERE b.value ? 'payment';
	SELECT jsonb_agg(jsonb_build_object('missing', '[]'::jsonb, 'held', v_reserved->'held')) INTO v_out FROM jsonb_array_elements(p_batch);
	RETURN v_out;
END
$$;
