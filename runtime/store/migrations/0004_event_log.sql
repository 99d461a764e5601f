CREATE TABLE `event_refs` (
	`ref` text NOT NULL,
	`event_id` text NOT NULL,
	PRIMARY KEY(`ref`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `event_refs_event_idx` ON `event_refs` (`event_id`);--> statement-breakpoint
ALTER TABLE `events` ADD `outcome` text DEFAULT 'accepted' NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `http_status` integer DEFAULT 202 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `sources` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `delivery_id` text;--> statement-breakpoint
ALTER TABLE `events` ADD `reason` text;--> statement-breakpoint
ALTER TABLE `events` ADD `remote_address` text;--> statement-breakpoint
ALTER TABLE `events` ADD `body_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `body_truncated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `routes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `alerts` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `matches` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `error` text;--> statement-breakpoint
ALTER TABLE `events` ADD `not_started_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `suppressed_before` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `events_path_idx` ON `events` (`path`,`id`);--> statement-breakpoint
CREATE INDEX `events_outcome_idx` ON `events` (`outcome`,`id`);--> statement-breakpoint
CREATE INDEX `events_delivery_idx` ON `events` (`path`,`delivery_id`);--> statement-breakpoint
ALTER TABLE `executions` ADD `fingerprint` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `alert_resolved_at` integer;--> statement-breakpoint
CREATE INDEX `executions_fingerprint_idx` ON `executions` (`flow_id`,`fingerprint`);--> statement-breakpoint
-- Events and executions recorded before the event log: what can be derived from what was stored.
UPDATE `events` SET `body_bytes` = length(CAST(`body` AS BLOB)), `outcome` = CASE WHEN `execution_count` > 0 THEN 'accepted' WHEN `duplicate_count` > 0 THEN 'duplicate' ELSE 'ignored' END;--> statement-breakpoint
UPDATE `executions` SET `fingerprint` = coalesce(json_extract(`alert`, '$.fingerprint'), '');--> statement-breakpoint
INSERT OR IGNORE INTO `event_refs` (`ref`, `event_id`) SELECT DISTINCT 'flow:' || `flow_id`, `event_id` FROM `executions` WHERE `event_id` IN (SELECT `id` FROM `events`);
