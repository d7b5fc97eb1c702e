ALTER TABLE `assimilator_chains` ADD `readings_seen_rowid` integer;--> statement-breakpoint
CREATE INDEX `webhook_outbox_alarm_event` ON `webhook_outbox` (`alarm_event_id`);