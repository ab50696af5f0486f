-- orders_place: the order row (a JSON object keyed by column name) and its
-- stock in one call, and when `p_payment` ({payment_id, provider}) is given
-- the order's first payment attempt, 'processing', as payments_open writes
-- it (an order placed and paid in one request). The stock is held by
-- inventory's inventory_reserve; the row is written only when nothing is
-- short, and a duplicate Idempotency-Key (unique violation) undoes the
-- reservation with it, since the call is one statement. Returns
-- inventory_reserve's answer.
CREATE OR REPLACE FUNCTION "orders_place"(p_order jsonb, p_lines jsonb, p_payment jsonb DEFAULT NULL) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
