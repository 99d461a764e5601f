DROP INDEX `events_delivery_idx`;--> statement-breakpoint
CREATE INDEX `events_delivery_idx` ON `events` (`path`,`delivery_id`) WHERE "events"."delivery_id" is not null;--> statement-breakpoint
DROP INDEX `executions_lease_idx`;--> statement-breakpoint
DROP INDEX `executions_parent_idx`;--> statement-breakpoint
DROP INDEX `executions_target_idx`;--> statement-breakpoint
DROP INDEX `executions_finished_idx`;--> statement-breakpoint
CREATE INDEX `executions_deadline_idx` ON `executions` (`deadline_at`) WHERE "executions"."status" in ('running', 'waiting', 'queued') and "executions"."wait_started_at" is null;--> statement-breakpoint
CREATE INDEX `executions_lease_idx` ON `executions` (`lease_until`) WHERE "executions"."status" = 'running';--> statement-breakpoint
CREATE INDEX `executions_parent_idx` ON `executions` (`parent_execution_id`) WHERE "executions"."parent_execution_id" is not null;--> statement-breakpoint
CREATE INDEX `executions_target_idx` ON `executions` (`flow_id`,`target_key`,`created_at`) WHERE "executions"."target_key" is not null;--> statement-breakpoint
CREATE INDEX `executions_finished_idx` ON `executions` (`flow_id`,`finished_at`) WHERE "executions"."finished_at" is not null;