CREATE TABLE "announcements" (
	"announcement_id" text PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"fields" jsonb NOT NULL,
	"updated_hlc" text NOT NULL
);
