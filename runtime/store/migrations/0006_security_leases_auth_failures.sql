CREATE TABLE `auth_failures` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`window_ends_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `executions` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `executions_lease_idx` ON `executions` (`status`,`lease_until`);