CREATE TABLE `assimilator_chains` (
	`reactor_id` text PRIMARY KEY NOT NULL,
	`settings_key` text NOT NULL,
	`state_json` text NOT NULL,
	`fitted_up_to_h` real NOT NULL,
	`last_fit_id` integer,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `fit_combinations` (
	`fit_id` integer NOT NULL,
	`rank` integer NOT NULL,
	`label` text NOT NULL,
	`exponents_json` text NOT NULL,
	`value` real NOT NULL,
	`sd_log` real NOT NULL,
	`sd_log_data` real NOT NULL,
	PRIMARY KEY(`fit_id`, `rank`),
	FOREIGN KEY (`fit_id`) REFERENCES `fits`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `fit_composition` (
	`fit_id` integer NOT NULL,
	`quantity` text NOT NULL,
	`value` real NOT NULL,
	`sd` real NOT NULL,
	PRIMARY KEY(`fit_id`, `quantity`),
	FOREIGN KEY (`fit_id`) REFERENCES `fits`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `fit_documents` (
	`fit_id` integer PRIMARY KEY NOT NULL,
	`trajectory_json` text,
	`forecast_json` text,
	`residuals_json` text,
	`window_file_json` text,
	FOREIGN KEY (`fit_id`) REFERENCES `fits`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `fit_parameters` (
	`fit_id` integer NOT NULL,
	`name` text NOT NULL,
	`value` real NOT NULL,
	`free` integer NOT NULL,
	`sd_log` real,
	`sd_log_data` real,
	`lower95` real,
	`upper95` real,
	`determined` integer,
	PRIMARY KEY(`fit_id`, `name`),
	FOREIGN KEY (`fit_id`) REFERENCES `fits`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `fits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reactor_id` text NOT NULL,
	`window_start_ms` integer NOT NULL,
	`window_end_ms` integer NOT NULL,
	`window_start_h` real NOT NULL,
	`window_end_h` real NOT NULL,
	`fitted_at_ms` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`detail` text,
	`refit` integer NOT NULL,
	`cold_start` integer NOT NULL,
	`loss` real,
	`iterations` integer NOT NULL,
	`duration_ms` real NOT NULL,
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fits_failure_has_reason" CHECK("fits"."status" = 'ok' OR "fits"."reason" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX `fits_reactor_window_end` ON `fits` (`reactor_id`,`window_end_ms`);--> statement-breakpoint
CREATE INDEX `fits_reactor_status` ON `fits` (`reactor_id`,`status`);