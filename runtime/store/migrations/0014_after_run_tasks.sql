CREATE TABLE `after_run_tasks` (
	`step_id` text PRIMARY KEY NOT NULL,
	`execution_id` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `after_run_tasks_next_idx` ON `after_run_tasks` (`next_at`);