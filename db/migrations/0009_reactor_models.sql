CREATE TABLE `models` (
	`version` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`file_text` text NOT NULL,
	`added_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reactor_models` (
	`reactor_id` text PRIMARY KEY NOT NULL,
	`model_version` text NOT NULL,
	`set_at_ms` integer NOT NULL,
	`set_by` text NOT NULL,
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_version`) REFERENCES `models`(`version`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `fits` ADD `model_version` text;--> statement-breakpoint
ALTER TABLE `assimilator_chains` ADD `model_version` text;
