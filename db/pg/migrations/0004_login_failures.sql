CREATE TABLE "login_failures" (
	"key" text NOT NULL,
	"at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "login_failures_key_at" ON "login_failures" USING btree ("key","at_ms");--> statement-breakpoint
CREATE INDEX "login_failures_at" ON "login_failures" USING btree ("at_ms");