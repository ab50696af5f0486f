CREATE TABLE "supply_deliveries" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"hub_id" text NOT NULL,
	"region" text NOT NULL,
	"status" text NOT NULL,
	"driver" text,
	"vehicle" text,
	"scheduled_date" text NOT NULL,
	"stops" jsonb NOT NULL,
	"start_lat" double precision NOT NULL,
	"start_lon" double precision NOT NULL,
	"route" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"dispatched_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"failure_reason" text,
	"hlc" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "supply_requests" ADD COLUMN "delivery_id" text;--> statement-breakpoint
ALTER TABLE "supply_requests" ADD COLUMN "receipt" jsonb;--> statement-breakpoint
ALTER TABLE "supply_requests" ADD COLUMN "received_by" text;--> statement-breakpoint
ALTER TABLE "supply_requests" ADD COLUMN "received_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "supply_requests" ADD COLUMN "ledger_stage" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
CREATE INDEX "supply_deliveries_hub_status_idx" ON "supply_deliveries" USING btree ("hub_id","status","scheduled_date");