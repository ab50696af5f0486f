-- inventory_lock: locks the positions of the items named in `p_lines`
-- ([{item_id, …}]) in item order, so no two writers wait on each other in a
-- cycle.
CREATE OR REPLACE FUNCTION "inventory_lock"(p_store text, p_lines jsonb) RETURNS void LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
	PERFORM 1 FROM "inventory_positions" p
	WHERE p."store_id" = p_store AND p."item_id" IN (SELECT n.item_id FROM jsonb_to_recordset(p_lines) AS n(item_id text))
	ORDER BY p."item_id" FOR UPDATE;
END
$$;
