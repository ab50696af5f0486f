CREATE TABLE "store_transfers" (
	"transfer_id" text PRIMARY KEY NOT NULL,
	"from_store" text NOT NULL,
	"to_store" text NOT NULL,
	"from_region" text NOT NULL,
	"to_region" text NOT NULL,
	"lines" jsonb NOT NULL,
	"miles" double precision NOT NULL,
	"status" text NOT NULL,
	"notes" text,
	"review_notes" text,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"received_by" text,
	"received_at" timestamp with time zone,
	"hlc" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "store_transfers_from_idx" ON "store_transfers" USING btree ("from_store","status");--> statement-breakpoint
CREATE INDEX "store_transfers_to_idx" ON "store_transfers" USING btree ("to_store","status");