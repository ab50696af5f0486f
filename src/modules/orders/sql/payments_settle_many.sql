-- payments_settle_many: payments_settle for a batch ([{payment, order,
-- outcome, ref, reason, at, entry}]) as sets, orders and attempts locked by
-- their keys in key order and their status checked on the locked rows;
-- answers each order row (or null for a repeated answer) in batch order.
CREATE OR REPLACE FUNCTION "payments_settle_many"(p_batch jsonb) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
$$;
