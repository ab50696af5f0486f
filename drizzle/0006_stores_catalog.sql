CREATE TABLE "store_directory" (
	"store_id" text PRIMARY KEY NOT NULL,
	"region" text NOT NULL,
	"lat" double precision,
	"lon" double precision,
	"is_operational" boolean NOT NULL,
	"fields" jsonb NOT NULL,
	"updated_hlc" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_drinks" (
	"drink_id" text PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"user_created" boolean NOT NULL,
	"owner_id" text,
	"retired" boolean NOT NULL,
	"fields" jsonb NOT NULL,
	"updated_hlc" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_ingredients" (
	"item_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"retired" boolean NOT NULL,
	"fields" jsonb NOT NULL,
	"updated_hlc" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "store_directory_region_idx" ON "store_directory" USING btree ("region","store_id");--> statement-breakpoint
CREATE INDEX "catalog_drinks_owner_idx" ON "catalog_drinks" USING btree ("owner_id","drink_id");--> statement-breakpoint
CREATE INDEX "catalog_drinks_catalog_idx" ON "catalog_drinks" USING btree ("user_created","retired","drink_id");--> statement-breakpoint
CREATE INDEX "catalog_ingredients_type_idx" ON "catalog_ingredients" USING btree ("type","item_id");