CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_sha256` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`created_by` text NOT NULL,
	`last_used_at_ms` integer,
	`revoked_at_ms` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_sha256_unique` ON `api_tokens` (`token_sha256`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_sha256` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`expires_at_ms` integer NOT NULL,
	FOREIGN KEY (`username`) REFERENCES `users`(`username`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_username` ON `sessions` (`username`);--> statement-breakpoint
CREATE INDEX `sessions_expires` ON `sessions` (`expires_at_ms`);--> statement-breakpoint
CREATE TABLE `users` (
	`username` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`must_change_password` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`last_login_at_ms` integer
);
