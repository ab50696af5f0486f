CREATE TABLE "mesh_members" (
	"node_id" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"region" text NOT NULL,
	"name" text NOT NULL,
	"api_base_url" text NOT NULL,
	"lat" double precision NOT NULL,
	"lon" double precision NOT NULL,
	"chain" jsonb NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mesh_revocations" (
	"serial" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"issuer_id" text NOT NULL,
	"revoked_at" bigint NOT NULL,
	"reason" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mesh_used_join_tokens" (
	"token_id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"used_at" timestamp with time zone DEFAULT now() NOT NULL
);
