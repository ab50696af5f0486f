ALTER TABLE "supply_requests" ADD COLUMN "parent_request_id" text;--> statement-breakpoint
ALTER TABLE "supply_requests" ADD COLUMN "covered_by" text;