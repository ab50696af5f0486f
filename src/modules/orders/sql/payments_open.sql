-- payments_open: a payment attempt for an order that is the caller's and
-- still pending, written before the provider is asked. Answers the amount,
-- or NULL when nothing was written (not the caller's, or not pending); a
-- second live attempt is a unique violation (payments_one_live_per_order_idx).
-- The order is read by its key alone and checked here, so no plan kept for
-- the session can look it up through the owner's orders.
CREATE OR REPLACE FUNCTION "payments_open"(p_payment text, p_order text, p_owner text, p_provider text, p_at timestamptz) RETURNS integer LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
$$;
