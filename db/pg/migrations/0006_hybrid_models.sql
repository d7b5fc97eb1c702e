ALTER TABLE "fits" ADD COLUMN "network_terms_json" text;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "weights_text" text;