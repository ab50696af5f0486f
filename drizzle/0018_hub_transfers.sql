CREATE TABLE "hub_transfers" (
	"transfer_id" text PRIMARY KEY NOT NULL,
	"from_hub" text NOT NULL,
	"to_hub" text NOT NULL,
	"from_region" text NOT NULL,
	"to_region" text NOT NULL,
	"lines" jsonb NOT NULL,
	"miles" double precision NOT NULL,
	"status" text NOT NULL,
	"notes" text,
	"sent_by" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"received_by" text,
	"received_at" timestamp with time zone,
	"hlc" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "hub_transfers_from_idx" ON "hub_transfers" USING btree ("from_hub","status");--> statement-breakpoint
CREATE INDEX "hub_transfers_to_idx" ON "hub_transfers" USING btree ("to_hub","status");