-- 002_tables: the data model. tenant_id leads every primary, unique and
-- foreign key of a tenant table, so the schema distributes by tenant_id.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- Reference data: no tenant_id.
CREATE TABLE tiers (
	name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,30}$'),
	display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 63),
	rank int NOT NULL UNIQUE,
	price_cents bigint NOT NULL CHECK (price_cents >= 0),
	max_users bigint NOT NULL CHECK (max_users >= -1),
	storage_limit_bytes bigint NOT NULL CHECK (storage_limit_bytes >= -1),
	api_calls_per_hour bigint NOT NULL CHECK (api_calls_per_hour >= -1),
	max_api_keys bigint NOT NULL CHECK (max_api_keys >= -1),
	invitations_per_day bigint NOT NULL CHECK (invitations_per_day >= -1),
	trial_days int NOT NULL DEFAULT 14 CHECK (trial_days BETWEEN 0 AND 365),
	features jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(features) = 'object')
);

CREATE TABLE tenants (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug text NOT NULL UNIQUE
		CHECK (slug ~ '^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	domain text UNIQUE CHECK (length(domain) <= 253),
	tier text NOT NULL REFERENCES tiers (name),
	status text NOT NULL DEFAULT 'trial' CHECK (status IN
		('trial', 'active', 'suspended', 'pending_deletion', 'deleted')),
	trial_ends_at timestamptz,
	deletion_due_at timestamptz,
	billing_email text CHECK (length(billing_email) <= 254),
	billing_status text NOT NULL DEFAULT 'ok'
		CHECK (billing_status IN ('ok', 'past_due', 'unpaid')),
	contact_phone text CHECK (length(contact_phone) <= 39),
	timezone text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) <= 63),
	locale text NOT NULL DEFAULT 'en-US' CHECK (length(locale) <= 15),
	settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
	branding jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(branding) = 'object'),
	features jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(features) = 'object'),
	-- -1 until the first health refresh; NOT NULL keeps keyset paging simple.
	health_score smallint NOT NULL DEFAULT -1
		CHECK (health_score BETWEEN -1 AND 100),
	usage_peak real NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination: one index per sort order, id breaks ties.
CREATE INDEX tenants_name_idx ON tenants (name, id);
CREATE INDEX tenants_tier_idx ON tenants (tier, name, id);
CREATE INDEX tenants_status_idx ON tenants (status, name, id);
CREATE INDEX tenants_health_idx ON tenants (health_score, id);
CREATE INDEX tenants_usage_idx ON tenants (usage_peak, id);
CREATE INDEX tenants_created_idx ON tenants (created_at, id);
-- Substring filters (>= 3 characters) go to the trigram index; shorter
-- ones are prefix matches on these.
CREATE INDEX tenants_search_trgm ON tenants USING gin
	((lower(slug || ' ' || name || ' ' || coalesce(domain, ''))) gin_trgm_ops);
CREATE INDEX tenants_lname_prefix ON tenants (lower(name) text_pattern_ops);
CREATE INDEX tenants_slug_prefix ON tenants (slug text_pattern_ops);
CREATE INDEX tenants_deletion_due ON tenants (deletion_due_at)
	WHERE status = 'pending_deletion';

-- Global identities; a tenant sees only its members (policy in 003).
CREATE TABLE users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	full_name text NOT NULL DEFAULT '' CHECK (length(full_name) <= 200),
	password_hash text,
	mfa_secret text,
	mfa_enabled boolean NOT NULL DEFAULT false,
	staff_role text NOT NULL DEFAULT 'none' CHECK (staff_role IN
		('none', 'platform_admin', 'support', 'oncall')),
	tokens_valid_after timestamptz NOT NULL DEFAULT '-infinity',
	last_login_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE tenant_users (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role text NOT NULL DEFAULT 'member'
		CHECK (role IN ('admin', 'manager', 'member', 'viewer')),
	permissions jsonb NOT NULL DEFAULT '{}'
		CHECK (jsonb_typeof(permissions) = 'object'),
	active boolean NOT NULL DEFAULT true,
	joined_at timestamptz NOT NULL DEFAULT now(),
	last_active_at timestamptz,
	PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX tenant_users_user_idx ON tenant_users (user_id);

CREATE TABLE invitations (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	role text NOT NULL DEFAULT 'member'
		CHECK (role IN ('admin', 'manager', 'member', 'viewer')),
	invited_by text NOT NULL DEFAULT '',
	token_hash bytea NOT NULL CHECK (octet_length(token_hash) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL DEFAULT now() + interval '7 days',
	accepted_at timestamptz,
	accepted_user_id uuid,
	revoked_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, token_hash)
);
CREATE INDEX invitations_token_idx ON invitations (token_hash);
CREATE UNIQUE INDEX invitations_pending_email ON invitations
	(tenant_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE quotas (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	resource text NOT NULL CHECK (resource ~ '^[a-z_]{1,31}$'),
	quota_limit bigint NOT NULL CHECK (quota_limit >= -1),
	used bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
	period text NOT NULL DEFAULT 'none'
		CHECK (period IN ('none', 'hour', 'day', 'month')),
	period_start timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, resource)
) WITH (fillfactor = 70);  -- room for HOT updates of `used`

CREATE TABLE usage_daily (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	resource text NOT NULL,
	day date NOT NULL,
	amount bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (tenant_id, resource, day)
) WITH (fillfactor = 70);

CREATE TABLE tenant_settings (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	key text NOT NULL CHECK (key ~ '^[a-z0-9_.-]{1,127}$'),
	value text NOT NULL CHECK (octet_length(value) <= 65536),
	type text NOT NULL DEFAULT 'string' CHECK (type IN ('string', 'int',
		'bool', 'json', 'email', 'url', 'color', 'timezone', 'secret')),
	encrypted boolean NOT NULL DEFAULT false,
	key_id int,
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by text NOT NULL DEFAULT '',
	PRIMARY KEY (tenant_id, key),
	CHECK (encrypted = (key_id IS NOT NULL))
);

CREATE TABLE api_keys (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	prefix text NOT NULL CHECK (prefix ~ '^[0-9a-f]{8,16}$'),
	name text NOT NULL DEFAULT '' CHECK (length(name) <= 63),
	secret_hash bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
	scopes text[] NOT NULL DEFAULT '{}',
	created_by text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz,
	last_used_at timestamptz,
	revoked_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, prefix)
);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);

-- Append-only, hash-chained per tenant. The nil uuid is the platform's
-- own chain (purges, staff logins). No foreign key: entries outlive rows.
CREATE TABLE audit_log (
	tenant_id uuid NOT NULL,
	seq bigint NOT NULL,
	at timestamptz NOT NULL,
	actor text NOT NULL,
	actor_kind text NOT NULL,
	action text NOT NULL,
	resource_type text NOT NULL,
	resource_id text NOT NULL DEFAULT '',
	old jsonb,
	new jsonb,
	ip inet,
	user_agent text,
	prev_hash bytea NOT NULL,
	hash bytea NOT NULL,
	PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Chain heads: the lock that serialises appends per tenant.
CREATE TABLE audit_heads (
	tenant_id uuid PRIMARY KEY,
	seq bigint NOT NULL,
	hash bytea NOT NULL
);

CREATE TABLE alerts (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	kind text NOT NULL DEFAULT 'quota',
	resource text NOT NULL,
	threshold int NOT NULL CHECK (threshold IN (80, 95, 100)),
	period_start timestamptz NOT NULL,
	at timestamptz NOT NULL DEFAULT now(),
	acknowledged_at timestamptz,
	acknowledged_by text,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, kind, resource, threshold, period_start)
);
CREATE INDEX alerts_open_idx ON alerts (at) WHERE acknowledged_at IS NULL;
