CREATE TABLE "inventory_positions" (
	"store_id" text NOT NULL,
	"item_id" text NOT NULL,
	"on_hand" integer DEFAULT 0 NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"in_transit" integer DEFAULT 0 NOT NULL,
	"on_order" integer DEFAULT 0 NOT NULL,
	"damaged" integer DEFAULT 0 NOT NULL,
	"threshold" integer DEFAULT 0 NOT NULL,
	"low_stock_signalled" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inventory_positions_store_id_item_id_pk" PRIMARY KEY("store_id","item_id"),
	CONSTRAINT "inventory_positions_never_negative" CHECK ("inventory_positions"."on_hand" >= 0 and "inventory_positions"."reserved" >= 0 and "inventory_positions"."reserved" <= "inventory_positions"."on_hand" and "inventory_positions"."in_transit" >= 0 and "inventory_positions"."on_order" >= 0 and "inventory_positions"."damaged" >= 0 and "inventory_positions"."threshold" >= 0)
);
--> statement-breakpoint
CREATE TABLE "inventory_transactions" (
	"tx_id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"item_id" text NOT NULL,
	"type" text NOT NULL,
	"quantity" integer NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"reference" text,
	"at" timestamp with time zone NOT NULL,
	"on_hand_after" integer NOT NULL,
	"reserved_after" integer NOT NULL,
	"in_transit_after" integer NOT NULL,
	"on_order_after" integer NOT NULL,
	"damaged_after" integer NOT NULL,
	"idempotency_key" text
);
--> statement-breakpoint
CREATE INDEX "inventory_transactions_store_seq_idx" ON "inventory_transactions" USING btree ("store_id","seq");--> statement-breakpoint
CREATE INDEX "inventory_transactions_item_seq_idx" ON "inventory_transactions" USING btree ("store_id","item_id","seq");--> statement-breakpoint
CREATE INDEX "inventory_transactions_reference_idx" ON "inventory_transactions" USING btree ("store_id","reference") WHERE "inventory_transactions"."reference" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "inventory_transactions_idempotency_idx" ON "inventory_transactions" USING btree ("store_id","idempotency_key") WHERE "inventory_transactions"."idempotency_key" is not null;--> statement-breakpoint
-- Hand-written (drizzle-kit does not model triggers): the ledger is append-only; a mistake is corrected by a new movement, never by editing history.
CREATE FUNCTION "inventory_ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the inventory ledger is append-only: record a correcting movement instead';
END
$$;--> statement-breakpoint
CREATE TRIGGER "inventory_transactions_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE ON "inventory_transactions" FOR EACH STATEMENT EXECUTE FUNCTION "inventory_ledger_append_only"();
