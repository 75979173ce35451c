-- the last test: the extension cannot be dropped while tables use its
-- triggers; with CASCADE it goes, and the tables and their rows stay
\set VERBOSITY terse
DROP EXTENSION corm;
SET client_min_messages = warning;
DROP EXTENSION corm CASCADE;
RESET client_min_messages;
SELECT count(*) AS corm_schemas FROM pg_namespace WHERE nspname = 'corm';
SELECT count(*) AS corm_functions FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'corm';
SELECT count(*) AS posts_kept FROM seed.post;
SELECT count(*) AS corm_triggers_left FROM pg_trigger WHERE tgname = 'corm_onupdate';
