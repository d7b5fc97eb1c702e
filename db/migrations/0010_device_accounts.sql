CREATE TABLE `device_accounts` (
	`username` text PRIMARY KEY NOT NULL,
	`password_hash` text NOT NULL,
	`reactors` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`created_by` text NOT NULL,
	`revoked_at_ms` integer
);
--> statement-breakpoint
CREATE TABLE `device_activity` (
	`username` text PRIMARY KEY NOT NULL,
	`last_connected_at_ms` integer,
	`last_published_at_ms` integer
);
