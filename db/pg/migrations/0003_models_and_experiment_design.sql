CREATE TABLE "assay_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"reactor_id" text NOT NULL,
	"signal" text NOT NULL,
	"value" double precision NOT NULL,
	"sampled_at_ms" bigint NOT NULL,
	"measured_at_ms" bigint NOT NULL,
	"entered_at_ms" bigint NOT NULL,
	"entered_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dilution_programs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"reactor_id" text NOT NULL,
	"accepted_at_ms" bigint NOT NULL,
	"accepted_by" text NOT NULL,
	"start_ms" bigint NOT NULL,
	"end_ms" bigint NOT NULL,
	"program_json" text NOT NULL,
	"limits_json" text NOT NULL,
	"summary" text NOT NULL,
	"applied_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "models" (
	"version" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"file_text" text NOT NULL,
	"added_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reactor_models" (
	"reactor_id" text PRIMARY KEY NOT NULL,
	"model_version" text NOT NULL,
	"set_at_ms" bigint NOT NULL,
	"set_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assimilator_chains" ADD COLUMN "model_version" text;--> statement-breakpoint
ALTER TABLE "fit_documents" ADD COLUMN "posterior_json" text;--> statement-breakpoint
ALTER TABLE "fits" ADD COLUMN "model_version" text;--> statement-breakpoint
ALTER TABLE "assay_entries" ADD CONSTRAINT "assay_entries_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dilution_programs" ADD CONSTRAINT "dilution_programs_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reactor_models" ADD CONSTRAINT "reactor_models_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reactor_models" ADD CONSTRAINT "reactor_models_model_version_models_version_fk" FOREIGN KEY ("model_version") REFERENCES "public"."models"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assay_entries_reactor" ON "assay_entries" USING btree ("reactor_id","sampled_at_ms");--> statement-breakpoint
CREATE INDEX "dilution_programs_reactor" ON "dilution_programs" USING btree ("reactor_id","accepted_at_ms");