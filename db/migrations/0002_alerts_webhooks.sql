CREATE TABLE `alarm_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alarm_id` integer NOT NULL,
	`reactor_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`kind` text NOT NULL,
	`actor` text NOT NULL,
	`at_ms` integer NOT NULL,
	`evidence_at_ms` integer,
	`severity` text NOT NULL,
	`summary` text NOT NULL,
	`values_json` text NOT NULL,
	`active` integer NOT NULL,
	`acknowledged` integer NOT NULL,
	FOREIGN KEY (`alarm_id`) REFERENCES `alarms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alarm_events_at` ON `alarm_events` (`at_ms`);--> statement-breakpoint
CREATE INDEX `alarm_events_alarm` ON `alarm_events` (`alarm_id`);--> statement-breakpoint
CREATE TABLE `alarms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reactor_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`rule_name` text NOT NULL,
	`rule_kind` text NOT NULL,
	`severity` text NOT NULL,
	`active` integer NOT NULL,
	`acknowledged` integer NOT NULL,
	`fired_at_ms` integer NOT NULL,
	`evidence_fired_at_ms` integer,
	`cleared_at_ms` integer,
	`cleared_by` text,
	`acknowledged_at_ms` integer,
	`acknowledged_by` text,
	`last_evidence_at_ms` integer,
	`summary` text NOT NULL,
	`values_json` text NOT NULL,
	`fire_count` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`reactor_id`) REFERENCES `reactors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alarms_reactor_rule` ON `alarms` (`reactor_id`,`rule_id`);--> statement-breakpoint
CREATE INDEX `alarms_active` ON `alarms` (`active`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`definition_json` text NOT NULL,
	`source` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`outbox_id` integer NOT NULL,
	`endpoint_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`started_at_ms` integer NOT NULL,
	`duration_ms` real NOT NULL,
	`http_status` integer,
	`outcome` text NOT NULL,
	`error` text,
	FOREIGN KEY (`outbox_id`) REFERENCES `webhook_outbox`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_outbox` ON `webhook_deliveries` (`outbox_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_started` ON `webhook_deliveries` (`endpoint_id`,`started_at_ms`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`severities_json` text NOT NULL,
	`enabled` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`deleted_at_ms` integer
);
--> statement-breakpoint
CREATE TABLE `webhook_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`endpoint_id` integer NOT NULL,
	`alarm_event_id` integer NOT NULL,
	`idempotency_key` text NOT NULL,
	`body_json` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`state` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at_ms` integer NOT NULL,
	`last_error` text,
	`delivered_at_ms` integer,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`alarm_event_id`) REFERENCES `alarm_events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_outbox_idempotency_key` ON `webhook_outbox` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_outbox_endpoint_event` ON `webhook_outbox` (`endpoint_id`,`alarm_event_id`);--> statement-breakpoint
CREATE INDEX `webhook_outbox_endpoint_state` ON `webhook_outbox` (`endpoint_id`,`state`,`id`);