CREATE TABLE `assay_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reactor_id` text NOT NULL,
	`signal` text NOT NULL,
	`value` real NOT NULL,
	`sampled_at_ms` integer NOT NULL,
	`measured_at_ms` integer NOT NULL,
	`entered_at_ms` integer NOT NULL,
	`entered_by` text NOT NULL,
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assay_entries_reactor` ON `assay_entries` (`reactor_id`,`sampled_at_ms`);--> statement-breakpoint
CREATE TABLE `dilution_programs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reactor_id` text NOT NULL,
	`accepted_at_ms` integer NOT NULL,
	`accepted_by` text NOT NULL,
	`start_ms` integer NOT NULL,
	`end_ms` integer NOT NULL,
	`program_json` text NOT NULL,
	`limits_json` text NOT NULL,
	`summary` text NOT NULL,
	`applied_by` text NOT NULL,
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dilution_programs_reactor` ON `dilution_programs` (`reactor_id`,`accepted_at_ms`);--> statement-breakpoint
ALTER TABLE `fit_documents` ADD `posterior_json` text;