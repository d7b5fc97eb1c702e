CREATE TABLE `refinements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reactor_id` text NOT NULL,
	`status` text NOT NULL,
	`requested_at_ms` integer NOT NULL,
	`requested_by` text NOT NULL,
	`finished_at_ms` integer,
	`source` text NOT NULL,
	`model_name` text NOT NULL,
	`model_version` text NOT NULL,
	`model_file_text` text NOT NULL,
	`settings_json` text NOT NULL,
	`progress_json` text NOT NULL,
	`error` text,
	`result_json` text,
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `refinements_reactor` ON `refinements` (`reactor_id`,`requested_at_ms`);--> statement-breakpoint
CREATE UNIQUE INDEX `refinements_one_running` ON `refinements` (`reactor_id`) WHERE status = 'running';
