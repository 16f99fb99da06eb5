-- auth_query for an auth user that may not read pg_authid.
--
-- pgwarden logs in as pgwarden_auth, which can do one thing: call pgwarden.user_lookup(name).
-- The function runs as its owner, pgwarden_lookup, a role that cannot log in and whose only
-- privilege is reading pg_authid. search_path is pinned so that nobody can slip in their own
-- objects in front of pg_catalog's.
--
-- Run as a superuser. Part 1 once per cluster (roles are cluster-wide); part 2 in every database
-- auth_query asks (by default the client's database; set auth_query.database to ask one database
-- for all). Create pgwarden_auth first, with its password, e.g.
--     CREATE ROLE pgwarden_auth LOGIN PASSWORD '...';
-- and configure the plugin with
--     auth_query:
--       user: pgwarden_auth
--       password: ${env:PGWARDEN_AUTH_PASSWORD}
--       query: "SELECT username, password FROM pgwarden.user_lookup($1)"
--
-- This file is what AuthQuerySourceIT runs (io.pgwarden.plugin.scram, plugins/auth-scram).

-- Part 1, once per cluster
CREATE ROLE pgwarden_lookup NOLOGIN;
GRANT SELECT ON pg_catalog.pg_authid TO pgwarden_lookup;

-- Part 2, in each database
CREATE SCHEMA IF NOT EXISTS pgwarden;
REVOKE ALL ON SCHEMA pgwarden FROM PUBLIC;
GRANT USAGE ON SCHEMA pgwarden TO pgwarden_auth;

CREATE OR REPLACE FUNCTION pgwarden.user_lookup(p_username text)
RETURNS TABLE (username text, password text)
LANGUAGE sql STABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT rolname::text, rolpassword::text
    FROM pg_catalog.pg_authid
    WHERE rolname = p_username
      AND rolcanlogin
      AND (rolvaliduntil IS NULL OR rolvaliduntil > now())
      -- AND NOT rolsuper   -- uncomment to keep superusers' verifiers out of pgwarden's reach
$$;
ALTER FUNCTION pgwarden.user_lookup(text) OWNER TO pgwarden_lookup;
REVOKE ALL ON FUNCTION pgwarden.user_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwarden.user_lookup(text) TO pgwarden_auth;
