CREATE TABLE "account_favorites" (
	"user_id" text NOT NULL,
	"tag" text NOT NULL,
	"drink_id" text NOT NULL,
	"removed" boolean DEFAULT false NOT NULL,
	"added_hlc" text,
	CONSTRAINT "account_favorites_user_id_tag_pk" PRIMARY KEY("user_id","tag")
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"username_key" text NOT NULL,
	"email_key" text NOT NULL,
	"status" text NOT NULL,
	"name_claim" text NOT NULL,
	"home_node" text NOT NULL,
	"home_region" text NOT NULL,
	"fields" jsonb NOT NULL,
	"created_hlc" text NOT NULL,
	"updated_hlc" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"audit_id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"node" text NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"detail" jsonb NOT NULL,
	"hlc" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "name_claims" (
	"claim_key" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"hlc" text NOT NULL,
	"node" text NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revoked_tokens" (
	"token_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "role_assignments" (
	"role_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"role_type" text NOT NULL,
	"store_id" text,
	"region_code" text,
	"supply_hub_id" text,
	"granted_by" text,
	"granted_at" timestamp with time zone,
	"granted_hlc" text,
	"revoked_by" text,
	"revoked_at" timestamp with time zone,
	"revoked_hlc" text
);
--> statement-breakpoint
CREATE INDEX "account_favorites_user_idx" ON "account_favorites" USING btree ("user_id","drink_id");--> statement-breakpoint
CREATE INDEX "accounts_username_key_idx" ON "accounts" USING btree ("username_key");--> statement-breakpoint
CREATE INDEX "accounts_email_key_idx" ON "accounts" USING btree ("email_key");--> statement-breakpoint
CREATE INDEX "accounts_home_node_idx" ON "accounts" USING btree ("home_node","name_claim");--> statement-breakpoint
CREATE INDEX "audit_log_hlc_idx" ON "audit_log" USING btree ("hlc");--> statement-breakpoint
CREATE INDEX "role_assignments_user_idx" ON "role_assignments" USING btree ("user_id");