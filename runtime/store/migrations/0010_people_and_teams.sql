-- People and teams (issue 12). Everything made before teams existed belongs to the `default` team,
-- which is created here; the bootstrap admin token keeps every permission.
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`team_id` text NOT NULL,
	`roles` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_idx` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_user_idx` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `approval_decisions` (
	`approval_id` text NOT NULL,
	`decider` text NOT NULL,
	`decider_name` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text,
	`via` text NOT NULL,
	`plan_hash` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`approval_id`, `decider`)
);
--> statement-breakpoint
CREATE TABLE `memberships` (
	`user_id` text NOT NULL,
	`team_id` text NOT NULL,
	`role` text NOT NULL,
	`origin` text DEFAULT 'manual' NOT NULL,
	PRIMARY KEY(`user_id`, `team_id`, `role`)
);
--> statement-breakpoint
CREATE INDEX `memberships_team_idx` ON `memberships` (`team_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text DEFAULT 'person' NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`email` text,
	`password_hash` text,
	`oidc_issuer` text,
	`oidc_subject` text,
	`admin` integer DEFAULT false NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_sign_in_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_idx` ON `users` (`username`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_oidc_idx` ON `users` (`oidc_issuer`,`oidc_subject`);--> statement-breakpoint
ALTER TABLE `approvals` ADD `plan_hash` text;--> statement-breakpoint
ALTER TABLE `approvals` ADD `rules` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `started_by` text;--> statement-breakpoint
ALTER TABLE `flow_revisions` ADD `author` text;--> statement-breakpoint
ALTER TABLE `flows` ADD `team_id` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `secrets` ADD `team_id` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `user_id` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `address` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `user_agent` text;--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
INSERT OR IGNORE INTO `teams` (`id`, `name`, `created_at`) VALUES ('default', 'Default', CAST(strftime('%s','now') AS INTEGER) * 1000);
