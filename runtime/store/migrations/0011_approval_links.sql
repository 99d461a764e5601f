CREATE TABLE `approval_links` (
	`id` text PRIMARY KEY NOT NULL,
	`execution_id` text NOT NULL,
	`node_id` text NOT NULL,
	`approval_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer NOT NULL,
	`used_by` text NOT NULL,
	`used_by_name` text NOT NULL
);
