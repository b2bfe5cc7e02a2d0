-- 007_tiers: the default tier catalog (the seeds' plans). -1 = unlimited.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

INSERT INTO tiers (name, display_name, rank, price_cents, max_users,
	storage_limit_bytes, api_calls_per_hour, max_api_keys,
	invitations_per_day, trial_days, features)
VALUES
	('free', 'Free', 0, 0, 5, 1073741824, 100, 1, 10, 0,
	 '{"analytics": true}'),
	('basic', 'Basic', 1, 2900, 10, 5368709120, 1000, 2, 20, 14,
	 '{"analytics": true, "social_collaboration": true}'),
	('professional', 'Professional', 2, 9900, 50, 107374182400, 5000, 10,
	 100, 14,
	 '{"analytics": true, "social_collaboration": true, "ai_insights": true,
	   "advanced_analytics": true, "api_access": true,
	   "custom_branding": true, "priority_support": true}'),
	('business', 'Business', 3, 79900, 500, 107374182400, 10000, 25, 500, 14,
	 '{"analytics": true, "social_collaboration": true, "ai_insights": true,
	   "advanced_analytics": true, "api_access": true,
	   "custom_branding": true, "priority_support": true, "sso": true,
	   "audit_logs": true, "advanced_reporting": true}'),
	('enterprise', 'Enterprise', 4, 199900, -1, 1099511627776, 25000, -1, -1,
	 30,
	 '{"analytics": true, "social_collaboration": true, "ai_insights": true,
	   "advanced_analytics": true, "api_access": true,
	   "custom_branding": true, "priority_support": true, "sso": true,
	   "audit_logs": true, "advanced_reporting": true,
	   "sla_guarantee": true}')
ON CONFLICT (name) DO NOTHING;
