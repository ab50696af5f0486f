CREATE TABLE "supply_usage" (
	"hub_id" text NOT NULL,
	"store_id" text NOT NULL,
	"day" date NOT NULL,
	"item_key" text NOT NULL,
	"item_name" text NOT NULL,
	"item_type" text NOT NULL,
	"quantity" double precision NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "supply_usage_store_id_day_item_key_pk" PRIMARY KEY("store_id","day","item_key")
);
--> statement-breakpoint
CREATE INDEX "supply_usage_hub_item_day_idx" ON "supply_usage" USING btree ("hub_id","item_key","day");