CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`execution_id` text NOT NULL,
	`step_id` text NOT NULL,
	`node_id` text NOT NULL,
	`message` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`comment` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_step_idx` ON `approvals` (`step_id`);--> statement-breakpoint
CREATE INDEX `approvals_status_idx` ON `approvals` (`status`,`deadline_at`);--> statement-breakpoint
CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`details` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit` (`at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`path` text NOT NULL,
	`headers` text NOT NULL,
	`body` text NOT NULL,
	`alert_count` integer NOT NULL,
	`execution_count` integer NOT NULL,
	`duplicate_count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_received_idx` ON `events` (`received_at`);--> statement-breakpoint
CREATE TABLE `executions` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`flow_revision` integer NOT NULL,
	`event_id` text NOT NULL,
	`source_node_id` text NOT NULL,
	`dedup_key` text NOT NULL,
	`alert` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`deadline_at` integer NOT NULL,
	`wait_started_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `executions_dedup_idx` ON `executions` (`flow_id`,`dedup_key`);--> statement-breakpoint
CREATE INDEX `executions_status_idx` ON `executions` (`status`);--> statement-breakpoint
CREATE INDEX `executions_flow_idx` ON `executions` (`flow_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `executions_created_idx` ON `executions` (`created_at`);--> statement-breakpoint
CREATE TABLE `flow_revisions` (
	`flow_id` text NOT NULL,
	`revision` integer NOT NULL,
	`document` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `revision`)
);
--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`enabled` integer NOT NULL,
	`revision` integer NOT NULL,
	`document` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `steps` (
	`id` text PRIMARY KEY NOT NULL,
	`execution_id` text NOT NULL,
	`seq` integer NOT NULL,
	`node_id` text NOT NULL,
	`node_type` text NOT NULL,
	`parent_step_id` text,
	`status` text NOT NULL,
	`attempt` integer DEFAULT 0 NOT NULL,
	`port` text,
	`input` text,
	`config` text,
	`output` text,
	`error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`ended_at` integer,
	`wake_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `steps_exec_seq_idx` ON `steps` (`execution_id`,`seq`);--> statement-breakpoint
CREATE INDEX `steps_wake_idx` ON `steps` (`status`,`wake_at`);