-- inventory_ledger_append_only: the trigger function that keeps the ledger
-- append-only (trigger inventory_transactions_append_only, drizzle/0005): a
-- mistake is corrected by a new movement, never by editing history.
CREATE OR REPLACE FUNCTION "inventory_ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the inventory ledger is append-only: record a correcting movement instead';
END
$$;
