CREATE TABLE "purchase_orders" (
	"po_id" text PRIMARY KEY NOT NULL,
	"hub_id" text NOT NULL,
	"supplier" text NOT NULL,
	"lines" jsonb NOT NULL,
	"expected_date" date NOT NULL,
	"status" text NOT NULL,
	"notes" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"approved_by" text,
	"approved_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "replenishment_rules" (
	"store_id" text NOT NULL,
	"item_id" text NOT NULL,
	"reorder_point" integer NOT NULL,
	"order_up_to" integer NOT NULL,
	"case_multiple" integer DEFAULT 1 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_request_id" text,
	"last_triggered_at" timestamp with time zone,
	CONSTRAINT "replenishment_rules_store_id_item_id_pk" PRIMARY KEY("store_id","item_id")
);
--> statement-breakpoint
CREATE INDEX "purchase_orders_hub_status_idx" ON "purchase_orders" USING btree ("hub_id","status");