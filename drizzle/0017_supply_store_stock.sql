CREATE TABLE "supply_store_stock" (
	"store_id" text PRIMARY KEY NOT NULL,
	"hub_id" text NOT NULL,
	"items" jsonb NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"hlc" text NOT NULL
);
