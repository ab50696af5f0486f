-- payments_open_many: payments_open for a batch ([{payment, order, owner,
-- provider, at}]), as one insert; answers each attempt's amount (or null) in
-- batch order. Each order is read by its key alone (MATERIALIZED: inlined,
-- the owner and status conditions would reach the scan of orders, and a plan
-- could read the owner's orders to find them).
CREATE OR REPLACE FUNCTION "payments_open_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
$$;
