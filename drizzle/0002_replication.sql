CREATE TABLE "repl_events" (
	"origin" text NOT NULL,
	"topic" text NOT NULL,
	"seq" bigint NOT NULL,
	"hlc" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb,
	"position" bigserial NOT NULL,
	"stored_at" bigint NOT NULL,
	CONSTRAINT "repl_events_topic_origin_seq_pk" PRIMARY KEY("topic","origin","seq")
);
--> statement-breakpoint
CREATE TABLE "repl_subscriptions" (
	"topic" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repl_vectors" (
	"topic" text NOT NULL,
	"origin" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "repl_vectors_topic_origin_pk" PRIMARY KEY("topic","origin")
);
--> statement-breakpoint
CREATE INDEX "repl_events_origin_hlc" ON "repl_events" USING btree ("origin","hlc");