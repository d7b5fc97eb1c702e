ALTER TABLE `fits` ADD `network_terms_json` text;--> statement-breakpoint
ALTER TABLE `models` ADD `weights_text` text;
