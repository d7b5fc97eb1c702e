ALTER TABLE "fit_combinations" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "fit_combinations" ADD COLUMN "meaning" text;--> statement-breakpoint
ALTER TABLE "fit_combinations" ADD COLUMN "lower95" double precision;--> statement-breakpoint
ALTER TABLE "fit_combinations" ADD COLUMN "upper95" double precision;--> statement-breakpoint
ALTER TABLE "fit_combinations" ADD COLUMN "determined" boolean;--> statement-breakpoint
ALTER TABLE "fit_composition" ADD COLUMN "lower95" double precision;--> statement-breakpoint
ALTER TABLE "fit_composition" ADD COLUMN "upper95" double precision;--> statement-breakpoint
ALTER TABLE "fit_parameters" ADD COLUMN "prior_sd_log" double precision;