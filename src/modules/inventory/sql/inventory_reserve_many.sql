-- inventory_reserve_many: holds stock at `p_store` for several references at
-- once (a batch of orders), all of it or none. `p_lines` is one row per
-- reference and item: [{n, reference, actor, at, item_id, qty}], `n` the
-- reference's place in the batch. The one statement of the rule "a
-- reservation takes only what is available (on hand − reserved)": the items'
-- positions are locked in item order, read again (READ COMMITTED: each
-- statement sees what committed before it), and only when no item is short
-- for the sum of its lines is `reserved` raised and a ledger row written per
-- line, each carrying the running position in batch order. The positions'
-- CHECK constraint refuses anything else anyway.
-- Returns {"missing": [{itemId, needed, available}], "held": [{itemId,
-- onHand, reserved, inTransit, onOrder, damaged, threshold, signalled}]}, the
-- positions as the whole reservation left them.
CREATE OR REPLACE FUNCTION "inventory_reserve_many"(p_store text, p_at timestamptz, p_lines jsonb) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
	v_missing jsonb;
	v_held jsonb;
BEGIN
	PERFORM "inventory_lock"(p_store, p_lines);

	WITH need AS (
		SELECT l.item_id, sum(l.qty)::integer AS qty FROM jsonb_to_recordset(p_lines) AS l(item_id text, qty integer) GROUP BY l.item_id
	)
	SELECT coalesce(jsonb_agg(jsonb_build_object('itemId', need.item_id, 'needed', need.qty, 'available', greatest(coalesce(p."on_hand" - p."reserved", 0), 0)) ORDER BY need.item_id), '[]'::jsonb)
	INTO v_missing
	FROM need LEFT JOIN "inventory_positions" p ON p."store_id" = p_store AND p."item_id" = need.item_id
	WHERE coalesce(p."on_hand" - p."reserved", 0) < need.qty;
	IF jsonb_array_length(v_missing) > 0 THEN
		RETURN jsonb_build_object('missing', v_missing, 'held', '[]'::jsonb);
	END IF;

	WITH lines AS (
		SELECT l.n, l.reference, l.actor, l.at, l.item_id, l.qty
		FROM jsonb_to_recordset(p_lines) AS l(n integer, reference text, actor text, at timestamptz, item_id text, qty integer)
	), need AS (
		SELECT lines.item_id, sum(lines.qty)::integer AS qty FROM lines GROUP BY lines.item_id
	), held AS (
		UPDATE "inventory_positions" p SET "reserved" = p."reserved" + need.qty, "updated_at" = p_at
		FROM need
		WHERE p."store_id" = p_store AND p."item_id" = need.item_id
		RETURNING p."item_id", need.qty, p."on_hand", p."reserved", p."in_transit", p."on_order", p."damaged", p."threshold", p."low_stock_signalled"
	), ledger AS (
		INSERT INTO "inventory_transactions" ("tx_id", "store_id", "item_id", "type", "quantity", "actor", "reason", "reference", "at",
			"on_hand_after", "reserved_after", "in_transit_after", "on_order_after", "damaged_after")
		SELECT gen_random_uuid()::text, p_store, lines.item_id, 'reserve', lines.qty, lines.actor, 'order placed', lines.reference, lines.at,
			held."on_hand", held."reserved" - held.qty + sum(lines.qty) OVER (PARTITION BY lines.item_id ORDER BY lines.n), held."in_transit", held."on_order", held."damaged"
		FROM lines JOIN held ON held."item_id" = lines.item_id
		ORDER BY lines.n, lines.item_id
	)
	SELECT coalesce(jsonb_agg(jsonb_build_object('itemId', held."item_id", 'onHand', held."on_hand", 'reserved', held."reserved",
		'inTransit', held."in_transit", 'onOrder', held."on_order", 'damaged', held."damaged",
		'threshold', held."threshold", 'signalled', held."low_stock_signalled") ORDER BY held."item_id"), '[]'::jsonb)
	INTO v_held FROM held;
	RETURN jsonb_build_object('missing', '[]'::jsonb, 'held', v_held);
END
$$;
