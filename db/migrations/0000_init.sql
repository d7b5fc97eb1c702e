CREATE TABLE `reactors` (
	`id` text PRIMARY KEY NOT NULL,
	`first_seen_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reading_rollups` (
	`reactor_id` text NOT NULL,
	`signal` text NOT NULL,
	`bucket_width_ms` integer NOT NULL,
	`bucket_start_ms` integer NOT NULL,
	`count` integer NOT NULL,
	`value_sum` real NOT NULL,
	`value_min` real NOT NULL,
	`value_max` real NOT NULL,
	PRIMARY KEY(`reactor_id`, `signal`, `bucket_width_ms`, `bucket_start_ms`),
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "reading_rollups_count_positive" CHECK("reading_rollups"."count" > 0)
);
--> statement-breakpoint
CREATE TABLE `readings` (
	`reactor_id` text NOT NULL,
	`signal` text NOT NULL,
	`ts_ms` integer NOT NULL,
	`value` real NOT NULL,
	`received_at_ms` integer NOT NULL,
	PRIMARY KEY(`reactor_id`, `signal`, `ts_ms`),
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `rejected_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at_ms` integer NOT NULL,
	`topic` text NOT NULL,
	`payload_excerpt` text NOT NULL,
	`payload_bytes` integer NOT NULL,
	`reason` text NOT NULL,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rejection_counts` (
	`reason` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`last_rejected_at_ms` integer NOT NULL
);
