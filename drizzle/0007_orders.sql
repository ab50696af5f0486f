CREATE TABLE "orders" (
	"order_id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"owner_kind" text NOT NULL,
	"status" text NOT NULL,
	"total_cents" integer NOT NULL,
	"locker_combo" text NOT NULL,
	"pickup_time" timestamp with time zone,
	"pickup_estimate" timestamp with time zone NOT NULL,
	"idempotency_scope" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"stock" text NOT NULL,
	"lines" jsonb NOT NULL,
	"history" jsonb NOT NULL,
	"payment_status" text NOT NULL,
	"payment_reason" text,
	"cancel_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "orders_total_not_negative" CHECK ("orders"."total_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"provider" text NOT NULL,
	"provider_ref" text,
	"amount_cents" integer NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revenue" (
	"revenue_id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"order_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount_cents" integer NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "orders_idempotency_idx" ON "orders" USING btree ("idempotency_scope","idempotency_key");--> statement-breakpoint
CREATE INDEX "orders_store_created_idx" ON "orders" USING btree ("store_id","created_at","order_id");--> statement-breakpoint
CREATE INDEX "orders_store_status_idx" ON "orders" USING btree ("store_id","status","created_at");--> statement-breakpoint
CREATE INDEX "orders_owner_created_idx" ON "orders" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_refund_failed_idx" ON "orders" USING btree ("store_id") WHERE "orders"."payment_status" = 'refund_failed';--> statement-breakpoint
CREATE INDEX "payments_order_idx" ON "payments" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_provider_ref_idx" ON "payments" USING btree ("provider","provider_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_one_live_per_order_idx" ON "payments" USING btree ("order_id") WHERE "payments"."status" in ('processing', 'pending', 'approved', 'refunding', 'refunded', 'refund_failed');--> statement-breakpoint
CREATE UNIQUE INDEX "revenue_order_kind_idx" ON "revenue" USING btree ("order_id","kind");--> statement-breakpoint
CREATE INDEX "revenue_store_recorded_idx" ON "revenue" USING btree ("store_id","recorded_at");