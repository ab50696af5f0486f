CREATE TABLE "supply_requests" (
	"request_id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"region" text NOT NULL,
	"items" jsonb NOT NULL,
	"urgency" text NOT NULL,
	"notes" text,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"review_notes" text,
	"cancel_asked_by" text,
	"cancel_asked_at" timestamp with time zone,
	"hlc" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "supply_requests_hub_status_idx" ON "supply_requests" USING btree ("hub_id","status");--> statement-breakpoint
CREATE INDEX "supply_requests_store_status_idx" ON "supply_requests" USING btree ("store_id","status");