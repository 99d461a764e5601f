CREATE TABLE `flow_breakers` (
	`flow_id` text PRIMARY KEY NOT NULL,
	`tripped_at` integer,
	`failures` text DEFAULT '[]' NOT NULL,
	`reset_by` text,
	`reset_at` integer
);
--> statement-breakpoint
ALTER TABLE `executions` ADD `target_key` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `held_limit` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `held_reason` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `held_at` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `released_by` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `released_at` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `released_comment` text;--> statement-breakpoint
CREATE INDEX `executions_target_idx` ON `executions` (`flow_id`,`target_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `executions_finished_idx` ON `executions` (`flow_id`,`finished_at`);