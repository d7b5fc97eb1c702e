CREATE TABLE `estimator_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`settings_json` text NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`updated_by` text NOT NULL
);
