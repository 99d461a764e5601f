CREATE TABLE `schedule_ticks` (
	`flow_id` text NOT NULL,
	`node_id` text NOT NULL,
	`tick_at` integer NOT NULL,
	`first_tick_at` integer NOT NULL,
	`count` integer DEFAULT 1 NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`execution_id` text,
	`recorded_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `node_id`, `tick_at`)
);
--> statement-breakpoint
CREATE INDEX `schedule_ticks_status_idx` ON `schedule_ticks` (`flow_id`,`node_id`,`status`,`tick_at`);