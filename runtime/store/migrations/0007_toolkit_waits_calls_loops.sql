ALTER TABLE `executions` ADD `parent_execution_id` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `parent_step_id` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `call_depth` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `input` text;--> statement-breakpoint
CREATE INDEX `executions_parent_idx` ON `executions` (`parent_execution_id`);--> statement-breakpoint
ALTER TABLE `steps` ADD `wait_reason` text;--> statement-breakpoint
ALTER TABLE `steps` ADD `scope` text;