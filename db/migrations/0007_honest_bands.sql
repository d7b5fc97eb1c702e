ALTER TABLE `fit_combinations` ADD `name` text;--> statement-breakpoint
ALTER TABLE `fit_combinations` ADD `meaning` text;--> statement-breakpoint
ALTER TABLE `fit_combinations` ADD `lower95` real;--> statement-breakpoint
ALTER TABLE `fit_combinations` ADD `upper95` real;--> statement-breakpoint
ALTER TABLE `fit_combinations` ADD `determined` integer;--> statement-breakpoint
ALTER TABLE `fit_composition` ADD `lower95` real;--> statement-breakpoint
ALTER TABLE `fit_composition` ADD `upper95` real;--> statement-breakpoint
ALTER TABLE `fit_parameters` ADD `prior_sd_log` real;