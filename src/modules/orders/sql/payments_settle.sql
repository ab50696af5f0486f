-- payments_settle: a provider's answer to an attempt. Locks the order first
-- (as cancelling does, so neither deadlocks the other), settles the attempt
-- (an approval for an order cancelled meanwhile becomes a refund, never a
-- revived order), mirrors it on the order (paid, with `p_entry` appended to
-- its history, when approved) and books the sale once. A repeated answer for
-- a settled attempt changes nothing and answers NULL; otherwise the order
-- row as JSON. The attempt is locked by its key and its status checked here
-- (a status condition in the UPDATE let a plan read every live payment).
CREATE OR REPLACE FUNCTION "payments_settle"(p_payment text, p_order text, p_outcome text, p_ref text, p_reason text, p_at timestamptz, p_entry jsonb) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
$$;
