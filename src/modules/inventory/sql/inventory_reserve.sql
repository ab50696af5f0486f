-- inventory_reserve: holds stock for one reference (an order), all lines or
-- none: inventory_reserve_many with one reference, so the rule is written
-- once. `p_lines` is [{item_id, qty}]. Answers as inventory_reserve_many.
CREATE OR REPLACE FUNCTION "inventory_reserve"(p_store text, p_reference text, p_actor text, p_at timestamptz, p_lines jsonb) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
	RETURN "inventory_reserve_many"(p_store, p_at, (
		SELECT coalesce(jsonb_agg(jsonb_build_object('n', 1, 'reference', p_reference, 'actor', p_actor, 'at', p_at, 'item_id', l.item_id, 'qty', l.qty)), '[]'::jsonb)
		FROM jsonb_to_recordset(p_lines) AS l(item_id text, qty integer)
	));
END
$$;
