CREATE TABLE "refinements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"reactor_id" text NOT NULL,
	"status" text NOT NULL,
	"requested_at_ms" bigint NOT NULL,
	"requested_by" text NOT NULL,
	"finished_at_ms" bigint,
	"source" text NOT NULL,
	"model_name" text NOT NULL,
	"model_version" text NOT NULL,
	"model_file_text" text NOT NULL,
	"settings_json" text NOT NULL,
	"progress_json" text NOT NULL,
	"error" text,
	"result_json" text
);
--> statement-breakpoint
ALTER TABLE "refinements" ADD CONSTRAINT "refinements_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refinements_reactor" ON "refinements" USING btree ("reactor_id","requested_at_ms");--> statement-breakpoint
CREATE UNIQUE INDEX "refinements_one_running" ON "refinements" USING btree ("reactor_id") WHERE status = 'running';