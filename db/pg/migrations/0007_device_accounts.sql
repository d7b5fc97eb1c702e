CREATE TABLE "device_accounts" (
	"username" text PRIMARY KEY NOT NULL,
	"password_hash" text NOT NULL,
	"reactors" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"created_by" text NOT NULL,
	"revoked_at_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "device_activity" (
	"username" text PRIMARY KEY NOT NULL,
	"last_connected_at_ms" bigint,
	"last_published_at_ms" bigint
);
